package dev.tern.jmh;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * JMH's worker threads as Netty's {@link FastThreadLocalThread}s, like a broker's event loops, so
 * that Netty's per-thread caches (the allocator's, {@code ByteBufUtil}'s scratch arrays) behave in
 * a benchmark as they do on a channel. bench/jmh passes {@code -Djmh.executor=CUSTOM
 * -Djmh.executor.class=dev.tern.jmh.EventLoopThreadsExecutor}; JMH calls the (int, String) constructor.
 */
public final class EventLoopThreadsExecutor extends ThreadPoolExecutor {
    public EventLoopThreadsExecutor(int maxThreads, String prefix) {
        super(maxThreads, maxThreads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), new Factory(prefix));
    }

    private static final class Factory implements java.util.concurrent.ThreadFactory {
        private final String prefix;
        private final AtomicInteger next = new AtomicInteger();

        Factory(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new FastThreadLocalThread(r, prefix + "-" + next.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
