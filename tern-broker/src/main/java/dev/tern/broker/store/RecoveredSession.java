package dev.tern.broker.store;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Everything stored for one persistent session, as found at start-up. The queue itself stays in the
 * store; read it with {@link Store#readQueue}.
 *
 * @param session       the session record
 * @param subscriptions its subscriptions
 * @param inboundQos2   inbound QoS 2 packet identifiers awaiting PUBREL
 * @param will          its will, or null
 * @param queue         the shape of its queue
 */
public record RecoveredSession(SessionRecord session, List<SubscriptionRecord> subscriptions, Set<Integer> inboundQos2,
                               @Nullable WillRecord will, QueueSummary queue) {
    public RecoveredSession {
        Objects.requireNonNull(session, "session");
        subscriptions = List.copyOf(subscriptions);
        inboundQos2 = Set.copyOf(inboundQos2);
        Objects.requireNonNull(queue, "queue");
    }
}
