package dev.tern.broker.routing;

import dev.tern.codec.QoS;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One message on its way to one subscriber: the shared message plus what is particular to this
 * recipient. Holds one reference to the message, released when the delivery completes or is dropped.
 *
 * @param message                 the shared message
 * @param qos                     the QoS to deliver with (already reduced to the granted maximum)
 * @param retain                  the RETAIN flag to send
 * @param subscriptionIdentifiers MQTT 5.0 subscription identifiers of the matching subscriptions
 * @param sharedFilter            the shared subscription ({@code $share/group/filter}) this delivery was
 *                                chosen for, or null for an ordinary subscription; a shared delivery not yet
 *                                acknowledged can be handed to another member of the group
 */
public record Delivery(Message message, QoS qos, boolean retain, List<Integer> subscriptionIdentifiers,
                       @Nullable String sharedFilter) {

    /** A delivery for an ordinary (non-shared) subscription. */
    public Delivery(Message message, QoS qos, boolean retain, List<Integer> subscriptionIdentifiers) {
        this(message, qos, retain, subscriptionIdentifiers, null);
    }

    /** Releases the message reference this delivery holds. */
    public void release() {
        message.release();
    }
}
