package io.webllm.engine.grammar;

/**
 * A schema that cannot be compiled to a grammar, named by the keyword and the JSON pointer where it sits.
 */
public final class GrammarException extends RuntimeException {

    private final String keyword;
    private final String pointer;

    public GrammarException(String keyword, String pointer, String message) {
        super("schema keyword '" + keyword + "' at '" + (pointer.isEmpty() ? "#" : "#" + pointer) + "': " + message);
        this.keyword = keyword;
        this.pointer = pointer;
    }

    /** The keyword that could not be compiled, e.g. {@code "pattern"}. */
    public String keyword() {
        return keyword;
    }

    /** JSON pointer of the schema object holding the keyword ({@code ""} for the root). */
    public String pointer() {
        return pointer;
    }
}
