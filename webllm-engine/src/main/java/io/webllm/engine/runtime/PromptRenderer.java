package io.webllm.engine.runtime;

import io.webllm.engine.chat.ChatMessage;
import io.webllm.engine.chat.ChatRequest;
import io.webllm.engine.chat.InvalidRequestException;
import io.webllm.engine.chat.ToolCall;
import io.webllm.engine.chat.ToolDefinition;
import io.webllm.engine.gguf.GgufMetadata;
import io.webllm.engine.template.BuiltinChatFormat;
import io.webllm.engine.template.ChatTemplate;
import io.webllm.engine.template.TemplateException;
import io.webllm.engine.tokenizer.Tokenizer;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns a request's messages and tools into prompt tokens through the model's own chat template, as Hugging Face's
 * {@code apply_chat_template} does: the template text is tokenized with control tokens recognised, and the
 * model's BOS is added only when the template did not write it already.
 */
final class PromptRenderer {

    private static final System.Logger LOG = System.getLogger(PromptRenderer.class.getName());
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ChatTemplate template;
    private final String templateSource;
    private final Tokenizer tokenizer;
    private final String bosText;
    private final String eosText;

    PromptRenderer(ChatTemplate template, String templateSource, Tokenizer tokenizer) {
        this.template = template;
        this.templateSource = templateSource;
        this.tokenizer = tokenizer;
        this.bosText = tokenizer.bos().isPresent() ? tokenizer.piece(tokenizer.bos().getAsInt()) : "";
        this.eosText = tokenizer.eos().isPresent() ? tokenizer.piece(tokenizer.eos().getAsInt()) : "";
    }

    /**
     * The template to use: a configured one (a built-in format's name or Jinja text), else the model's
     * {@code tokenizer.chat_template}, else a built-in format chosen from the architecture and vocabulary.
     */
    static PromptRenderer forModel(GgufMetadata metadata, Tokenizer tokenizer, @Nullable String configured, String modelName) {
        String source;
        String name;
        if (configured != null && !configured.isBlank()) {
            if (configured.contains("{%") || configured.contains("{{")) {
                source = configured;
                name = "configured template";
            } else {
                BuiltinChatFormat format = BuiltinChatFormat.byId(configured);
                source = format.source();
                name = "built-in " + format.id();
            }
        } else if (metadata.findString("tokenizer.chat_template").isPresent()) {
            source = metadata.getString("tokenizer.chat_template");
            name = modelName + " tokenizer.chat_template";
        } else {
            Set<String> controlTokens = new HashSet<>();
            for (int id = 0; id < tokenizer.vocabularySize(); id++) {
                String piece = tokenizer.piece(id);
                if (piece.length() < 24 && (piece.startsWith("<") || piece.startsWith("["))) {
                    controlTokens.add(piece);
                }
            }
            BuiltinChatFormat format = BuiltinChatFormat.choose(metadata.findString("general.architecture").orElse(""), controlTokens);
            source = format.source();
            name = "built-in " + format.id();
            LOG.log(Level.INFO, "{0} has no chat template; using the built-in {1} format (set a chat template to override)", modelName, format.id());
        }
        return new PromptRenderer(ChatTemplate.compile(name, source), source, tokenizer);
    }

    String templateSource() {
        return templateSource;
    }

    String render(ChatRequest request) {
        Map<String, @Nullable Object> context = new LinkedHashMap<>();
        List<Map<String, Object>> messages = new ArrayList<>();
        for (ChatMessage message : request.messages()) {
            messages.add(messageMap(message));
        }
        context.put("messages", messages);
        if (!request.tools().isEmpty()) {
            List<Map<String, Object>> tools = new ArrayList<>();
            for (ToolDefinition tool : request.tools()) {
                Map<String, Object> function = new LinkedHashMap<>();
                function.put("name", tool.name());
                function.put("description", tool.description());
                function.put("parameters", parse(tool.parametersSchema()));
                tools.add(new LinkedHashMap<>(Map.of("type", "function", "function", function)));
            }
            context.put("tools", tools);
        } else {
            context.put("tools", null); // Hugging Face passes tools=None, which some templates test with "is none"
        }
        context.put("add_generation_prompt", true);
        context.put("bos_token", bosText);
        context.put("eos_token", eosText);
        if (request.enableThinking() != null) {
            context.put("enable_thinking", request.enableThinking());
        }
        try {
            return template.render(context);
        } catch (TemplateException e) {
            throw new InvalidRequestException("messages", "the chat template rejected the conversation: " + e.getMessage());
        }
    }

    int[] tokenize(String prompt) {
        int[] ids = tokenizer.encode(prompt, false, true);
        if (tokenizer.addBos() && tokenizer.bos().isPresent() && (ids.length == 0 || ids[0] != tokenizer.bos().getAsInt())) {
            int[] withBos = new int[ids.length + 1];
            withBos[0] = tokenizer.bos().getAsInt();
            System.arraycopy(ids, 0, withBos, 1, ids.length);
            return withBos;
        }
        return ids;
    }

    private static Map<String, Object> messageMap(ChatMessage message) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("role", message.role().wireName());
        map.put("content", message.content());
        if (!message.toolCalls().isEmpty()) {
            List<Map<String, Object>> calls = new ArrayList<>();
            for (ToolCall call : message.toolCalls()) {
                Map<String, Object> function = new LinkedHashMap<>();
                function.put("name", call.name());
                function.put("arguments", parse(call.argumentsJson()));
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("id", call.id());
                entry.put("type", "function");
                entry.put("function", function);
                calls.add(entry);
            }
            map.put("tool_calls", calls);
        }
        if (message.toolCallId() != null) {
            map.put("tool_call_id", message.toolCallId());
        }
        if (message.name() != null) {
            map.put("name", message.name());
        }
        return map;
    }

    @SuppressWarnings("unchecked")
    private static Object parse(String json) {
        return JSON.readValue(json, Object.class);
    }
}
