package io.webllm.engine.registry;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Exclusive right to download one cache file: a lock per file in this JVM (shared by all stores, since two stores
 * may use the same directory) plus an OS file lock on {@code <file>.lock} against other processes.
 *
 * <p>The JVM lock is taken first because the OS lock belongs to the whole process: two threads asking for it would
 * fail with {@link java.nio.channels.OverlappingFileLockException} rather than wait.
 */
final class DownloadLock implements AutoCloseable {

    private static final ConcurrentMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final ReentrantLock threadLock;
    private final FileChannel channel;
    private final FileLock fileLock;

    private DownloadLock(ReentrantLock threadLock, FileChannel channel, FileLock fileLock) {
        this.threadLock = threadLock;
        this.channel = channel;
        this.fileLock = fileLock;
    }

    /** Blocks until this thread may download {@code target}. */
    static DownloadLock acquire(Path target) throws InterruptedException, IOException {
        Path key = target.toAbsolutePath().normalize();
        ReentrantLock threadLock = IN_PROCESS.computeIfAbsent(key, k -> new ReentrantLock());
        threadLock.lockInterruptibly();
        FileChannel channel = null;
        try {
            Files.createDirectories(key.getParent());
            // The lock file is never deleted: removing it while another process waits on it would let a third
            // process lock a new file of the same name and both would download.
            channel = FileChannel.open(key.resolveSibling(key.getFileName() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock fileLock = channel.lock();
            return new DownloadLock(threadLock, channel, fileLock);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            threadLock.unlock();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            fileLock.release();
        } finally {
            try {
                channel.close();
            } finally {
                threadLock.unlock();
            }
        }
    }
}
