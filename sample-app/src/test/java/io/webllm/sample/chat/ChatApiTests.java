package io.webllm.sample.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.webllm.engine.chat.ChatMessage;
import io.webllm.engine.chat.ChatRequest;
import io.webllm.engine.chat.Role;
import io.webllm.sample.RunningApp;
import io.webllm.sample.ServerSentEvents;
import io.webllm.sample.ServerSentEvents.Event;
import io.webllm.sample.todo.Todo;
import io.webllm.sample.todo.TodoStore;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The page's chat API end to end: {@code ChatClient} with the tool-calling advisor and memory over the engine,
 * streamed as server-sent events, and stopped for real.
 */
class ChatApiTests extends RunningApp {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    TodoStore store;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<InputStream> chat(String chatId, String message) throws Exception {
        String body = JSON.writeValueAsString(java.util.Map.of("message", message));
        return http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/api/chat/" + chatId))
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    private static String chatId() {
        return "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    private static String text(List<Event> events) {
        StringBuilder text = new StringBuilder();
        events.stream().filter(e -> e.name().equals("token"))
                .forEach(e -> text.append(JSON.readTree(e.data()).path("text").stringValue()));
        return text.toString();
    }

    @Test
    void answerStreamsTokenByTokenThenReportsSpeed() throws Exception {
        List<Event> events;
        try (var sse = new ServerSentEvents(chat(chatId(), "tell me three words").body())) {
            events = sse.all();
        }

        assertThat(events.stream().filter(e -> e.name().equals("token"))).hasSize(6);
        assertThat(text(events)).isEqualTo("You said: tell me three words");
        Event done = events.getLast();
        assertThat(done.name()).isEqualTo("done");
        JsonNode stats = JSON.readTree(done.data());
        assertThat(stats.path("tokens").asInt()).isEqualTo(6);
        assertThat(stats.path("finishReason").stringValue()).isEqualTo("stop");
        assertThat(stats.path("tokensPerSecond").asDouble()).isGreaterThan(0);
        assertThat(stats.path("timeToFirstTokenSeconds").asDouble()).isGreaterThan(0);
        assertThat(engine.requests().getLast().maxTokens()).isEqualTo(MAX_TOKENS);
    }

    @Test
    void aToolCallChangesTheListAndIsShownAsItHappens() throws Exception {
        List<Event> events;
        try (var sse = new ServerSentEvents(chat(chatId(), "add buy oat milk").body())) {
            events = sse.all();
        }

        Event tool = events.stream().filter(e -> e.name().equals("tool")).findFirst().orElseThrow();
        JsonNode call = JSON.readTree(tool.data());
        assertThat(call.path("name").stringValue()).isEqualTo("add_todo");
        assertThat(JSON.readTree(call.path("arguments").stringValue()).path("title").stringValue())
                .isEqualTo("buy oat milk");
        Todo added = store.list().stream().filter(t -> t.title().equals("buy oat milk")).findFirst().orElseThrow();
        assertThat(JSON.readTree(call.path("result").stringValue()).path("id").asInt()).isEqualTo(added.id());
        assertThat(events.indexOf(tool)).isLessThan(events.indexOf(events.stream()
                .filter(e -> e.name().equals("token")).findFirst().orElseThrow()));
        assertThat(text(events)).startsWith("Done: ").contains("buy oat milk");

        ChatRequest second = engine.requests().getLast();
        assertThat(second.messages()).extracting(ChatMessage::role).endsWith(Role.ASSISTANT, Role.TOOL);
        assertThat(second.tools()).extracting(t -> t.name()).contains("add_todo", "count_open_todos");
    }

    @Test
    void eachChatRemembersItsOwnConversation() throws Exception {
        String chat = chatId();
        try (var sse = new ServerSentEvents(chat(chat, "my cat is called Miso").body())) {
            sse.all();
        }
        try (var sse = new ServerSentEvents(chat(chat, "what is my cat called?").body())) {
            sse.all();
        }
        List<String> remembered = engine.requests().getLast().messages().stream().map(ChatMessage::content).toList();
        try (var sse = new ServerSentEvents(chat(chatId(), "a different chat").body())) {
            sse.all();
        }
        List<String> fresh = engine.requests().getLast().messages().stream().map(ChatMessage::content).toList();

        assertThat(remembered).contains("my cat is called Miso", "You said: my cat is called Miso",
                "what is my cat called?");
        assertThat(fresh).doesNotContain("my cat is called Miso");
        assertThat(fresh.getLast()).isEqualTo("a different chat");
    }

    @Test
    void stopEndsTheAnswerAndCancelsTheEnginesStream() throws Exception {
        String chat = chatId();
        int cancelledBefore = engine.cancelledStreams();
        try (var sse = new ServerSentEvents(chat(chat, "story about a fox").body())) {
            List<Event> first = sse.until(e -> e.name().equals("token") && e.data().contains("word3 "));
            HttpResponse<String> stop = http.send(HttpRequest.newBuilder(
                    URI.create(baseUrl() + "/api/chat/" + chat + "/stop")).POST(HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.ofString());
            List<Event> rest = sse.all();

            assertThat(JSON.readTree(stop.body()).path("stopped").booleanValue()).isTrue();
            assertThat(first).isNotEmpty();
            Event done = rest.getLast();
            assertThat(done.name()).isEqualTo("done");
            JsonNode stats = JSON.readTree(done.data());
            assertThat(stats.path("finishReason").stringValue()).isEqualTo("stopped");
            assertThat(stats.path("tokens").asInt()).isBetween(3, MAX_TOKENS - 1);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.cancelledStreams() > cancelledBefore);
    }

    @Test
    void closingTheConnectionAlsoStopsGeneration() throws Exception {
        int cancelledBefore = engine.cancelledStreams();
        int requestsBefore = engine.requests().size();
        HttpResponse<InputStream> response = chat(chatId(), "story about a bear");
        try (var sse = new ServerSentEvents(response.body())) {
            sse.until(e -> e.name().equals("token"));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.cancelledStreams() > cancelledBefore);
        assertThat(engine.requests()).hasSize(requestsBefore + 1);
    }

    @Test
    void modelEventsReportReadyAndEnd() throws Exception {
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(
                URI.create(baseUrl() + "/api/model/events")).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        List<Event> events;
        try (var sse = new ServerSentEvents(response.body())) {
            events = sse.all(); // ends by itself: the model is ready
        }

        JsonNode last = JSON.readTree(events.getLast().data());
        assertThat(events.getLast().name()).isEqualTo("status");
        assertThat(last.path("phase").stringValue()).isEqualTo("READY");
        assertThat(last.path("model").stringValue()).isEqualTo(MODEL);
    }

    @Test
    void theListCanBeChangedByHandAndItsFeedFollows() throws Exception {
        HttpResponse<InputStream> feed = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/api/todos/events"))
                .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        try (var sse = new ServerSentEvents(feed.body())) {
            Event initial = sse.next();
            HttpResponse<String> added = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/api/todos"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"title\": \"feed the cat\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            int id = JSON.readTree(added.body()).path("id").asInt();
            Event afterAdd = sse.next();
            http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/api/todos/" + id + "/complete"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            Event afterComplete = sse.next();
            HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/api/todos/99999"))
                    .DELETE().build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> untitled = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/api/todos"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(added.statusCode()).isEqualTo(201);
            assertThat(initial.name()).isEqualTo("todos");
            assertThat(JSON.readTree(afterAdd.data()).size()).isEqualTo(JSON.readTree(initial.data()).size() + 1);
            JsonNode completed = JSON.readTree(afterComplete.data()).valueStream()
                    .filter(t -> t.path("id").asInt() == id).findFirst().orElseThrow();
            assertThat(completed.path("done").booleanValue()).isTrue();
            assertThat(store.list()).anySatisfy(t -> assertThat(t.id() == id && t.done()).isTrue());
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(missing.body()).path("error").stringValue()).contains("99999");
            assertThat(untitled.statusCode()).isEqualTo(400);
        }
    }

    @Test
    void badInputIsRefusedBeforeAnyWork() throws Exception {
        int before = engine.requests().size();
        HttpResponse<InputStream> empty = chat(chatId(), "   ");
        HttpResponse<InputStream> badId = chat("../etc", "hello");

        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(badId.statusCode()).isIn(400, 404);
        assertThat(engine.requests()).hasSize(before);
    }
}
