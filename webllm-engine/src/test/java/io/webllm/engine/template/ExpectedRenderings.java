package io.webllm.engine.template;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Reads the JSON resources written by render_expected.py and checks one Java rendering against Python's. */
final class ExpectedRenderings {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private ExpectedRenderings() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> resource(String name) {
        try (InputStream in = ExpectedRenderings.class.getResourceAsStream("/template/" + name)) {
            assertThat(in).as("test resource template/%s", name).isNotNull();
            return JSON.readValue(in, Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fixed time render_expected.py gives strftime_now, as a clock in UTC (Python's naive local time). */
    static Clock fixedClock(String isoLocal) {
        return Clock.fixed(LocalDateTime.parse(isoLocal).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
    }

    /**
     * Asserts that rendering equals Python's result: the same text, or an exception where Python raised one; for
     * a template's own raise_exception, with exactly its message.
     */
    static void check(String templateName, String source, Map<String, @Nullable Object> context, Clock clock,
            Map<String, Object> expected) {
        if (expected.containsKey("output")) {
            ChatTemplate template = ChatTemplate.compile(templateName, source);
            assertThat(template.render(context, clock)).isEqualTo(expected.get("output"));
            return;
        }
        String message = (String) expected.get("error");
        String type = (String) expected.get("type");
        if (type.startsWith("TemplateSyntax") || type.startsWith("TemplateAssertion")) {
            assertThatThrownBy(() -> ChatTemplate.compile(templateName, source))
                    .isInstanceOf(TemplateException.class)
                    .hasMessageContaining(templateName);
            return;
        }
        ChatTemplate template = ChatTemplate.compile(templateName, source);
        TemplateException e = catchThrowableOfType(TemplateException.class, () -> template.render(context, clock));
        assertThat(e).as("Python raised %s: %s", type, message).isNotNull();
        assertThat(e.templateName()).isEqualTo(templateName);
        assertThat(e.getMessage()).contains(templateName).contains("line " + e.line());
        if (type.equals("raise_exception")) {
            assertThat(e.reason()).isEqualTo(message);
        } else {
            assertThat(e.reason()).endsWith(message);
        }
    }
}
