package io.webllm.engine.grammar;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * An independent JSON Schema validator for the keywords the compiler supports, written from the
 * specification's wording (not from the compiler): returns the list of violations, empty when valid.
 */
final class SchemaValidator {

    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s\"]+@[^@\\s\".]+(\\.[^@\\s\".]+)+");

    private final JsonNode root;

    private SchemaValidator(JsonNode root) {
        this.root = root;
    }

    static List<String> validate(JsonNode schema, JsonNode instance) {
        List<String> errors = new ArrayList<>();
        new SchemaValidator(schema).check(schema, instance, "", errors);
        return errors;
    }

    private void check(JsonNode schema, JsonNode value, String path, List<String> errors) {
        if (schema.isBoolean()) {
            if (!schema.booleanValue()) {
                errors.add(path + ": schema false");
            }
            return;
        }
        if (schema.has("$ref")) {
            String ref = schema.get("$ref").asString();
            check(ref.equals("#") ? root : root.at(ref.substring(1)), value, path, errors);
        }
        boolean nullable = schema.path("nullable").asBoolean(false);
        if (nullable && value.isNull()) {
            return;
        }
        if (schema.has("type")) {
            JsonNode type = schema.get("type");
            List<String> types = new ArrayList<>();
            if (type.isArray()) {
                type.values().forEach(t -> types.add(t.asString()));
            } else {
                types.add(type.asString());
            }
            if (types.stream().noneMatch(t -> isType(value, t))) {
                errors.add(path + ": expected type " + types + " but found " + value);
                return;
            }
        }
        if (schema.has("const") && !sameValue(schema.get("const"), value)) {
            errors.add(path + ": expected const " + schema.get("const") + " but found " + value);
        }
        if (schema.has("enum")) {
            boolean found = false;
            for (JsonNode option : schema.get("enum").values()) {
                found |= sameValue(option, value);
            }
            if (!found) {
                errors.add(path + ": " + value + " not in enum " + schema.get("enum"));
            }
        }
        if (schema.has("allOf")) {
            for (JsonNode sub : schema.get("allOf").values()) {
                check(sub, value, path, errors);
            }
        }
        if (schema.has("anyOf")) {
            int matching = countMatching(schema.get("anyOf"), value, path);
            if (matching == 0) {
                errors.add(path + ": matches no anyOf branch");
            }
        }
        if (schema.has("oneOf")) {
            int matching = countMatching(schema.get("oneOf"), value, path);
            if (matching != 1) {
                errors.add(path + ": matches " + matching + " oneOf branches instead of one");
            }
        }
        if (value.isObject()) {
            checkObject(schema, value, path, errors);
        } else if (value.isArray()) {
            checkArray(schema, value, path, errors);
        } else if (value.isString()) {
            checkString(schema, value.asString(), path, errors);
        } else if (value.isNumber()) {
            checkNumber(schema, value.decimalValue(), path, errors);
        }
    }

    private int countMatching(JsonNode branches, JsonNode value, String path) {
        int matching = 0;
        for (JsonNode branch : branches.values()) {
            List<String> branchErrors = new ArrayList<>();
            check(branch, value, path, branchErrors);
            if (branchErrors.isEmpty()) {
                matching++;
            }
        }
        return matching;
    }

    private void checkObject(JsonNode schema, JsonNode value, String path, List<String> errors) {
        JsonNode properties = schema.path("properties");
        for (JsonNode name : schema.path("required").values()) {
            if (!value.has(name.asString())) {
                errors.add(path + ": missing required property " + name);
            }
        }
        for (Map.Entry<String, JsonNode> member : value.properties()) {
            String memberPath = path + "/" + member.getKey();
            if (properties.has(member.getKey())) {
                check(properties.get(member.getKey()), member.getValue(), memberPath, errors);
            } else if (schema.has("additionalProperties")) {
                check(schema.get("additionalProperties"), member.getValue(), memberPath, errors);
            }
        }
    }

    private void checkArray(JsonNode schema, JsonNode value, String path, List<String> errors) {
        int prefix = 0;
        if (schema.has("prefixItems")) {
            JsonNode prefixItems = schema.get("prefixItems");
            prefix = prefixItems.size();
            for (int i = 0; i < Math.min(prefix, value.size()); i++) {
                check(prefixItems.get(i), value.get(i), path + "/" + i, errors);
            }
        }
        if (schema.has("items")) {
            for (int i = prefix; i < value.size(); i++) {
                check(schema.get("items"), value.get(i), path + "/" + i, errors);
            }
        }
        if (schema.has("minItems") && value.size() < schema.get("minItems").asInt()) {
            errors.add(path + ": fewer than minItems");
        }
        if (schema.has("maxItems") && value.size() > schema.get("maxItems").asInt()) {
            errors.add(path + ": more than maxItems");
        }
    }

    private void checkString(JsonNode schema, String text, String path, List<String> errors) {
        int length = text.codePointCount(0, text.length());
        if (schema.has("minLength") && length < schema.get("minLength").asInt()) {
            errors.add(path + ": shorter than minLength: " + text);
        }
        if (schema.has("maxLength") && length > schema.get("maxLength").asInt()) {
            errors.add(path + ": longer than maxLength: " + text);
        }
        if (schema.has("pattern") && !Pattern.compile(schema.get("pattern").asString()).matcher(text).find()) {
            errors.add(path + ": does not match pattern: " + text);
        }
        String format = schema.path("format").asString("");
        try {
            switch (format) {
                case "date" -> LocalDate.parse(text);
                case "date-time" -> OffsetDateTime.parse(text);
                case "time" -> OffsetTime.parse(text);
                case "uuid" -> require(UUID.matcher(text).matches());
                case "email" -> require(EMAIL.matcher(text).matches());
                default -> {
                }
            }
        } catch (DateTimeParseException | IllegalArgumentException e) {
            errors.add(path + ": not a valid " + format + ": " + text);
        }
    }

    private static void require(boolean condition) {
        if (!condition) {
            throw new IllegalArgumentException();
        }
    }

    private void checkNumber(JsonNode schema, BigDecimal number, String path, List<String> errors) {
        if (schema.path("minimum").isNumber() && number.compareTo(schema.get("minimum").decimalValue()) < 0) {
            errors.add(path + ": below minimum: " + number);
        }
        if (schema.path("maximum").isNumber() && number.compareTo(schema.get("maximum").decimalValue()) > 0) {
            errors.add(path + ": above maximum: " + number);
        }
        if (schema.path("exclusiveMinimum").isNumber()
                && number.compareTo(schema.get("exclusiveMinimum").decimalValue()) <= 0) {
            errors.add(path + ": not above exclusiveMinimum: " + number);
        }
        if (schema.path("exclusiveMaximum").isNumber()
                && number.compareTo(schema.get("exclusiveMaximum").decimalValue()) >= 0) {
            errors.add(path + ": not below exclusiveMaximum: " + number);
        }
    }

    private static boolean isType(JsonNode value, String type) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isString();
            case "number" -> value.isNumber();
            case "integer" -> value.isNumber() && value.decimalValue().stripTrailingZeros().scale() <= 0;
            case "boolean" -> value.isBoolean();
            case "null" -> value.isNull();
            default -> throw new IllegalArgumentException("unknown type " + type);
        };
    }

    /** JSON Schema equality: numbers by value, objects regardless of member order. */
    private static boolean sameValue(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        if (a.isObject() && b.isObject()) {
            Set<String> names = new HashSet<>(a.propertyNames());
            if (!names.equals(new HashSet<>(b.propertyNames()))) {
                return false;
            }
            return names.stream().allMatch(n -> sameValue(a.get(n), b.get(n)));
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!sameValue(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }
}
