package dev.tern.broker.session;

import dev.tern.broker.routing.Message;
import dev.tern.broker.routing.Router;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.packet.Will;
import io.netty.buffer.Unpooled;
import org.jspecify.annotations.Nullable;

/**
 * The will of a session's last connection while it waits for its Will Delay Interval (MQTT 5.0 section
 * 3.1.2.5): published when the delay passes or the session ends, whichever comes first, and forgotten
 * if a connection resumes the session in time (MQTT-3.1.3-9). A will without a delay, or of a session
 * that ends with its connection, is published at once. Owner loop only.
 */
final class DelayedWill {
    private final String clientId;
    private final Router router;
    private final Session session;
    /** Created by the first will that waits for its delay: most sessions never have one. */
    private @Nullable MailboxTimer timer;
    private @Nullable Will pending;
    /** When the pending will is due (wall clock), for the store. */
    private long dueAtMillis;

    DelayedWill(Session session, Router router) {
        this.clientId = session.clientId();
        this.router = router;
        this.session = session;
    }

    /** A connection ended without a DISCONNECT that discards its will. */
    void arm(@Nullable Will will, long sessionExpiryInterval) {
        if (will == null) {
            return;
        }
        publishPending(); // an earlier connection's will that was still waiting
        Long delay = will.properties().willDelayInterval();
        long seconds = Math.min(delay == null ? 0 : delay, sessionExpiryInterval);
        if (seconds == 0) {
            publish(will);
            return;
        }
        pending = will;
        dueAtMillis = System.currentTimeMillis() + seconds * 1000;
        timer().schedule(seconds, this::publishPending);
    }

    private MailboxTimer timer() {
        MailboxTimer t = timer;
        if (t == null) {
            t = new MailboxTimer(session);
            timer = t;
        }
        return t;
    }

    /** A will read back from the store at start-up, due in {@code seconds}. */
    void restore(Will will, long seconds) {
        pending = will;
        dueAtMillis = System.currentTimeMillis() + seconds * 1000;
        timer().schedule(seconds, this::publishPending);
    }

    /** When the pending will is due, in wall-clock milliseconds. */
    long dueAtMillis() {
        return dueAtMillis;
    }

    /** A connection resumed the session within the delay: the will is not sent. */
    void cancel() {
        if (timer != null) {
            timer.cancel();
        }
        if (pending != null) {
            pending = null;
            session.willDone(); // the store forgets it
        }
    }

    /** The delay passed or the session ends: publish the waiting will, if any. */
    void publishPending() {
        Will w = pending;
        cancel();
        if (w != null) {
            publish(w);
        }
    }

    /** The waiting will, or null. */
    @Nullable Will pending() {
        return pending;
    }

    private void publish(Will w) {
        MqttProperties properties = w.properties().willDelayInterval() == null ? w.properties()
                : w.properties().toBuilder().willDelayInterval(null).build();
        Message message = new Message(w.topic(), Unpooled.wrappedBuffer(w.payload()), w.qos(), w.retain(),
                properties, clientId);
        try {
            router.publish(message);
        } finally {
            message.release();
        }
    }
}
