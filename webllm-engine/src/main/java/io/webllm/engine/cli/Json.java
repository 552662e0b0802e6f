package io.webllm.engine.cli;

import java.io.PrintStream;
import java.util.Map;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** Prints a command's result as one JSON object on stdout. */
final class Json {

    private static final JsonMapper MAPPER = JsonMapper.builder().disable(SerializationFeature.INDENT_OUTPUT).build();

    private Json() {
    }

    static void print(PrintStream out, Map<String, ?> result) {
        out.println(MAPPER.writeValueAsString(result));
    }
}
