package io.webllm.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Reads {@code text/event-stream} as the browser's EventSource does: blocks of {@code event:} and {@code data:}. */
public final class ServerSentEvents implements AutoCloseable {

    public record Event(String name, String data) {
    }

    private final BufferedReader reader;

    public ServerSentEvents(InputStream body) {
        this.reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    }

    /** The next event, or null at the end of the stream. */
    public Event next() throws IOException {
        String name = "message";
        List<String> data = new ArrayList<>();
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            if (line.isEmpty()) {
                if (!data.isEmpty()) {
                    return new Event(name, String.join("\n", data));
                }
                name = "message";
                continue;
            }
            if (line.startsWith("event:")) {
                name = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
                data.add(line.substring(5).startsWith(" ") ? line.substring(6) : line.substring(5));
            }
        }
        return data.isEmpty() ? null : new Event(name, String.join("\n", data));
    }

    /**
     * Every event up to and including the first that matches, or to the end. A read that fails (a test's timeout
     * interrupts it) says which events had come: whether a stream that never ended had sent its last event.
     */
    public List<Event> until(Predicate<Event> last) throws IOException {
        List<Event> events = new ArrayList<>();
        try {
            for (Event e = next(); e != null; e = next()) {
                events.add(e);
                if (last.test(e)) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new IOException("reading server-sent events failed after " + events.size() + " events, the last "
                    + events.subList(Math.max(0, events.size() - 3), events.size()), e);
        }
        return events;
    }

    public List<Event> all() throws IOException {
        return until(e -> false);
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
