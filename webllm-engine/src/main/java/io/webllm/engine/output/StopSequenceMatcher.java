package io.webllm.engine.output;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Finds stop strings in streamed text. Text that cannot be the start of a stop string is released at once; a tail
 * that might be one is held back until the next delta decides it. Stop strings are never emitted.
 *
 * <p>Generation stops at the first stop string to be <em>completed</em>, as if the text arrived one character at a
 * time: with stops {@code "bc"} and {@code "abcd"}, the text {@code "abcd"} stops at {@code "bc"} and emits
 * {@code "a"}. Among stops completed at the same character the longest (earliest starting) wins. This makes the
 * result independent of how the text is split into deltas.
 */
public final class StopSequenceMatcher {

    /** What one delta released. */
    public record Step(String text, @Nullable String stop) {
        /** Whether a stop string matched: generation should end, {@link #text()} is the last text to show. */
        public boolean stopped() {
            return stop != null;
        }
    }

    private final List<String> stops;
    private final int longest;
    private final StringBuilder held = new StringBuilder();
    private @Nullable String matched;

    public StopSequenceMatcher(List<String> stops) {
        for (String stop : stops) {
            if (stop.isEmpty()) {
                throw new IllegalArgumentException("stop: expected non-empty stop strings but found an empty one");
            }
        }
        this.stops = List.copyOf(stops);
        this.longest = this.stops.stream().mapToInt(String::length).max().orElse(0);
    }

    /** Feeds a delta; after a stop matched, further deltas release nothing. */
    public Step feed(String delta) {
        if (matched != null) {
            return new Step("", matched);
        }
        held.append(delta);
        int bestEnd = Integer.MAX_VALUE;
        int bestStart = 0;
        String best = null;
        for (String stop : stops) {
            int start = held.indexOf(stop);
            if (start >= 0) {
                int end = start + stop.length();
                if (end < bestEnd || (end == bestEnd && start < bestStart)) {
                    bestEnd = end;
                    bestStart = start;
                    best = stop;
                }
            }
        }
        if (best != null) {
            matched = best;
            String text = held.substring(0, bestStart);
            held.setLength(0);
            return new Step(text, best);
        }
        int keep = longestPossibleStart();
        String text = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return new Step(text, null);
    }

    /** Releases the held tail when generation ended for another reason (end of sequence, length). */
    public String finish() {
        String rest = held.toString();
        held.setLength(0);
        return rest;
    }

    /** The stop string that matched, or {@code null}. */
    public @Nullable String matchedStop() {
        return matched;
    }

    /** Length of the longest suffix of the held text that is a proper prefix of some stop string. */
    private int longestPossibleStart() {
        for (int length = Math.min(longest - 1, held.length()); length > 0; length--) {
            int from = held.length() - length;
            for (String stop : stops) {
                if (stop.length() > length && regionMatches(stop, from, length)) {
                    return length;
                }
            }
        }
        return 0;
    }

    private boolean regionMatches(String stop, int from, int length) {
        for (int i = 0; i < length; i++) {
            if (held.charAt(from + i) != stop.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
