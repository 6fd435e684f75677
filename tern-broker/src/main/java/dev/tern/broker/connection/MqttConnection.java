package dev.tern.broker.connection;

import dev.tern.broker.config.ListenerConfig;
import dev.tern.broker.routing.Delivery;
import dev.tern.broker.routing.Message;
import dev.tern.broker.security.AclAccess;
import dev.tern.broker.security.LoginResult;
import dev.tern.broker.session.ConnectRequest;
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
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The MQTT protocol state machine of one network connection: CONNECT first and only once, then the
 * packets of an established connection, then the will if the connection ends without DISCONNECT.
 * Packet-specific work is delegated ({@link ConnectValidator}, {@link InboundPublishHandler},
 * {@link SubscriptionHandler}); session state lives in {@link Session}; authentication and ACLs
 * are the listener's {@link ConnectionPolicy}. Event loop only.
 */
public final class MqttConnection extends ChannelInboundHandlerAdapter implements SessionConnection {
    private enum State { AWAIT_CONNECT, AUTHENTICATING, ATTACHING, CONNECTED, CLOSED }

    private final BrokerContext context;
    private final ListenerConfig listener;
    private final ConnectionPolicy policy;
    private final ReadGate reading = new ReadGate();
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
    private @Nullable ScheduledFuture<?> connectTimeout;
    private final ClientAuthorization authorization;
    private final ArrayDeque<Object> pendingWhileAttaching = new ArrayDeque<>();
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
            while (state == State.CONNECTED && !rateHeld && (msg = pendingWhileAttaching.poll()) != null) {
                dispatch(msg);
            }
            writer.flush();
            if (!rateHeld) {
                pauseReading(ReadGate.Reason.RATE_LIMITED, false);
            }
        }, nanos, TimeUnit.NANOSECONDS);
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

    // ---- Netty life cycle ----------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.writer = new PacketWriter(ctx, context.metrics());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        context.metrics().connectionAccepted();
        if (context.config().connectionMessages()) {
            ConnectionLog.LOG.info("New connection from {} on port {}.", ConnectionLog.address(ctx.channel()),
                    ConnectionLog.localPort(ctx.channel()));
        }
        long timeoutMillis = context.config().connectTimeout().toMillis();
        connectTimeout = ctx.executor().schedule(() -> {
            if (state == State.AWAIT_CONNECT || state == State.AUTHENTICATING) {
                ConnectionLog.LOG.info("Client {} sent no CONNECT within {} ms, disconnecting.",
                        ConnectionLog.address(ctx.channel()), timeoutMillis);
                ctx.close();
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
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
            case AUTHENTICATING, ATTACHING -> pendingWhileAttaching.add(msg);
            case CONNECTED -> {
                if (rateHeld) {
                    pendingWhileAttaching.add(msg); // max_publish_rate: the rest of this read batch waits
                } else {
                    dispatch(msg);
                }
            }
            case CLOSED -> ReferenceCountUtil.release(releasable(msg));
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
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
        if (evt instanceof IdleStateEvent && state == State.CONNECTED) {
            closeReason = "has exceeded timeout, disconnecting";
            ctx.close();
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
        State previous = state;
        state = State.CLOSED;
        Object pending;
        while ((pending = pendingWhileAttaching.poll()) != null) {
            ReferenceCountUtil.release(releasable(pending));
        }
        if (previous == State.CONNECTED) {
            Session s = session;
            session = null;
            publishWill();
            if (s != null) {
                s.detach(this);
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
        ConnectValidator.Decision decision = validator.check(c);
        clientId = decision.clientId().isEmpty() ? ConnectionLog.address(ctx().channel()) : decision.clientId();
        if (!decision.accepted()) {
            refuse(decision.reasonCode(), decision.logReason());
            return;
        }
        // Authentication may take a while (a hashing thread, a plug-in's network call): stop reading
        // and keep what arrives until it is done; connect_timeout still bounds the wait.
        state = State.AUTHENTICATING;
        pauseReading(ReadGate.Reason.CONNECTING, true);
        EventLoop loop = ctx().channel().eventLoop();
        authorization.login(c, clientId, ctx().channel()).whenComplete((result, error) -> loop.execute(() -> {
            if (state == State.AUTHENTICATING) {
                onLogin(c, decision, result, error);
            }
        }));
    }

    private void refuse(int reasonCode, String why) {
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
        }
        ConnectionLog.LOG.info("Client {} from {} refused (CONNACK 0x{}): {}.", clientId,
                ConnectionLog.address(ctx().channel()), Integer.toHexString(reasonCode), why);
        state = State.CLOSED;
        writer.writeAndClose(new ConnAck(false, reasonCode, MqttProperties.EMPTY));
    }

    private void onLogin(Connect c, ConnectValidator.Decision decision, @Nullable LoginResult result,
                         @Nullable Throwable error) {
        boolean v5 = c.version().isV5();
        if (error != null || result == null) {
            refuse(v5 ? ReasonCodes.SERVER_BUSY : ReasonCodes.V3_SERVER_UNAVAILABLE,
                    "authentication failed: " + (error != null ? error : "no result"));
            return;
        }
        if (!result.accepted()) {
            String user = result.username() == null ? "" : "user '" + result.username() + "': ";
            refuse(ClientAuthorization.refusalCode(result.outcome(), v5), user + result.logReason());
            return;
        }
        authorization.accepted(result, clientId, ctx().channel());
        Will w = c.will();
        if (w != null && !authorized(AclAccess.WRITE, w.topic())) {
            refuse(v5 ? ReasonCodes.NOT_AUTHORIZED : ReasonCodes.V3_NOT_AUTHORIZED,
                    "the ACL does not allow publishing the will to '" + w.topic() + "'");
            return;
        }
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
        }
        will = w;
        if (c.keepAliveSeconds() > 0) {
            // MQTT-3.1.2-24: one and a half times the keep-alive without a packet ends the connection.
            long idleMillis = c.keepAliveSeconds() * 1500L;
            ctx().pipeline().addBefore(ctx().name(), "keepAlive",
                    new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS));
        }
        if (context.config().connectionMessages()) {
            ConnectionLog.LOG.info("New client connected from {} as {} (p{}, c{}, k{}{}).",
                    ConnectionLog.address(ctx().channel()), clientId, mosquittoProtocolNumber(c.version()),
                    c.cleanStart() ? 1 : 0, c.keepAliveSeconds(),
                    result.username() == null ? "" : ", u'" + result.username() + "'");
        }
        state = State.ATTACHING;
        boolean keep = c.version().isV5() ? sessionExpiry(c) > 0 : !c.cleanStart();
        assignedClientId = decision.assigned() ? clientId : null;
        context.sessions().connect(new ConnectRequest(clientId, c.cleanStart(), keep, c.version()), this);
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
        closeWithReason(ReasonCodes.ADMINISTRATIVE_ACTION);
    }

    private static long sessionExpiry(Connect c) {
        Long expiry = c.properties().sessionExpiryInterval();
        return expiry == null ? 0 : expiry;
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
        context.metrics().clientConnected();
        // MQTT 3.1 has no session present flag: its CONNACK byte 1 is reserved.
        boolean presentFlag = sessionPresent && writer.version() != MqttVersion.MQTT_3_1;
        writer.write(new ConnAck(presentFlag, ReasonCodes.SUCCESS, connAckProperties()));
        pauseReading(ReadGate.Reason.CONNECTING, false);
        Object msg;
        while (state == State.CONNECTED && (msg = pendingWhileAttaching.poll()) != null) {
            dispatch(msg);
        }
        writer.flush();
    }

    /** MQTT 5.0 CONNACK properties: the broker's limits and an assigned client id. */
    private MqttProperties connAckProperties() {
        if (!writer.version().isV5()) {
            return MqttProperties.EMPTY;
        }
        var config = context.config();
        MqttProperties.Builder b = MqttProperties.builder().assignedClientIdentifier(assignedClientId);
        if (!config.retainAvailable()) {
            b.retainAvailable(0);
        }
        if (config.maxQos() < 2) {
            b.maximumQos(config.maxQos());
        }
        return b.build();
    }

    @Override
    public void takenOver() {
        if (state == State.CONNECTED) {
            Session s = session;
            session = null;
            publishWill(); // MQTT-3.1.4-2: the old connection ends without DISCONNECT
            if (s != null) {
                s.detach(this);
            }
            context.metrics().clientDisconnected();
            ConnectionLog.LOG.info("Client {} closed: session taken over by a new connection.", clientId);
        }
        state = State.CLOSED;
        ctx().close();
    }

    // ---- Established connection ------------------------------------------------------------

    private void dispatch(Object msg) {
        if (closing) {
            ReferenceCountUtil.release(releasable(msg));
            return;
        }
        Session s = session;
        switch (msg) {
            case Publish p -> publishes.onPublish(p, s);
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
            case Auth a -> protocolError("sent AUTH but no authentication method is in use",
                    ReasonCodes.PROTOCOL_ERROR);
            case ConnAck a -> protocolError("sent CONNACK, a server-to-client packet", ReasonCodes.PROTOCOL_ERROR);
            case SubAck a -> protocolError("sent SUBACK, a server-to-client packet", ReasonCodes.PROTOCOL_ERROR);
            case UnsubAck a -> protocolError("sent UNSUBACK, a server-to-client packet", ReasonCodes.PROTOCOL_ERROR);
            case PingResp p -> protocolError("sent PINGRESP, a server-to-client packet", ReasonCodes.PROTOCOL_ERROR);
            case DecodeError e -> onDecodeError(e);
            default -> ReferenceCountUtil.release(msg);
        }
    }

    private void onPubRec(PubRec r, Session s) {
        boolean pubRelDue = s.onPubRec(r.packetId(), r.reasonCode());
        if (pubRelDue) {
            writer.write(new PubRel(r.packetId()));
        } else if (r.reasonCode() < 0x80) {
            // Unknown packet id: answer anyway so that the client can finish (0x92 in MQTT 5.0).
            int code = writer.version().isV5() ? ReasonCodes.PACKET_IDENTIFIER_NOT_FOUND : ReasonCodes.SUCCESS;
            writer.write(new PubRel(r.packetId(), code, MqttProperties.EMPTY));
        }
    }

    private void onDisconnect(Disconnect d) {
        will = null; // MQTT-3.1.2-10: a DISCONNECT discards the will
        closeReason = "disconnected";
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
        closeWithReason(e.reasonCode());
    }

    /**
     * Closes the connection for a protocol violation: MQTT 5.0 clients get a DISCONNECT with the
     * reason code first; the will is published (MQTT-3.1.2-8).
     */
    void protocolError(String what, int reasonCode) {
        ConnectionLog.LOG.warn("Client {} {}, disconnecting.", clientId, what);
        closeReason = "disconnected due to protocol error";
        closeWithReason(reasonCode);
    }

    private void closeWithReason(int reasonCode) {
        closing = true;
        if (state == State.CONNECTED && writer.version().isV5()) {
            writer.writeAndClose(new Disconnect(reasonCode, MqttProperties.EMPTY));
        } else {
            writer.flush();
            ctx().close();
        }
    }

    private void closeSilently(String why) {
        ConnectionLog.LOG.warn("Client {} {}, disconnecting.", clientId, why);
        state = State.CLOSED;
        ctx().close();
    }

    private void publishWill() {
        Will w = will;
        will = null;
        if (w == null) {
            return;
        }
        if (!authorized(AclAccess.WRITE, w.topic())) {
            // The ACL may have been reloaded since CONNECT checked the will topic.
            ConnectionLog.LOG.info("Will of client {} to '{}' not published: the ACL no longer allows it.", clientId,
                    w.topic());
            return;
        }
        MqttProperties properties = w.properties().toBuilder().willDelayInterval(null).build();
        Message message = new Message(w.topic(), Unpooled.wrappedBuffer(w.payload()), w.qos(), w.retain(),
                properties, clientId);
        try {
            context.router().publish(message);
        } finally {
            message.release();
        }
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
    public void writePublish(Delivery delivery, int packetId, boolean dup) {
        Message m = delivery.message();
        MqttProperties properties = MqttProperties.EMPTY;
        if (writer.version().isV5()) {
            properties = m.properties();
            List<Integer> ids = delivery.subscriptionIdentifiers();
            if (!ids.isEmpty()) {
                MqttProperties.Builder b = properties.toBuilder();
                ids.forEach(b::addSubscriptionIdentifier);
                properties = b.build();
            }
        }
        writer.writePublish(new Publish(m.topic(), delivery.qos(), delivery.retain(), dup, packetId, properties,
                m.payload()));
    }

    @Override
    public void writePubRel(int packetId) {
        writer.write(new PubRel(packetId));
    }

    @Override
    public void flush() {
        writer.flush();
    }

    @Override
    public String describe() {
        return clientId + " (" + ConnectionLog.address(ctx().channel()) + ")";
    }
}
