package io.webllm.engine.output;

import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Makes tool-call ids: {@code call_} and 24 alphanumerics (OpenAI's look), or nine alphanumerics for
 * {@link ToolCallFormat#MISTRAL}. Seeded, the ids repeat with the request, so a seeded run is reproducible to the
 * byte.
 */
public final class ToolCallIdGenerator {

    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final RandomGeneratorFactory<RandomGenerator> FACTORY =
            RandomGeneratorFactory.of("L64X128MixRandom");

    private final RandomGenerator random;

    private ToolCallIdGenerator(RandomGenerator random) {
        this.random = random;
    }

    public static ToolCallIdGenerator seeded(long seed) {
        return new ToolCallIdGenerator(FACTORY.create(seed));
    }

    public static ToolCallIdGenerator random() {
        return new ToolCallIdGenerator(FACTORY.create());
    }

    public String next(ToolCallFormat format) {
        return format == ToolCallFormat.MISTRAL ? alphanumerics(9) : "call_" + alphanumerics(24);
    }

    private String alphanumerics(int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
        }
        return new String(chars);
    }
}
