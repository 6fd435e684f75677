package dev.tern.client;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Keep-alive of one connection: PINGREQ when nothing was sent for a keep-alive period
 * [MQTT-3.1.2-23 (3.1.1), MQTT-3.1.2-20 (5.0)], and a lost connection when PINGRESP does not come
 * within the ping timeout. One timer per connection, re-armed at the next moment something is due.
 */
// event loop only
final class KeepAlive {
    /** What the keep-alive asks of the connection. */
    interface Actions {
        void sendPing();

        void timedOut(long waitedMillis);
    }

    private final EventLoop loop;
    private final Actions actions;
    private @Nullable ScheduledFuture<?> task;
    private long keepAliveNanos;
    private long pingTimeoutNanos;
    private long lastSent;
    private long pingSent;

    KeepAlive(EventLoop loop, Actions actions) {
        this.loop = loop;
        this.actions = actions;
    }

    /** Starts for a new connection; {@code seconds} 0 switches keep-alive off. */
    void start(int seconds, long pingTimeout) {
        stop();
        lastSent = System.nanoTime();
        pingSent = 0;
        keepAliveNanos = TimeUnit.SECONDS.toNanos(seconds);
        pingTimeoutNanos = pingTimeout;
        if (seconds > 0) {
            task = loop.schedule(this::tick, keepAliveNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Something was written. */
    void sent() {
        lastSent = System.nanoTime();
    }

    /** PINGRESP arrived. */
    void pong() {
        pingSent = 0;
    }

    void stop() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    private void tick() {
        long now = System.nanoTime();
        long next;
        if (pingSent != 0) {
            if (now - pingSent >= pingTimeoutNanos) {
                task = null;
                actions.timedOut(pingTimeoutNanos / 1_000_000);
                return;
            }
            next = pingSent + pingTimeoutNanos;
        } else if (now - lastSent >= keepAliveNanos) {
            actions.sendPing();
            pingSent = now;
            next = now + pingTimeoutNanos;
        } else {
            next = lastSent + keepAliveNanos;
        }
        task = loop.schedule(this::tick, Math.max(1_000_000, next - now), TimeUnit.NANOSECONDS);
    }
}
