package dev.tern.client;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.QoS;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The blocking facade of a {@link TernClient}: the same operations, each waiting for its result and
 * throwing {@link MqttClientException} (or {@link IllegalArgumentException} for invalid arguments)
 * on failure. Do not call it from a message handler that runs on the client's event loop: the call
 * would wait for the very thread it blocks, so it throws {@link IllegalStateException} instead.
 */
public final class BlockingClient implements AutoCloseable {
    private final TernClient client;

    BlockingClient(TernClient client) {
        this.client = client;
    }

    /** The asynchronous client behind this facade. */
    public TernClient async() {
        return client;
    }

    private <T> T await(CompletableFuture<T> f) {
        if (client.eventLoop().inEventLoop() && !f.isDone()) {
            throw new IllegalStateException("a blocking call on the client's own event loop would never return");
        }
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MqttClientException("interrupted", -1, e);
        } catch (ExecutionException | CompletionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new MqttClientException(String.valueOf(c), -1, c);
        }
    }

    /** Connects; see {@link TernClient#connect()}. */
    public ConnectResult connect() {
        return await(client.connect());
    }

    /** Publishes and waits for the acknowledgement its QoS asks for. */
    public PublishResult publish(Message message) {
        return await(client.publish(message));
    }

    /** Publishes a UTF-8 payload. */
    public PublishResult publish(String topic, String payload, int qos, boolean retain) {
        return await(client.publish(topic, payload, QoS.of(qos), retain));
    }

    /** Subscribes with a handler. */
    public SubscribeResult subscribe(Subscription subscription, MessageHandler handler) {
        return await(client.subscribe(subscription, handler));
    }

    /** Subscribes with properties and a handler (null: the default handler). */
    public SubscribeResult subscribe(List<Subscription> subscriptions, MqttProperties properties,
                                     MessageHandler handler) {
        return await(client.subscribe(subscriptions, properties, handler));
    }

    /** Subscribes and returns the messages as a stream. */
    public MessageStream subscribeStream(int capacity, Subscription... subscriptions) {
        return await(client.subscribeStream(capacity, subscriptions));
    }

    /** Unsubscribes. */
    public UnsubscribeResult unsubscribe(String... filters) {
        return await(client.unsubscribe(filters));
    }

    /** Disconnects. */
    public void disconnect() {
        await(client.disconnect());
    }

    /** True while connected. */
    public boolean isConnected() {
        return client.isConnected();
    }

    @Override
    public void close() {
        client.close();
    }
}
