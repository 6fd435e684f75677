package dev.tern.client;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * An MQTT client (3.1, 3.1.1 or 5.0) with an asynchronous API: every operation returns a
 * {@link CompletableFuture}. Create one with {@link #builder()}:
 *
 * <pre>{@code
 * TernClient client = TernClient.builder()
 *         .serverUri("mqtt://127.0.0.1:1883")
 *         .clientId("sensor-1")
 *         .will(Message.of("sensors/1/status", "offline", 1, true))
 *         .build();
 * client.connect().join();
 * client.subscribe(Subscription.of("sensors/+/temp", 1), m -> System.out.println(m.payloadAsString())).join();
 * client.publish(Message.of("sensors/1/temp", "21.5", 1, false)).join();
 * client.disconnect().join();
 * }</pre>
 *
 * <p>The methods may be called from any thread; the work runs on the client's Netty event loop,
 * where all of its protocol state lives. Futures complete on that event loop: do not block in their
 * callbacks (use {@code thenApplyAsync} or {@link #toBlocking()} for blocking code).
 *
 * <p>QoS 1 and 2 publishes stay in the client until the server acknowledged them: across reconnects
 * (re-sent with DUP when the session was resumed) and, with a {@link FileSessionStore}, across
 * restarts of the process.
 */
public final class TernClient implements AutoCloseable {
    private final TernClientBuilder config;
    private final EventLoop loop;
    private final ClientSession session;

    TernClient(TernClientBuilder config) {
        this.config = config;
        EventLoopGroup group = config.eventLoopGroup != null ? config.eventLoopGroup : EventLoops.shared();
        this.loop = group.next();
        this.session = new ClientSession(config, loop);
    }

    /** A builder with the defaults described at {@link TernClientBuilder}. */
    public static TernClientBuilder builder() {
        return new TernClientBuilder();
    }

    /** The builder this client was made from; derive other clients from it. */
    public TernClientBuilder config() {
        return config;
    }

    /** The protocol version. */
    public MqttVersion version() {
        return config.version;
    }

    /** The event loop that runs this client. */
    public EventLoop eventLoop() {
        return loop;
    }

    /** A blocking view of this client. */
    public BlockingClient toBlocking() {
        return new BlockingClient(this);
    }

    private <T> CompletableFuture<T> onLoop(Supplier<CompletableFuture<T>> action) {
        if (loop.inEventLoop()) {
            try {
                return action.get();
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                try {
                    action.get().whenComplete((v, e) -> {
                        if (e != null) {
                            result.completeExceptionally(e);
                        } else {
                            result.complete(v);
                        }
                    });
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            result.completeExceptionally(new MqttClientException("the event loop is shut down", -1, e));
        }
        return result;
    }

    /**
     * Connects. Completes with the CONNACK when the server accepted the connection; fails with a
     * {@link ConnectionRefusedException} if it refused, or an {@link MqttClientException} if the server
     * could not be reached. The first connection is not retried; automatic reconnection (if configured)
     * applies once a connection was established.
     */
    public CompletableFuture<ConnectResult> connect() {
        return onLoop(session::connect);
    }

    /** Publishes a message; see {@link PublishResult} for when the future completes. */
    public CompletableFuture<PublishResult> publish(Message message) {
        return onLoop(() -> session.publish(message));
    }

    /** Publishes a UTF-8 payload. */
    public CompletableFuture<PublishResult> publish(String topic, String payload, QoS qos, boolean retain) {
        Message m;
        try {
            m = Message.builder(topic).payload(payload).qos(qos).retain(retain).build();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return publish(m);
    }

    /**
     * Subscribes; matching messages go to {@code handler}. While the client is offline (and will
     * reconnect) the request waits and is sent on connection.
     */
    public CompletableFuture<SubscribeResult> subscribe(Subscription subscription, MessageHandler handler) {
        return subscribe(List.of(subscription), MqttProperties.EMPTY, handler);
    }

    /**
     * Subscribes to several filters in one SUBSCRIBE.
     *
     * @param properties 5.0 SUBSCRIBE properties: a Subscription Identifier, User Properties
     * @param handler    where matching messages go; null for the {@linkplain TernClientBuilder#defaultHandler
     *                   default handler}
     */
    public CompletableFuture<SubscribeResult> subscribe(List<Subscription> subscriptions, MqttProperties properties,
                                                        @Nullable MessageHandler handler) {
        return onLoop(() -> session.subscribe(subscriptions, properties, handler));
    }

    /**
     * Subscribes and returns the messages as a {@link MessageStream} holding at most {@code capacity}
     * QoS 0 messages (QoS 1/2 messages are acknowledged only when taken, so the server's flow control
     * bounds them).
     */
    public CompletableFuture<MessageStream> subscribeStream(int capacity, Subscription... subscriptions) {
        MessageStream stream = new MessageStream(this, capacity);
        return subscribe(Arrays.asList(subscriptions), MqttProperties.EMPTY, stream).thenApply(r -> {
            stream.subscribed(r);
            return stream;
        });
    }

    /** Unsubscribes from filters. */
    public CompletableFuture<UnsubscribeResult> unsubscribe(String... filters) {
        return unsubscribe(Arrays.asList(filters), MqttProperties.EMPTY);
    }

    /** Unsubscribes, with 5.0 UNSUBSCRIBE properties. */
    public CompletableFuture<UnsubscribeResult> unsubscribe(List<String> filters, MqttProperties properties) {
        return onLoop(() -> session.unsubscribe(filters, properties));
    }

    /** Starts a 5.0 re-authentication with the configured {@link EnhancedAuthenticator}. */
    public CompletableFuture<Void> reauthenticate() {
        return onLoop(session::reauthenticate);
    }

    /**
     * Sends DISCONNECT and closes the connection (the will is discarded). Messages not yet sent fail;
     * QoS 1/2 messages in flight stay in the session if it outlives the connection.
     */
    public CompletableFuture<Void> disconnect() {
        return onLoop(() -> session.disconnect(0, MqttProperties.EMPTY));
    }

    /**
     * 5.0: disconnects with a reason code (0x04 asks the server to publish the will anyway) and
     * properties (e.g. a new Session Expiry Interval).
     */
    public CompletableFuture<Void> disconnect(int reasonCode, MqttProperties properties) {
        return onLoop(() -> session.disconnect(reasonCode, properties));
    }

    /** True while connected. */
    public boolean isConnected() {
        return state() == ClientSession.State.CONNECTED;
    }

    /** The client identifier in use (assigned by the server if it was empty), or empty before connecting. */
    public String clientId() {
        return onLoopValue(session::clientId);
    }

    /** The CONNACK of the current (or last) connection, or null. */
    public @Nullable ConnectResult lastConnectResult() {
        return onLoopValue(session::lastConnAck);
    }

    /** Outbound QoS 1/2 messages sent but not yet completely acknowledged. */
    public int inflightCount() {
        return onLoopValue(session::inflightCount);
    }

    /** Outbound messages accepted but not yet sent. */
    public int queuedCount() {
        return onLoopValue(session::queuedCount);
    }

    ClientSession.State state() {
        return onLoopValue(session::state);
    }

    void forget(MessageHandler handler) {
        loop.execute(() -> session.forget(handler));
    }

    private <T> T onLoopValue(Supplier<T> s) {
        if (loop.inEventLoop()) {
            return s.get();
        }
        return CompletableFuture.supplyAsync(s, loop).join();
    }

    /** Disconnects (if connected) and releases the session store. Waits at most a few seconds. */
    @Override
    public void close() {
        try {
            onLoop(session::close).get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // closing is best effort
        }
    }
}
