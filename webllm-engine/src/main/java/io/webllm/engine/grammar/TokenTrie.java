package io.webllm.engine.grammar;

import java.util.Arrays;

/**
 * The vocabulary's byte strings as a trie, built once per vocabulary and shared by every grammar and request
 * (immutable, so thread-safe).
 *
 * <p>Tokens are sorted by their bytes; the trie's nodes are numbered in pre-order, so a node's subtree is the
 * node range {@code [n, skip(n))} and the token range {@code [firstToken(n), subtreeEnd(n))} of the sorted
 * order. A walk can therefore drop a whole subtree when its prefix is rejected, and name a whole subtree of
 * tokens by one range. End-of-generation tokens and tokens without bytes are kept out of the trie.
 */
public final class TokenTrie {

    private final int vocabularySize;
    private final int[] sortedTokens; // (sorted index) -> token id
    private final byte[][] sortedBytes; // (sorted index) -> token bytes
    private final int[] endOfGeneration;
    private final byte[][] bytesById; // null for end-of-generation tokens
    // per node, pre-order: the byte leading to it, its depth, the node after its subtree, its token ranges
    private final byte[] nodeByte;
    private final int[] nodeDepth;
    private final int[] nodeSkip;
    private final int[] nodeFirstToken;
    private final int[] nodeTokensHere;
    private final int[] nodeSubtreeEnd;
    private final int nodeCount;
    private final int maxDepth;

    private TokenTrie(TokenVocabulary vocabulary) {
        vocabularySize = vocabulary.size();
        int textCount = 0;
        int eogCount = 0;
        byte[][] bytes = new byte[vocabularySize][];
        for (int id = 0; id < vocabularySize; id++) {
            if (vocabulary.isEndOfGeneration(id)) {
                eogCount++;
            } else {
                bytes[id] = vocabulary.tokenBytes(id);
                if (bytes[id].length > 0) {
                    textCount++;
                }
            }
        }
        bytesById = bytes;
        endOfGeneration = new int[eogCount];
        Integer[] order = new Integer[textCount];
        for (int id = 0, e = 0, t = 0; id < vocabularySize; id++) {
            if (bytes[id] == null) {
                endOfGeneration[e++] = id;
            } else if (bytes[id].length > 0) {
                order[t++] = id;
            }
        }
        Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(bytes[a], bytes[b]));
        sortedTokens = new int[textCount];
        sortedBytes = new byte[textCount][];
        int totalBytes = 1;
        int longest = 0;
        for (int i = 0; i < textCount; i++) {
            sortedTokens[i] = order[i];
            sortedBytes[i] = bytes[order[i]];
            totalBytes += sortedBytes[i].length;
            longest = Math.max(longest, sortedBytes[i].length);
        }
        maxDepth = longest;

        int capacity = totalBytes;
        byte[] nByte = new byte[capacity];
        int[] nDepth = new int[capacity];
        int[] nSkip = new int[capacity];
        int[] nFirst = new int[capacity];
        int[] nHere = new int[capacity];
        int[] nEnd = new int[capacity];
        int[] open = new int[longest + 1]; // open[d] = node at depth d on the current path
        int count = 1; // node 0 is the root (empty prefix)
        int openDepth = 0;
        byte[] previous = new byte[0];
        for (int i = 0; i < textCount; i++) {
            byte[] token = sortedBytes[i];
            int common = Math.min(Arrays.mismatch(previous, token) < 0 ? token.length
                    : Arrays.mismatch(previous, token), openDepth);
            while (openDepth > common) {
                int closing = open[openDepth--];
                nSkip[closing] = count;
                nEnd[closing] = i;
            }
            for (int d = common + 1; d <= token.length; d++) {
                int node = count++;
                nByte[node] = token[d - 1];
                nDepth[node] = d;
                nFirst[node] = i;
                open[++openDepth] = node;
            }
            nHere[open[openDepth]]++;
            previous = token;
        }
        while (openDepth > 0) {
            int closing = open[openDepth--];
            nSkip[closing] = count;
            nEnd[closing] = textCount;
        }
        nSkip[0] = count;
        nEnd[0] = textCount;
        nodeCount = count;
        nodeByte = Arrays.copyOf(nByte, count);
        nodeDepth = Arrays.copyOf(nDepth, count);
        nodeSkip = Arrays.copyOf(nSkip, count);
        nodeFirstToken = Arrays.copyOf(nFirst, count);
        nodeTokensHere = Arrays.copyOf(nHere, count);
        nodeSubtreeEnd = Arrays.copyOf(nEnd, count);
    }

    /** Builds the trie of a vocabulary; do it once per vocabulary and share the result. */
    public static TokenTrie build(TokenVocabulary vocabulary) {
        return new TokenTrie(vocabulary);
    }

    public int vocabularySize() {
        return vocabularySize;
    }

    /** Number of {@code long} words a token bitmask needs. */
    public int maskWords() {
        return (vocabularySize + 63) >>> 6;
    }

    int nodeCount() {
        return nodeCount;
    }

    int maxDepth() {
        return maxDepth;
    }

    int nodeByte(int node) {
        return nodeByte[node] & 0xFF;
    }

    int nodeDepth(int node) {
        return nodeDepth[node];
    }

    int nodeSkip(int node) {
        return nodeSkip[node];
    }

    int nodeFirstToken(int node) {
        return nodeFirstToken[node];
    }

    int nodeTokensHere(int node) {
        return nodeTokensHere[node];
    }

    int nodeSubtreeEnd(int node) {
        return nodeSubtreeEnd[node];
    }

    int sortedToken(int sortedIndex) {
        return sortedTokens[sortedIndex];
    }

    byte[] sortedBytes(int sortedIndex) {
        return sortedBytes[sortedIndex];
    }

    /** Bytes of a token as the vocabulary gave them (empty for end-of-generation and control tokens). */
    byte[] tokenBytes(int tokenId) {
        byte[] bytes = bytesById[tokenId];
        return bytes == null ? new byte[0] : bytes;
    }

    boolean isEndOfGeneration(int tokenId) {
        return bytesById[tokenId] == null;
    }

    int[] endOfGenerationTokens() {
        return endOfGeneration;
    }
}
