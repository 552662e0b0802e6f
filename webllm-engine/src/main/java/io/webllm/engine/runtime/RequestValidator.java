package io.webllm.engine.runtime;

import io.webllm.engine.chat.ChatMessage;
import io.webllm.engine.chat.ChatRequest;
import io.webllm.engine.chat.InvalidRequestException;
import io.webllm.engine.chat.ResponseFormat;
import io.webllm.engine.chat.Role;
import io.webllm.engine.chat.ToolCall;
import io.webllm.engine.chat.ToolChoice;
import io.webllm.engine.chat.ToolDefinition;
import io.webllm.engine.sampling.InvalidSamplingParameterException;
import io.webllm.engine.sampling.SamplingParams;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** Checks a request before any work and turns its sampling fields into {@link SamplingParams}. */
final class RequestValidator {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final int vocabularySize;
    private final int maxSequences;

    RequestValidator(int vocabularySize, int maxSequences) {
        this.vocabularySize = vocabularySize;
        this.maxSequences = maxSequences;
    }

    SamplingParams validate(ChatRequest request) {
        if (request.messages().isEmpty()) {
            throw new InvalidRequestException("messages", "at least one message is required");
        }
        Set<String> callIds = new HashSet<>();
        for (int i = 0; i < request.messages().size(); i++) {
            ChatMessage message = request.messages().get(i);
            if (message.role() == Role.TOOL && (message.toolCallId() == null || message.toolCallId().isBlank())) {
                throw new InvalidRequestException("messages[" + i + "].tool_call_id", "a tool message must name the call it answers");
            }
            if (message.role() == Role.TOOL && !callIds.contains(message.toolCallId())) {
                throw new InvalidRequestException("messages[" + i + "].tool_call_id", "'%s' answers no tool call of an earlier assistant message (calls so far: %s)"
                        .formatted(message.toolCallId(), callIds));
            }
            message.toolCalls().forEach(call -> callIds.add(call.id()));
            if (!message.toolCalls().isEmpty() && message.role() != Role.ASSISTANT) {
                throw new InvalidRequestException("messages[" + i + "].tool_calls", "only assistant messages carry tool calls");
            }
            for (ToolCall call : message.toolCalls()) {
                requireJsonObject("messages[" + i + "].tool_calls.arguments", call.argumentsJson());
            }
        }
        if (request.maxTokens() != null && request.maxTokens() < 1) {
            throw new InvalidRequestException("max_tokens", "must be at least 1, got " + request.maxTokens());
        }
        if (request.n() < 1 || request.n() > maxSequences) {
            throw new InvalidRequestException("n", "must be between 1 and %d (the engine's sequence slots), got %d".formatted(maxSequences, request.n()));
        }
        for (String stop : request.stop()) {
            if (stop.isEmpty()) {
                throw new InvalidRequestException("stop", "stop strings must not be empty");
            }
        }
        if (request.stop().size() > 16) {
            throw new InvalidRequestException("stop", "at most 16 stop strings, got " + request.stop().size());
        }
        for (Map.Entry<Integer, Float> bias : request.logitBias().entrySet()) {
            if (bias.getKey() < 0 || bias.getKey() >= vocabularySize) {
                throw new InvalidRequestException("logit_bias", "token id %d is outside the vocabulary of %d".formatted(bias.getKey(), vocabularySize));
            }
        }
        Set<String> toolNames = new HashSet<>();
        for (ToolDefinition tool : request.tools()) {
            if (tool.name().isBlank() || !toolNames.add(tool.name())) {
                throw new InvalidRequestException("tools", "tool names must be non-empty and unique, got '" + tool.name() + "'");
            }
            requireJsonObject("tools[" + tool.name() + "].parameters", tool.parametersSchema());
        }
        ToolChoice choice = request.toolChoice();
        if ((choice.mode() == ToolChoice.Mode.REQUIRED || choice.mode() == ToolChoice.Mode.FUNCTION) && request.tools().isEmpty()) {
            throw new InvalidRequestException("tool_choice", "'" + choice.mode().name().toLowerCase() + "' needs at least one tool");
        }
        if (choice.mode() == ToolChoice.Mode.FUNCTION && !toolNames.contains(choice.function())) {
            throw new InvalidRequestException("tool_choice", "names function '%s' but the tools are %s".formatted(choice.function(), toolNames));
        }
        if (request.responseFormat().type() == ResponseFormat.Type.JSON_SCHEMA) {
            String schema = request.responseFormat().schema();
            if (schema == null || schema.isBlank()) {
                throw new InvalidRequestException("response_format.json_schema", "a schema is required");
            }
            requireJsonObject("response_format.json_schema", schema);
        }
        try {
            SamplingParams.Builder params = SamplingParams.builder();
            if (request.temperature() != null) params.temperature(request.temperature());
            if (request.topP() != null) params.topP(request.topP());
            if (request.topK() != null) params.topK(request.topK());
            if (request.minP() != null) params.minP(request.minP());
            if (request.frequencyPenalty() != null) params.frequencyPenalty(request.frequencyPenalty());
            if (request.presencePenalty() != null) params.presencePenalty(request.presencePenalty());
            if (request.repetitionPenalty() != null) params.repetitionPenalty(request.repetitionPenalty());
            if (request.topLogprobs() != null) params.topLogprobs(request.topLogprobs());
            return params.logitBias(request.logitBias()).seed(request.seed()).logprobs(request.logprobs()).build();
        } catch (InvalidSamplingParameterException e) {
            throw new InvalidRequestException(e.field(), e.getMessage());
        }
    }

    private static void requireJsonObject(String field, String json) {
        try {
            if (!JSON.readTree(json).isObject()) {
                throw new InvalidRequestException(field, "must be a JSON object, got: " + abbreviate(json));
            }
        } catch (JacksonException e) {
            throw new InvalidRequestException(field, "is not valid JSON (" + e.getOriginalMessage() + "): " + abbreviate(json));
        }
    }

    private static String abbreviate(String text) {
        return text.length() > 80 ? text.substring(0, 80) + "..." : text;
    }
}
