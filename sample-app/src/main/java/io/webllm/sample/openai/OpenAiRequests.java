package io.webllm.sample.openai;

import io.webllm.engine.chat.ChatMessage;
import io.webllm.engine.chat.ChatRequest;
import io.webllm.engine.chat.ResponseFormat;
import io.webllm.engine.chat.Role;
import io.webllm.engine.chat.ToolCall;
import io.webllm.engine.chat.ToolChoice;
import io.webllm.engine.chat.ToolDefinition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Reads an OpenAI chat completion request into the engine's {@link ChatRequest}. Every field is type-checked here
 * and a wrong one is reported with its OpenAI name; value ranges the model cares about are left to the engine.
 * Fields this server does not know are ignored, as OpenAI's own server does with optional fields.
 */
final class OpenAiRequests {

    /** What else the endpoint needs from the body besides the engine request. */
    record Parsed(ChatRequest request, String model, boolean stream, boolean includeUsage) {
    }

    static final int MAX_CHOICES = 8;
    static final int MAX_TOP_LOGPROBS = 20;

    private OpenAiRequests() {
    }

    static Parsed parse(JsonNode body, int maxTokensCap) {
        if (!body.isObject()) {
            throw OpenAiException.invalid("", "expected a JSON object as the request body, found " + body.getNodeType());
        }
        String model = requiredString(body, "model");
        ChatRequest.Builder request = ChatRequest.builder().messages(messages(body.get("messages")));

        Integer maxTokens = optionalInt(body, "max_completion_tokens");
        String maxTokensField = "max_completion_tokens";
        if (maxTokens == null) {
            maxTokens = optionalInt(body, "max_tokens");
            maxTokensField = "max_tokens";
        }
        if (maxTokens != null && (maxTokens < 1 || maxTokens > maxTokensCap)) {
            throw OpenAiException.invalid(maxTokensField, "expected 1 to " + maxTokensCap
                    + " tokens (this server's limit), found " + maxTokens);
        }
        request.maxTokens(maxTokens != null ? maxTokens : maxTokensCap);

        Double temperature = optionalDouble(body, "temperature");
        if (temperature != null && (temperature < 0 || temperature > 2)) {
            throw OpenAiException.invalid("temperature", "expected a number from 0 to 2, found " + temperature);
        }
        request.temperature(temperature)
                .topP(optionalDouble(body, "top_p"))
                .topK(optionalInt(body, "top_k"))
                .minP(optionalDouble(body, "min_p"))
                .seed(optionalLong(body, "seed"))
                .frequencyPenalty(optionalDouble(body, "frequency_penalty"))
                .presencePenalty(optionalDouble(body, "presence_penalty"))
                .repetitionPenalty(optionalDouble(body, "repetition_penalty"))
                .stop(stop(body.get("stop")))
                .logitBias(logitBias(body.get("logit_bias")));

        Boolean logprobs = optionalBoolean(body, "logprobs");
        Integer topLogprobs = optionalInt(body, "top_logprobs");
        if (topLogprobs != null && (topLogprobs < 0 || topLogprobs > MAX_TOP_LOGPROBS)) {
            throw OpenAiException.invalid("top_logprobs", "expected 0 to " + MAX_TOP_LOGPROBS + ", found " + topLogprobs);
        }
        if (topLogprobs != null && !Boolean.TRUE.equals(logprobs)) {
            throw OpenAiException.invalid("top_logprobs", "top_logprobs needs logprobs set to true");
        }
        request.logprobs(Boolean.TRUE.equals(logprobs)).topLogprobs(topLogprobs);

        Integer n = optionalInt(body, "n");
        if (n != null && (n < 1 || n > MAX_CHOICES)) {
            throw OpenAiException.invalid("n", "expected 1 to " + MAX_CHOICES + " choices, found " + n);
        }
        request.n(n != null ? n : 1);

        request.responseFormat(responseFormat(body.get("response_format")));
        List<ToolDefinition> tools = tools(body.get("tools"));
        request.tools(tools).toolChoice(toolChoice(body.get("tool_choice"), tools));

        boolean stream = Boolean.TRUE.equals(optionalBoolean(body, "stream"));
        JsonNode streamOptions = body.get("stream_options");
        boolean includeUsage = false;
        if (streamOptions != null && !streamOptions.isNull()) {
            if (!stream) {
                throw OpenAiException.invalid("stream_options", "stream_options is only allowed when stream is true");
            }
            includeUsage = Boolean.TRUE.equals(optionalBoolean(object(streamOptions, "stream_options"),
                    "include_usage"));
        }
        return new Parsed(request.build(), model, stream, includeUsage);
    }

    private static List<ChatMessage> messages(@Nullable JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw OpenAiException.invalid("messages", "expected a non-empty array of messages, found "
                    + (node == null ? "none" : node.getNodeType()));
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            messages.add(message(object(node.get(i), "messages[" + i + "]"), "messages[" + i + "]"));
        }
        return messages;
    }

    private static ChatMessage message(JsonNode node, String field) {
        String role = requiredString(node, "role", field + ".role");
        String content = content(node.get("content"), field + ".content");
        return switch (role) {
            case "system", "developer" -> ChatMessage.system(content);
            case "user" -> ChatMessage.user(content);
            case "assistant" -> ChatMessage.assistant(content, toolCalls(node.get("tool_calls"), field + ".tool_calls"));
            case "tool" -> new ChatMessage(Role.TOOL, content, List.of(),
                    requiredString(node, "tool_call_id", field + ".tool_call_id"),
                    optionalString(node, "name", field + ".name"));
            default -> throw OpenAiException.invalid(field + ".role",
                    "expected system, developer, user, assistant or tool, found '" + role + "'");
        };
    }

    /** Text, or an array of text parts (joined); null only for an assistant message that calls tools. */
    private static String content(@Nullable JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return "";
        }
        if (node.isString()) {
            return node.stringValue();
        }
        if (node.isArray()) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < node.size(); i++) {
                JsonNode part = object(node.get(i), field + "[" + i + "]");
                String type = requiredString(part, "type", field + "[" + i + "].type");
                if (!type.equals("text")) {
                    throw OpenAiException.invalid(field + "[" + i + "].type",
                            "this model reads text only; expected a part of type 'text', found '" + type + "'");
                }
                text.append(requiredString(part, "text", field + "[" + i + "].text"));
            }
            return text.toString();
        }
        throw OpenAiException.invalid(field, "expected a string or an array of text parts, found " + node.getNodeType());
    }

    private static List<ToolCall> toolCalls(@Nullable JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw OpenAiException.invalid(field, "expected an array, found " + node.getNodeType());
        }
        List<ToolCall> calls = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String at = field + "[" + i + "]";
            JsonNode call = object(node.get(i), at);
            JsonNode function = object(call.get("function"), at + ".function");
            calls.add(new ToolCall(requiredString(call, "id", at + ".id"),
                    requiredString(function, "name", at + ".function.name"),
                    requiredString(function, "arguments", at + ".function.arguments")));
        }
        return calls;
    }

    private static List<String> stop(@Nullable JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (node.isString()) {
            return List.of(node.stringValue());
        }
        if (node.isArray() && node.size() <= 4) {
            List<String> stops = new ArrayList<>();
            for (JsonNode s : node) {
                if (!s.isString()) {
                    throw OpenAiException.invalid("stop", "expected strings, found " + s.getNodeType());
                }
                stops.add(s.stringValue());
            }
            return stops;
        }
        throw OpenAiException.invalid("stop", "expected a string or up to 4 strings, found " + node.getNodeType()
                + (node.isArray() ? " of " + node.size() : ""));
    }

    private static Map<Integer, Float> logitBias(@Nullable JsonNode node) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        Map<Integer, Float> bias = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : object(node, "logit_bias").properties()) {
            int token;
            try {
                token = Integer.parseInt(entry.getKey());
            } catch (NumberFormatException e) {
                throw OpenAiException.invalid("logit_bias", "expected token ids as keys, found '" + entry.getKey() + "'");
            }
            if (!entry.getValue().isNumber()) {
                throw OpenAiException.invalid("logit_bias", "expected a number for token " + token + ", found "
                        + entry.getValue().getNodeType());
            }
            bias.put(token, entry.getValue().floatValue());
        }
        return bias;
    }

    private static ResponseFormat responseFormat(@Nullable JsonNode node) {
        if (node == null || node.isNull()) {
            return ResponseFormat.TEXT;
        }
        JsonNode format = object(node, "response_format");
        String type = requiredString(format, "type", "response_format.type");
        return switch (type) {
            case "text" -> ResponseFormat.TEXT;
            case "json_object" -> ResponseFormat.JSON_OBJECT;
            case "json_schema" -> {
                JsonNode schema = object(format.get("json_schema"), "response_format.json_schema").get("schema");
                yield ResponseFormat.jsonSchema(object(schema, "response_format.json_schema.schema").toString());
            }
            default -> throw OpenAiException.invalid("response_format.type",
                    "expected text, json_object or json_schema, found '" + type + "'");
        };
    }

    private static List<ToolDefinition> tools(@Nullable JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw OpenAiException.invalid("tools", "expected an array, found " + node.getNodeType());
        }
        List<ToolDefinition> tools = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String at = "tools[" + i + "]";
            JsonNode tool = object(node.get(i), at);
            String type = requiredString(tool, "type", at + ".type");
            if (!type.equals("function")) {
                throw OpenAiException.invalid(at + ".type", "expected 'function', found '" + type + "'");
            }
            JsonNode function = object(tool.get("function"), at + ".function");
            JsonNode parameters = function.get("parameters");
            String schema = parameters == null || parameters.isNull() ? "{\"type\":\"object\",\"properties\":{}}"
                    : object(parameters, at + ".function.parameters").toString();
            String description = optionalString(function, "description", at + ".function.description");
            tools.add(new ToolDefinition(requiredString(function, "name", at + ".function.name"),
                    description == null ? "" : description, schema));
        }
        return tools;
    }

    private static @Nullable ToolChoice toolChoice(@Nullable JsonNode node, List<ToolDefinition> tools) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isString()) {
            return switch (node.stringValue()) {
                case "none" -> ToolChoice.NONE;
                case "auto" -> requireTools(ToolChoice.AUTO, tools);
                case "required" -> requireTools(ToolChoice.REQUIRED, tools);
                default -> throw OpenAiException.invalid("tool_choice",
                        "expected none, auto, required or a function, found '" + node.stringValue() + "'");
            };
        }
        String name = requiredString(object(object(node, "tool_choice").get("function"), "tool_choice.function"),
                "name", "tool_choice.function.name");
        Set<String> names = tools.stream().map(ToolDefinition::name).collect(Collectors.toSet());
        if (!names.contains(name)) {
            throw OpenAiException.invalid("tool_choice", "expected one of the tools " + names + ", found '" + name + "'");
        }
        return ToolChoice.function(name);
    }

    private static ToolChoice requireTools(ToolChoice choice, List<ToolDefinition> tools) {
        if (tools.isEmpty()) {
            throw OpenAiException.invalid("tool_choice", "tool_choice '" + choice.mode().name().toLowerCase(
                    java.util.Locale.ROOT) + "' needs tools, found none");
        }
        return choice;
    }

    private static JsonNode object(@Nullable JsonNode node, String field) {
        if (node == null || !node.isObject()) {
            throw OpenAiException.invalid(field, "expected an object, found " + (node == null ? "none" : node.getNodeType()));
        }
        return node;
    }

    private static String requiredString(JsonNode node, String name) {
        return requiredString(node, name, name);
    }

    private static String requiredString(JsonNode node, String name, String field) {
        String value = optionalString(node, name, field);
        if (value == null) {
            throw OpenAiException.invalid(field, "expected a string, found none");
        }
        return value;
    }

    private static @Nullable String optionalString(JsonNode node, String name, String field) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isString()) {
            throw OpenAiException.invalid(field, "expected a string, found " + value.getNodeType());
        }
        return value.stringValue();
    }

    private static @Nullable Integer optionalInt(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw OpenAiException.invalid(name, "expected an integer, found " + value);
        }
        return value.asInt();
    }

    private static @Nullable Long optionalLong(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw OpenAiException.invalid(name, "expected an integer, found " + value);
        }
        return value.asLong();
    }

    private static @Nullable Double optionalDouble(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            throw OpenAiException.invalid(name, "expected a number, found " + value.getNodeType());
        }
        return value.asDouble();
    }

    private static @Nullable Boolean optionalBoolean(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            throw OpenAiException.invalid(name, "expected true or false, found " + value.getNodeType());
        }
        return value.booleanValue();
    }
}
