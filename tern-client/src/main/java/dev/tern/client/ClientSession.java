package dev.tern.client;

import dev.tern.codec.DecodeError;
import dev.tern.codec.MqttPacketDecoder;
import dev.tern.codec.MqttPacketEncoder;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.UserProperty;
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
import dev.tern.codec.packet.Will;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol state machine of one client: the connection life cycle (connect, CONNACK, AUTH,
 * disconnect, reconnection with backoff), the routing of inbound packets, dispatch to handlers, and
 * SUBSCRIBE/UNSUBSCRIBE requests. It owns the parts with one job each: {@link OutboundFlows},
 * {@link InboundFlows}, {@link Subscriptions}, {@link TopicAliases}, {@link KeepAlive} and
 * {@link PacketIds}. Everything here runs on the client's event loop; {@link TernClient}
 * hands calls over with {@code loop.execute}.
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
    private int reconnectAttempt;
    private @Nullable ScheduledFuture<?> reconnectTask;
    private @Nullable ScheduledFuture<?> connectTimeoutTask;
    private @Nullable CompletableFuture<ConnectResult> connectFuture;
    private @Nullable CompletableFuture<Void> disconnectFuture;
    private @Nullable CompletableFuture<Void> reauthFuture;
    private @Nullable Throwable closeReason;
    private @Nullable ConnectResult lastConnAck;
    private String clientId;

    // Server limits of the current connection (MQTT 5.0 CONNACK properties; 3.x: the defaults).
    private int keepAliveSeconds;

    // Outbound flows.
    private final PacketIds ids = new PacketIds();
    private final OutboundFlows outbound;
    private final TopicAliases aliases = new TopicAliases();
    private final InboundFlows inbound;

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
        this.requests = new Requests(version, ids, subscriptions, this::writePacket);
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
            cancel(reconnectTask);
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
                : new MqttClientException(describe(cause), -1, cause);
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
        LOG.debug("Reconnection attempt {} to {} failed: {}", reconnectAttempt, config.describeServer(),
                error.getMessage());
        scheduleReconnect(error);
    }

    private String describe(Throwable cause) {
        if (cause instanceof ConnectException) {
            return "cannot connect to " + config.describeServer() + ": connection refused";
        }
        if (cause instanceof java.net.UnknownHostException) {
            return "cannot connect to " + config.describeServer() + ": unknown host " + config.host;
        }
        if (cause instanceof io.netty.channel.ConnectTimeoutException) {
            return "cannot connect to " + config.describeServer() + ": timed out";
        }
        if (cause instanceof javax.net.ssl.SSLException) {
            return "TLS handshake with " + config.describeServer() + " failed: " + rootMessage(cause);
        }
        if (cause instanceof io.netty.handler.codec.http.websocketx.WebSocketHandshakeException) {
            return "WebSocket handshake with " + config.describeServer() + " failed: " + cause.getMessage();
        }
        if (cause instanceof ClosedChannelException) {
            return "connection to " + config.describeServer() + " closed";
        }
        String m = cause.getMessage();
        return "connection to " + config.describeServer() + " failed: " + (m == null ? cause.toString() : m);
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }

    private void scheduleReconnect(Throwable cause) {
        ReconnectPolicy policy = config.reconnect;
        if (policy == null) {
            return;
        }
        if (policy.maxAttempts() > 0 && reconnectAttempt >= policy.maxAttempts()) {
            state = State.DISCONNECTED;
            failOffline(new MqttClientException("gave up reconnecting after " + reconnectAttempt + " attempts: "
                    + cause.getMessage(), -1, cause));
            return;
        }
        Duration delay = policy.delay(reconnectAttempt++, ThreadLocalRandom.current());
        state = State.DISCONNECTED;
        reconnectTask = loop.schedule(() -> {
            if (state == State.DISCONNECTED && !userDisconnect) {
                attempt();
            }
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
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
        write(connectPacket(clean), true);
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

    private Connect connectPacket(boolean clean) {
        MqttProperties props = MqttProperties.EMPTY;
        if (version.isV5()) {
            MqttProperties.Builder p = MqttProperties.builder();
            if (config.sessionExpiryInterval > 0) {
                p.sessionExpiryInterval(config.sessionExpiryInterval);
            }
            if (config.receiveMaximum != 65_535) {
                p.receiveMaximum(config.receiveMaximum);
            }
            if (config.maximumPacketSize > 0) {
                p.maximumPacketSize(config.maximumPacketSize);
            }
            if (config.topicAliasMaximum > 0) {
                p.topicAliasMaximum(config.topicAliasMaximum);
            }
            if (config.requestResponseInformation) {
                p.requestResponseInformation(1);
            }
            if (!config.requestProblemInformation) {
                p.requestProblemInformation(0);
            }
            for (UserProperty u : config.connectUserProperties) {
                p.addUserProperty(u);
            }
            if (config.authenticator != null) {
                p.authenticationMethod(config.authenticator.method());
                p.authenticationData(config.authenticator.initialData());
            }
            props = p.build();
        }
        Will will = null;
        if (config.will != null) {
            Message w = config.will;
            MqttProperties wp = MqttProperties.EMPTY;
            if (version.isV5()) {
                MqttProperties.Builder b = w.properties().toBuilder().clearSubscriptionIdentifiers().topicAlias(null);
                if (config.willDelayInterval > 0) {
                    b.willDelayInterval(config.willDelayInterval);
                }
                wp = b.build();
            }
            will = new Will(w.topic(), w.payloadUnsafe(), w.qos(), w.retain(), wp);
        }
        return new Connect(version, clientId, clean, config.keepAliveSeconds, config.username, config.password, will,
                props);
    }

    CompletableFuture<Void> disconnect(int reasonCode, MqttProperties properties) {
        userDisconnect = true;
        cancel(reconnectTask);
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
        if (reauthFuture != null) {
            reauthFuture.completeExceptionally(new MqttClientException("connection lost during re-authentication"));
            reauthFuture = null;
        }
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
                : new MqttClientException(reason == null ? "connection lost" : "connection lost: " + describe(reason),
                -1, reason);
        boolean reconnect = config.reconnect != null;
        LOG.debug("Connection to {} lost ({}){}", config.describeServer(), error.getMessage(),
                reconnect ? "; reconnecting" : "");
        notifyDisconnected(error, reconnect);
        if (reconnect) {
            reconnectAttempt = 0;
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
            case Publish p -> onPublish(ch, p);
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
            case PubRel r -> onPubRel(ch, r);
            case PubComp c -> {
                if (outbound.onPubComp(c)) {
                    pumpIfConnected();
                }
            }
            case SubAck s -> requests.onSubAck(s);
            case UnsubAck u -> requests.onUnsubAck(u);
            case PingResp p -> keepAlive.pong();
            case Disconnect d -> onDisconnect(ch, d);
            case Auth a -> onAuth(ch, a);
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
        reconnectAttempt = 0;
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

    private void onAuth(Channel ch, Auth a) {
        EnhancedAuthenticator auth = config.authenticator;
        MqttProperties p = a.properties();
        if (auth == null || !auth.method().equals(p.authenticationMethod())) {
            // AUTH without (or with another) method than the client's is a protocol error.
            protocolError(ch, ReasonCodes.PROTOCOL_ERROR, "AUTH with an unexpected authentication method");
            return;
        }
        if (a.reasonCode() == ReasonCodes.CONTINUE_AUTHENTICATION) {
            byte[] next;
            try {
                next = auth.onContinue(p.authenticationData(), p);
            } catch (RuntimeException e) {
                closeReason = new MqttClientException("authentication aborted: " + e.getMessage(),
                        ReasonCodes.NOT_AUTHORIZED, e);
                ch.close();
                return;
            }
            MqttProperties reply = MqttProperties.builder().authenticationMethod(auth.method())
                    .authenticationData(next).build();
            write(new Auth(ReasonCodes.CONTINUE_AUTHENTICATION, reply), true);
        } else if (a.reasonCode() == ReasonCodes.SUCCESS && state == State.CONNECTED) {
            CompletableFuture<Void> f = reauthFuture;
            reauthFuture = null;
            try {
                auth.onSuccess(p.authenticationData(), p);
            } catch (RuntimeException e) {
                if (f != null) {
                    f.completeExceptionally(e);
                }
                protocolError(ch, ReasonCodes.NOT_AUTHORIZED, "the server's re-authentication was not accepted");
                return;
            }
            if (f != null) {
                f.complete(null);
            }
        } else {
            protocolError(ch, ReasonCodes.PROTOCOL_ERROR, "unexpected AUTH reason 0x" + Integer.toHexString(a.reasonCode()));
        }
    }

    CompletableFuture<Void> reauthenticate() {
        EnhancedAuthenticator auth = config.authenticator;
        if (auth == null) {
            return CompletableFuture.failedFuture(new MqttClientException("no enhanced authentication configured"));
        }
        if (state != State.CONNECTED || channel == null) {
            return CompletableFuture.failedFuture(new MqttClientException("not connected"));
        }
        if (reauthFuture != null) {
            return reauthFuture;
        }
        reauthFuture = new CompletableFuture<>();
        MqttProperties p = MqttProperties.builder().authenticationMethod(auth.method())
                .authenticationData(auth.initialData()).build();
        write(new Auth(ReasonCodes.RE_AUTHENTICATE, p), true);
        return reauthFuture;
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

    // ---------------------------------------------------------------- inbound publish

    private void onPublish(Channel ch, Publish p) {
        String topic;
        byte[] payload;
        try {
            topic = resolveTopic(ch, p);
            if (topic == null) {
                return;
            }
            payload = new byte[p.payload().readableBytes()];
            p.payload().getBytes(p.payload().readerIndex(), payload);
        } finally {
            p.release();
        }
        QoS qos = p.qos();
        MqttProperties props = p.properties().topicAlias() == null ? p.properties()
                : p.properties().toBuilder().topicAlias(null).build();
        Message message = new Message(topic, payload, qos, p.retain(), p.dup(), props, p.packetId(), null);
        if (qos == QoS.AT_MOST_ONCE) {
            dispatch(message, null);
            return;
        }
        if (version.isV5() && inbound.unacknowledged() >= config.receiveMaximum
                && !inbound.isKnownQos2(p.packetId())) {
            // The server sent more unacknowledged QoS 1/2 messages than our Receive Maximum allows.
            protocolError(ch, ReasonCodes.RECEIVE_MAXIMUM_EXCEEDED, "Receive Maximum exceeded");
            return;
        }
        InboundAck ack = inbound.received(p.packetId(), qos, connectionCount);
        if (ack == null) {
            // A re-sent QoS 2 message already delivered: PUBREC again, no second delivery [MQTT-4.3.3-10].
            flushAcks(ch);
            return;
        }
        dispatch(message, ack);
    }

    private @Nullable String resolveTopic(Channel ch, Publish p) {
        Integer alias = p.properties().topicAlias();
        if (alias == null) {
            return p.topic();
        }
        if (alias == 0 || alias > config.topicAliasMaximum) {
            // Outside 1..our Topic Alias Maximum [MQTT-3.3.2-8, MQTT-3.3.2-9 (5.0)].
            protocolError(ch, ReasonCodes.TOPIC_ALIAS_INVALID, "topic alias " + alias + " out of range");
            return null;
        }
        if (!p.topic().isEmpty()) {
            aliases.learn(alias, p.topic());
            return p.topic();
        }
        String known = aliases.resolve(alias);
        if (known == null) {
            protocolError(ch, ReasonCodes.PROTOCOL_ERROR, "unknown topic alias " + alias);
        }
        return known;
    }

    /** Hands a message to every matching handler; the acknowledgement waits for streams and manual acks. */
    private void dispatch(Message message, @Nullable InboundAck ack) {
        List<MessageHandler> targets = subscriptions.targets(message.topic(),
                message.properties().subscriptionIdentifiers(), config.defaultHandler);
        if (ack != null) {
            if (config.manualAcknowledgement) {
                ack.holds = 1;
            } else {
                for (MessageHandler h : targets) {
                    if (h instanceof MessageStream) {
                        ack.holds++;
                    }
                }
                ack.holds++; // released after the handlers ran
            }
        }
        List<Message> deliveries = new ArrayList<>(targets.size());
        for (MessageHandler h : targets) {
            boolean holds = ack != null && (config.manualAcknowledgement || h instanceof MessageStream);
            deliveries.add(holds ? message.withAcknowledgement(new Once(ack)) : message);
        }
        Runnable run = () -> {
            for (int i = 0; i < targets.size(); i++) {
                try {
                    targets.get(i).onMessage(deliveries.get(i));
                } catch (RuntimeException e) {
                    LOG.warn("A message handler failed on a message to {}", message.topic(), e);
                }
            }
            if (ack != null && !config.manualAcknowledgement) {
                releaseAck(ack);
            }
        };
        if (callbacks == null) {
            run.run();
        } else {
            callbacks.execute(run);
        }
    }

    /** One delivery's share of an acknowledgement; callable from any thread, counts once. */
    private final class Once implements Message.Acknowledgement {
        private final InboundAck ack;
        private final java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();

        Once(InboundAck ack) {
            this.ack = ack;
        }

        @Override
        public boolean acknowledge() {
            if (!done.compareAndSet(false, true)) {
                return false;
            }
            releaseAck(ack);
            return true;
        }
    }

    private void releaseAck(InboundAck ack) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> releaseAck(ack));
            return;
        }
        if (!inbound.release(ack)) {
            return;
        }
        Channel ch = channel;
        if (ch != null && state == State.CONNECTED) {
            flushAcks(ch);
        }
    }

    /** Sends the acknowledgements that are ready, in arrival order [MQTT-4.6.0-2, MQTT-4.6.0-3]. */
    private void flushAcks(Channel ch) {
        List<MqttPacket> acks = inbound.takeReady(connectionCount);
        for (MqttPacket a : acks) {
            writePacket(ch, a);
        }
        if (!acks.isEmpty()) {
            ch.flush();
        }
    }

    private void onPubRel(Channel ch, PubRel r) {
        boolean known = inbound.released(r.packetId());
        PubComp comp = known || !version.isV5() ? new PubComp(r.packetId())
                : new PubComp(r.packetId(), ReasonCodes.PACKET_IDENTIFIER_NOT_FOUND, MqttProperties.EMPTY);
        writePacket(ch, comp);
        ch.flush();
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
