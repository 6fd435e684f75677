package dev.tern.broker.store;

import dev.tern.codec.QoS;
import java.util.List;
import java.util.Objects;

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
 */
public record QueueTarget(String clientId, long sessionKey, long seq, QoS qos, boolean retain,
                          List<Integer> subscriptionIdentifiers) {
    public QueueTarget {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(qos, "qos");
        subscriptionIdentifiers = List.copyOf(subscriptionIdentifiers);
        if (seq < 0) {
            throw new IllegalArgumentException("negative sequence number " + seq);
        }
    }
}
