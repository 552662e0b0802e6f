package io.webllm.engine.grammar;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/** The hand-written schemas and documents of {@code grammar/schemas.json}, and strict parsing of output. */
record SchemaCases(String name, JsonNode schema, List<String> valid, List<String> invalid, List<String> outside) {

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    static List<SchemaCases> load() {
        try (InputStream in = SchemaCases.class.getResourceAsStream("/grammar/schemas.json")) {
            JsonNode all = JSON.readTree(in);
            List<SchemaCases> cases = new ArrayList<>();
            for (Map.Entry<String, JsonNode> entry : all.properties()) {
                JsonNode node = entry.getValue();
                cases.add(new SchemaCases(entry.getKey(), node.get("schema"), strings(node.path("valid")),
                        strings(node.path("invalid")), strings(node.path("outside"))));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.values().forEach(v -> out.add(v.asString()));
        return out;
    }

    /** Parses output bytes as a JSON document: strict UTF-8, no trailing tokens; throws when it is not one. */
    static JsonNode parseStrictly(byte[] output) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(output));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("output is not well-formed UTF-8", e);
        }
        return JSON.readTree(output);
    }

    @Override
    public String toString() {
        return name;
    }
}
