package io.webllm.engine.output;

import io.webllm.engine.chat.ToolCall;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The text processing of one generated sequence, in order: stop strings on the raw text (as llama.cpp's server does,
 * so a stop string also ends generation inside the reasoning), then reasoning split off, then tool calls parsed out
 * of the answer. Fed the detokenizer's deltas, it returns chunks ready for a streaming response.
 */
public final class OutputPipeline {

    /**
     * What one delta produced.
     *
     * @param reasoning text of the reasoning block
     * @param deltas    answer content and completed tool calls, in order
     * @param stop      the stop string that ended generation in this chunk, or {@code null}
     */
    public record Chunk(String reasoning, List<ParsedDelta> deltas, @Nullable String stop) {

        static final Chunk EMPTY = new Chunk("", List.of(), null);

        public Chunk {
            deltas = List.copyOf(deltas);
        }

        /** The content text of this chunk (tool calls left out). */
        public String content() {
            var content = new StringBuilder();
            for (ParsedDelta delta : deltas) {
                if (delta instanceof ParsedDelta.Content(String text, var _)) {
                    content.append(text);
                }
            }
            return content.toString();
        }

        public List<ParsedDelta.Call> toolCalls() {
            return deltas.stream().filter(ParsedDelta.Call.class::isInstance).map(ParsedDelta.Call.class::cast)
                    .toList();
        }

        public boolean stopped() {
            return stop != null;
        }

        public boolean isEmpty() {
            return reasoning.isEmpty() && deltas.isEmpty() && stop == null;
        }
    }

    private final StopSequenceMatcher stops;
    private final @Nullable ReasoningSplitter reasoning;
    private final @Nullable StreamingToolCallParser tools;
    private boolean done;

    /**
     * @param stops     stop strings (may be empty)
     * @param reasoning splits off reasoning, or {@code null} for models that do not reason
     * @param tools     parses tool calls from the answer, or {@code null} when the request offers no tools
     */
    public OutputPipeline(List<String> stops, @Nullable ReasoningSplitter reasoning,
            @Nullable StreamingToolCallParser tools) {
        this.stops = new StopSequenceMatcher(stops);
        this.reasoning = reasoning;
        this.tools = tools;
    }

    /** Feeds a delta; when the returned chunk {@link Chunk#stopped()}, the pipeline is finished. */
    public Chunk feed(String delta) {
        if (done) {
            return Chunk.EMPTY;
        }
        StopSequenceMatcher.Step step = stops.feed(delta);
        if (step.stopped()) {
            done = true;
            return process(step.text(), true, step.stop());
        }
        return process(step.text(), false, null);
    }

    /** Ends the sequence (end of generation or length limit): releases everything held. */
    public Chunk finish() {
        if (done) {
            return Chunk.EMPTY;
        }
        done = true;
        return process(stops.finish(), true, null);
    }

    /** The tool calls completed so far. */
    public List<ToolCall> toolCalls() {
        return tools == null ? List.of() : tools.toolCalls();
    }

    /** Whether text that looked like a tool call failed to parse and was handed on as content. */
    public boolean sawMalformedToolCall() {
        return tools != null && tools.sawMalformedToolCall();
    }

    private Chunk process(String text, boolean end, @Nullable String stop) {
        String thought = "";
        String answer = text;
        if (reasoning != null) {
            ReasoningSplitter.Split split = reasoning.feed(text);
            thought = split.reasoning();
            answer = split.content();
            if (end) {
                ReasoningSplitter.Split last = reasoning.finish();
                thought += last.reasoning();
                answer += last.content();
            }
        }
        List<ParsedDelta> deltas = new ArrayList<>();
        if (tools != null) {
            deltas.addAll(tools.feed(answer));
            if (end) {
                deltas.addAll(tools.finish());
            }
        } else if (!answer.isEmpty()) {
            deltas.add(new ParsedDelta.Content(answer, false));
        }
        return thought.isEmpty() && deltas.isEmpty() && stop == null
                ? Chunk.EMPTY : new Chunk(thought, mergeContent(deltas), stop);
    }

    private static List<ParsedDelta> mergeContent(List<ParsedDelta> deltas) {
        List<ParsedDelta> merged = new ArrayList<>(deltas.size());
        for (ParsedDelta delta : deltas) {
            if (delta instanceof ParsedDelta.Content(String text, boolean flag) && !merged.isEmpty()
                    && merged.getLast() instanceof ParsedDelta.Content(String before, boolean lastFlag)
                    && lastFlag == flag) {
                merged.set(merged.size() - 1, new ParsedDelta.Content(before + text, flag));
            } else if (!(delta instanceof ParsedDelta.Content(String text, var _) && text.isEmpty())) {
                merged.add(delta);
            }
        }
        return merged;
    }
}
