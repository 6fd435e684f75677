package dev.tern.codec;

import dev.tern.codec.BodyReader.MalformedException;
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
import dev.tern.codec.packet.TopicSubscription;
import dev.tern.codec.packet.UnsubAck;
import dev.tern.codec.packet.Unsubscribe;
import dev.tern.codec.packet.Will;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Decodes MQTT packets from a byte stream, one at a time.
 *
 * <p>The fixed header is checked first: packet type, flags, and the remaining length against the
 * maximum packet size, so an oversized packet is rejected before any of its body is buffered. A
 * PUBLISH payload is copied once into its own buffer from the allocator, so the stream's buffer can
 * be reused while the payload is fanned out and retained.
 *
 * <p>Stateless and thread-safe; the protocol version is passed per call.
 */
public final class MqttPacketDecoder {
    /** Largest remaining length the four-byte encoding can express. */
    public static final int MAX_REMAINING_LENGTH = 268_435_455;
    /** Largest packet: a five-byte fixed header and the largest remaining length. */
    public static final int MAX_PACKET_SIZE = MAX_REMAINING_LENGTH + 5;

    private final int maximumPacketSize;
    private final ByteBufAllocator allocator;

    /**
     * @param maximumPacketSize largest accepted packet in bytes, fixed header included
     * @param allocator         allocator for PUBLISH payloads
     */
    public MqttPacketDecoder(int maximumPacketSize, ByteBufAllocator allocator) {
        if (maximumPacketSize < 2) {
            throw new IllegalArgumentException("maximum packet size must be at least 2: " + maximumPacketSize);
        }
        this.maximumPacketSize = maximumPacketSize;
        this.allocator = allocator;
    }

    /** The largest accepted packet in bytes. */
    public int maximumPacketSize() {
        return maximumPacketSize;
    }

    /**
     * Decodes the next packet in {@code in}.
     *
     * @param in      bytes received; on {@link DecodeResult.Decoded} the packet's bytes are consumed,
     *                on {@link DecodeResult.Incomplete} nothing is
     * @param version the connection's protocol version, or null before CONNECT (CONNECT carries its own)
     * @return the packet, {@link DecodeResult.Incomplete}, or the {@link DecodeError}
     */
    public DecodeResult decode(ByteBuf in, @Nullable MqttVersion version) {
        int start = in.readerIndex();
        int available = in.readableBytes();
        if (available < 2) {
            return DecodeResult.Incomplete.INSTANCE;
        }
        int first = in.getUnsignedByte(start);
        PacketType type = PacketType.of(first >> 4);
        if (type == null || (type == PacketType.AUTH && version != MqttVersion.MQTT_5)) {
            return new DecodeError(Violation.RESERVED_PACKET_TYPE, null, "type " + (first >> 4));
        }
        int flags = first & 0x0F;
        int required = type.requiredFlags();
        // MQTT 3.1 leaves these bits unused ("x") except the QoS 1 of PUBREL, SUBSCRIBE and UNSUBSCRIBE,
        // and its clients set DUP when they resend those three; the reserved-bit rule came with 3.1.1.
        int checked = version != MqttVersion.MQTT_3_1 ? 0x0F : required > 0 ? 0x06 : 0;
        if (required >= 0 && (flags & checked) != required) {
            return new DecodeError(Violation.INVALID_FIXED_HEADER_FLAGS, type,
                    "flags 0x" + Integer.toHexString(flags) + ", required 0x" + Integer.toHexString(required));
        }
        int remaining = 0;
        int shift = 0;
        int pos = start + 1;
        while (true) {
            if (pos - start >= available) {
                return DecodeResult.Incomplete.INSTANCE;
            }
            int b = in.getUnsignedByte(pos++);
            remaining |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
            shift += 7;
            if (shift == 28) {
                return new DecodeError(Violation.REMAINING_LENGTH_TOO_LONG, type, "");
            }
        }
        int headerLength = pos - start;
        long total = (long) headerLength + remaining;
        if (total > maximumPacketSize) {
            return new DecodeError(Violation.PACKET_TOO_LARGE, type,
                    total + " bytes, maximum " + maximumPacketSize);
        }
        if (available < total) {
            return DecodeResult.Incomplete.INSTANCE;
        }
        ByteBuf body = in.slice(pos, remaining);
        in.readerIndex(pos + remaining);
        try {
            MqttPacket packet = decodeBody(new BodyReader(body, type), flags, version);
            return new DecodeResult.Decoded(packet);
        } catch (MalformedException e) {
            return e.decodeError();
        }
    }

    private MqttPacket decodeBody(BodyReader r, int flags, @Nullable MqttVersion version) {
        boolean v5 = version == MqttVersion.MQTT_5;
        return switch (r.type()) {
            case CONNECT -> decodeConnect(r);
            case CONNACK -> decodeConnAck(r, v5);
            case PUBLISH -> decodePublish(r, flags, v5);
            case PUBACK -> {
                int id = r.packetId();
                int rc = ackReasonCode(r, v5, ReasonCodeSets.PUBACK_PUBREC);
                yield new PubAck(id, rc, ackProperties(r, v5));
            }
            case PUBREC -> {
                int id = r.packetId();
                int rc = ackReasonCode(r, v5, ReasonCodeSets.PUBACK_PUBREC);
                yield new PubRec(id, rc, ackProperties(r, v5));
            }
            case PUBREL -> {
                int id = r.packetId();
                int rc = ackReasonCode(r, v5, ReasonCodeSets.PUBREL_PUBCOMP);
                yield new PubRel(id, rc, ackProperties(r, v5));
            }
            case PUBCOMP -> {
                int id = r.packetId();
                int rc = ackReasonCode(r, v5, ReasonCodeSets.PUBREL_PUBCOMP);
                yield new PubComp(id, rc, ackProperties(r, v5));
            }
            case SUBSCRIBE -> decodeSubscribe(r, v5);
            case SUBACK -> decodeSubAck(r, v5);
            case UNSUBSCRIBE -> decodeUnsubscribe(r, v5);
            case UNSUBACK -> decodeUnsubAck(r, v5);
            case PINGREQ -> {
                r.expectEnd();
                yield PingReq.INSTANCE;
            }
            case PINGRESP -> {
                r.expectEnd();
                yield PingResp.INSTANCE;
            }
            case DISCONNECT -> decodeDisconnect(r, v5);
            case AUTH -> decodeAuth(r);
        };
    }

    private Connect decodeConnect(BodyReader r) {
        String protocolName = r.utf8("protocol name");
        int level = r.u8("protocol level");
        MqttVersion version = MqttVersion.of(protocolName, level);
        if (version == null) {
            if (protocolName.equals("MQTT") || protocolName.equals("MQIsdp")) {
                throw r.error(Violation.PROTOCOL_LEVEL_UNSUPPORTED, protocolName + " level " + level);
            }
            throw r.error(Violation.PROTOCOL_NAME_INVALID, "'" + protocolName + "'");
        }
        try {
            return decodeConnectBody(r, version);
        } catch (MalformedException e) {
            throw e.inConnectOf(version);
        }
    }

    private Connect decodeConnectBody(BodyReader r, MqttVersion version) {
        boolean v5 = version.isV5();
        int flags = r.u8("connect flags");
        if ((flags & 0x01) != 0) {
            throw r.error(Violation.CONNECT_RESERVED_FLAG, "");
        }
        boolean cleanStart = (flags & 0x02) != 0;
        boolean willFlag = (flags & 0x04) != 0;
        int willQos = (flags >> 3) & 0x03;
        boolean willRetain = (flags & 0x20) != 0;
        boolean passwordFlag = (flags & 0x40) != 0;
        boolean usernameFlag = (flags & 0x80) != 0;
        if (!willFlag && (willQos != 0 || willRetain)) {
            throw r.error(Violation.WILL_FLAGS_WITHOUT_WILL, "");
        }
        if (willQos == 3) {
            throw r.error(Violation.WILL_QOS_3, "");
        }
        if (!v5 && passwordFlag && !usernameFlag) {
            throw r.error(Violation.PASSWORD_WITHOUT_USERNAME, "");
        }
        int keepAlive = r.u16("keep alive");
        MqttProperties properties = v5 ? PropertiesDecoder.read(r, false) : MqttProperties.EMPTY;
        String clientId = r.utf8("client identifier");
        Will will = null;
        if (willFlag) {
            MqttProperties willProperties = v5 ? PropertiesDecoder.read(r, true) : MqttProperties.EMPTY;
            String willTopic = r.utf8("will topic");
            checkTopicName(r, willTopic, "will topic");
            byte[] willPayload = r.binary("will payload");
            will = new Will(willTopic, willPayload, QoS.of(willQos), willRetain, willProperties);
        }
        String username = usernameFlag ? r.utf8("user name") : null;
        byte[] password = passwordFlag ? r.binary("password") : null;
        r.expectEnd();
        return new Connect(version, clientId, cleanStart, keepAlive, username, password, will, properties);
    }

    private static void checkTopicName(BodyReader r, String topic, String field) {
        if (topic.isEmpty()) {
            throw r.error(Violation.TOPIC_NAME_EMPTY, field);
        }
        if (Topics.hasWildcard(topic)) {
            throw r.error(Violation.TOPIC_NAME_WILDCARD, field + " '" + topic + "'");
        }
    }

    private ConnAck decodeConnAck(BodyReader r, boolean v5) {
        int ackFlags = r.u8("acknowledge flags");
        if ((ackFlags & 0xFE) != 0) {
            throw r.error(Violation.CONNACK_RESERVED_FLAGS, "flags 0x" + Integer.toHexString(ackFlags));
        }
        int rc = r.u8("return code");
        if (!(v5 ? ReasonCodeSets.CONNACK_V5 : ReasonCodeSets.CONNACK_V3).contains(rc)) {
            throw r.error(Violation.REASON_CODE_INVALID, "0x" + Integer.toHexString(rc));
        }
        MqttProperties properties = v5 ? PropertiesDecoder.read(r, false) : MqttProperties.EMPTY;
        r.expectEnd();
        return new ConnAck((ackFlags & 0x01) != 0, rc, properties);
    }

    private Publish decodePublish(BodyReader r, int flags, boolean v5) {
        boolean dup = (flags & 0x08) != 0;
        int qosBits = (flags >> 1) & 0x03;
        boolean retain = (flags & 0x01) != 0;
        if (qosBits == 3) {
            throw r.error(Violation.PUBLISH_QOS_3, "");
        }
        QoS qos = QoS.of(qosBits);
        if (qos == QoS.AT_MOST_ONCE && dup) {
            throw r.error(Violation.PUBLISH_DUP_WITH_QOS_0, "");
        }
        String topic = r.utf8("topic name");
        if (Topics.hasWildcard(topic)) {
            throw r.error(Violation.TOPIC_NAME_WILDCARD, "'" + topic + "'");
        }
        int packetId = qos == QoS.AT_MOST_ONCE ? 0 : r.packetId();
        MqttProperties properties = v5 ? PropertiesDecoder.read(r, false) : MqttProperties.EMPTY;
        if (topic.isEmpty() && (!v5 || properties.topicAlias() == null)) {
            // MQTT 5.0 allows an empty topic name only together with a topic alias (MQTT-3.3.2-8).
            throw r.error(Violation.TOPIC_NAME_EMPTY, "");
        }
        ByteBuf in = r.buffer();
        int length = in.readableBytes();
        ByteBuf payload = allocator.buffer(length, length);
        PayloadCopy.copy(in, payload, length);
        return new Publish(topic, qos, retain, dup, packetId, properties, payload);
    }

    private static int ackReasonCode(BodyReader r, boolean v5, ReasonCodeSets allowed) {
        if (!v5) {
            r.expectEnd();
            return 0;
        }
        if (!r.hasRemaining()) {
            return 0;
        }
        int rc = r.u8("reason code");
        if (!allowed.contains(rc)) {
            throw r.error(Violation.REASON_CODE_INVALID, "0x" + Integer.toHexString(rc));
        }
        return rc;
    }

    private static MqttProperties ackProperties(BodyReader r, boolean v5) {
        if (!v5 || !r.hasRemaining()) {
            return MqttProperties.EMPTY;
        }
        MqttProperties p = PropertiesDecoder.read(r, false);
        r.expectEnd();
        return p;
    }

    private Subscribe decodeSubscribe(BodyReader r, boolean v5) {
        int packetId = r.packetId();
        MqttProperties properties = v5 ? PropertiesDecoder.read(r, false) : MqttProperties.EMPTY;
        if (properties.subscriptionIdentifiers().size() > 1) {
            throw r.error(Violation.PROPERTY_REPEATED, "SUBSCRIPTION_IDENTIFIER");
        }
        List<TopicSubscription> subscriptions = new ArrayList<>(4);
        while (r.hasRemaining()) {
            String filter = r.utf8("topic filter");
            int options = r.u8("subscription options");
            int qos = options & 0x03;
            int reservedMask = v5 ? 0xC0 : 0xFC;
            if ((options & reservedMask) != 0) {
                throw r.error(Violation.SUBSCRIPTION_OPTIONS_RESERVED, "options 0x" + Integer.toHexString(options));
            }
            if (qos == 3) {
                throw r.error(Violation.SUBSCRIPTION_QOS_3, "'" + filter + "'");
            }
            int retainHandling = (options >> 4) & 0x03;
            if (retainHandling == 3) {
                throw r.error(Violation.RETAIN_HANDLING_3, "'" + filter + "'");
            }
            subscriptions.add(new TopicSubscription(filter, QoS.of(qos), (options & 0x04) != 0,
                    (options & 0x08) != 0, retainHandling));
        }
        if (subscriptions.isEmpty()) {
            throw r.error(Violation.SUBSCRIBE_EMPTY, "");
        }
        return new Subscribe(packetId, subscriptions, properties);
    }

    private SubAck decodeSubAck(BodyReader r, boolean v5) {
        int packetId = r.packetId();
        MqttProperties properties = v5 ? PropertiesDecoder.read(r, false) : MqttProperties.EMPTY;
        List<Integer> codes = new ArrayList<>(r.remaining());
        ReasonCodeSets allowed = v5 ? ReasonCodeSets.SUBACK_V5 : ReasonCodeSets.SUBACK_V3;
        while (r.hasRemaining()) {
            int rc = r.u8("return code");
            if (!allowed.contains(rc)) {
                throw r.error(Violation.REASON_CODE_INVALID, "0x" + Integer.toHexString(rc));
            }
            codes.add(rc);
        }
        if (codes.isEmpty()) {
            throw r.error(Violation.TRUNCATED, "SUBACK without return codes");
        }
        return new SubAck(packetId, codes, properties);
    }

    private Unsubscribe decodeUnsubscribe(BodyReader r, boolean v5) {
        int packetId = r.packetId();
        MqttProperties properties = v5 ? PropertiesDecoder.read(r, false) : MqttProperties.EMPTY;
        List<String> filters = new ArrayList<>(2);
        while (r.hasRemaining()) {
            filters.add(r.utf8("topic filter"));
        }
        if (filters.isEmpty()) {
            throw r.error(Violation.UNSUBSCRIBE_EMPTY, "");
        }
        return new Unsubscribe(packetId, filters, properties);
    }

    private UnsubAck decodeUnsubAck(BodyReader r, boolean v5) {
        int packetId = r.packetId();
        if (!v5) {
            r.expectEnd();
            return new UnsubAck(packetId);
        }
        MqttProperties properties = PropertiesDecoder.read(r, false);
        List<Integer> codes = new ArrayList<>(r.remaining());
        while (r.hasRemaining()) {
            int rc = r.u8("reason code");
            if (!ReasonCodeSets.UNSUBACK.contains(rc)) {
                throw r.error(Violation.REASON_CODE_INVALID, "0x" + Integer.toHexString(rc));
            }
            codes.add(rc);
        }
        if (codes.isEmpty()) {
            // One reason code per topic filter of the UNSUBSCRIBE, which has at least one (MQTT-3.11.3-1).
            throw r.error(Violation.TRUNCATED, "UNSUBACK without reason codes");
        }
        return new UnsubAck(packetId, codes, properties);
    }

    private Disconnect decodeDisconnect(BodyReader r, boolean v5) {
        if (!v5) {
            r.expectEnd();
            return Disconnect.NORMAL;
        }
        if (!r.hasRemaining()) {
            return Disconnect.NORMAL;
        }
        int rc = r.u8("reason code");
        if (!ReasonCodeSets.DISCONNECT.contains(rc)) {
            throw r.error(Violation.REASON_CODE_INVALID, "0x" + Integer.toHexString(rc));
        }
        MqttProperties properties = r.hasRemaining() ? PropertiesDecoder.read(r, false) : MqttProperties.EMPTY;
        r.expectEnd();
        return new Disconnect(rc, properties);
    }

    private Auth decodeAuth(BodyReader r) {
        if (!r.hasRemaining()) {
            return new Auth(ReasonCodes.SUCCESS, MqttProperties.EMPTY);
        }
        int rc = r.u8("reason code");
        if (!ReasonCodeSets.AUTH.contains(rc)) {
            throw r.error(Violation.REASON_CODE_INVALID, "0x" + Integer.toHexString(rc));
        }
        MqttProperties properties = r.hasRemaining() ? PropertiesDecoder.read(r, false) : MqttProperties.EMPTY;
        r.expectEnd();
        return new Auth(rc, properties);
    }
}
