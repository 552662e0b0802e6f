package io.webllm.engine.runtime;

import io.webllm.engine.chat.ChatChunk;
import io.webllm.engine.chat.ChatCompletion;
import io.webllm.engine.chat.ChatEngine;
import io.webllm.engine.chat.ChatRequest;
import io.webllm.engine.chat.InvalidRequestException;
import io.webllm.engine.chat.ResponseFormat;
import io.webllm.engine.chat.ToolChoice;
import io.webllm.engine.chat.ToolDefinition;
import io.webllm.engine.gguf.GgufFile;
import io.webllm.engine.grammar.CompiledGrammar;
import io.webllm.engine.model.Transformer;
import io.webllm.engine.opencl.ClContext;
import io.webllm.engine.output.ToolCallFormat;
import io.webllm.engine.sampling.SamplingParams;
import io.webllm.engine.tokenizer.Tokenizer;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Flow;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A model loaded on an OpenCL device, serving chat completions. Requests from any number of threads are queued and
 * decoded together by one scheduler thread; see {@link Scheduler}.
 */
public final class LocalEngine implements ChatEngine {

    private static final System.Logger LOG = System.getLogger(LocalEngine.class.getName());
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int DEFAULT_MAX_CONTEXT = 4096;
    private static final int STEP_TOKENS = 128;

    private final String modelId;
    private final GgufFile file;
    private final ClContext cl;
    private final Transformer model;
    private final Tokenizer tokenizer;
    private final PromptRenderer renderer;
    private final RequestValidator validator;
    private final GrammarCache grammars;
    private final ToolCallFormat toolFormat;
    private final Scheduler scheduler;
    private final Thread schedulerThread;
    private volatile boolean closed;

    private LocalEngine(String modelId, GgufFile file, ClContext cl, Transformer model, Tokenizer tokenizer,
            PromptRenderer renderer, EngineOptions options) {
        this.modelId = modelId;
        this.file = file;
        this.cl = cl;
        this.model = model;
        this.tokenizer = tokenizer;
        this.renderer = renderer;
        this.validator = new RequestValidator(model.config().vocabularySize(), model.slots());
        this.grammars = new GrammarCache(new TokenizerVocabulary(tokenizer, model.config().vocabularySize()));
        // a template that writes no known tool-call markers gets Hermes, the most widely trained format
        this.toolFormat = ToolCallFormat.fromChatTemplate(renderer.templateSource()).orElse(ToolCallFormat.HERMES);
        boolean reasoning = tokenizer.tokenId("<think>").isPresent() && renderer.templateSource().contains("<think>");
        int maskWords = (model.config().vocabularySize() + 63) / 64;
        this.scheduler = new Scheduler(model, tokenizer, options.maxQueuedRequests(), STEP_TOKENS, maskWords, toolFormat, reasoning);
        this.schedulerThread = Thread.ofPlatform().daemon().name("webllm-scheduler-" + modelId).start(scheduler);
    }

    /** Maps the file, reads its tokenizer and template, and loads the weights onto the chosen device. */
    public static LocalEngine load(EngineOptions options) {
        String fileName = options.modelFile().getFileName().toString();
        String modelId = options.modelId() != null ? options.modelId() : fileName.replaceFirst("(?i)\\.gguf$", "");
        GgufFile file = GgufFile.open(options.modelFile());
        ClContext cl = null;
        Transformer model = null;
        try {
            Tokenizer tokenizer = Tokenizer.fromGguf(file.metadata());
            PromptRenderer renderer = PromptRenderer.forModel(file.metadata(), tokenizer, options.chatTemplate(), fileName);
            cl = ClContext.open(options.device());
            int context = options.contextLength() > 0 ? options.contextLength() : DEFAULT_MAX_CONTEXT;
            model = Transformer.load(file, cl, new Transformer.Options(context, options.maxSequences(), STEP_TOKENS), options.loadListener());
            LOG.log(Level.INFO, "loaded {0} on {1}: context {2} tokens, {3} sequences", modelId, cl.device().describe(),
                    model.contextLength(), model.slots());
            return new LocalEngine(modelId, file, cl, model, tokenizer, renderer, options);
        } catch (RuntimeException | Error e) {
            if (model != null) {
                model.close();
            }
            if (cl != null) {
                cl.close();
            }
            file.close();
            throw e;
        }
    }

    @Override
    public String modelId() {
        return modelId;
    }

    public String deviceDescription() {
        return cl.device().describe();
    }

    public int contextLength() {
        return model.contextLength();
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public ChatCompletion complete(ChatRequest request) {
        return CompletionCollector.collect(stream(request), request.n());
    }

    @Override
    public Flow.Publisher<ChatChunk> stream(ChatRequest request) {
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
        return new ChunkPublisher<>(publisher -> scheduler.submit(prepare(id, request, publisher)), () -> { });
    }

    /** Everything that can fail for a bad request happens here, on the caller's thread, before any model work. */
    private RequestState prepare(String id, ChatRequest request, ChunkPublisher<ChatChunk> publisher) {
        if (closed) {
            throw new IllegalStateException("the engine for " + modelId + " is closed");
        }
        SamplingParams sampling = validator.validate(request);
        CompiledGrammar grammar = null;
        ToolCallFormat forced = null;
        String prompt = renderer.render(request);
        ToolChoice choice = request.toolChoice();
        if (choice.mode() == ToolChoice.Mode.REQUIRED || choice.mode() == ToolChoice.Mode.FUNCTION) {
            forced = toolFormat;
            grammar = grammars.schema("tools", forcedCallSchema(request.tools(), choice, toolFormat));
            prompt += forcedCallOpener(toolFormat);
        } else if (request.responseFormat().type() == ResponseFormat.Type.JSON_SCHEMA) {
            grammar = grammars.schema("response_format.json_schema", request.responseFormat().schema());
        } else if (request.responseFormat().type() == ResponseFormat.Type.JSON_OBJECT) {
            grammar = grammars.anyJsonObject();
        }
        int[] tokens = renderer.tokenize(prompt);
        if (tokens.length >= model.contextLength()) {
            throw new InvalidRequestException("messages", "the prompt has %d tokens but the context holds %d (including the answer)"
                    .formatted(tokens.length, model.contextLength()));
        }
        return new RequestState(id, modelId, request, sampling, tokens, publisher, grammar, forced);
    }

    /** Text that opens a tool call in the model's trained format; the constrained JSON follows it. */
    private static String forcedCallOpener(ToolCallFormat format) {
        return switch (format) {
            case HERMES -> "<tool_call>\n";
            case MISTRAL -> "[TOOL_CALLS]";
            case LLAMA3_JSON, NONE -> "";
        };
    }

    /** One call object per allowed tool: {"name": const, "arguments": the tool's schema}; Mistral writes a list. */
    private static String forcedCallSchema(List<ToolDefinition> tools, ToolChoice choice, ToolCallFormat format) {
        String argumentsKey = format == ToolCallFormat.LLAMA3_JSON ? "parameters" : "arguments";
        ArrayNode options = JSON.createArrayNode();
        for (ToolDefinition tool : tools) {
            if (choice.mode() == ToolChoice.Mode.FUNCTION && !tool.name().equals(choice.function())) {
                continue;
            }
            ObjectNode call = JSON.createObjectNode();
            call.put("type", "object");
            ObjectNode properties = call.putObject("properties");
            properties.putObject("name").put("const", tool.name());
            properties.set(argumentsKey, JSON.readTree(tool.parametersSchema()));
            call.putArray("required").add("name").add(argumentsKey);
            call.put("additionalProperties", false);
            options.add(call);
        }
        JsonNode single = options.size() == 1 ? options.get(0) : JSON.createObjectNode().set("anyOf", options);
        if (format == ToolCallFormat.MISTRAL) {
            ObjectNode list = JSON.createObjectNode();
            list.put("type", "array");
            list.set("items", single);
            list.put("minItems", 1);
            list.put("maxItems", 1);
            return list.toString();
        }
        return single.toString();
    }

    /** Tokens the device picked or drew (Scheduler.decodeOnDevice), for tests of that path. */
    long devicePickedTokens() {
        return scheduler.devicePickedTokens();
    }

    /** Draws the device left to the host, for tests of that path. */
    long deviceDeclinedDraws() {
        return scheduler.deviceDeclinedDraws();
    }

    /** Whether top-k, top-p and penalties are drawn on the device (-Dwebllm.sample.allOnDevice until set), for tests. */
    void drawAllOnDevice(boolean enabled) {
        scheduler.deviceSamplingAll(enabled);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        scheduler.stop();
        try {
            schedulerThread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        model.close();
        cl.close();
        file.close();
    }
}
