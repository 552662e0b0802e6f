package io.webllm.engine.registry;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Run in a separate JVM by {@link ModelStoreTests}: takes the download lock of a cache file as another process
 * would, says "locked", waits for a line on stdin, then publishes the file and releases the lock.
 */
public final class LockHoldingProcess {

    private LockHoldingProcess() {
    }

    public static void main(String[] args) throws Exception {
        Path target = Path.of(args[0]);
        Path content = Path.of(args[1]);
        try (DownloadLock ignored = DownloadLock.acquire(target)) {
            System.out.println("locked");
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            Files.copy(content, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
