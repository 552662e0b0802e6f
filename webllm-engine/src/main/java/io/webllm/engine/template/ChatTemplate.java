package io.webllm.engine.template;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A chat template (Jinja2 source such as a GGUF's {@code tokenizer.chat_template}), compiled once and rendered
 * exactly as Hugging Face's {@code apply_chat_template} renders it with Python's Jinja2: {@code trim_blocks},
 * {@code lstrip_blocks}, loop controls, {@code tojson} as {@code json.dumps(ensure_ascii=False)},
 * {@code raise_exception} and {@code strftime_now}.
 *
 * <p>The context holds {@code messages} (maps with {@code role}, {@code content}, optional {@code tool_calls},
 * {@code tool_call_id}, {@code name}), {@code tools} (OpenAI-style definitions; pass {@code null} when none are
 * offered, as Hugging Face does), {@code add_generation_prompt}, {@code bos_token}, {@code eos_token} and any
 * extra variables. A key that is absent is undefined to the template; a key mapped to {@code null} is None.
 * Instances are immutable and safe to share between threads.
 */
public final class ChatTemplate {

    private final SourceText source;
    private final List<Stmt> body;

    private ChatTemplate(SourceText source, List<Stmt> body) {
        this.source = source;
        this.body = body;
    }

    /**
     * Parses a template.
     *
     * @param name   how errors refer to the template (a model name or file)
     * @param source the Jinja2 text
     * @throws TemplateException when the text is not a valid template, with the line and column
     */
    public static ChatTemplate compile(String name, String source) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        SourceText text = new SourceText(name, source);
        List<Token> tokens = new TemplateLexer(text).tokenize();
        return new ChatTemplate(text, List.copyOf(new TemplateParser(text, tokens).parseTemplate()));
    }

    /** The name given at compilation. */
    public String name() {
        return source.name();
    }

    /** Renders with the system clock for {@code strftime_now}. */
    public String render(Map<String, ? extends @Nullable Object> context) {
        return render(context, Clock.systemDefaultZone());
    }

    /**
     * Renders the prompt.
     *
     * @param context the template variables (see the class description)
     * @param clock   the time {@code strftime_now} formats, in the clock's zone
     * @throws TemplateException when the template fails or calls {@code raise_exception}; its
     *                           {@link TemplateException#reason()} is then the template's own message
     * @throws IllegalArgumentException when a context value is not a string, number, boolean, null, list or map
     */
    public String render(Map<String, ? extends @Nullable Object> context, Clock clock) {
        Map<String, @Nullable Object> variables = new LinkedHashMap<>();
        context.forEach((key, value) -> variables.put(key, PyValues.fromJava(value, key)));
        return new Renderer(source, clock).render(body, variables);
    }

    @Override
    public String toString() {
        return "ChatTemplate[" + source.name() + "]";
    }
}
