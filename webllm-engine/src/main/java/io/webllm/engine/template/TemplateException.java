package io.webllm.engine.template;

/**
 * A chat template could not be compiled or rendered.
 *
 * <p>The message names the template, the line and column of the failing construct and the construct itself;
 * {@link #reason()} is the bare cause, for a template's own {@code raise_exception(...)} exactly its text.
 */
public final class TemplateException extends RuntimeException {

    private final String templateName;
    private final int line;
    private final int column;
    private final String reason;

    TemplateException(String templateName, int line, int column, String construct, String reason) {
        super("chat template '" + templateName + "' line " + line + ", column " + column + ": " + reason
                + (construct.isEmpty() ? "" : " (in `" + construct + "`)"));
        this.templateName = templateName;
        this.line = line;
        this.column = column;
        this.reason = reason;
    }

    /** The name the template was compiled under. */
    public String templateName() {
        return templateName;
    }

    /** The 1-based line of the failing construct. */
    public int line() {
        return line;
    }

    /** The 1-based column of the failing construct. */
    public int column() {
        return column;
    }

    /** What went wrong, without position; the template's own message for {@code raise_exception}. */
    public String reason() {
        return reason;
    }
}
