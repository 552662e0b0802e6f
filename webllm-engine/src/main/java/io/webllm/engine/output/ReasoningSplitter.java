package io.webllm.engine.output;

/**
 * Separates a reasoning model's thinking from its answer while streaming: Qwen3 writes
 * {@code <think>...</think>} before answering; DeepSeek-R1 distills get {@code <think>} already in the prompt from
 * their template, so their output starts inside the thinking ({@code startsInsideReasoning}).
 *
 * <p>An opening tag counts only at the very start of the output (after whitespace), as these models are trained to
 * produce it; a {@code <think>} later in an answer is ordinary text. Whitespace around the reasoning and at the start
 * of the answer is dropped, as llama.cpp's server does. Partial tags and trailing whitespace are held back until the
 * next delta decides them, so the result does not depend on how the text is split.
 */
public final class ReasoningSplitter {

    /** What one delta released, as reasoning and as answer text (either may be empty). */
    public record Split(String reasoning, String content) {
        static final Split EMPTY = new Split("", "");
    }

    private enum Phase { START, REASONING_START, REASONING, CONTENT_START, CONTENT }

    public static final String THINK_OPEN = "<think>";
    public static final String THINK_CLOSE = "</think>";

    private final String open;
    private final String close;
    private final StringBuilder pending = new StringBuilder();
    private Phase phase;

    /** Qwen3 / DeepSeek tags. */
    public ReasoningSplitter(boolean startsInsideReasoning) {
        this(THINK_OPEN, THINK_CLOSE, startsInsideReasoning);
    }

    public ReasoningSplitter(String open, String close, boolean startsInsideReasoning) {
        if (open.isEmpty() || close.isEmpty()) {
            throw new IllegalArgumentException("expected non-empty reasoning tags but found '" + open + "' and '"
                    + close + "'");
        }
        this.open = open;
        this.close = close;
        this.phase = startsInsideReasoning ? Phase.REASONING_START : Phase.START;
    }

    public Split feed(String delta) {
        pending.append(delta);
        return drain(false);
    }

    /** Releases whatever is held at the end of generation (an unclosed reasoning block stays reasoning). */
    public Split finish() {
        return drain(true);
    }

    /** Whether the output is (still) inside the reasoning block. */
    public boolean inReasoning() {
        return phase == Phase.REASONING_START || phase == Phase.REASONING;
    }

    private Split drain(boolean end) {
        var reasoning = new StringBuilder();
        var content = new StringBuilder();
        while (true) {
            Phase before = phase;
            int length = pending.length();
            switch (phase) {
                case START -> start(end, content);
                case REASONING_START, CONTENT_START -> skipWhitespace(end);
                case REASONING -> reasoning(end, reasoning);
                case CONTENT -> {
                    content.append(pending);
                    pending.setLength(0);
                }
            }
            if (phase == before && pending.length() == length) {
                break;
            }
        }
        return reasoning.isEmpty() && content.isEmpty()
                ? Split.EMPTY : new Split(reasoning.toString(), content.toString());
    }

    private void start(boolean end, StringBuilder content) {
        int first = firstNonWhitespace();
        if (first == pending.length()) {
            if (end) {
                phase = Phase.CONTENT;
            }
            return;
        }
        if (startsWith(first, open)) {
            pending.delete(0, first + open.length());
            phase = Phase.REASONING_START;
        } else if (end || !isPrefixOfOpen(first)) {
            phase = Phase.CONTENT;
        }
    }

    private void skipWhitespace(boolean end) {
        int first = firstNonWhitespace();
        pending.delete(0, first);
        if (!pending.isEmpty() || end) {
            phase = phase == Phase.REASONING_START ? Phase.REASONING : Phase.CONTENT;
        }
    }

    private void reasoning(boolean end, StringBuilder reasoning) {
        int closeAt = pending.indexOf(close);
        if (closeAt >= 0) {
            reasoning.append(pending, 0, trimEnd(closeAt));
            pending.delete(0, closeAt + close.length());
            phase = Phase.CONTENT_START;
            return;
        }
        int releasable = end ? trimEnd(pending.length()) : trimEnd(pending.length() - partialCloseLength());
        reasoning.append(pending, 0, releasable);
        pending.delete(0, end ? pending.length() : releasable);
    }

    private int partialCloseLength() {
        for (int length = Math.min(close.length() - 1, pending.length()); length > 0; length--) {
            if (startsWith(pending.length() - length, close.substring(0, length))) {
                return length;
            }
        }
        return 0;
    }

    private int firstNonWhitespace() {
        int i = 0;
        while (i < pending.length() && Character.isWhitespace(pending.charAt(i))) {
            i++;
        }
        return i;
    }

    private int trimEnd(int to) {
        while (to > 0 && Character.isWhitespace(pending.charAt(to - 1))) {
            to--;
        }
        return to;
    }

    private boolean startsWith(int from, String prefix) {
        return pending.length() - from >= prefix.length()
                && pending.substring(from, from + prefix.length()).equals(prefix);
    }

    private boolean isPrefixOfOpen(int from) {
        return open.startsWith(pending.substring(from));
    }
}
