/**
 * Tern's MQTT client: {@link dev.tern.client.TernClient} speaks MQTT 3.1, 3.1.1 and 5.0 over TCP,
 * TLS, WebSocket and secure WebSocket.
 *
 * <p>Build a client with {@link dev.tern.client.TernClient#builder()} (each builder method returns a
 * new builder, so a partly configured builder is a reusable template), then use the
 * {@link java.util.concurrent.CompletableFuture}-based calls of {@link dev.tern.client.TernClient} or
 * the blocking facade {@link dev.tern.client.BlockingClient}. Received messages go to a callback per
 * subscription ({@link dev.tern.client.MessageHandler}) or into a {@link dev.tern.client.MessageStream}.
 *
 * <p>All protocol state of one client lives on one Netty event loop; the public methods may be called
 * from any thread.
 */
@NullMarked
package dev.tern.client;

import org.jspecify.annotations.NullMarked;
