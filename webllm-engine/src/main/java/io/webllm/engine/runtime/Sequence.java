package io.webllm.engine.runtime;

import io.webllm.engine.chat.ChatChunk;
import io.webllm.engine.chat.FinishReason;
import io.webllm.engine.chat.TokenLogprob;
import io.webllm.engine.chat.ToolCall;
import io.webllm.engine.grammar.GrammarMatcher;
import io.webllm.engine.model.DeviceDraw;
import io.webllm.engine.output.OutputPipeline;
import io.webllm.engine.output.ParsedDelta;
import io.webllm.engine.output.ReasoningSplitter;
import io.webllm.engine.output.StreamingToolCallParser;
import io.webllm.engine.output.ToolCallFormat;
import io.webllm.engine.output.ToolCallIdGenerator;
import io.webllm.engine.sampling.Sampler;
import io.webllm.engine.sampling.SamplingState;
import io.webllm.engine.sampling.TokenLogprobs;
import io.webllm.engine.tokenizer.StreamingDecoder;
import io.webllm.engine.tokenizer.Tokenizer;
import io.webllm.engine.tokenizer.TokenType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One choice of a request being generated in a KV cache slot: feeds its prompt, samples each next token, turns tokens
 * into text and the text into content, reasoning and tool-call deltas, and decides when it is finished.
 */
final class Sequence {

    /** Control tokens that are part of tool-call and reasoning syntax, so their text must reach the parsers. */
    private static final Set<String> SYNTAX_TOKENS = Set.of("<|python_tag|>", "[TOOL_CALLS]", "[ARGS]", "[CALL_ID]",
            "<think>", "</think>", "<tool_call>", "</tool_call>");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    final RequestState request;
    final int index;
    final int slot;
    private final Tokenizer tokenizer;
    private final int contextLength;
    private final int[] tokens;
    private int length;
    /** Tokens whose keys and values are in the cache. */
    private int fed;
    private final SamplingState sampling;
    private final Sampler sampler = Sampler.standard();
    private final StreamingDecoder decoder;
    private final @Nullable OutputPipeline pipeline;
    private final @Nullable GrammarMatcher matcher;
    private final long @Nullable [] mask;
    private final StringBuilder forcedJson = new StringBuilder();
    private final ToolCallIdGenerator callIds;
    private final float[] logits;
    private int generated;
    // draws the host makes before the device may draw this sequence's tokens again (drawOnHost)
    private int hostDrawsLeft;
    private @Nullable FinishReason finish;

    Sequence(RequestState request, int index, SlotTable.Lease lease, Tokenizer tokenizer, int contextLength,
            int vocabularySize, int maskWords, @Nullable ToolCallFormat toolFormat, boolean reasoningModel) {
        this.request = request;
        this.index = index;
        this.slot = lease.slot();
        this.tokenizer = tokenizer;
        this.contextLength = contextLength;
        this.tokens = Arrays.copyOf(request.prompt, contextLength);
        this.length = request.prompt.length;
        this.fed = lease.reused();
        var params = request.sampling.seed() != null && index > 0
                ? request.sampling.mutate().seed(request.sampling.seed() + index).build() : request.sampling;
        this.sampling = SamplingState.create(params, vocabularySize);
        this.sampling.acceptPrompt(request.prompt);
        this.callIds = params.seed() != null ? ToolCallIdGenerator.seeded(params.seed()) : ToolCallIdGenerator.random();
        this.decoder = tokenizer.streamingDecoder(false);
        this.logits = new float[vocabularySize];
        if (request.grammar != null) {
            this.matcher = request.grammar.newMatcher();
            this.mask = new long[maskWords];
        } else {
            this.matcher = null;
            this.mask = null;
        }
        if (request.forcedToolCall != null) {
            this.pipeline = null;
        } else {
            String promptTail = tokenizer.decode(Arrays.copyOfRange(request.prompt, Math.max(0, request.prompt.length - 4), request.prompt.length));
            ReasoningSplitter reasoning = reasoningModel ? new ReasoningSplitter(promptTail.stripTrailing().endsWith("<think>")) : null;
            StreamingToolCallParser tools = request.request.tools().isEmpty() || toolFormat == null ? null
                    : new StreamingToolCallParser(toolFormat, callIds);
            this.pipeline = new OutputPipeline(request.request.stop(), reasoning, tools);
        }
    }

    /** Tokens to feed in the next forward pass, at most {@code budget}; empty when nothing is pending. */
    int[] pendingInput(int budget) {
        int n = Math.min(budget, length - fed);
        return n <= 0 ? new int[0] : Arrays.copyOfRange(tokens, fed, fed + n);
    }

    /** Whether only the last sampled token is pending: the sequence is past its prompt. */
    boolean decoding() {
        return length - fed == 1 && generated > 0;
    }

    int nextPosition() {
        return fed;
    }

    /** Whether feeding {@code n} more tokens reaches the last one, whose logits choose the next token. */
    boolean completesInput(int n) {
        return fed + n == length;
    }

    void fed(int n) {
        fed += n;
    }

    boolean finished() {
        return finish != null;
    }

    int cachedLength() {
        return fed;
    }

    int[] cachedTokens() {
        return tokens;
    }

    /**
     * The next token drawn from this sequence's row of the batch's logits, under its grammar: the sampling and grammar
     * state advance, nothing is published. Touches only this sequence's own state, so the scheduler picks several
     * sequences' tokens at once on different threads; {@link #take} then publishes each, in order, on its thread.
     */
    Pick pick(float[] batchLogits, int row) {
        System.arraycopy(batchLogits, row * logits.length, logits, 0, logits.length);
        // models pad their output rows past the tokenizer's vocabulary (Qwen: 151,936 rows, 151,669 tokens)
        java.util.Arrays.fill(logits, Math.min(tokenizer.vocabularySize(), logits.length), logits.length, Float.NEGATIVE_INFINITY);
        long grammarNanos = 0;
        if (matcher != null) {
            long start = System.nanoTime();
            matcher.fillNextTokenMask(mask);
            sampling.allowOnly(mask);
            grammarNanos += System.nanoTime() - start;
        }
        int token = sampler.sample(logits, sampling);
        sampling.accept(token);
        hostDrawsLeft = Math.max(0, hostDrawsLeft - 1);
        List<TokenLogprob> logprobs = request.sampling.logprobs() ? List.of(logprob(sampling.lastLogprobs())) : null;
        if (matcher != null) {
            long start = System.nanoTime();
            boolean accepted = matcher.acceptToken(token);
            grammarNanos += System.nanoTime() - start;
            if (!accepted) {
                throw new IllegalStateException("sampled token " + token + " outside the grammar's mask");
            }
        }
        return new Pick(token, logprobs, grammarNanos);
    }

    /**
     * Whether the device can pick this sequence's next tokens (Transformer.deviceDecode): past its prompt, each token
     * the argmax of the model's logits or a draw from them without bias (SamplingParams.drawableOnDevice; top-k, top-p
     * and penalties only with {@code all}), with no grammar mask and no logprobs, which need the host's copy, and not
     * while the host draws after the device declined a draw ({@link #drawOnHost}).
     */
    boolean picksOnDevice(boolean all) {
        return decoding() && matcher == null && !sampling.params().logprobs() && hostDrawsLeft == 0
                && sampling.params().drawableOnDevice(all);
    }

    /**
     * Draws the next {@code tokens} on the host: the device left a draw to it (DrawOnHostException: a top-p nucleus
     * too wide for its candidates), and the next draws are likely to be the same kind.
     */
    void drawOnHost(int tokens) {
        hostDrawsLeft = tokens;
    }

    /** Whether this sequence's tokens are the argmax (temperature 0: no uniform number is drawn). */
    boolean greedy() {
        return sampling.params().greedy();
    }

    /** Whether the device needs its draw kernels for this sequence (sample.cl), not the argmax alone (greedy.cl). */
    boolean needsDrawKernel() {
        return !sampling.params().argmaxOfModelLogits();
    }

    /**
     * How the device picks this sequence's next tokens, from its next draw on (where {@link #picksOnDevice}), with a
     * copy of its penalties' inputs where it has penalties.
     */
    DeviceDraw deviceDraw() {
        return DeviceDraw.of(sampling, logits.length);
    }

    /** The token the next pass feeds: the last one taken, while {@link #decoding()}. */
    int lastToken() {
        return tokens[fed];
    }

    /** The tokens the device may pick from: the tokenizer's, where the model pads its output rows past them. */
    int pickableTokens() {
        return Math.min(tokenizer.vocabularySize(), logits.length);
    }

    /** How many more tokens max_tokens allows (the cache's end is the model's to enforce). */
    int tokensAllowed() {
        Integer maxTokens = request.request.maxTokens();
        return maxTokens == null ? Integer.MAX_VALUE : maxTokens - generated;
    }

    /** Takes a token the device picked: the sampling state follows it as if the host had drawn it. */
    void takePicked(int token) {
        if (greedy()) {
            sampling.accept(token);
        } else {
            sampling.acceptDrawn(token);
        }
        take(new Pick(token, null, 0));
    }

    /** A token {@link #pick} drew, with its logprobs when asked for and the time its grammar took. */
    record Pick(int token, @Nullable List<TokenLogprob> logprobs, long grammarNanos) {
    }

    /** Publishes a picked token: counts it, emits what it produced, and decides whether to stop. */
    void take(Pick pick) {
        int token = pick.token();
        List<TokenLogprob> logprobs = pick.logprobs();
        request.grammarNanos += pick.grammarNanos();
        if (request.firstTokenNanos == 0) {
            request.firstTokenNanos = System.nanoTime();
        }
        request.completionTokens++;
        generated++;
        boolean endOfGeneration = tokenizer.isEndOfGeneration(token) && (!request.request.ignoreEos() || matcher != null);
        if (endOfGeneration || (matcher != null && matcher.isTerminated())) {
            finishWith(FinishReason.STOP, logprobs);
            return;
        }
        tokens[length++] = token;
        String text = decoder.accept(token);
        if (text.isEmpty() && tokenizer.tokenType(token) == TokenType.CONTROL && SYNTAX_TOKENS.contains(tokenizer.piece(token))) {
            text = tokenizer.piece(token);
        }
        if (request.forcedToolCall != null) {
            forcedJson.append(text);
            if (logprobs != null) {
                request.emit(new ChatChunk.Delta(index, null, null, List.of(), null, logprobs));
            }
            if (matcher != null && matcher.isComplete() && forcedJsonComplete()) {
                finishWith(FinishReason.TOOL_CALLS, null);
                return;
            }
        } else {
            OutputPipeline.Chunk chunk = pipeline.feed(text);
            emit(chunk, logprobs, null);
            if (chunk.stopped()) {
                finishWith(pipeline.toolCalls().isEmpty() ? FinishReason.STOP : FinishReason.TOOL_CALLS, null);
                return;
            }
        }
        Integer maxTokens = request.request.maxTokens();
        if ((maxTokens != null && generated >= maxTokens) || length >= contextLength) {
            finishWith(FinishReason.LENGTH, null);
        }
    }

    /** A complete JSON value was generated under a forced tool call; nothing more can follow it. */
    private boolean forcedJsonComplete() {
        try {
            JSON.readTree(forcedJson.toString());
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Stops the sequence without emitting anything: its request failed (Scheduler.failRequest). */
    void abandon() {
        if (finish == null) {
            finish = FinishReason.ABORT;
        }
    }

    /** Ends the sequence: flushes held-back text, emits the finish reason. */
    void finishWith(FinishReason reason, @Nullable List<TokenLogprob> logprobs) {
        if (finish != null) {
            return;
        }
        FinishReason result = reason;
        if (request.forcedToolCall != null && reason != FinishReason.ABORT) {
            List<ToolCall> calls = parseForcedCalls();
            if (!calls.isEmpty()) {
                request.emit(new ChatChunk.Delta(index, null, null, calls, null, null));
                result = FinishReason.TOOL_CALLS;
            }
        } else if (pipeline != null && reason != FinishReason.ABORT) {
            String rest = decoder.finish();
            OutputPipeline.Chunk tail = rest.isEmpty() ? null : pipeline.feed(rest);
            if (tail != null) {
                emit(tail, null, null);
            }
            emit(pipeline.finish(), null, null);
            if (!pipeline.toolCalls().isEmpty() && reason == FinishReason.STOP) {
                result = FinishReason.TOOL_CALLS;
            }
        }
        finish = result;
        request.emit(new ChatChunk.Delta(index, null, null, List.of(), result, logprobs));
    }

    private void emit(OutputPipeline.Chunk chunk, @Nullable List<TokenLogprob> logprobs, @Nullable FinishReason reason) {
        String content = chunk.content();
        List<ToolCall> calls = new ArrayList<>();
        for (ParsedDelta.Call call : chunk.toolCalls()) {
            calls.add(call.call());
        }
        if (content.isEmpty() && chunk.reasoning().isEmpty() && calls.isEmpty() && logprobs == null && reason == null) {
            return;
        }
        request.emit(new ChatChunk.Delta(index, content.isEmpty() ? null : content,
                chunk.reasoning().isEmpty() ? null : chunk.reasoning(), calls, reason, logprobs));
    }

    private List<ToolCall> parseForcedCalls() {
        List<ToolCall> calls = new ArrayList<>();
        try {
            JsonNode root = JSON.readTree(forcedJson.toString());
            for (JsonNode node : root.isArray() ? root : List.of(root)) {
                JsonNode arguments = node.has("arguments") ? node.get("arguments") : node.get("parameters");
                calls.add(new ToolCall(callIds.next(request.forcedToolCall), node.get("name").asString(),
                        arguments == null ? "{}" : JSON.writeValueAsString(arguments)));
            }
        } catch (RuntimeException e) {
            // cut off by max_tokens: the incomplete call is dropped and the finish reason says length
        }
        return calls;
    }

    private TokenLogprob logprob(@Nullable TokenLogprobs source) {
        if (source == null) {
            return new TokenLogprob("", 0f, new byte[0], List.of());
        }
        List<TokenLogprob.Alternative> top = new ArrayList<>();
        for (TokenLogprobs.Alternative alternative : source.topLogprobs()) {
            byte[] bytes = tokenizer.decodeBytes(alternative.token());
            top.add(new TokenLogprob.Alternative(new String(bytes, StandardCharsets.UTF_8), alternative.logprob(), bytes));
        }
        byte[] bytes = tokenizer.decodeBytes(source.token());
        return new TokenLogprob(new String(bytes, StandardCharsets.UTF_8), source.logprob(), bytes, top);
    }
}
