package dev.tern.broker.security;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code memory_limit}: above this many bytes of message buffers (Netty's allocator, where payloads,
 * queued and retained messages live) the broker refuses new publishes, so that a flood of messages
 * to slow subscribers cannot run the JVM out of memory. The usage is sampled at most once a
 * millisecond, so the check on the publish path is a volatile read. Thread-safe.
 */
public final class MemoryGuard {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryGuard.class);
    private static final long SAMPLE_NANOS = 1_000_000;

    private final long limit;
    private final LongSupplier usage;
    private volatile long nextSample;
    private volatile boolean over;

    MemoryGuard(long limit, LongSupplier usage) {
        this.limit = limit;
        this.usage = usage;
    }

    /**
     * The guard for a configured {@code memory_limit}: 0 switches it off, -1 takes three quarters of
     * the JVM's direct memory limit (which defaults to the heap size, -Xmx).
     */
    public static MemoryGuard of(long configured) {
        long limit = configured >= 0 ? configured : PlatformDependent.maxDirectMemory() / 4 * 3;
        return new MemoryGuard(limit, MemoryGuard::allocatorUsage);
    }

    /** A guard that never refuses. */
    public static MemoryGuard unlimited() {
        return new MemoryGuard(0, () -> 0);
    }

    private static long allocatorUsage() {
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p) {
            ByteBufAllocatorMetric m = p.metric();
            return m.usedDirectMemory() + m.usedHeapMemory();
        }
        return Math.max(0, PlatformDependent.usedDirectMemory());
    }

    /** The limit in bytes, 0 for none. */
    public long limit() {
        return limit;
    }

    /** True while message buffers use more than the limit: refuse new publishes. */
    public boolean overLimit() {
        if (limit == 0) {
            return false;
        }
        long now = System.nanoTime();
        if (now - nextSample >= 0) {
            nextSample = now + SAMPLE_NANOS;
            boolean was = over;
            long used = usage.getAsLong();
            over = used > limit;
            if (over != was) {
                if (over) {
                    LOG.warn("Message buffers use {} bytes, more than memory_limit {}: refusing new publishes.", used,
                            limit);
                } else {
                    LOG.info("Message buffers use {} bytes, below memory_limit {} again: accepting publishes.", used,
                            limit);
                }
            }
        }
        return over;
    }
}
