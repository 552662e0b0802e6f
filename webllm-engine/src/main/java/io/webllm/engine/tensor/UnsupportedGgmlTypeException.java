package io.webllm.engine.tensor;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Thrown when a GGML type has no plain-Java codec, naming the type and the ones that do have one. */
public final class UnsupportedGgmlTypeException extends IllegalArgumentException {

    public UnsupportedGgmlTypeException(GgmlType type) {
        super("no codec for GGML type %s (id %d); supported types are %s".formatted(type, type.id(),
                Arrays.stream(GgmlType.values()).filter(GgmlType::supported).map(GgmlType::name)
                        .collect(Collectors.joining(", "))));
    }
}
