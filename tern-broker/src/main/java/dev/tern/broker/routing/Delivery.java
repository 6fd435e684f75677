package dev.tern.broker.routing;

import dev.tern.codec.QoS;
import java.util.List;

/**
 * One message on its way to one subscriber: the shared message plus what is particular to this
 * recipient. Holds one reference to the message, released when the delivery completes or is dropped.
 *
 * @param message                 the shared message
 * @param qos                     the QoS to deliver with (already reduced to the granted maximum)
 * @param retain                  the RETAIN flag to send
 * @param subscriptionIdentifiers MQTT 5.0 subscription identifiers of the matching subscriptions
 */
public record Delivery(Message message, QoS qos, boolean retain, List<Integer> subscriptionIdentifiers) {

    /** Releases the message reference this delivery holds. */
    public void release() {
        message.release();
    }
}
