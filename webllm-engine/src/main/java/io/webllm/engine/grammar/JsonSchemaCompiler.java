package io.webllm.engine.grammar;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Compiles a JSON Schema (the subset structured-output APIs use) into a {@link Grammar} whose every complete
 * sentence is a JSON document valid against the schema.
 *
 * <h2>What the output looks like</h2>
 * <ul>
 *   <li>Whitespace: none is required. Between structural tokens (after {@code { [ , :}, before {@code } ]} and
 *       {@code ,}) the model may write nothing, one space, or a newline and up to 20 spaces or tabs, so both
 *       compact and pretty-printed output are possible but whitespace can never run on forever.</li>
 *   <li>Properties come in the order of {@code properties}; required ones must appear, optional ones may be
 *       skipped. Names in {@code required} but not in {@code properties} follow, in the order of
 *       {@code required}. Additional properties (only when {@code additionalProperties} is {@code true} or a
 *       schema, or when an object declares no properties at all) come last, with unescaped ASCII names
 *       different from the declared ones. When {@code additionalProperties} is absent and properties are
 *       declared, no others are generated (a subset of what the schema allows, which is always valid).</li>
 *   <li>Numbers: integers without bounds have at most 18 digits, fractions at most 15, exponents at most 2
 *       (every number fits a double).
 *       {@code minimum}/{@code maximum}/{@code exclusiveMinimum}/{@code exclusiveMaximum} are enforced exactly
 *       for integers. For {@code number} they are rounded inwards to whole numbers (minimum 0.5 acts as 1) and
 *       the exponent is dropped, which keeps every output valid; a range with no whole number in it is
 *       rejected.</li>
 *   <li>{@code oneOf} is compiled like {@code anyOf}: it is exact when the branches are disjoint (typed or
 *       discriminated unions), the usual case.</li>
 *   <li>Strings: {@code minLength}/{@code maxLength} count code points; {@code \\u} escapes of surrogates are
 *       not generated (a character outside the BMP is written as UTF-8). Formats {@code date},
 *       {@code date-time}, {@code time} (RFC 3339, February up to 28, no leap seconds), {@code uuid} and
 *       {@code email} (a conservative shape) are enforced, time offsets within 14 hours; other formats are annotations and ignored.</li>
 *   <li>{@code pattern}: a simple regular expression (see {@link SimplePattern}) is enforced as a whole-string
 *       match (a subset of the strings with a match somewhere); anything else is rejected.</li>
 * </ul>
 * Keywords that constrain in ways this compiler cannot follow ({@code not}, {@code if}, {@code patternProperties},
 * {@code uniqueItems: true}, ...) fail with a {@link GrammarException} naming the keyword and its JSON pointer.
 */
public final class JsonSchemaCompiler {

    /** Most rules a length or count bound may unroll to (maxLength, maxItems). */
    static final int MAX_UNROLLED = 10_000;

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private static final Set<String> ANNOTATIONS = Set.of("$schema", "$id", "$comment", "title", "description",
            "default", "examples", "deprecated", "readOnly", "writeOnly", "$defs", "definitions", "$anchor",
            "contentMediaType", "contentEncoding", "discriminator", "example", "strict");
    private static final Set<String> UNSUPPORTED = Set.of("not", "if", "then", "else", "patternProperties",
            "propertyNames", "dependentRequired", "dependentSchemas", "dependencies", "contains", "minContains",
            "maxContains", "unevaluatedProperties", "unevaluatedItems", "minProperties", "maxProperties",
            "multipleOf", "$dynamicRef", "$recursiveRef", "$dynamicAnchor", "$recursiveAnchor");
    private static final List<String> TYPES = List.of("object", "array", "string", "integer", "number",
            "boolean", "null");

    private final JsonNode root;
    private final GrammarBuilder b = new GrammarBuilder();
    private final JsonGrammarParts parts = new JsonGrammarParts(b);
    private final Map<String, Integer> compiled = new HashMap<>();

    private JsonSchemaCompiler(JsonNode root) {
        this.root = root;
    }

    /** Compiles a schema given as JSON text. */
    public static Grammar compile(String schemaJson) {
        JsonNode schema;
        try {
            schema = JSON.readTree(schemaJson);
        } catch (JacksonException e) {
            throw new GrammarException("", "", "expected a JSON schema document but found invalid JSON: "
                    + e.getOriginalMessage());
        }
        return compile(schema);
    }

    public static Grammar compile(JsonNode schema) {
        JsonSchemaCompiler compiler = new JsonSchemaCompiler(schema);
        int rootRule = compiler.schema(schema, "");
        return compiler.b.build(rootRule);
    }

    /** JSON mode: any JSON object. */
    public static Grammar anyJsonObject() {
        GrammarBuilder builder = new GrammarBuilder();
        int rootRule = new JsonGrammarParts(builder).anyObject();
        return builder.build(rootRule);
    }

    /** The rule for a subschema; identical subschemas share one rule (and so their cached masks). */
    private int schema(JsonNode node, String pointer) {
        if (node.isBoolean()) {
            if (!node.booleanValue()) {
                throw new GrammarException("false", pointer, "the schema false allows no value at all");
            }
            return parts.anyValue();
        }
        if (!node.isObject()) {
            throw new GrammarException("", pointer, "expected a schema object or boolean but found " + node);
        }
        String key = node.toString();
        Integer known = compiled.get(key);
        if (known != null) {
            return known;
        }
        int rule = b.declare(pointer.isEmpty() ? "root" : pointer);
        compiled.put(key, rule);
        fill(rule, node, pointer);
        return rule;
    }

    private void fill(int rule, JsonNode node, String pointer) {
        for (String keyword : node.propertyNames()) {
            if (UNSUPPORTED.contains(keyword)) {
                throw new GrammarException(keyword, pointer, "keyword is not supported for constrained decoding");
            }
        }
        if (node.has("uniqueItems") && node.get("uniqueItems").asBoolean(false)) {
            throw new GrammarException("uniqueItems", pointer, "uniqueItems true is not supported");
        }
        if (node.path("nullable").asBoolean(false) && !typeNames(node, pointer).contains("null")) {
            b.alternative(rule, b.seq().literal("null"));
        }
        if (node.has("$ref")) {
            onlyAnnotationsBeside(node, pointer, "$ref");
            String ref = node.get("$ref").asString();
            b.alternative(rule, b.seq().ref(schema(resolve(ref, pointer), ref.substring(1))));
            return;
        }
        if (node.has("allOf")) {
            JsonNode all = node.get("allOf");
            if (!all.isArray() || all.size() != 1) {
                throw new GrammarException("allOf", pointer, "expected allOf with exactly one schema but found "
                        + (all.isArray() ? all.size() + " schemas" : all.toString()));
            }
            onlyAnnotationsBeside(node, pointer, "allOf");
            b.alternative(rule, b.seq().ref(schema(all.get(0), pointer + "/allOf/0")));
            return;
        }
        for (String union : List.of("anyOf", "oneOf")) {
            if (node.has(union)) {
                onlyAnnotationsBeside(node, pointer, union);
                JsonNode branches = node.get(union);
                if (!branches.isArray() || branches.isEmpty()) {
                    throw new GrammarException(union, pointer, "expected a non-empty array of schemas but found "
                            + branches);
                }
                for (int i = 0; i < branches.size(); i++) {
                    b.alternative(rule, b.seq().ref(schema(branches.get(i), pointer + "/" + union + "/" + i)));
                }
                return;
            }
        }
        List<String> types = typeNames(node, pointer);
        if (node.has("const")) {
            addLiterals(rule, List.of(node.get("const")), types, "const", pointer);
            return;
        }
        if (node.has("enum")) {
            JsonNode values = node.get("enum");
            if (!values.isArray() || values.isEmpty()) {
                throw new GrammarException("enum", pointer, "expected a non-empty array but found " + values);
            }
            List<JsonNode> list = new ArrayList<>();
            values.values().forEach(list::add);
            addLiterals(rule, list, types, "enum", pointer);
            return;
        }
        if (types.isEmpty()) {
            types = inferredTypes(node);
        }
        for (String type : types) {
            b.alternative(rule, b.seq().ref(typed(type, node, pointer)));
        }
    }

    private List<String> typeNames(JsonNode node, String pointer) {
        JsonNode type = node.get("type");
        List<String> names = new ArrayList<>();
        if (type == null) {
            return names;
        }
        if (type.isString()) {
            names.add(type.asString());
        } else if (type.isArray()) {
            type.values().forEach(t -> names.add(t.asString()));
        }
        for (String name : names) {
            if (!TYPES.contains(name)) {
                throw new GrammarException("type", pointer, "expected one of " + TYPES + " but found " + type);
            }
        }
        if (names.isEmpty()) {
            throw new GrammarException("type", pointer, "expected a type name or a non-empty array but found "
                    + type);
        }
        return names;
    }

    /** Without {@code type}, keywords of one kind imply it; a schema without any allows every value. */
    private static List<String> inferredTypes(JsonNode node) {
        if (node.has("properties") || node.has("required") || node.has("additionalProperties")) {
            return List.of("object");
        }
        if (node.has("items") || node.has("prefixItems") || node.has("minItems") || node.has("maxItems")) {
            return List.of("array");
        }
        if (node.has("minLength") || node.has("maxLength") || node.has("pattern") || node.has("format")) {
            return List.of("string");
        }
        if (node.has("minimum") || node.has("maximum") || node.has("exclusiveMinimum")
                || node.has("exclusiveMaximum")) {
            return List.of("number");
        }
        return List.of("any");
    }

    private void onlyAnnotationsBeside(JsonNode node, String pointer, String keyword) {
        for (String other : node.propertyNames()) {
            if (!other.equals(keyword) && !ANNOTATIONS.contains(other) && !other.equals("nullable")
                    && !other.startsWith("x-")) {
                throw new GrammarException(other, pointer, "expected only annotations beside '" + keyword
                        + "' but found '" + other + "' (combining them is not supported)");
            }
        }
    }

    private JsonNode resolve(String ref, String pointer) {
        if (!ref.startsWith("#")) {
            throw new GrammarException("$ref", pointer, "expected a reference inside the document (#/...) but found "
                    + ref);
        }
        JsonNode target = ref.equals("#") ? root : root.at(ref.substring(1));
        if (target.isMissingNode()) {
            throw new GrammarException("$ref", pointer, "reference " + ref + " points to nothing");
        }
        return target;
    }

    private void addLiterals(int rule, List<JsonNode> values, List<String> types, String keyword, String pointer) {
        int added = 0;
        for (JsonNode value : values) {
            if (types.isEmpty() || types.stream().anyMatch(type -> hasType(value, type))) {
                b.alternative(rule, b.seq().bytes(JSON.writeValueAsBytes(value)));
                added++;
            }
        }
        if (added == 0) {
            throw new GrammarException(keyword, pointer, "no value of " + keyword + " has the type " + types);
        }
    }

    private static boolean hasType(JsonNode value, String type) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isString();
            case "integer" -> value.isIntegralNumber()
                    || (value.isNumber() && value.decimalValue().stripTrailingZeros().scale() <= 0);
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            case "null" -> value.isNull();
            default -> false;
        };
    }

    private int typed(String type, JsonNode node, String pointer) {
        return switch (type) {
            case "null" -> b.rule("null", b.seq().literal("null"));
            case "boolean" -> b.rule("boolean", b.seq().literal("true"), b.seq().literal("false"));
            case "string" -> string(node, pointer);
            case "integer" -> integer(node, pointer);
            case "number" -> number(node, pointer);
            case "object" -> object(node, pointer);
            case "array" -> array(node, pointer);
            default -> parts.anyValue();
        };
    }

    // ---- strings ------------------------------------------------------------------------------------------

    private int string(JsonNode node, String pointer) {
        int min = nonNegative(node, "minLength", pointer, 0);
        int max = nonNegative(node, "maxLength", pointer, -1);
        if (max >= 0 && min > max) {
            throw new GrammarException("minLength", pointer, "expected minLength <= maxLength but found " + min
                    + " > " + max);
        }
        String format = node.path("format").asString("");
        if (node.has("pattern")) {
            if (min > 0 || max >= 0 || !format.isEmpty()) {
                throw new GrammarException("pattern", pointer,
                        "pattern combined with minLength, maxLength or format is not supported");
            }
            String pattern = node.get("pattern").asString();
            try {
                return new SimplePattern(b).compile(pattern);
            } catch (IllegalArgumentException e) {
                throw new GrammarException("pattern", pointer, "expected a simple pattern but found '" + pattern
                        + "': " + e.getMessage());
            }
        }
        int formatted = format.isEmpty() ? -1 : parts.formattedString(format);
        if (formatted >= 0) {
            if (min > 0 || max >= 0) {
                throw new GrammarException("format", pointer,
                        "format '" + format + "' combined with minLength or maxLength is not supported");
            }
            return formatted;
        }
        if (min == 0 && max < 0) {
            return parts.string();
        }
        return parts.boundedString(min, max);
    }

    private static int nonNegative(JsonNode node, String keyword, String pointer, int absent) {
        JsonNode value = node.get(keyword);
        if (value == null) {
            return absent;
        }
        if (!value.isNumber() || !hasType(value, "integer") || value.decimalValue().signum() < 0) {
            throw new GrammarException(keyword, pointer, "expected a non-negative integer but found " + value);
        }
        if (value.decimalValue().compareTo(BigDecimal.valueOf(MAX_UNROLLED)) > 0) {
            throw new GrammarException(keyword, pointer, "expected at most " + MAX_UNROLLED + " but found "
                    + value);
        }
        return value.intValue();
    }

    // ---- numbers ------------------------------------------------------------------------------------------

    private record Bounds(long lo, long hi, boolean bounded) {
    }

    /** Bounds rounded inwards to whole numbers and clamped to what the digit limits allow. */
    private static Bounds bounds(JsonNode node, String pointer, long limit) {
        BigDecimal lo = null;
        BigDecimal hi = null;
        boolean exclusiveMinFlag = node.path("exclusiveMinimum").isBoolean()
                && node.get("exclusiveMinimum").booleanValue();
        boolean exclusiveMaxFlag = node.path("exclusiveMaximum").isBoolean()
                && node.get("exclusiveMaximum").booleanValue();
        if (node.has("minimum")) {
            BigDecimal v = decimal(node, "minimum", pointer);
            lo = exclusiveMinFlag ? v.setScale(0, RoundingMode.FLOOR).add(BigDecimal.ONE)
                    : v.setScale(0, RoundingMode.CEILING);
        }
        if (node.path("exclusiveMinimum").isNumber()) {
            BigDecimal v = decimal(node, "exclusiveMinimum", pointer).setScale(0, RoundingMode.FLOOR)
                    .add(BigDecimal.ONE);
            lo = lo == null ? v : lo.max(v);
        }
        if (node.has("maximum")) {
            BigDecimal v = decimal(node, "maximum", pointer);
            hi = exclusiveMaxFlag ? v.setScale(0, RoundingMode.CEILING).subtract(BigDecimal.ONE)
                    : v.setScale(0, RoundingMode.FLOOR);
        }
        if (node.path("exclusiveMaximum").isNumber()) {
            BigDecimal v = decimal(node, "exclusiveMaximum", pointer).setScale(0, RoundingMode.CEILING)
                    .subtract(BigDecimal.ONE);
            hi = hi == null ? v : hi.min(v);
        }
        BigDecimal max = BigDecimal.valueOf(limit);
        BigDecimal low = lo == null ? max.negate() : lo.max(max.negate());
        BigDecimal high = hi == null ? max : hi.min(max);
        if (low.compareTo(high) > 0) {
            throw new GrammarException(lo != null ? "minimum" : "maximum", pointer, "expected a range holding a"
                    + " whole number within +-" + limit + " but found [" + lo + ", " + hi + "]");
        }
        return new Bounds(low.longValueExact(), high.longValueExact(), lo != null || hi != null);
    }

    private static BigDecimal decimal(JsonNode node, String keyword, String pointer) {
        JsonNode value = node.get(keyword);
        if (!value.isNumber()) {
            throw new GrammarException(keyword, pointer, "expected a number but found " + value);
        }
        return value.decimalValue();
    }

    private int integer(JsonNode node, String pointer) {
        Bounds bounds = bounds(node, pointer, 999_999_999_999_999_999L);
        return bounds.bounded() ? parts.integerRange(bounds.lo(), bounds.hi()) : parts.integer();
    }

    private int number(JsonNode node, String pointer) {
        Bounds bounds = bounds(node, pointer, 999_999_999_999_999L);
        return bounds.bounded() ? parts.numberRange(bounds.lo(), bounds.hi()) : parts.number();
    }

    // ---- objects ------------------------------------------------------------------------------------------

    private int object(JsonNode node, String pointer) {
        JsonNode declared = node.path("properties");
        Map<String, JsonNode> properties = new LinkedHashMap<>();
        Map<String, String> pointers = new HashMap<>();
        if (declared.isObject()) {
            for (Map.Entry<String, JsonNode> entry : declared.properties()) {
                properties.put(entry.getKey(), entry.getValue());
                pointers.put(entry.getKey(), pointer + "/properties/" + escape(entry.getKey()));
            }
        }
        JsonNode additional = node.get("additionalProperties");
        boolean extras = additional == null ? properties.isEmpty() : !additional.isBoolean()
                || additional.booleanValue();
        List<String> required = new ArrayList<>();
        node.path("required").values().forEach(name -> required.add(name.asString()));
        for (String name : required) {
            if (!properties.containsKey(name)) {
                if (additional != null && additional.isBoolean() && !additional.booleanValue()) {
                    throw new GrammarException("required", pointer, "property '" + name
                            + "' is required but additionalProperties is false and it is not in properties");
                }
                properties.put(name, additional == null || additional.isBoolean()
                        ? JSON.getNodeFactory().booleanNode(true) : additional);
                pointers.put(name, pointer + "/additionalProperties");
            }
        }
        int ws = parts.whitespace();
        List<String> names = new ArrayList<>(properties.keySet());
        int n = names.size();
        // first[i]: members i.. when none was written yet; rest[i]: members i.. after one was written
        int first = b.declare("members_first");
        int rest = b.declare("members_rest");
        if (extras) {
            int extraValue = additional == null || additional.isBoolean() ? parts.anyValue()
                    : schema(additional, pointer + "/additionalProperties");
            int extraMember = b.rule("extra_member", b.seq().literal("\"").ref(keyOutside(names)).ref(ws)
                    .literal(":").ref(ws).ref(extraValue).ref(ws));
            int extraRest = b.declare("extra_rest");
            b.alternative(extraRest, b.seq());
            b.alternative(extraRest, b.seq().literal(",").ref(ws).ref(extraMember).ref(extraRest));
            b.alternative(first, b.seq());
            b.alternative(first, b.seq().ref(extraMember).ref(extraRest));
            b.alternative(rest, b.seq().ref(extraRest));
        } else {
            b.alternative(first, b.seq());
            b.alternative(rest, b.seq());
        }
        for (int i = n - 1; i >= 0; i--) {
            String name = names.get(i);
            int value = schema(properties.get(name), pointers.get(name));
            byte[] key = JSON.writeValueAsBytes(name);
            int member = b.rule("member_" + name, b.seq().bytes(key).ref(ws).literal(":").ref(ws).ref(value)
                    .ref(ws));
            boolean optional = !required.contains(name);
            int nextFirst = b.declare("members_first");
            b.alternative(nextFirst, b.seq().ref(member).ref(rest));
            if (optional) {
                b.alternative(nextFirst, b.seq().ref(first));
            }
            int nextRest = b.declare("members_rest");
            b.alternative(nextRest, b.seq().literal(",").ref(ws).ref(member).ref(rest));
            if (optional) {
                b.alternative(nextRest, b.seq().ref(rest));
            }
            first = nextFirst;
            rest = nextRest;
        }
        return b.rule("object", b.seq().literal("{").ref(ws).ref(first).literal("}"));
    }

    private static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }

    /**
     * The rest of a property name after its opening quote, up to and including the closing quote: unescaped
     * printable ASCII, never one of {@code taken}. Built as a trie of the taken names: a name may leave the
     * trie at any byte, but may not close where a taken name ends.
     */
    private int keyOutside(List<String> taken) {
        Map<String, Integer> rules = new HashMap<>();
        int free = b.declare("free_key");
        b.alternative(free, b.seq().literal("\""));
        b.alternative(free, b.seq().add(plainAscii(Set.of())).ref(free));
        List<byte[]> keys = new ArrayList<>();
        for (String name : taken) {
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            boolean plain = true;
            for (byte x : bytes) {
                plain &= x >= 0x20 && x < 0x7F && x != '"' && x != '\\';
            }
            if (plain) {
                keys.add(bytes);
            }
        }
        return trieNode(keys, 0, free, rules, "");
    }

    private int trieNode(List<byte[]> keys, int depth, int free, Map<String, Integer> rules, String prefix) {
        TreeMap<Integer, List<byte[]>> children = new TreeMap<>();
        boolean ends = false;
        for (byte[] key : keys) {
            if (key.length == depth) {
                ends = true;
            } else {
                children.computeIfAbsent((int) key[depth], k -> new ArrayList<>()).add(key);
            }
        }
        int rule = b.declare("key_" + prefix);
        if (!ends) {
            b.alternative(rule, b.seq().literal("\""));
        }
        Set<Integer> used = children.keySet();
        if (used.size() < 0x7F - 0x20 - 2) {
            b.alternative(rule, b.seq().add(plainAscii(used)).ref(free));
        }
        for (Map.Entry<Integer, List<byte[]>> child : children.entrySet()) {
            int next = trieNode(child.getValue(), depth + 1, free, rules, prefix + (char) (int) child.getKey());
            b.alternative(rule, b.seq().add(b.single(child.getKey())).ref(next));
        }
        return rule;
    }

    private int plainAscii(Set<Integer> except) {
        long[] words = new long[4];
        for (int x = 0x20; x < 0x7F; x++) {
            if (x != '"' && x != '\\' && !except.contains(x)) {
                words[x >>> 6] |= 1L << (x & 63);
            }
        }
        return b.byteSet(words);
    }

    // ---- arrays -------------------------------------------------------------------------------------------

    private int array(JsonNode node, String pointer) {
        List<Integer> prefix = new ArrayList<>();
        JsonNode prefixItems = node.get("prefixItems");
        JsonNode items = node.get("items");
        JsonNode restSchema = items;
        String restPointer = pointer + "/items";
        if (prefixItems == null && items != null && items.isArray()) {
            prefixItems = items; // draft 4-7 tuple form
            restSchema = node.get("additionalItems");
            restPointer = pointer + "/additionalItems";
        }
        if (prefixItems != null) {
            String prefixName = prefixItems == items ? "items" : "prefixItems";
            for (int i = 0; i < prefixItems.size(); i++) {
                prefix.add(schema(prefixItems.get(i), pointer + "/" + prefixName + "/" + i));
            }
        }
        boolean restAllowed = restSchema == null || !restSchema.isBoolean() || restSchema.booleanValue();
        int rest = !restAllowed ? -1 : restSchema == null ? parts.anyValue() : schema(restSchema, restPointer);
        int min = nonNegative(node, "minItems", pointer, 0);
        int max = nonNegative(node, "maxItems", pointer, -1);
        if (!restAllowed) {
            max = max < 0 ? prefix.size() : Math.min(max, prefix.size());
        }
        if (max >= 0 && min > max) {
            throw new GrammarException("minItems", pointer, "expected minItems <= " + max
                    + " (maxItems or the number of prefixItems) but found " + min);
        }
        int ws = parts.whitespace();
        int top = max >= 0 ? max : Math.max(prefix.size(), min);
        // tail[k]: what follows once k items are written (a comma and more items, or the end)
        int next;
        if (max >= 0) {
            next = b.rule("items_end", b.seq());
        } else {
            next = b.declare("items_loop");
            b.alternative(next, b.seq());
            b.alternative(next, b.seq().literal(",").ref(ws).ref(rest).ref(ws).ref(next));
        }
        for (int k = top - 1; k >= 1; k--) {
            int item = k < prefix.size() ? prefix.get(k) : rest;
            int tail = b.declare("items_" + k);
            if (k >= min) {
                b.alternative(tail, b.seq());
            }
            b.alternative(tail, b.seq().literal(",").ref(ws).ref(item).ref(ws).ref(next));
            next = tail;
        }
        int array = b.declare("array");
        if (min == 0) {
            b.alternative(array, b.seq().literal("[").ref(ws).literal("]"));
        }
        if (max != 0) {
            int firstItem = prefix.isEmpty() ? rest : prefix.get(0);
            b.alternative(array, b.seq().literal("[").ref(ws).ref(firstItem).ref(ws).ref(next).literal("]"));
        }
        return array;
    }
}
