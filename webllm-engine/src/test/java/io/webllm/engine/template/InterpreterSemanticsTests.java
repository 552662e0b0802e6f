package io.webllm.engine.template;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The interpreter's tricky semantics (whitespace control, loop variables, scoping, namespace, slicing,
 * tojson, Python-style printing, undefined, errors), each case checked against Python Jinja2's rendering
 * recorded in semantics-expected.json by render_expected.py.
 */
class InterpreterSemanticsTests {

    private static final Clock CLOCK = ExpectedRenderings.fixedClock(
            (String) ExpectedRenderings.resource("conversations.json").get("fixed_now"));

    @SuppressWarnings("unchecked")
    @TestFactory
    Stream<DynamicTest> everyCaseRendersAsPythonJinja2() {
        List<Map<String, Object>> cases = ExpectedRenderings.JSON.readValue(
                getClass().getResourceAsStream("/template/semantics.json"), List.class);
        Map<String, Object> expected = (Map<String, Object>) ExpectedRenderings.resource("semantics-expected.json")
                .get("cases");
        assertThat(expected.keySet()).as("semantics-expected.json is stale: rerun render_expected.py")
                .hasSameSizeAs(cases);
        return cases.stream().map(c -> DynamicTest.dynamicTest((String) c.get("name"), () -> {
            Map<String, @Nullable Object> context = new LinkedHashMap<>(
                    (Map<String, Object>) c.getOrDefault("context", Map.of()));
            ExpectedRenderings.check((String) c.get("name"), (String) c.get("template"), context, CLOCK,
                    (Map<String, Object>) expected.get(c.get("name")));
        }));
    }

    @Test
    void aKeyMappedToNullIsNoneButAnAbsentKeyIsUndefined() {
        ChatTemplate t = ChatTemplate.compile("t", "{{ x is defined }} {{ x is none }} [{{ x }}]");
        Map<String, @Nullable Object> withNull = new LinkedHashMap<>();
        withNull.put("x", null);
        assertThat(t.render(withNull)).isEqualTo("True True [None]");
        assertThat(t.render(Map.of())).isEqualTo("False False []");
    }

    @Test
    void javaNumberTypesBecomePythonIntsAndFloats() {
        // Python: [3, 4, 1.5, 2.0]; 3 / 2 == 1.5; json.dumps keeps 2.0 a float
        ChatTemplate u = ChatTemplate.compile("u", "{{ v }} {{ v[0] / 2 }} {{ v | tojson }}");
        assertThat(u.render(Map.of("v", List.of(3, 4L, 1.5f, 2.0)))).isEqualTo("[3, 4, 1.5, 2.0] 1.5 [3, 4, 1.5, 2.0]");
    }
}
