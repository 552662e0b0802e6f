package io.webllm.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.webllm.engine.chat.ChatCompletion;
import io.webllm.engine.chat.ChatMessage;
import io.webllm.engine.chat.ChatRequest;
import io.webllm.engine.chat.Role;
import io.webllm.engine.model.StoriesReference;
import io.webllm.engine.opencl.DeviceSelector;
import io.webllm.engine.runtime.EngineOptions;
import io.webllm.engine.runtime.LocalEngine;
import io.webllm.engine.testing.TestData;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chat loop on a real engine (PoCL, stories260K). A pass-through template (BOS, then every message's text)
 * makes the conversation one running text, so each answer can be checked against llama.cpp's greedy reference or
 * against the engine completing that whole text in one request.
 */
class ChatSessionTests {

    private static final String PASS_THROUGH = "{{ bos_token }}{% for m in messages %}{{ m['content'] }}{% endfor %}";
    private static final String OPENING = "Once upon a time";
    private static final String REFERENCE_CONTINUATION = StoriesReference.TEXT.substring(OPENING.length());

    private static LocalEngine engine;

    @BeforeAll
    static void load() {
        engine = LocalEngine.load(EngineOptions.of(TestData.model("stories260K.gguf")).withChatTemplate(PASS_THROUGH)
                .withContextLength(512).withMaxSequences(1)
                .withDevice(DeviceSelector.of(System.getProperty("webllm.test.device", "auto"))));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static ChatSession.Settings greedy(int maxTokens) {
        return new ChatSession.Settings(null, 0.0, null, maxTokens, false);
    }

    /** What the engine answers to the conversation so far sent as one message: the reference for a later turn. */
    private static String completeInOne(String text, int maxTokens) {
        ChatCompletion completion = engine.complete(ChatRequest.builder().message(ChatMessage.user(text))
                .temperature(0.0).maxTokens(maxTokens).build());
        return completion.choices().getFirst().content();
    }

    @Test
    void scriptedConversationStreamsBothAnswersAndReusesTheCache() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream stats = new ByteArrayOutputStream();
        ChatSession session = new ChatSession(engine, greedy(24), utf8(out), utf8(stats));
        session.run(new BufferedReader(new StringReader(OPENING + "\n\n and then\n/exit\nnever read\n")));

        List<ChatMessage> history = session.history();
        assertThat(history).extracting(ChatMessage::role).containsExactly(Role.USER, Role.ASSISTANT, Role.USER, Role.ASSISTANT);
        String first = history.get(1).content();
        String second = history.get(3).content();
        assertThat(first).isNotEmpty();
        assertThat(REFERENCE_CONTINUATION).startsWith(first);
        // the blank line is skipped; the user's text is sent as typed, leading space included
        assertThat(history.get(2).content()).isEqualTo(" and then");
        assertThat(second).isEqualTo(completeInOne(OPENING + first + " and then", 24));
        // both answers were printed as they streamed, each after its prompt; the loop ended at /exit
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("> " + first + "\n> > " + second + "\n> ");

        String[] lines = stats.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("prompt tokens reused")).toArray(String[]::new);
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).startsWith("webllm: 24 tokens, ").contains(" of 5 prompt tokens reused");
        assertThat(reused(lines[1])).isGreaterThanOrEqualTo(commonPrefix(OPENING, OPENING + first + " and then"));
    }

    @Test
    void secondTurnPrefillsOnlyWhatIsNew() {
        ChatSession session = new ChatSession(engine, greedy(16), utf8(OutputStream.nullOutputStream()), utf8(OutputStream.nullOutputStream()));
        ChatSession.Turn first = session.send(OPENING);
        ChatSession.Turn second = session.send(" Lily");
        int promptTwo = second.usage().promptTokens();
        // the first turn's prompt and (as re-tokenized) answer were cached; only the new message needs a prefill
        int expectedReuse = commonPrefix(OPENING, OPENING + first.answer() + " Lily");
        assertThat(expectedReuse).isGreaterThanOrEqualTo(first.usage().promptTokens() - 1);
        assertThat(second.usage().cachedPromptTokens()).isGreaterThanOrEqualTo(expectedReuse).isLessThan(promptTwo);
        assertThat(promptTwo).isEqualTo(engine.tokenizer().encode(OPENING + first.answer() + " Lily", true, true).length);
    }

    @Test
    void resetStartsANewConversationWithTheSystemMessage() {
        ChatSession session = new ChatSession(engine, new ChatSession.Settings(OPENING, 0.0, null, 12, false),
                utf8(OutputStream.nullOutputStream()), utf8(OutputStream.nullOutputStream()));
        ChatSession.Turn before = session.send(",");
        session.send(" and");
        assertThat(session.history()).hasSize(5);

        session.reset();
        assertThat(session.history()).containsExactly(ChatMessage.system(OPENING));
        ChatSession.Turn after = session.send(",");
        // the same opening gives the same greedy answer, its prompt no longer holding the forgotten turns
        assertThat(after.answer()).isEqualTo(before.answer());
        assertThat(after.usage().promptTokens()).isEqualTo(before.usage().promptTokens());
        assertThat(before.answer()).isEqualTo(completeInOne(OPENING + ",", 12));

        ByteArrayOutputStream stats = new ByteArrayOutputStream();
        ChatSession scripted = new ChatSession(engine, greedy(8), utf8(OutputStream.nullOutputStream()), utf8(stats));
        scripted.run(new BufferedReader(new StringReader(OPENING + "\n/reset\n")));
        assertThat(scripted.history()).isEmpty();
        assertThat(stats.toString(StandardCharsets.UTF_8)).contains("webllm: new conversation");
    }

    @Test
    void cancellingMidAnswerKeepsThePartialAnswerAndTheNextTurnWorks() {
        ChatSession[] session = new ChatSession[1];
        boolean[] armed = {true};
        // the sink cancels once, as soon as answer text reaches it, as a Ctrl-C would: from inside the stream's
        // delivery, so the engine is certainly still generating (up to 400 tokens were asked for)
        OutputStream cancelling = new OutputStream() {
            @Override
            public void write(int b) {
                if (armed[0] && session[0].generating()) {
                    armed[0] = false;
                    assertThat(session[0].cancelCurrent()).isTrue();
                }
            }
        };
        ByteArrayOutputStream stats = new ByteArrayOutputStream();
        session[0] = new ChatSession(engine, greedy(400), new PrintStream(cancelling, true, StandardCharsets.UTF_8), utf8(stats));
        assertThat(session[0].cancelCurrent()).as("nothing to cancel at the prompt").isFalse();

        ChatSession.Turn cancelled = session[0].send(OPENING);
        assertThat(cancelled.cancelled()).isTrue();
        assertThat(cancelled.usage()).isNull();
        String full = completeInOne(OPENING, 400);
        assertThat(cancelled.answer()).isNotEmpty();
        assertThat(full).startsWith(cancelled.answer());
        assertThat(cancelled.answer().length()).isLessThan(full.length() / 4);
        assertThat(session[0].history()).containsExactly(ChatMessage.user(OPENING), ChatMessage.assistant(cancelled.answer()));
        assertThat(session[0].generating()).isFalse();
        assertThat(stats.toString(StandardCharsets.UTF_8)).contains("cancelled after 1 tokens, first token after");

        // the next turn runs to its end on the conversation that holds the partial answer
        ChatSession.Turn next = session[0].send(" The end.");
        assertThat(next.cancelled()).isFalse();
        assertThat(next.answer()).isEqualTo(completeInOne(OPENING + cancelled.answer() + " The end.", 400));
        assertThat(next.usage().cachedPromptTokens()).isGreaterThanOrEqualTo(commonPrefix(OPENING, OPENING + cancelled.answer()));
        assertThat(session[0].history()).hasSize(4);
    }

    private static int reused(String statsLine) {
        String before = statsLine.substring(0, statsLine.indexOf(" of "));
        return Integer.parseInt(before.substring(before.lastIndexOf(' ') + 1));
    }

    /** Tokens two prompts share at their start, each tokenized as the engine does (BOS first). */
    private static int commonPrefix(String a, String b) {
        int[] x = engine.tokenizer().encode(a, true, true);
        int[] y = engine.tokenizer().encode(b, true, true);
        int i = 0;
        while (i < x.length && i < y.length && x[i] == y[i]) {
            i++;
        }
        return i;
    }

    private static PrintStream utf8(OutputStream out) {
        return new PrintStream(out, true, StandardCharsets.UTF_8);
    }
}
