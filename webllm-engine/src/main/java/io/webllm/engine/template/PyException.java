package io.webllm.engine.template;

/**
 * A Python-level error raised while evaluating (TypeError, UndefinedError, a template's raise_exception...).
 * The renderer catches it at the innermost expression or statement and turns it into a
 * {@link TemplateException} that carries the position.
 */
final class PyException extends RuntimeException {

    PyException(String message) {
        super(message, null, false, false);
    }
}
