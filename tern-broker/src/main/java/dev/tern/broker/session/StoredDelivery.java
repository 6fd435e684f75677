package dev.tern.broker.session;

import dev.tern.broker.routing.Delivery;
import dev.tern.broker.store.EarlyAck;
import org.jspecify.annotations.Nullable;

/**
 * A delivery for the session's stored queue; a mailbox item. Its entry is durable, or, for an early
 * hand-over ({@code beforeDurable}), being written (the same delivery comes again once it is).
 */
record StoredDelivery(Delivery delivery, long sessionKey, long seq, @Nullable EarlyAck early, boolean beforeDurable) {}
