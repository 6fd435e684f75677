package dev.tern.broker.store;

import dev.tern.codec.QoS;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One persistent session a message is queued for, with what is particular to that recipient.
 *
 * @param clientId                the session's client identifier
 * @param sessionKey              the session's {@link SessionRecord#sessionKey()}; a target whose
 *                                session no longer has this key is skipped (it was discarded meanwhile)
 * @param seq                     the entry's position in the session's queue, allocated by the session
 * @param qos                     the QoS to deliver with
 * @param retain                  the RETAIN flag to send
 * @param subscriptionIdentifiers MQTT 5.0 subscription identifiers of the matching subscriptions
 * @param early                   set when the message was handed to the connected session before the
 *                                entry was durable: the entry is written only if no PUBACK came first
 */
public record QueueTarget(String clientId, long sessionKey, long seq, QoS qos, boolean retain,
                          List<Integer> subscriptionIdentifiers, @Nullable EarlyAck early) {
    public QueueTarget {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(qos, "qos");
        subscriptionIdentifiers = List.copyOf(subscriptionIdentifiers);
        if (seq < 0) {
            throw new IllegalArgumentException("negative sequence number " + seq);
        }
    }

    /** A target whose message goes to the session only once the entry is durable. */
    public QueueTarget(String clientId, long sessionKey, long seq, QoS qos, boolean retain,
                       List<Integer> subscriptionIdentifiers) {
        this(clientId, sessionKey, seq, qos, retain, subscriptionIdentifiers, null);
    }

    /** True unless a PUBACK for an early hand-over made the entry unnecessary; the writer's claim. */
    boolean toBeWritten() {
        return early == null || early.write();
    }
}
