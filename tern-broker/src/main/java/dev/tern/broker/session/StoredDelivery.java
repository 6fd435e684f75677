package dev.tern.broker.session;

import dev.tern.broker.routing.Delivery;

/** A delivery whose entry in the session's stored queue is durable; a mailbox item. */
record StoredDelivery(Delivery delivery, long sessionKey, long seq) {}
