package io.webllm.sample.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.webllm.sample.RunningApp;
import io.webllm.sample.todo.TodoStore;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The chat page in a real browser: headless Chromium (Debian's {@code chromium} and {@code chromium-driver})
 * driven through Selenium, see {@link Browsers}.
 */
class ChatPageBrowserTests extends RunningApp {

    private static WebDriver browser;

    @Autowired
    TodoStore store;

    @BeforeAll
    static void startBrowser() {
        browser = Browsers.headlessChromium();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    private WebDriverWait waitUpTo(int seconds) {
        return new WebDriverWait(browser, Duration.ofSeconds(seconds), Duration.ofMillis(10));
    }

    private void openPage() {
        browser.get(baseUrl() + "/");
        waitUpTo(10).until(ExpectedConditions.elementToBeClickable(By.id("input")));
        assertThat(browser.findElement(By.id("model")).getAttribute("class")).isEqualTo("ready");
        assertThat(browser.findElement(By.id("model-name")).getText()).isEqualTo(MODEL);
    }

    private void send(String message) {
        WebElement input = browser.findElement(By.id("input"));
        input.sendKeys(message);
        browser.findElement(By.id("send")).click();
    }

    private List<WebElement> stats() {
        return browser.findElements(By.cssSelector("#messages .stats"));
    }

    @Test
    void aToolCallAddsToTheListBesideTheChat() {
        openPage();
        int statsBefore = stats().size();

        send("add buy bread");

        WebElement item = waitUpTo(10).until(ExpectedConditions.presenceOfElementLocated(
                By.xpath("//ul[@id='todos']/li[span[@class='title' and text()='buy bread']]")));
        WebElement toolCall = waitUpTo(10).until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#messages .tool-call")));
        assertThat(toolCall.getText()).contains("add_todo").contains("buy bread");
        waitUpTo(10).until(d -> stats().size() > statsBefore);
        assertThat(browser.findElements(By.cssSelector("#messages .msg.assistant")).getLast().getText())
                .startsWith("Done: ");
        int id = Integer.parseInt(item.getAttribute("data-id"));
        assertThat(store.list()).anySatisfy(t -> {
            assertThat(t.id()).isEqualTo(id);
            assertThat(t.title()).isEqualTo("buy bread");
        });
        assertThat(stats().getLast().getText()).matches("\\d+ tokens · [\\d.]+ tok/s · first token \\d+ ms");

        send("how many are open?");
        waitUpTo(10).until(d -> stats().size() > statsBefore + 1);
        screenshot("sample-app-chat.png");
    }

    @Test
    void textStreamsInAndStopReallyStops() {
        openPage();
        int cancelledBefore = engine.cancelledStreams();

        send("story of a small robot");

        By streaming = By.cssSelector("#messages .msg.assistant.streaming");
        WebElement answer = waitUpTo(10).until(ExpectedConditions.presenceOfElementLocated(streaming));
        Set<String> seen = new LinkedHashSet<>();
        waitUpTo(10).until(d -> {
            seen.add(answer.getText());
            return seen.size() >= 4;
        });
        List<String> growth = List.copyOf(seen);
        for (int i = 1; i < growth.size(); i++) {
            assertThat(growth.get(i)).startsWith(growth.get(i - 1).replace("▍", ""));
        }
        assertThat(browser.findElement(By.id("stop")).isDisplayed()).isTrue();

        browser.findElement(By.id("stop")).click();

        waitUpTo(10).until(ExpectedConditions.invisibilityOfElementLocated(streaming));
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.cancelledStreams() > cancelledBefore);
        String stoppedAt = answer.getText();
        int words = stoppedAt.split(" ").length;
        assertThat(words).isLessThan(MAX_TOKENS);
        assertThat(browser.findElement(By.id("send")).isDisplayed()).isTrue();
        screenshot("sample-app-stopped.png");
        await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(answer.getText()).isEqualTo(stoppedAt));
    }

    private static void screenshot(String name) {
        Browsers.screenshot(browser, name, true);
    }
}
