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
}
