package io.webllm.engine.runtime;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A single-subscriber publisher fed by the scheduler thread. The scheduler never blocks on a slow subscriber:
 * items wait in an unbounded queue (a completion's chunks, bounded by its token limit) and are delivered as the
 * subscriber requests them. Cancelling tells the scheduler to stop the request within one step.
 */
final class ChunkPublisher<T> implements Flow.Publisher<T> {

    private final Queue<T> items = new ConcurrentLinkedQueue<>();
    private final AtomicLong demand = new AtomicLong();
    private final AtomicInteger drains = new AtomicInteger();
    private final AtomicBoolean subscribed = new AtomicBoolean();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final Consumer<ChunkPublisher<T>> onSubscribe;
    private final Runnable onCancel;
    private volatile Flow.@Nullable Subscriber<? super T> subscriber;
    private volatile boolean completed;
    private volatile @Nullable Throwable error;
    private boolean terminated;

    /**
     * @param onSubscribe starts the work once a subscriber is there (nothing runs before)
     * @param onCancel    stops the work
     */
    ChunkPublisher(Consumer<ChunkPublisher<T>> onSubscribe, Runnable onCancel) {
        this.onSubscribe = onSubscribe;
        this.onCancel = onCancel;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super T> s) {
        if (!subscribed.compareAndSet(false, true)) {
            s.onSubscribe(new Flow.Subscription() {
                public void request(long n) { }
                public void cancel() { }
            });
            s.onError(new IllegalStateException("a completion stream can be subscribed to only once"));
            return;
        }
        subscriber = s;
        s.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                if (n <= 0) {
                    fail(new IllegalArgumentException("request(" + n + "): demand must be positive (Reactive Streams 3.9)"));
                    return;
                }
                demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
                drain();
            }

            @Override
            public void cancel() {
                if (cancelled.compareAndSet(false, true)) {
                    onCancel.run();
                }
            }
        });
        try {
            onSubscribe.accept(this);
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    boolean isCancelled() {
        return cancelled.get();
    }

    void next(T item) {
        items.add(item);
        drain();
    }

    void complete() {
        completed = true;
        drain();
    }

    void fail(Throwable t) {
        error = t;
        completed = true;
        drain();
    }

    private void drain() {
        if (drains.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            Flow.Subscriber<? super T> s = subscriber;
            if (s != null && !terminated) {
                while (!cancelled.get() && demand.get() > 0) {
                    T item = items.poll();
                    if (item == null) {
                        break;
                    }
                    demand.decrementAndGet();
                    s.onNext(item);
                }
                if (!cancelled.get() && completed && (items.isEmpty() || error != null)) {
                    terminated = true;
                    Throwable t = error;
                    if (t != null) {
                        s.onError(t);
                    } else {
                        s.onComplete();
                    }
                }
            }
            missed = drains.addAndGet(-missed);
        } while (missed != 0);
    }
}
