package io.webllm.engine.template;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Errors name the template, the line and column of the failing construct, and the construct itself. */
class TemplateErrorTests {

    @Test
    void parseErrorPointsAtTheOffendingToken() {
        TemplateException e = catchThrowableOfType(TemplateException.class,
                () -> ChatTemplate.compile("my-model", "line one\n  {{ 1 + }}"));
        assertThat(e.templateName()).isEqualTo("my-model");
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.column()).isEqualTo(10);
        assertThat(e.getMessage()).startsWith("chat template 'my-model' line 2, column 10: ")
                .contains("}}");
    }

    @Test
    void unclosedBlockNamesTheMissingEndTag() {
        TemplateException e = catchThrowableOfType(TemplateException.class,
                () -> ChatTemplate.compile("t", "{% for m in messages %}\n{{ m }}"));
        assertThat(e.reason()).contains("endfor");
    }

    @Test
    void unknownFilterFailsAtCompileTimeLikeJinja() {
        TemplateException e = catchThrowableOfType(TemplateException.class,
                () -> ChatTemplate.compile("t", "{% if false %}{{ x | shout }}{% endif %}"));
        assertThat(e.reason()).isEqualTo("no filter named 'shout'");
        assertThat(e.column()).isEqualTo(18);
    }

    @Test
    void renderErrorNamesTheInnermostFailingConstruct() {
        ChatTemplate t = ChatTemplate.compile("qwen", "{% for m in messages %}\n  {{- 'x' + m.content }}\n{% endfor %}");
        TemplateException e = catchThrowableOfType(TemplateException.class,
                () -> t.render(Map.of("messages", List.of(Map.of("content", 5)))));
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.reason()).isEqualTo("TypeError: can only concatenate str (not \"int\") to str");
        assertThat(e.getMessage()).contains("qwen").contains("(in `'x' + m.content`)");
    }

    @Test
    void raiseExceptionCarriesTheTemplatesOwnMessage() {
        ChatTemplate t = ChatTemplate.compile("gemma",
                "{% if messages[0].role == 'system' %}\n{{ raise_exception('System role not supported') }}{% endif %}");
        TemplateException e = catchThrowableOfType(TemplateException.class,
                () -> t.render(Map.of("messages", List.of(Map.of("role", "system", "content", "x")))));
        assertThat(e.reason()).isEqualTo("System role not supported");
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.getMessage()).contains("gemma").contains("raise_exception('System role not supported')");
    }

    @Test
    void attributeOfUndefinedFailsWithJinjasMessage() {
        ChatTemplate t = ChatTemplate.compile("t", "{{ message.content }}");
        TemplateException e = catchThrowableOfType(TemplateException.class, () -> t.render(Map.of()));
        assertThat(e.reason()).isEqualTo("'message' is undefined");
    }

    @Test
    void contextValuesOfUnknownTypesAreRejectedWithTheirPath() {
        ChatTemplate t = ChatTemplate.compile("t", "{{ messages }}");
        IllegalArgumentException e = catchThrowableOfType(IllegalArgumentException.class,
                () -> t.render(Map.of("messages", List.of(Map.of("content", new Object())))));
        assertThat(e).hasMessageContaining("messages[0].content").hasMessageContaining("java.lang.Object");
    }

    @Test
    void runawayMacroRecursionIsAnErrorNotAStackOverflow() {
        ChatTemplate t = ChatTemplate.compile("t", "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
        TemplateException e = catchThrowableOfType(TemplateException.class, () -> t.render(Map.of()));
        assertThat(e.reason()).startsWith("RecursionError");
    }
}
