/**
 * Chat templates: a Jinja2 interpreter faithful to Python's Jinja2 as Hugging Face configures it for
 * {@code apply_chat_template}, and built-in prompt formats for model files that carry no template.
 *
 * <p>The public entry points are {@link io.webllm.engine.template.ChatTemplate} and
 * {@link io.webllm.engine.template.BuiltinChatFormat}; everything else is the interpreter's machinery.
 */
@org.jspecify.annotations.NullMarked
package io.webllm.engine.template;
