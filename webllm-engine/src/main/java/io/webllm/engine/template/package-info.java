/**
 * Chat templates: a Jinja2 interpreter faithful to Python's Jinja2 as Hugging Face configures it for
 * {@code apply_chat_template}, and built-in prompt formats for model files that carry no template.
 *
 * <p>The public entry points are {@link io.webllm.engine.template.ChatTemplate} and
 * {@link io.webllm.engine.template.BuiltinChatFormat}; everything else is the interpreter's machinery:
 * {@code TemplateLexer} (whitespace control, trim_blocks, lstrip_blocks) to {@code TemplateParser} (Jinja's
 * grammar and precedence) to {@code Renderer} (scoping, loops, macros) over Python value semantics
 * ({@code PyValues}, {@code PyOperators}, {@code PyAttributes}, {@code Filters}, {@code Tests}, {@code PyJson}).
 *
 * <p>Where this interpreter knowingly differs from Python Jinja2 (none of it seen in real chat templates):
 * <ul>
 *   <li>{@code select}, {@code reject}, {@code selectattr}, {@code rejectattr}, {@code map} and {@code unique}
 *       return lists rather than generators, so {@code | length} on them works where Jinja raises.</li>
 *   <li>Integers are 64-bit; overflow is an error instead of a big integer.</li>
 *   <li>{@code str.format} handles {@code {}}, {@code {0}} and {@code {name}} fields without format specs;
 *       {@code %} formatting the common conversions (s, r, d, i, f, e, g, x) only.</li>
 *   <li>No {@code include}, {@code import}, {@code extends} or {@code block}: a chat template is one string.</li>
 *   <li>Strings order by UTF-16 code units, which differs from Python only between characters outside the BMP.</li>
 * </ul>
 */
@org.jspecify.annotations.NullMarked
package io.webllm.engine.template;
