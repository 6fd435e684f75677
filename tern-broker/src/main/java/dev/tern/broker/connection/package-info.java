/** The per-connection MQTT protocol state machine: CONNECT, keep-alive, inbound PUBLISH flows, SUBSCRIBE. */
@NullMarked
package dev.tern.broker.connection;

import org.jspecify.annotations.NullMarked;
