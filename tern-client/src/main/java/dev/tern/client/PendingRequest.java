package dev.tern.client;

import dev.tern.codec.MqttProperties;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** A SUBSCRIBE or UNSUBSCRIBE waiting to be sent or for its acknowledgement. */
// event loop only
final class PendingRequest {
    final List<Subscription> subscriptions;
    final List<String> unsubscribe;
    final MqttProperties properties;
    final @Nullable MessageHandler handler;
    final @Nullable CompletableFuture<SubscribeResult> subscribed;
    final @Nullable CompletableFuture<UnsubscribeResult> unsubscribed;
    /** A re-subscription the client made itself after a lost session. */
    final boolean internal;
    int packetId;

    private PendingRequest(List<Subscription> subscriptions, List<String> unsubscribe, MqttProperties properties,
                           @Nullable MessageHandler handler, @Nullable CompletableFuture<SubscribeResult> subscribed,
                           @Nullable CompletableFuture<UnsubscribeResult> unsubscribed, boolean internal) {
        this.subscriptions = subscriptions;
        this.unsubscribe = unsubscribe;
        this.properties = properties;
        this.handler = handler;
        this.subscribed = subscribed;
        this.unsubscribed = unsubscribed;
        this.internal = internal;
    }

    static PendingRequest subscribe(List<Subscription> subs, MqttProperties properties, @Nullable MessageHandler handler,
                                    @Nullable CompletableFuture<SubscribeResult> future, boolean internal) {
        return new PendingRequest(List.copyOf(subs), List.of(), properties, handler, future, null, internal);
    }

    static PendingRequest unsubscribe(List<String> filters, MqttProperties properties,
                                      CompletableFuture<UnsubscribeResult> future) {
        return new PendingRequest(List.of(), List.copyOf(filters), properties, null, null, future, false);
    }

    boolean isSubscribe() {
        return !subscriptions.isEmpty();
    }

    void fail(Throwable cause) {
        if (subscribed != null) {
            subscribed.completeExceptionally(cause);
        }
        if (unsubscribed != null) {
            unsubscribed.completeExceptionally(cause);
        }
    }
}
