package io.webllm.engine.model;

/**
 * Tokens for one forward pass. Token {@code i} sits at {@code positions[i]} of the sequence in KV cache slot
 * {@code slots[i]}; tokens of one sequence appear in position order. Logits come back for the batch rows listed in
 * {@code logitRows}, in that order.
 */
public record Batch(int[] tokens, int[] positions, int[] slots, int[] logitRows) {

    public Batch {
        if (tokens.length == 0 || positions.length != tokens.length || slots.length != tokens.length) {
            throw new IllegalArgumentException("a batch needs at least one token and one position and slot per token");
        }
        for (int row : logitRows) {
            if (row < 0 || row >= tokens.length) {
                throw new IllegalArgumentException("logit row " + row + " is outside the batch of " + tokens.length);
            }
        }
    }

    /** Consecutive tokens of one sequence starting at {@code start}; logits for the last one only. */
    public static Batch sequence(int[] tokens, int start, int slot) {
        return sequence(tokens, start, slot, false);
    }

    /** Consecutive tokens of one sequence starting at {@code start}; logits for every token or only the last. */
    public static Batch sequence(int[] tokens, int start, int slot, boolean allLogits) {
        int[] positions = new int[tokens.length];
        int[] slots = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            positions[i] = start + i;
            slots[i] = slot;
        }
        int[] rows = allLogits ? java.util.stream.IntStream.range(0, tokens.length).toArray() : new int[] {tokens.length - 1};
        return new Batch(tokens, positions, slots, rows);
    }

    public int size() {
        return tokens.length;
    }
}
