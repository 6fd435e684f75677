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
     * Whether this subscriber may receive a message on this topic (its ACL's read permission);
     * asked for every matching message before {@link #deliver}. Any thread; must not block.
     */
    default boolean mayReceive(String topic) {
        return true;
    }
}
