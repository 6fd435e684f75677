package dev.tern.broker.connection;

import dev.tern.broker.auth.AuthenticationMethod;
import dev.tern.broker.auth.PasswordFileScramCredentials;
import dev.tern.broker.auth.ScramSha256;
import dev.tern.broker.config.ListenerConfig;
import dev.tern.broker.routing.Delivery;
import dev.tern.broker.security.AclAccess;
import dev.tern.broker.security.LoginResult;
import dev.tern.broker.session.ConnectRequest;
import dev.tern.broker.session.PublisherHolds;
import dev.tern.broker.session.Session;
import dev.tern.broker.session.SessionConnection;
import dev.tern.codec.DecodeError;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.Violation;
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
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
/**
 * The MQTT protocol state machine of one network connection: CONNECT first and only once (with a
 * login at the listener's {@link ConnectionPolicy}, or an MQTT 5.0 enhanced authentication exchange
 * before CONNACK if the client asks for one), then the packets of an established connection, then the
 * will if the connection ends without a DISCONNECT that discards it. Packet-specific work is delegated
 * ({@link ConnectValidator}, {@link InboundPublishHandler}, {@link SubscriptionHandler}); session
 * state lives in {@link Session}; authentication and ACLs are the listener's {@link ConnectionPolicy}.
 * Event loop only.
 */
public final class MqttConnection extends ChannelInboundHandlerAdapter implements SessionConnection {
    /** AUTHENTICATING: a login at the policy is under way; AUTH_EXCHANGE: an MQTT 5.0 AUTH exchange is. */
    private enum State { AWAIT_CONNECT, AUTHENTICATING, AUTH_EXCHANGE, ATTACHING, CONNECTED, CLOSED }

    /** Fired down every client pipeline when the broker stops: MQTT 5.0 clients get DISCONNECT 0x8B. */
    public static final Object SHUTDOWN = new Object() {
        @Override
        public String toString() {
            return "SHUTDOWN";
        }
    };

    private final BrokerContext context;
    private final ListenerConfig listener;
    private final ConnectionPolicy policy;
    private final ReadGate reading = new ReadGate();
    /** Between channelRead and channelReadComplete: the session's flushes are left to the latter. */
    private boolean inReadBatch;
    private final ConnectValidator validator;
    private final InboundPublishHandler publishes;
    private final SubscriptionHandler subscriptions;

    private @Nullable ChannelHandlerContext ctx;
    private @Nullable PacketWriter writer;
    private State state = State.AWAIT_CONNECT;
    private String clientId = "<unknown>";
    private @Nullable Session session;
    private @Nullable Will will;
    private @Nullable String assignedClientId;
    private @Nullable Connect connect;
    private @Nullable ConnectNegotiation negotiated;
    private @Nullable OutboundPublisher outbound;
    /** Back-pressure: the sessions this connection feeds that hold its reading while they drain. */
    private @Nullable PublisherHolds holds;
    /** MQTT 5.0 enhanced authentication, if the client asked for it in CONNECT. */
    private @Nullable EnhancedAuthentication auth;
    private @Nullable ScheduledFuture<?> connectTimeout;
    /** Armed in the loop's {@link KeepAliveWheel} while a keep-alive is in force. */
    private KeepAliveWheel.@Nullable Entry keepAlive;
    private @Nullable KeepAliveWheel keepAliveWheel;
    private final ClientAuthorization authorization;
    /** Packets read while attaching or held; created when needed, dropped when empty (most never need it). */
    private @Nullable ArrayDeque<Object> pendingWhileAttaching;
    private String closeReason = "closed its connection";
    /** DISCONNECT or a protocol violation ended the connection: packets still in the read batch are dropped. */
    private boolean closing;

    public MqttConnection(BrokerContext context, ListenerConfig listener, ConnectionPolicy policy) {
        this.context = context;
        this.listener = listener;
        this.policy = policy;
        this.authorization = new ClientAuthorization(policy);
        this.validator = new ConnectValidator(context.config());
        this.publishes = new InboundPublishHandler(this, context, policy.maxPublishRate());
        this.subscriptions = new SubscriptionHandler(this, context);
    }

    // ---- Accessors for the packet handlers ------------------------------------------------

    String clientId() {
        return clientId;
    }

    ConnectionPolicy policy() {
        return policy;
    }

    /** The ACL's answer for this client. */
    boolean authorized(AclAccess access, String topic) {
        return authorization.authorized(access, topic);
    }

    /** True while max_publish_rate holds back packets already read. */
    private boolean rateHeld;

    /**
     * max_publish_rate: holds every further packet (those already read too) and stops reading for
     * {@code nanos}, then goes on with the held packets.
     */
    void holdForRate(long nanos) {
        rateHeld = true;
        pauseReading(ReadGate.Reason.RATE_LIMITED, true);
        eventLoop().schedule(() -> {
            rateHeld = false;
            Object msg;
            while (state == State.CONNECTED && !held() && (msg = pollPending()) != null) {
                dispatch(msg);
            }
            writer.flush();
            if (!rateHeld) {
                pauseReading(ReadGate.Reason.RATE_LIMITED, false);
            }
        }, nanos, TimeUnit.NANOSECONDS);
    }

    /** Keeps a packet read while the connection cannot handle it yet (attaching, or held). */
    private void keepPending(Object msg) {
        ArrayDeque<Object> q = pendingWhileAttaching;
        if (q == null) {
            q = new ArrayDeque<>(2);
            pendingWhileAttaching = q;
        }
        q.add(msg);
    }

    /** The next kept packet, or null; an idle connection keeps no empty queue. */
    private @Nullable Object pollPending() {
        ArrayDeque<Object> q = pendingWhileAttaching;
        if (q == null) {
            return null;
        }
        Object msg = q.poll();
        if (msg == null) {
            pendingWhileAttaching = null;
        }
        return msg;
    }

    /** Packets already read wait: for max_publish_rate, or for a congested session this one feeds. */
    private boolean held() {
        return rateHeld || holds.held();
    }

    /**
     * Back-pressure from the sessions this connection publishes into ({@link PublisherHolds}): stop
     * reading and keep the rest of the read batch; resume with the kept packets when no session holds.
     */
    private void holdReading(boolean held) {
        if (held) {
            pauseReading(ReadGate.Reason.BACK_PRESSURE, true);
            return;
        }
        Object msg;
        while (state == State.CONNECTED && !held() && (msg = pollPending()) != null) {
            dispatch(msg);
        }
        writer.flush();
        if (!holds.held()) {
            pauseReading(ReadGate.Reason.BACK_PRESSURE, false);
        }
    }

    /** Pauses or resumes reading from the socket for one reason; reading goes on when no reason holds. */
    void pauseReading(ReadGate.Reason reason, boolean paused) {
        if (reading.set(reason, paused)) {
            ctx().channel().config().setAutoRead(reading.open());
        }
    }

    PacketWriter writer() {
        return writer;
    }

    private ChannelHandlerContext ctx() {
        return ctx;
    }

    /** False once the connection is closed or closing; late asynchronous work then does nothing. */
    boolean isOpen() {
        return state != State.CLOSED && !closing && ctx().channel().isActive();
    }

    // ---- Netty life cycle ----------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.writer = new PacketWriter(ctx, context.metrics());
        this.outbound = new OutboundPublisher(writer);
        this.holds = new PublisherHolds(ctx.channel().eventLoop(), this::holdReading,
                context.config().publisherHoldLimit());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        context.metrics().connectionAccepted();
        if (context.config().connectionMessages() && ConnectionLog.LOG.isInfoEnabled()) { // address() builds a string
            ConnectionLog.LOG.info("New connection from {} on port {}.", ConnectionLog.address(ctx.channel()),
                    ConnectionLog.localPort(ctx.channel()));
        }
        long timeoutMillis = context.config().connectTimeout().toMillis();
        connectTimeout = ctx.executor().schedule(() -> {
            if (state == State.AWAIT_CONNECT || state == State.AUTHENTICATING || state == State.AUTH_EXCHANGE) {
                ConnectionLog.LOG.info("Client {} did not complete CONNECT within {} ms, disconnecting.",
                        ConnectionLog.address(ctx.channel()), timeoutMillis);
                state = State.CLOSED;
                ctx.close();
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        inReadBatch = true;
        if (msg instanceof MqttPacket) {
            context.metrics().packetReceived();
        }
        switch (state) {
            case AWAIT_CONNECT -> {
                if (msg instanceof Connect c) {
                    onConnect(c);
                } else if (msg instanceof DecodeError e) {
                    onDecodeError(e);
                } else {
                    ReferenceCountUtil.release(releasable(msg));
                    clientId = ConnectionLog.address(ctx.channel());
                    closeSilently("sent " + describe(msg) + " before CONNECT [MQTT-3.1.0-1]");
                }
            }
            case AUTH_EXCHANGE -> onPacketWhileAuthenticating(msg);
            case AUTHENTICATING, ATTACHING -> keepPending(msg);
            case CONNECTED -> {
                if (held()) {
                    keepPending(msg); // max_publish_rate or back-pressure: the rest of the batch waits
                } else {
                    dispatch(msg);
                }
            }
            case CLOSED -> ReferenceCountUtil.release(releasable(msg));
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (keepAlive != null && inReadBatch) {
            // Once per read batch that brought a whole packet; the bytes of an unfinished one do not count.
            keepAlive.touch(System.nanoTime()); // [MQTT-3.1.2-24]
        }
        inReadBatch = false;
        writer.flush();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (state == State.CONNECTED) {
            // Back-pressure: a client that does not read its acknowledgements is not read either,
            // so its outbound buffer cannot grow without bound.
            boolean writable = ctx.channel().isWritable();
            pauseReading(ReadGate.Reason.UNWRITABLE, !writable);
            if (writable && session != null) {
                session.sendQueued();
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == SHUTDOWN) {
            closeReason = "disconnected: broker shutting down";
            if (state == State.CONNECTED) {
                closeWithReason(ReasonCodes.SERVER_SHUTTING_DOWN, "the broker is shutting down");
            } else {
                state = state == State.ATTACHING ? state : State.CLOSED;
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            closeReason = "socket error (" + cause.getMessage() + "), disconnecting";
        } else {
            closeReason = "internal error, disconnecting";
            ConnectionLog.LOG.error("Unexpected error on connection of client {}", clientId, cause);
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
        }
        if (keepAlive != null) {
            keepAliveWheel.remove(keepAlive);
            keepAlive = null;
        }
        State previous = state;
        state = State.CLOSED;
        Object pending;
        while ((pending = pollPending()) != null) {
            ReferenceCountUtil.release(releasable(pending));
        }
        if (previous == State.CONNECTED) {
            Session s = session;
            session = null;
            Will w = takeWill();
            if (s != null) {
                s.detach(this, w); // publishes the will now or after its Will Delay Interval
            }
            context.metrics().clientDisconnected();
            if (context.config().connectionMessages()) {
                ConnectionLog.LOG.info("Client {} {}.", clientId, closeReason);
            }
        }
        ctx.fireChannelInactive();
    }

    // ---- CONNECT ---------------------------------------------------------------------------

    private void onConnect(Connect c) {
        writer.version(c.version());
        connect = c;
        boolean v5 = c.version().isV5();
        MqttProperties props = c.properties();
        if (v5) {
            Long max = props.maximumPacketSize();
            writer.clientLimits(max == null ? Long.MAX_VALUE : max,
                    !Integer.valueOf(0).equals(props.requestProblemInformation()));
        }
        ConnectValidator.Decision decision = validator.check(c);
        clientId = decision.clientId().isEmpty() ? ConnectionLog.address(ctx().channel()) : decision.clientId();
        if (!decision.accepted()) {
            refuseConnect(decision.reasonCode(), decision.logReason());
            return;
        }
        assignedClientId = decision.assigned() ? clientId : null;
        String methodName = v5 ? props.authenticationMethod() : null;
        if (methodName != null) {
            AuthenticationMethod method = authenticationMethod(methodName);
            if (method == null) {
                refuseConnect(ReasonCodes.BAD_AUTHENTICATION_METHOD,
                        "authentication method '" + methodName + "' is not supported [MQTT-4.12.0-1]");
                return;
            }
            // The method authenticates the client instead of the listener's login (MQTT 5.0 section 4.12).
            state = State.AUTH_EXCHANGE;
            auth = new EnhancedAuthentication(this, method, c.username());
            auth.begin(props.authenticationData());
            return;
        }
        // Authentication may take a while (a hashing thread, a plug-in's network call): stop reading
        // and keep what arrives until it is done; connect_timeout still bounds the wait.
        state = State.AUTHENTICATING;
        pauseReading(ReadGate.Reason.CONNECTING, true);
        EventLoop loop = ctx().channel().eventLoop();
        authorization.login(c, clientId, ctx().channel()).whenComplete((result, error) -> loop.execute(() -> {
            if (state == State.AUTHENTICATING) {
                onLogin(c, result, error);
            }
        }));
    }

    /**
     * The enhanced authentication method of a name: one the broker was built with, else SCRAM-SHA-256
     * against the listener's password file when it has one.
     */
    private @Nullable AuthenticationMethod authenticationMethod(String name) {
        AuthenticationMethod method = context.authMethods().get(name);
        if (method == null && ScramSha256.NAME.equals(name) && policy.access().hasPasswordFile()) {
            method = new ScramSha256(new PasswordFileScramCredentials(policy.access()));
        }
        return method;
    }

    private void onLogin(Connect c, @Nullable LoginResult result, @Nullable Throwable error) {
        boolean v5 = c.version().isV5();
        if (error != null || result == null) {
            refuseConnect(v5 ? ReasonCodes.SERVER_BUSY : ReasonCodes.V3_SERVER_UNAVAILABLE,
                    "authentication failed: " + (error != null ? error : "no result"));
            return;
        }
        if (!result.accepted()) {
            String user = result.username() == null ? "" : "user '" + result.username() + "': ";
            refuseConnect(ClientAuthorization.refusalCode(result.outcome(), v5), user + result.logReason());
            return;
        }
        acceptConnect(result);
    }

    @Override
    public void refusedByStore() {
        if (state != State.ATTACHING) {
            return;
        }
        refuseConnect(writer.version().isV5() ? ReasonCodes.QUOTA_EXCEEDED : ReasonCodes.V3_SERVER_UNAVAILABLE,
                "the broker cannot store a new persistent session now (" + storeHealth() + ")");
    }

    private String storeHealth() {
        var store = context.sessions().store();
        String reason = store == null ? null : store.health().reason();
        return reason == null ? "store unavailable" : reason;
    }

    @Override
    public void close() {
        ctx().close();
    }

    /** CONNACK with a failure code, then close (MQTT-3.2.2-7); nothing after it is processed (MQTT-3.1.4-6). */
    void refuseConnect(int reasonCode, String why) {
        ConnectionLog.LOG.info("Client {} from {} refused (CONNACK 0x{}): {}.", clientId,
                ConnectionLog.address(ctx().channel()), Integer.toHexString(reasonCode), why);
        cancelConnectTimeout();
        state = State.CLOSED;
        MqttProperties props = writer.version().isV5()
                ? MqttProperties.builder().reasonString(why).build() : MqttProperties.EMPTY;
        writer.writeAndClose(new ConnAck(false, reasonCode, props));
    }

    private void cancelConnectTimeout() {
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
            connectTimeout = null;
        }
    }

    /** Enhanced authentication succeeded: the method established who the client is. */
    void acceptAuthenticated(String user) {
        acceptConnect(new LoginResult(LoginResult.Outcome.ACCEPTED, user,
                "enhanced authentication with " + auth.methodName(), null));
    }

    /**
     * The CONNECT is accepted and authenticated: check the will against the ACL, then attach the
     * session; CONNACK follows from {@link #attached}.
     */
    private void acceptConnect(LoginResult result) {
        Connect c = connect;
        boolean v5 = c.version().isV5();
        authorization.accepted(result, clientId, ctx().channel());
        Will w = c.will();
        if (w != null && !authorized(AclAccess.WRITE, w.topic())) {
            refuseConnect(v5 ? ReasonCodes.NOT_AUTHORIZED : ReasonCodes.V3_NOT_AUTHORIZED,
                    "the ACL does not allow publishing the will to '" + w.topic() + "'");
            return;
        }
        cancelConnectTimeout();
        will = w;
        ConnectNegotiation n = ConnectNegotiation.of(c, context.config());
        negotiated = n;
        if (n.keepAlive() > 0) {
            armKeepAlive(n.keepAlive());
        }
        if (c.version().isV5()) {
            outbound.topicAliasMaximum(n.outboundAliasMaximum());
        }
        if (context.config().connectionMessages() && ConnectionLog.LOG.isInfoEnabled()) {
            ConnectionLog.LOG.info("New client connected from {} as {} (p{}, c{}, k{}{}).",
                    ConnectionLog.address(ctx().channel()), clientId, mosquittoProtocolNumber(c.version()),
                    c.cleanStart() ? 1 : 0, n.keepAlive(),
                    result.username() == null ? "" : ", u'" + result.username() + "'");
        }
        state = State.ATTACHING;
        pauseReading(ReadGate.Reason.CONNECTING, true);
        context.sessions().connect(new ConnectRequest(clientId, c.cleanStart(), n.requestedExpiry(), c.version()),
                this);
    }

    /** MQTT-3.1.2-24: one and a half times the keep-alive without a packet ends the connection. */
    private void armKeepAlive(int seconds) {
        keepAliveWheel = KeepAliveWheel.of(ctx().executor());
        keepAlive = new KeepAliveWheel.Entry(TimeUnit.MILLISECONDS.toNanos(seconds * 1500L)) {
            @Override
            void expired() {
                onKeepAliveExpired();
            }
        };
        keepAliveWheel.add(keepAlive);
    }

    private void onKeepAliveExpired() {
        if (state == State.CONNECTED && !closing) {
            closeReason = "has exceeded timeout, disconnecting";
            closeWithReason(ReasonCodes.KEEP_ALIVE_TIMEOUT, "no packet within 1.5 times the keep-alive");
        } else if (state == State.ATTACHING) {
            keepAliveWheel.add(keepAlive); // the session is still being attached: count again from now
        }
    }

    /**
     * After a reload of the password file: a client whose entry is gone or changed is disconnected
     * (MQTT 5.0: DISCONNECT 0x98, administrative action), like Mosquitto does.
     */
    public void recheckAfterReload() {
        if (state != State.CONNECTED || authorization.stillValid()) {
            return;
        }
        ConnectionLog.LOG.info("Client {}: user '{}' was removed from the password file or got a new password, "
                + "disconnecting.", clientId, authorization.username());
        closeReason = "disconnected: credentials no longer valid";
        closeWithReason(ReasonCodes.ADMINISTRATIVE_ACTION, "credentials no longer valid");
    }

    /** Before CONNACK of an enhanced authentication, only AUTH (and DISCONNECT) may come (MQTT-3.1.2-30). */
    private void onPacketWhileAuthenticating(Object msg) {
        if (msg instanceof Auth a) {
            auth.onAuthBeforeConnAck(a);
        } else if (msg instanceof Disconnect) {
            state = State.CLOSED;
            ctx().close();
        } else if (msg instanceof DecodeError e) {
            onDecodeError(e);
        } else {
            ReferenceCountUtil.release(releasable(msg));
            refuseConnect(ReasonCodes.PROTOCOL_ERROR, "sent " + describe(msg)
                    + " before authentication completed [MQTT-3.1.2-30]");
        }
    }

    /** AUTH on an established connection: re-authentication, if the CONNECT named a method. */
    private void onAuth(Auth a) {
        if (auth == null) {
            protocolError("sent AUTH but did not authenticate with an authentication method [MQTT-4.12.0-7]",
                    ReasonCodes.PROTOCOL_ERROR);
        } else {
            auth.onAuthAfterConnAck(a);
        }
    }

    /** Mosquitto's log numbering: p1 = 3.1, p2 = 3.1.1, p5 = 5.0. */
    private static int mosquittoProtocolNumber(MqttVersion v) {
        return switch (v) {
            case MQTT_3_1 -> 1;
            case MQTT_3_1_1 -> 2;
            case MQTT_5 -> 5;
        };
    }

    @Override
    public void attached(Session attachedSession, boolean sessionPresent) {
        if (state != State.ATTACHING) {
            attachedSession.detach(this);
            return;
        }
        state = State.CONNECTED;
        session = attachedSession;
        attachedSession.readPermission(authorization.readPermission());
        if (writer.version().isV5()) {
            attachedSession.setInflightCapacity(negotiated.clientReceiveMaximum()); // MQTT-3.3.4-9
        }
        context.metrics().clientConnected();
        // MQTT 3.1 has no session present flag: its CONNACK byte 1 is reserved.
        boolean presentFlag = sessionPresent && writer.version() != MqttVersion.MQTT_3_1;
        writer.write(new ConnAck(presentFlag, ReasonCodes.SUCCESS, connAckProperties()));
        pauseReading(ReadGate.Reason.CONNECTING, false);
        Object msg;
        while (state == State.CONNECTED && !held() && (msg = pollPending()) != null) {
            dispatch(msg);
        }
        writer.flush();
    }

    private MqttProperties connAckProperties() {
        Connect c = connect;
        connect = null; // not needed after CONNACK: its will is kept apart, the rest would be idle heap
        if (!writer.version().isV5()) {
            return MqttProperties.EMPTY;
        }
        return negotiated.connAckProperties(context.config(), c, clientId, assignedClientId,
                auth == null ? null : auth.methodName(), auth == null ? null : auth.successData());
    }

    @Override
    public @Nullable Will takenOver() {
        Will w = null;
        if (state == State.CONNECTED) {
            session = null;
            w = takeWill(); // the session publishes it, or keeps it for its delay (MQTT-3.1.4-3)
            context.metrics().clientDisconnected();
            ConnectionLog.LOG.info("Client {} closed: session taken over by a new connection.", clientId);
            if (writer.version().isV5()) {
                state = State.CLOSED;
                closing = true;
                writer.writeAndClose(disconnect(ReasonCodes.SESSION_TAKEN_OVER,
                        "another connection with the same client id took the session over"));
                return w;
            }
        }
        state = State.CLOSED;
        ctx().close();
        return w;
    }

    // ---- Established connection ------------------------------------------------------------

    private void dispatch(Object msg) {
        if (closing) {
            ReferenceCountUtil.release(releasable(msg));
            return;
        }
        Session s = session;
        switch (msg) {
            case Publish p -> {
                holds.routing(s);
                try {
                    publishes.onPublish(p, s);
                } finally {
                    PublisherHolds.routingDone();
                }
            }
            case PubAck a -> s.onPubAck(a.packetId());
            case PubRec r -> onPubRec(r, s);
            case PubRel r -> publishes.onPubRel(r, s);
            case PubComp c -> s.onPubComp(c.packetId());
            case Subscribe sub -> {
                subscriptions.onSubscribe(sub, s);
                if (state == State.CONNECTED) {
                    s.sendQueued();
                }
            }
            case Unsubscribe u -> subscriptions.onUnsubscribe(u, s);
            case PingReq p -> writer.write(PingResp.INSTANCE);
            case Disconnect d -> onDisconnect(d);
            case Connect c -> protocolError("sent a second CONNECT [MQTT-3.1.0-2]", ReasonCodes.PROTOCOL_ERROR);
            case Auth a -> onAuth(a);
            case ConnAck a -> protocolError("sent CONNACK, a server-to-client packet", ReasonCodes.PROTOCOL_ERROR);
            case SubAck a -> protocolError("sent SUBACK, a server-to-client packet", ReasonCodes.PROTOCOL_ERROR);
            case UnsubAck a -> protocolError("sent UNSUBACK, a server-to-client packet", ReasonCodes.PROTOCOL_ERROR);
            case PingResp p -> protocolError("sent PINGRESP, a server-to-client packet", ReasonCodes.PROTOCOL_ERROR);
            case DecodeError e -> onDecodeError(e);
            default -> ReferenceCountUtil.release(msg);
        }
    }

    private void onPubRec(PubRec r, Session s) {
        Session.PubRecOutcome outcome = s.onPubRec(r.packetId(), r.reasonCode());
        if (outcome == Session.PubRecOutcome.PUBREL_NOW) {
            writer.write(new PubRel(r.packetId()));
        } else if (outcome == Session.PubRecOutcome.UNKNOWN && r.reasonCode() < 0x80) {
            // Unknown packet id: answer anyway so that the client can finish (0x92 in MQTT 5.0).
            boolean v5 = writer.version().isV5();
            int code = v5 ? ReasonCodes.PACKET_IDENTIFIER_NOT_FOUND : ReasonCodes.SUCCESS;
            writer.write(new PubRel(r.packetId(), code, v5 ? MqttProperties.builder()
                    .reasonString("no QoS 2 flow with packet identifier " + r.packetId()).build()
                    : MqttProperties.EMPTY));
        }
    }

    private void onDisconnect(Disconnect d) {
        Long expiry = d.properties().sessionExpiryInterval();
        if (expiry != null) {
            if (negotiated.requestedExpiry() == 0 && expiry != 0) {
                // Not a valid DISCONNECT: the will is published (MQTT 5.0 section 3.14.2.2.2).
                protocolError("raised the Session Expiry Interval from 0 in DISCONNECT", ReasonCodes.PROTOCOL_ERROR);
                return;
            }
            session.setExpiryInterval(expiry);
        }
        if (d.reasonCode() == ReasonCodes.NORMAL_DISCONNECTION) {
            will = null; // MQTT-3.1.2-10, MQTT-3.14.4-3: only a normal DISCONNECT discards the will
        }
        closeReason = d.reasonCode() == 0 ? "disconnected"
                : "disconnected with reason 0x" + Integer.toHexString(d.reasonCode());
        closing = true;
        writer.flush();
        ctx().close();
    }

    private void onDecodeError(DecodeError e) {
        if (e.violation() == Violation.PACKET_TOO_LARGE) {
            context.metrics().oversizedPacket();
        } else {
            context.metrics().malformedPacket();
        }
        if (state == State.AWAIT_CONNECT) {
            clientId = ConnectionLog.address(ctx().channel());
        }
        ConnectionLog.LOG.warn("Client {} sent a malformed packet: {}, disconnecting.", clientId, e.message());
        closeReason = "disconnected due to malformed packet";
        if (state == State.AWAIT_CONNECT && e.violation() == Violation.PROTOCOL_LEVEL_UNSUPPORTED) {
            // MQTT-3.1.2-2: CONNACK 0x01 for an unsupported protocol level, then close.
            state = State.CLOSED;
            writer.version(MqttVersion.MQTT_3_1_1);
            writer.writeAndClose(new ConnAck(false, ReasonCodes.V3_UNACCEPTABLE_PROTOCOL_VERSION,
                    MqttProperties.EMPTY));
            return;
        }
        boolean v5Connect = state == State.AWAIT_CONNECT && e.connectVersion() == MqttVersion.MQTT_5;
        if (state == State.AUTH_EXCHANGE || v5Connect) {
            // MQTT 5.0 section 4.13: a malformed 5.0 CONNECT may be answered with CONNACK 0x81 or 0x82 first.
            writer.version(MqttVersion.MQTT_5);
            refuseConnect(e.reasonCode(), e.message());
            return;
        }
        closeWithReason(e.reasonCode(), e.message());
    }

    /**
     * Closes the connection for a protocol violation: MQTT 5.0 clients get a DISCONNECT with the
     * reason code first; the will is published (MQTT-3.1.2-8).
     */
    void protocolError(String what, int reasonCode) {
        ConnectionLog.LOG.warn("Client {} {}, disconnecting.", clientId, what);
        closeReason = "disconnected due to protocol error";
        closeWithReason(reasonCode, what);
    }

    /** Closes the connection for a reason other than a protocol violation, e.g. failed re-authentication. */
    void closeForReason(String what, int reasonCode, String reason) {
        ConnectionLog.LOG.warn("Client {} {}, disconnecting.", clientId, what);
        closeReason = "disconnected: " + what;
        closeWithReason(reasonCode, reason);
    }

    /**
     * Closes the connection; an MQTT 5.0 client whose CONNECT was accepted gets a DISCONNECT with the
     * reason code and a Reason String first (MQTT-3.14.0-1, MQTT-4.13.1-1).
     */
    private void closeWithReason(int reasonCode, String reason) {
        closing = true;
        if (state == State.CONNECTED && writer.version().isV5()) {
            writer.writeAndClose(disconnect(reasonCode, reason));
        } else {
            writer.flush();
            ctx().close();
        }
    }

    private static Disconnect disconnect(int reasonCode, String reason) {
        return new Disconnect(reasonCode, MqttProperties.builder().reasonString(reason).build());
    }

    private void closeSilently(String why) {
        ConnectionLog.LOG.warn("Client {} {}, disconnecting.", clientId, why);
        state = State.CLOSED;
        ctx().close();
    }

    /**
     * The will to hand to the session when the connection ends, unless the ACL no longer allows it
     * (it may have been reloaded since CONNECT checked the will topic).
     */
    private @Nullable Will takeWill() {
        Will w = will;
        will = null;
        if (w != null && !authorized(AclAccess.WRITE, w.topic())) {
            ConnectionLog.LOG.info("Will of client {} to '{}' not published: the ACL no longer allows it.", clientId,
                    w.topic());
            return null;
        }
        return w;
    }

    private static Object releasable(Object msg) {
        return msg instanceof Publish p ? p.payload() : msg;
    }

    private static String describe(Object msg) {
        return msg instanceof MqttPacket p ? p.type().name() : msg.getClass().getSimpleName();
    }

    // ---- SessionConnection -----------------------------------------------------------------

    @Override
    public EventLoop eventLoop() {
        return ctx().channel().eventLoop();
    }

    @Override
    public boolean isActive() {
        return ctx().channel().isActive();
    }

    @Override
    public boolean isWritable() {
        return ctx().channel().isWritable();
    }

    @Override
    public boolean fits(Delivery delivery) {
        return outbound.fits(delivery);
    }

    @Override
    public void writePublish(Delivery delivery, int packetId, boolean dup) {
        outbound.write(delivery, packetId, dup);
    }

    @Override
    public void writePubRel(int packetId) {
        writer.write(new PubRel(packetId));
    }

    /**
     * The session flushes after it wrote; while this connection is handling a read batch (the session
     * reacts to PUBACK, PUBREC or PUBCOMP by sending the next queued messages) that flush waits for
     * {@link #channelReadComplete}, so that a batch of acknowledgements costs one write system call,
     * not one per message.
     */
    @Override
    public void flush() {
        if (!inReadBatch) {
            writer.flush();
        }
    }

    @Override
    public String describe() {
        return clientId + " (" + ConnectionLog.address(ctx().channel()) + ")";
    }
}
