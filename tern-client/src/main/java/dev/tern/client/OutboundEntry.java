package dev.tern.client;

import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** One outbound message from acceptance to the end of its flow. */
// event loop only
final class OutboundEntry {
    final long sequence;
    final Message message;
    final @Nullable CompletableFuture<PublishResult> future;
    /** 0 while queued. */
    int packetId;
    /** QoS 2: PUBREC arrived, PUBREL sent, PUBCOMP awaited. */
    boolean released;
    /** Sent at least once on some connection: a re-send carries DUP [MQTT-3.3.1-1]. */
    boolean sent;

    OutboundEntry(long sequence, Message message, @Nullable CompletableFuture<PublishResult> future) {
        this.sequence = sequence;
        this.message = message;
        this.future = future;
    }

    void fail(Throwable cause) {
        if (future != null) {
            future.completeExceptionally(cause);
        }
    }
}
