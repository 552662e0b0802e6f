package io.webllm.engine.grammar;

/**
 * What a token does when the matcher's stack top is one grammar position, decided without the stack beneath
 * (the XGrammar idea): tokens that stay inside the rule are {@code accepted} in any context, tokens that die
 * inside it are rejected in any context, and only the {@code uncertain} ones, which run past the end of the
 * rule, have to be tried against the real stack at decode time.
 *
 * @param acceptedBits bitmask over token ids, or {@code null} when {@code acceptedIds} is used (few tokens)
 * @param acceptedIds token ids when the accepted set is small
 * @param uncertain sorted indices ({@link TokenTrie} order) of the tokens to check in context
 */
record PositionMask(long @org.jspecify.annotations.Nullable [] acceptedBits, int[] acceptedIds, int[] uncertain) {

    void orInto(long[] mask) {
        if (acceptedBits != null) {
            for (int i = 0; i < acceptedBits.length; i++) {
                mask[i] |= acceptedBits[i];
            }
        } else {
            for (int id : acceptedIds) {
                mask[id >>> 6] |= 1L << (id & 63);
            }
        }
    }

    /** Approximate heap use, for the cache's budget. */
    long bytes() {
        return (acceptedBits == null ? 0 : acceptedBits.length * 8L) + acceptedIds.length * 4L
                + uncertain.length * 4L + 64;
    }
}
