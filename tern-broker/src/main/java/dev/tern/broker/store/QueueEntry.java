package dev.tern.broker.store;

import dev.tern.broker.routing.Message;
import dev.tern.codec.QoS;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One entry of a session's queue, read back from the store.
 *
 * @param seq                     position in the queue
 * @param qos                     QoS to deliver with
 * @param retain                  RETAIN flag to send
 * @param subscriptionIdentifiers MQTT 5.0 subscription identifiers
 * @param released                true once PUBREC arrived for this QoS 2 entry: only PUBREL is due and
 *                                the message is gone
 * @param message                 the message, with one reference for the reader, or null when released
 *                                or when the message expired (its Message Expiry Interval is adjusted
 *                                for the time it spent in the store)
 */
public record QueueEntry(long seq, QoS qos, boolean retain, List<Integer> subscriptionIdentifiers, boolean released,
                         @Nullable Message message) {

    /** Releases the message reference, if any. */
    public void release() {
        if (message != null) {
            message.release();
        }
    }
}
