package io.webllm.sample.page;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium, headless, through its chromedriver: {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver}
 * unless the system properties {@code sample.chromium} and {@code webdriver.chrome.driver} say otherwise. Both are
 * named, so Selenium never tries to download a browser or a driver.
 */
final class Browsers {

    private Browsers() {
    }

    static WebDriver headlessChromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getProperty("sample.chromium", "/usr/bin/chromium"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-extensions", "--no-first-run",
                "--window-size=1280,800");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(System.getProperty("webdriver.chrome.driver", "/usr/bin/chromedriver"))
                        .toFile())
                .build();
        return new ChromeDriver(service, options);
    }

    /**
     * Saves the page to {@code target/screenshots}, and when {@code toDocs} and the system property
     * {@code sample.docs} names a directory, there too (how {@code docs/sample-app-*.png} are made).
     */
    static void screenshot(WebDriver browser, String name, boolean toDocs) {
        try {
            Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
            Path target = Path.of("target", "screenshots");
            Files.createDirectories(target);
            Files.copy(shot, target.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            String docs = System.getProperty("sample.docs");
            if (toDocs && docs != null && !docs.isBlank()) {
                Files.createDirectories(Path.of(docs));
                Files.copy(shot, Path.of(docs, name), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("could not save the screenshot " + name, e);
        }
    }
}
