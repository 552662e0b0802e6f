package io.webllm.engine.registry;

import java.util.List;

/**
 * A model id that the registry does not know. The message lists the close matches and all known ids.
 */
public class UnknownModelException extends IllegalArgumentException {

    private final String requestedId;
    private final List<String> closeMatches;

    public UnknownModelException(String message, String requestedId, List<String> closeMatches) {
        super(message);
        this.requestedId = requestedId;
        this.closeMatches = List.copyOf(closeMatches);
    }

    public String requestedId() {
        return requestedId;
    }

    /** Known ids that look like the requested one, best first. */
    public List<String> closeMatches() {
        return closeMatches;
    }
}
