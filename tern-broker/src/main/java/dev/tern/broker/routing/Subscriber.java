package dev.tern.broker.routing;

/**
 * What routing delivers to: a session. Implementations must accept deliveries from any thread and
 * must not block.
 */
public interface Subscriber {
    /** The client identifier, for No Local and logs. */
    String clientId();

    /** Hands over a delivery; the subscriber now owns its message reference. */
    void deliver(Delivery delivery);

    /**
     * Whether a network connection is attached (read from any thread, may be stale). Shared
     * subscription groups prefer connected members.
     */
    default boolean isConnected() {
        return true;
    }

    /**
     * Whether this subscriber may receive a message on this topic (its ACL's read permission);
     * asked for every matching message before {@link #deliver}. Any thread; must not block.
     */
    default boolean mayReceive(String topic) {
        return true;
    }

    /**
     * Whether a QoS 0 delivery would only be dropped now (an offline session that does not queue QoS
     * 0): routing then creates none. Any thread, may be stale in the direction of false.
     */
    default boolean discardsQos0() {
        return false;
    }
}
