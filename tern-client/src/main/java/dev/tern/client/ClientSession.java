package dev.tern.client;

import dev.tern.codec.DecodeError;
import dev.tern.codec.MqttPacketDecoder;
import dev.tern.codec.MqttPacketEncoder;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.packet.Auth;
import dev.tern.codec.packet.ConnAck;
import dev.tern.codec.packet.Connect;
import dev.tern.codec.packet.Disconnect;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.PingReq;
import dev.tern.codec.packet.PingResp;
import dev.tern.codec.packet.PubAck;
import dev.tern.codec.packet.PubComp;
import dev.tern.codec.packet.PubRec;
import dev.tern.codec.packet.PubRel;
import dev.tern.codec.packet.Publish;
import dev.tern.codec.packet.SubAck;
import dev.tern.codec.packet.Subscribe;
import dev.tern.codec.packet.UnsubAck;
import dev.tern.codec.packet.Unsubscribe;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection life cycle of one client (connect, CONNACK, disconnect, connection loss and
 * reconnection) and the routing of inbound packets to the parts with one job each:
 * {@link OutboundFlows} (outbound QoS and the in-flight window), {@link InboundPublishes} and
 * {@link InboundDelivery} (the receiving side and handler dispatch), {@link Requests} and
 * {@link Subscriptions} (SUBSCRIBE/UNSUBSCRIBE), {@link EnhancedAuthFlow}, {@link Reconnector}
 * (backoff), {@link KeepAlive}, {@link TopicAliases}, {@link PacketIds} and {@link ConnectPackets}.
 * Everything here runs on the client's event loop; {@link TernClient} hands calls over with
 * {@code loop.execute}.
 */
// event loop only
final class ClientSession implements Connector.Events {
    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);

    enum State { DISCONNECTED, CONNECTING, CONNECTED, DISCONNECTING, CLOSED }

    private final TernClientBuilder config;
    private final EventLoop loop;
    private final Connector connector;
    private final @Nullable Executor callbacks;
    private final @Nullable SessionStore store;
    private final MqttVersion version;

    private State state = State.DISCONNECTED;
    private @Nullable Channel channel;
    /** Counts connections, so that acknowledgements owed to an old connection are never sent on a new one. */
    private long connectionCount;
    private boolean initialAttempt;
    private boolean everConnected;
    private boolean userDisconnect;
    private final Reconnector reconnector;
    private @Nullable ScheduledFuture<?> connectTimeoutTask;
    private @Nullable CompletableFuture<ConnectResult> connectFuture;
    private @Nullable CompletableFuture<Void> disconnectFuture;
    private @Nullable Throwable closeReason;
    private @Nullable ConnectResult lastConnAck;
    private String clientId;

    // Server limits of the current connection (MQTT 5.0 CONNACK properties; 3.x: the defaults).
    private int keepAliveSeconds;

    // Outbound and inbound flows.
    private final PacketIds ids = new PacketIds();
    private final OutboundFlows outbound;
    private final TopicAliases aliases = new TopicAliases();
    private final InboundFlows inbound;
    private final InboundPublishes publishes;
    private final EnhancedAuthFlow auth;

    // Subscriptions.
    private final Subscriptions subscriptions = new Subscriptions();
    private final Requests requests;

    private final KeepAlive keepAlive;

    ClientSession(TernClientBuilder config, EventLoop loop) {
        this.config = config;
        this.loop = loop;
        this.connector = new Connector(config, loop);
        this.callbacks = config.callbackExecutor == null ? null : new SerialExecutor(config.callbackExecutor);
        this.store = config.sessionStore;
        this.version = config.version;
        this.inbound = new InboundFlows(store);
        this.keepAlive = new KeepAlive(loop, new KeepAlive.Actions() {
            @Override
            public void sendPing() {
                write(PingReq.INSTANCE, true);
            }

            @Override
            public void timedOut(long waitedMillis) {
                Channel ch = channel;
                if (ch != null) {
                    closeReason = new MqttClientException("no PINGRESP within " + waitedMillis + " ms",
                            ReasonCodes.KEEP_ALIVE_TIMEOUT);
                    ch.close();
                }
            }
        });
        this.clientId = config.clientId.isEmpty() && version == MqttVersion.MQTT_3_1
                ? "tern-" + UUID.randomUUID().toString().substring(0, 8) : config.clientId;
        this.outbound = new OutboundFlows(config, store, ids, aliases, this::writePacket);
        this.requests = new Requests(version, config.ownSubscriptionIdentifiers, ids, subscriptions,
                this::writePacket);
        this.reconnector = new Reconnector(config.reconnect, loop);
        InboundDelivery.Connection connection = new InboundDelivery.Connection() {
            @Override
            public @Nullable Channel connected() {
                return state == State.CONNECTED ? channel : null;
            }

            @Override
            public long number() {
                return connectionCount;
            }

            @Override
            public ChannelFuture write(Channel ch, MqttPacket packet) {
                return writePacket(ch, packet);
            }
        };
        InboundDelivery delivery = new InboundDelivery(config, loop, callbacks, subscriptions, inbound, connection);
        this.publishes = new InboundPublishes(config, aliases, inbound, delivery, connection, this::protocolError);
        this.auth = new EnhancedAuthFlow(config.authenticator, new EnhancedAuthFlow.Session() {
            @Override
            public void send(Channel ch, Auth packet) {
                writePacket(ch, packet);
                ch.flush();
            }

            @Override
            public void protocolError(Channel ch, int reasonCode, String why) {
                ClientSession.this.protocolError(ch, reasonCode, why);
            }

            @Override
            public void abort(Channel ch, MqttClientException reason) {
                closeReason = reason;
                ch.close();
            }
        });
    }

    State state() {
        return state;
    }

    String clientId() {
        return clientId;
    }

    @Nullable ConnectResult lastConnAck() {
        return lastConnAck;
    }

    int inflightCount() {
        return outbound.inflightCount();
    }

    int queuedCount() {
        return outbound.queuedCount();
    }

    // ---------------------------------------------------------------- connect / disconnect

    CompletableFuture<ConnectResult> connect() {
        if (state == State.CLOSED) {
            return CompletableFuture.failedFuture(new MqttClientException("the client is closed"));
        }
        if (state == State.CONNECTED && lastConnAck != null) {
            return CompletableFuture.completedFuture(lastConnAck);
        }
        if (connectFuture != null && !connectFuture.isDone()) {
            return connectFuture;
        }
        connectFuture = new CompletableFuture<>();
        userDisconnect = false;
        if (state == State.DISCONNECTED) {
            reconnector.cancel();
            initialAttempt = true;
            attempt();
        }
        return connectFuture;
    }

    private void attempt() {
        state = State.CONNECTING;
        int maxIn = config.maximumPacketSize > 0 ? (int) Math.min(config.maximumPacketSize,
                MqttPacketDecoder.MAX_PACKET_SIZE) : MqttPacketDecoder.MAX_PACKET_SIZE;
        ChannelFuture f;
        try {
            f = connector.connect(this, maxIn);
        } catch (RuntimeException e) {
            attemptFailed(e);
            return;
        }
        Channel ch = f.channel();
        channel = ch;
        connectTimeoutTask = loop.schedule(() -> {
            if (channel == ch && state == State.CONNECTING) {
                closeReason = new MqttClientException("no CONNACK within " + config.connectTimeout.toMillis() + " ms");
                ch.close();
            }
        }, config.connectTimeout.toNanos(), TimeUnit.NANOSECONDS);
        f.addListener((ChannelFutureListener) done -> {
            if (!done.isSuccess() && channel == ch) {
                channel = null;
                cancel(connectTimeoutTask);
                attemptFailed(done.cause());
            }
        });
    }

    private void attemptFailed(Throwable cause) {
        MqttClientException error = cause instanceof MqttClientException m ? m
                : new MqttClientException(ConnectPackets.describeFailure(config, cause), -1, cause);
        if (initialAttempt || userDisconnect || config.reconnect == null) {
            state = State.DISCONNECTED;
            initialAttempt = false;
            CompletableFuture<ConnectResult> f = connectFuture;
            connectFuture = null;
            if (f != null) {
                f.completeExceptionally(error);
            }
            if (everConnected && !userDisconnect) {
                failOffline(error);
            }
            return;
        }
        LOG.debug("Reconnection attempt {} to {} failed: {}", reconnector.attempts(), config.describeServer(),
                error.getMessage());
        scheduleReconnect(error);
    }

    private void scheduleReconnect(Throwable cause) {
        if (!reconnector.enabled()) {
            return;
        }
        state = State.DISCONNECTED;
        boolean scheduled = reconnector.schedule(() -> {
            if (state == State.DISCONNECTED && !userDisconnect) {
                attempt();
            }
        });
        if (!scheduled) {
            failOffline(new MqttClientException("gave up reconnecting after " + reconnector.attempts() + " attempts: "
                    + cause.getMessage(), -1, cause));
        }
    }

    /** After giving up: queued work cannot be done any more. */
    private void failOffline(MqttClientException error) {
        outbound.failQueued(error);
        requests.failWaiting(error);
    }

    @Override
    public void transportReady(Channel ch) {
        if (ch != channel || state != State.CONNECTING) {
            return;
        }
        boolean clean = initialAttempt ? config.cleanStart : !sessionOutlivesConnection();
        if (clean) {
            discardSessionState();
        }
        write(ConnectPackets.connect(config, clientId, clean), true);
    }

    /** True if the server keeps the session after a disconnection, so that reconnections resume it. */
    private boolean sessionOutlivesConnection() {
        return version.isV5() ? config.sessionExpiryInterval > 0 : !config.cleanStart;
    }

    /** A clean start: the client discards its session state too [MQTT-3.1.2-6]; queued messages stay. */
    private void discardSessionState() {
        outbound.sessionLost();
        inbound.discard();
    }

    CompletableFuture<Void> disconnect(int reasonCode, MqttProperties properties) {
        userDisconnect = true;
        reconnector.cancel();
        MqttClientException error = new MqttClientException("the client disconnected");
        failOffline(error);
        if (connectFuture != null && !connectFuture.isDone()) {
            connectFuture.completeExceptionally(error);
        }
        // Without a session that outlives the connection the flows end; otherwise they stay and are
        // resumed by the next connect, but their callers stop waiting.
        outbound.failInflight(error, !sessionOutlivesConnection());
        requests.failSent(error);
        Channel ch = channel;
        if (ch == null) {
            if (state != State.CLOSED) {
                state = State.DISCONNECTED;
            }
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> done = disconnectFuture != null ? disconnectFuture : new CompletableFuture<>();
        disconnectFuture = done;
        if (state == State.CONNECTED) {
            state = State.DISCONNECTING;
            Disconnect d = version.isV5() ? new Disconnect(reasonCode, properties) : Disconnect.NORMAL;
            if (version.isV5() && !properties.isEmpty()) {
                ByteBuf probe = MqttPacketEncoder.encode(d, version, ch.alloc());
                int size = probe.readableBytes();
                probe.release();
                if (size > outbound.serverMaximumPacketSize()) {
                    // Leave out Reason String and User Properties rather than exceed the server's
                    // Maximum Packet Size [MQTT-3.14.2-3, MQTT-3.14.2-4].
                    d = new Disconnect(reasonCode, properties.toBuilder().reasonString(null).clearUserProperties().build());
                }
            }
            writePacket(ch, d).addListener(f -> ch.close());
            ch.flush();
        } else {
            state = State.DISCONNECTING;
            ch.close();
        }
        return done;
    }

    CompletableFuture<Void> close() {
        CompletableFuture<Void> d = disconnect(0, MqttProperties.EMPTY);
        return d.whenComplete((v, e) -> loop.execute(() -> {
            state = State.CLOSED;
            if (store != null) {
                try {
                    store.close();
                } catch (java.io.IOException ex) {
                    LOG.warn("closing the session store failed: {}", ex.getMessage());
                }
            }
        }));
    }

    @Override
    public void closed(Channel ch, @Nullable Throwable cause) {
        if (ch != channel) {
            return;
        }
        channel = null;
        cancel(connectTimeoutTask);
        keepAlive.stop();
        inbound.connectionLost();
        Throwable reason = closeReason != null ? closeReason : cause;
        closeReason = null;
        requests.connectionLost();
        auth.connectionLost();
        State was = state;
        if (was == State.DISCONNECTING || userDisconnect) {
            state = State.DISCONNECTED;
            CompletableFuture<Void> d = disconnectFuture;
            disconnectFuture = null;
            if (d != null) {
                d.complete(null);
            }
            if (was == State.DISCONNECTING && everConnected) {
                notifyDisconnected(new MqttClientException("disconnected by the client"), false);
            }
            return;
        }
        if (was == State.CONNECTING) {
            attemptFailed(reason == null ? new ClosedChannelException() : reason);
            return;
        }
        // A live connection was lost.
        MqttClientException error = reason instanceof MqttClientException m ? m
                : new MqttClientException(reason == null ? "connection lost"
                : "connection lost: " + ConnectPackets.describeFailure(config, reason), -1, reason);
        boolean reconnect = config.reconnect != null;
        LOG.debug("Connection to {} lost ({}){}", config.describeServer(), error.getMessage(),
                reconnect ? "; reconnecting" : "");
        notifyDisconnected(error, reconnect);
        if (reconnect) {
            reconnector.reset();
            scheduleReconnect(error);
        } else {
            state = State.DISCONNECTED;
            failOffline(error);
            outbound.failInflight(error, false);
        }
    }

    private void notifyDisconnected(Throwable cause, boolean reconnecting) {
        ConnectionListener l = config.connectionListener;
        if (l != null) {
            callback(() -> l.disconnected(cause, reconnecting));
        }
    }

    /** Closes the connection because the server broke the protocol; 5.0 says why first. */
    private void protocolError(Channel ch, int reasonCode, String why) {
        LOG.warn("Closing the connection to {}: {}", config.describeServer(), why);
        closeReason = new MqttClientException("protocol error by the server: " + why, reasonCode);
        if (version.isV5() && state == State.CONNECTED) {
            writePacket(ch, new Disconnect(reasonCode, MqttProperties.EMPTY)).addListener(f -> ch.close());
            ch.flush();
        } else {
            ch.close();
        }
    }

    // ---------------------------------------------------------------- inbound packets

    @Override
    public void packet(Channel ch, Object msg) {
        if (ch != channel || state == State.CLOSED) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof DecodeError error) {
            protocolError(ch, error.reasonCode(), "malformed packet: " + error.message());
            return;
        }
        if (!(msg instanceof MqttPacket packet)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (config.trace != null) {
            config.trace.received(packet);
        }
        if (state == State.CONNECTING && !(packet instanceof ConnAck) && !(packet instanceof Auth)) {
            // The first packet from the server must be CONNACK (or AUTH in 5.0) [MQTT-3.2.0-1].
            ReferenceCountUtil.release(msg);
            protocolError(ch, ReasonCodes.PROTOCOL_ERROR, packet.type() + " before CONNACK");
            return;
        }
        switch (packet) {
            case ConnAck c -> onConnAck(ch, c);
            case Publish p -> publishes.onPublish(ch, p);
            case PubAck a -> {
                if (outbound.onPubAck(a)) {
                    pumpIfConnected();
                }
            }
            case PubRec r -> {
                if (outbound.onPubRec(ch, r)) {
                    pumpIfConnected();
                }
            }
            case PubRel r -> publishes.onPubRel(ch, r);
            case PubComp c -> {
                if (outbound.onPubComp(c)) {
                    pumpIfConnected();
                }
            }
            case SubAck s -> requests.onSubAck(s);
            case UnsubAck u -> requests.onUnsubAck(u);
            case PingResp p -> keepAlive.pong();
            case Disconnect d -> onDisconnect(ch, d);
            case Auth a -> auth.onAuth(ch, a, state == State.CONNECTED);
            case Connect c -> protocolError(ch, ReasonCodes.PROTOCOL_ERROR, "the server sent CONNECT");
            case Subscribe s -> protocolError(ch, ReasonCodes.PROTOCOL_ERROR, "the server sent SUBSCRIBE");
            case Unsubscribe u -> protocolError(ch, ReasonCodes.PROTOCOL_ERROR, "the server sent UNSUBSCRIBE");
            case PingReq p -> protocolError(ch, ReasonCodes.PROTOCOL_ERROR, "the server sent PINGREQ");
        }
    }

    private void onConnAck(Channel ch, ConnAck c) {
        if (state != State.CONNECTING) {
            protocolError(ch, ReasonCodes.PROTOCOL_ERROR, "a second CONNACK");
            return;
        }
        cancel(connectTimeoutTask);
        MqttProperties p = c.properties();
        String assigned = p.assignedClientIdentifier();
        ConnectResult result = new ConnectResult(version, c.sessionPresent(), c.reasonCode(), p,
                assigned != null ? assigned : clientId);
        if (c.reasonCode() != 0) {
            closeReason = new ConnectionRefusedException(result);
            ch.close();
            return;
        }
        boolean clean = initialAttempt ? config.cleanStart : !sessionOutlivesConnection();
        if (c.sessionPresent() && clean) {
            // A server that resumes a session the client asked to discard is broken [MQTT-3.2.2-4 (5.0)].
            protocolError(ch, ReasonCodes.PROTOCOL_ERROR, "session present after a clean start");
            return;
        }
        if (config.authenticator != null) {
            try {
                config.authenticator.onSuccess(p.authenticationData(), p);
            } catch (RuntimeException e) {
                closeReason = new MqttClientException("the server's authentication was not accepted: "
                        + e.getMessage(), ReasonCodes.NOT_AUTHORIZED, e);
                writePacket(ch, new Disconnect(ReasonCodes.NOT_AUTHORIZED, MqttProperties.EMPTY))
                        .addListener(f -> ch.close());
                ch.flush();
                return;
            }
        }
        if (assigned != null) {
            clientId = assigned; // reconnections resume the assigned id's session
        }
        applyServerLimits(p);
        state = State.CONNECTED;
        connectionCount++;
        everConnected = true;
        initialAttempt = false;
        reconnector.reset();
        lastConnAck = result;
        if (!c.sessionPresent()) {
            if (!clean) {
                discardSessionState(); // the server lost the session: start over on our side too
            }
            if (config.resubscribe && !subscriptions.isEmpty()) {
                requests.resubscribe(ch);
            }
        } else {
            outbound.resend(ch);
        }
        requests.sendWaiting(ch);
        outbound.pump(ch);
        ch.flush();
        keepAlive.start(keepAliveSeconds, config.pingTimeout != null ? config.pingTimeout.toNanos()
                : TimeUnit.SECONDS.toNanos(Math.max(1, keepAliveSeconds)));
        CompletableFuture<ConnectResult> f = connectFuture;
        connectFuture = null;
        if (f != null) {
            f.complete(result);
        }
        ConnectionListener l = config.connectionListener;
        if (l != null) {
            callback(() -> l.connected(result));
        }
    }

    private void applyServerLimits(MqttProperties p) {
        outbound.serverLimits(p);
        aliases.reset(config.topicAliases && p.topicAliasMaximum() != null ? p.topicAliasMaximum() : 0);
        requests.serverLimits(p);
        // The server's keep-alive replaces the client's [MQTT-3.2.2-21 (5.0)].
        keepAliveSeconds = p.serverKeepAlive() != null ? p.serverKeepAlive() : config.keepAliveSeconds;
    }

    private void onDisconnect(Channel ch, Disconnect d) {
        String text = d.properties().reasonString();
        closeReason = new MqttClientException("the server disconnected: " + ReasonText.reason(d.reasonCode())
                + (text == null ? "" : " (" + text + ")"), d.reasonCode());
        ch.close();
    }

    CompletableFuture<Void> reauthenticate() {
        return auth.reauthenticate(state == State.CONNECTED ? channel : null);
    }

    // ---------------------------------------------------------------- outbound publish

    CompletableFuture<PublishResult> publish(Message m) {
        if (state == State.CLOSED) {
            return CompletableFuture.failedFuture(new MqttClientException("the client is closed"));
        }
        if (state != State.CONNECTED && config.reconnect == null && state != State.CONNECTING) {
            return CompletableFuture.failedFuture(new MqttClientException("not connected"));
        }
        CompletableFuture<PublishResult> f = outbound.accept(m);
        pumpIfConnected();
        return f;
    }

    private void pumpIfConnected() {
        Channel ch = channel;
        if (state == State.CONNECTED && ch != null) {
            outbound.pump(ch);
            ch.flush();
        }
    }

    @Override
    public void writabilityChanged(Channel ch) {
        if (ch == channel && ch.isWritable()) {
            pumpIfConnected();
        }
    }

    // ---------------------------------------------------------------- subscribe / unsubscribe

    CompletableFuture<SubscribeResult> subscribe(List<Subscription> subs, MqttProperties properties,
                                                 @Nullable MessageHandler handler) {
        CompletableFuture<SubscribeResult> f = new CompletableFuture<>();
        String problem = requests.check(subs, properties, state == State.CONNECTED);
        if (problem != null) {
            f.completeExceptionally(new MqttClientException(problem));
            return f;
        }
        MqttProperties props = requests.withOwnIdentifier(properties, state == State.CONNECTED);
        request(PendingRequest.subscribe(subs, props, handler, f, false), f);
        return f;
    }

    CompletableFuture<UnsubscribeResult> unsubscribe(List<String> filters, MqttProperties properties) {
        CompletableFuture<UnsubscribeResult> f = new CompletableFuture<>();
        if (filters.isEmpty()) {
            f.completeExceptionally(new MqttClientException("UNSUBSCRIBE needs at least one topic filter [MQTT-3.10.3-2]"));
            return f;
        }
        for (String filter : filters) {
            String problem = Subscription.checkFilter(filter);
            if (problem != null) {
                f.completeExceptionally(new MqttClientException("invalid topic filter '" + filter + "': " + problem));
                return f;
            }
        }
        request(PendingRequest.unsubscribe(filters, properties, f), f);
        return f;
    }

    private void request(PendingRequest r, CompletableFuture<?> f) {
        if (state == State.CLOSED) {
            f.completeExceptionally(new MqttClientException("the client is closed"));
            return;
        }
        if (r.isSubscribe()) {
            // Handlers are in place before the SUBACK, so that retained messages sent right after it are not missed.
            for (Subscription s : r.subscriptions) {
                subscriptions.add(s, r.properties, r.handler);
            }
        }
        Channel ch = channel;
        if (state == State.CONNECTED && ch != null) {
            requests.send(ch, r);
            ch.flush();
        } else if (config.reconnect != null || state == State.CONNECTING) {
            requests.waitForConnection(r);
        } else {
            r.fail(new MqttClientException("not connected"));
        }
    }

    /** Removes a stream's or handler's subscriptions locally (the stream was closed). */
    void forget(MessageHandler handler) {
        subscriptions.forget(handler);
    }

    // ---------------------------------------------------------------- plumbing

    private void write(MqttPacket packet, boolean flush) {
        Channel ch = channel;
        if (ch != null) {
            writePacket(ch, packet);
            if (flush) {
                ch.flush();
            }
        }
    }

    private ChannelFuture writePacket(Channel ch, MqttPacket packet) {
        keepAlive.sent();
        if (config.trace != null) {
            config.trace.sent(packet);
        }
        return ch.write(MqttPacketEncoder.encode(packet, version, ch.alloc()));
    }

    private void callback(Runnable r) {
        if (callbacks == null) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("A connection listener failed", e);
            }
        } else {
            callbacks.execute(r);
        }
    }

    private static void cancel(@Nullable ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

}
