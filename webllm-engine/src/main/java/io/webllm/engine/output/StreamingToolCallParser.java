package io.webllm.engine.output;

import io.webllm.engine.chat.ToolCall;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Splits a model's streamed output into content and tool calls, in the model's trained {@link ToolCallFormat}.
 *
 * <p>Ordinary text is released as soon as it cannot be the start of a call; once a call's opener may be starting,
 * text is withheld until the call is complete, then released as one {@link ParsedDelta.Call} (or, if it does not
 * parse, as {@link ParsedDelta.Content} flagged {@code malformedToolCall}, so nothing is lost). The events do not
 * depend on how the text was split into deltas, except in how content is grouped. Not thread-safe.
 */
public final class StreamingToolCallParser {

    final StringBuilder pending = new StringBuilder();

    private final ToolCallFormat format;
    private final ToolCallIdGenerator ids;
    private final ToolCallSyntax syntax;
    private final List<ToolCall> calls = new ArrayList<>();
    private List<ParsedDelta> released = new ArrayList<>();
    private boolean malformed;
    private boolean finished;

    public StreamingToolCallParser(ToolCallFormat format, ToolCallIdGenerator ids) {
        this.format = format;
        this.ids = ids;
        this.syntax = ToolCallSyntax.of(format);
    }

    /** Parses a whole message at once; the same as feeding it in one delta and finishing. */
    public static ParsedMessage parse(ToolCallFormat format, String text, ToolCallIdGenerator ids) {
        var parser = new StreamingToolCallParser(format, ids);
        var content = new StringBuilder();
        var deltas = new ArrayList<>(parser.feed(text));
        deltas.addAll(parser.finish());
        for (ParsedDelta delta : deltas) {
            if (delta instanceof ParsedDelta.Content(String piece, var _)) {
                content.append(piece);
            }
        }
        return new ParsedMessage(content.toString(), parser.toolCalls(), parser.sawMalformedToolCall());
    }

    /** Feeds a delta and returns what it released (often nothing while a call is being written). */
    public List<ParsedDelta> feed(String delta) {
        if (finished) {
            throw new IllegalStateException("expected deltas before finish() but the parser is already finished");
        }
        pending.append(delta);
        return drain(false);
    }

    /** Ends the stream: releases what is held, parsing an unclosed call if it is complete JSON. */
    public List<ParsedDelta> finish() {
        if (finished) {
            return List.of();
        }
        finished = true;
        List<ParsedDelta> rest = drain(true);
        if (!pending.isEmpty()) {
            throw new IllegalStateException("the " + format + " syntax left '" + pending + "' unreleased at the end");
        }
        return rest;
    }

    /** The calls completed so far, in order. */
    public List<ToolCall> toolCalls() {
        return List.copyOf(calls);
    }

    /** Whether some text looked like a tool call but did not parse (it was released as content). */
    public boolean sawMalformedToolCall() {
        return malformed;
    }

    public ToolCallFormat format() {
        return format;
    }

    private List<ParsedDelta> drain(boolean end) {
        while (syntax.step(this, end)) {
            // each step consumes text or changes phase; it returns false when it must wait
        }
        List<ParsedDelta> result = released;
        released = new ArrayList<>();
        return result;
    }

    // --- for the syntaxes ---

    String nextId() {
        return ids.next(format);
    }

    /** Releases the first {@code length} held characters as content. */
    void content(int length, boolean malformedToolCall) {
        if (length == 0) {
            return;
        }
        String text = pending.substring(0, length);
        pending.delete(0, length);
        malformed |= malformedToolCall;
        if (!released.isEmpty() && released.getLast() instanceof ParsedDelta.Content(String before, boolean flag)
                && flag == malformedToolCall) {
            released.set(released.size() - 1, new ParsedDelta.Content(before + text, flag));
        } else {
            released.add(new ParsedDelta.Content(text, malformedToolCall));
        }
    }

    /** Discards the first {@code length} held characters (whitespace around calls). */
    void drop(int length) {
        pending.delete(0, length);
    }

    /** Releases the first {@code length} held characters as the given calls. */
    void calls(List<ToolCall> parsed, int length) {
        pending.delete(0, length);
        for (ToolCall call : parsed) {
            released.add(new ParsedDelta.Call(calls.size(), call));
            calls.add(call);
        }
    }

    /** Releases the first {@code length} held characters as a call, or as malformed content if there is none. */
    void callOrMalformed(@Nullable ToolCall call, int length) {
        if (call != null) {
            calls(List.of(call), length);
        } else {
            content(length, true);
        }
    }
}
