package dev.tern.client;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Automatic reconnection: counts the attempts since the last successful connection and schedules
 * the next one after the {@link ReconnectPolicy}'s backoff (with jitter), until the policy's
 * maximum number of attempts.
 */
// event loop only
final class Reconnector {
    private final @Nullable ReconnectPolicy policy;
    private final EventLoop loop;
    private int attempts;
    private @Nullable ScheduledFuture<?> task;

    Reconnector(@Nullable ReconnectPolicy policy, EventLoop loop) {
        this.policy = policy;
        this.loop = loop;
    }

    /** True if the client reconnects by itself. */
    boolean enabled() {
        return policy != null;
    }

    /** Attempts made since the last successful connection. */
    int attempts() {
        return attempts;
    }

    /**
     * Runs {@code attempt} after the next backoff delay; false (and nothing scheduled) if there is no
     * policy or it allows no more attempts.
     */
    boolean schedule(Runnable attempt) {
        ReconnectPolicy p = policy;
        if (p == null || (p.maxAttempts() > 0 && attempts >= p.maxAttempts())) {
            return false;
        }
        Duration delay = p.delay(attempts++, ThreadLocalRandom.current());
        task = loop.schedule(attempt, delay.toNanos(), TimeUnit.NANOSECONDS);
        return true;
    }

    /** A connection succeeded or was lost after success: the backoff starts from the beginning. */
    void reset() {
        attempts = 0;
    }

    /** Drops a scheduled attempt (the application connects or disconnects itself). */
    void cancel() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }
}
