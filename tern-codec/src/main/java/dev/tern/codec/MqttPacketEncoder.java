package dev.tern.codec;

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
import io.netty.buffer.CompositeByteBuf;
import java.util.List;

/**
 * Encodes packets for a given protocol version. Fields a version cannot express (properties and
 * reason codes before 5.0) are left out.
 *
 * <p>PUBLISH is encoded without copying its payload: {@link #encodePublishHeader} writes everything
 * but the payload, and {@link #encode} returns a composite of that header and a retained duplicate of
 * the payload. The payload reference held by the {@link Publish} is never consumed.
 */
public final class MqttPacketEncoder {
    private MqttPacketEncoder() {}

    /**
     * Encodes a packet. The caller owns the returned buffer.
     *
     * @throws IllegalArgumentException if the packet cannot be expressed (e.g. a string over 65535 bytes)
     */
    public static ByteBuf encode(MqttPacket packet, MqttVersion version, ByteBufAllocator alloc) {
        boolean v5 = version.isV5();
        return switch (packet) {
            case Connect c -> connect(c, alloc);
            case ConnAck c -> connAck(c, v5, alloc);
            case Publish p -> {
                ByteBuf header = encodePublishHeader(p, version, alloc);
                if (!p.payload().isReadable()) {
                    yield header;
                }
                CompositeByteBuf composite = alloc.compositeBuffer(2);
                composite.addComponents(true, header, p.payload().retainedDuplicate());
                yield composite;
            }
            case PubAck a -> ack(PacketType.PUBACK, a.packetId(), a.reasonCode(), a.properties(), v5, alloc);
            case PubRec a -> ack(PacketType.PUBREC, a.packetId(), a.reasonCode(), a.properties(), v5, alloc);
            case PubRel a -> ack(PacketType.PUBREL, a.packetId(), a.reasonCode(), a.properties(), v5, alloc);
            case PubComp a -> ack(PacketType.PUBCOMP, a.packetId(), a.reasonCode(), a.properties(), v5, alloc);
            case Subscribe s -> subscribe(s, v5, alloc);
            case SubAck s -> subAck(s, v5, alloc);
            case Unsubscribe u -> unsubscribe(u, v5, alloc);
            case UnsubAck u -> unsubAck(u, v5, alloc);
            case PingReq p -> twoBytes(alloc, 0xC0);
            case PingResp p -> twoBytes(alloc, 0xD0);
            case Disconnect d -> reasonOnly(PacketType.DISCONNECT, d.reasonCode(), d.properties(), v5, alloc);
            case Auth a -> {
                if (!v5) {
                    throw new IllegalArgumentException("AUTH exists only in MQTT 5.0");
                }
                yield reasonOnly(PacketType.AUTH, a.reasonCode(), a.properties(), true, alloc);
            }
        };
    }

    /**
     * The size in bytes of a PUBLISH on the wire, for checks against a peer's Maximum Packet Size.
     */
    public static int publishSize(Publish p, MqttVersion version) {
        int remaining = publishVariableHeaderSize(p, version.isV5()) + p.payload().readableBytes();
        return 1 + VarInt.size(remaining) + remaining;
    }

    /**
     * Encodes a PUBLISH's fixed header and variable header; the payload follows on the wire and is
     * counted in the remaining length. The caller owns the returned buffer.
     */
    public static ByteBuf encodePublishHeader(Publish p, MqttVersion version, ByteBufAllocator alloc) {
        boolean v5 = version.isV5();
        int propsContent = v5 ? PropertiesEncoder.contentSize(p.properties()) : 0;
        int variable = Wire.stringSize(p.topic()) + (p.qos() == QoS.AT_MOST_ONCE ? 0 : 2)
                + (v5 ? PropertiesEncoder.blockSize(propsContent) : 0);
        int remaining = variable + p.payload().readableBytes();
        ByteBuf out = alloc.buffer(1 + VarInt.size(remaining) + variable);
        int flags = (p.dup() ? 0x08 : 0) | (p.qos().value() << 1) | (p.retain() ? 0x01 : 0);
        out.writeByte((PacketType.PUBLISH.value() << 4) | flags);
        VarInt.write(out, remaining);
        Wire.writeString(out, p.topic());
        if (p.qos() != QoS.AT_MOST_ONCE) {
            out.writeShort(p.packetId());
        }
        if (v5) {
            PropertiesEncoder.write(out, p.properties(), propsContent);
        }
        return out;
    }

    private static int publishVariableHeaderSize(Publish p, boolean v5) {
        return Wire.stringSize(p.topic()) + (p.qos() == QoS.AT_MOST_ONCE ? 0 : 2)
                + (v5 ? PropertiesEncoder.blockSize(PropertiesEncoder.contentSize(p.properties())) : 0);
    }

    private static ByteBuf start(ByteBufAllocator alloc, int firstByte, int remaining) {
        ByteBuf out = alloc.buffer(1 + VarInt.size(remaining) + remaining);
        out.writeByte(firstByte);
        VarInt.write(out, remaining);
        return out;
    }

    private static int first(PacketType type) {
        return (type.value() << 4) | Math.max(type.requiredFlags(), 0);
    }

    private static ByteBuf twoBytes(ByteBufAllocator alloc, int firstByte) {
        return alloc.buffer(2).writeByte(firstByte).writeByte(0);
    }

    private static ByteBuf connect(Connect c, ByteBufAllocator alloc) {
        MqttVersion version = c.version();
        boolean v5 = version.isV5();
        Will will = c.will();
        int props = v5 ? PropertiesEncoder.contentSize(c.properties()) : 0;
        int willProps = v5 && will != null ? PropertiesEncoder.contentSize(will.properties()) : 0;
        int remaining = Wire.stringSize(version.protocolName()) + 1 + 1 + 2
                + (v5 ? PropertiesEncoder.blockSize(props) : 0)
                + Wire.stringSize(c.clientId());
        if (will != null) {
            remaining += (v5 ? PropertiesEncoder.blockSize(willProps) : 0) + Wire.stringSize(will.topic())
                    + Wire.binarySize(will.payload());
        }
        if (c.username() != null) {
            remaining += Wire.stringSize(c.username());
        }
        if (c.password() != null) {
            remaining += Wire.binarySize(c.password());
        }
        int flags = (c.username() != null ? 0x80 : 0) | (c.password() != null ? 0x40 : 0)
                | (c.cleanStart() ? 0x02 : 0);
        if (will != null) {
            flags |= 0x04 | (will.qos().value() << 3) | (will.retain() ? 0x20 : 0);
        }
        ByteBuf out = start(alloc, first(PacketType.CONNECT), remaining);
        Wire.writeString(out, version.protocolName());
        out.writeByte(version.level());
        out.writeByte(flags);
        out.writeShort(c.keepAliveSeconds());
        if (v5) {
            PropertiesEncoder.write(out, c.properties(), props);
        }
        Wire.writeString(out, c.clientId());
        if (will != null) {
            if (v5) {
                PropertiesEncoder.write(out, will.properties(), willProps);
            }
            Wire.writeString(out, will.topic());
            Wire.writeBinary(out, will.payload());
        }
        if (c.username() != null) {
            Wire.writeString(out, c.username());
        }
        if (c.password() != null) {
            Wire.writeBinary(out, c.password());
        }
        return out;
    }

    private static ByteBuf connAck(ConnAck c, boolean v5, ByteBufAllocator alloc) {
        int props = v5 ? PropertiesEncoder.contentSize(c.properties()) : 0;
        int remaining = 2 + (v5 ? PropertiesEncoder.blockSize(props) : 0);
        ByteBuf out = start(alloc, first(PacketType.CONNACK), remaining);
        out.writeByte(c.sessionPresent() ? 1 : 0);
        out.writeByte(c.reasonCode());
        if (v5) {
            PropertiesEncoder.write(out, c.properties(), props);
        }
        return out;
    }

    private static ByteBuf ack(PacketType type, int packetId, int reasonCode, MqttProperties properties, boolean v5,
                               ByteBufAllocator alloc) {
        boolean withProps = v5 && !properties.isEmpty();
        boolean withReason = v5 && (reasonCode != 0 || withProps);
        int props = withProps ? PropertiesEncoder.contentSize(properties) : 0;
        int remaining = 2 + (withReason ? 1 : 0) + (withProps ? PropertiesEncoder.blockSize(props) : 0);
        ByteBuf out = start(alloc, first(type), remaining);
        out.writeShort(packetId);
        if (withReason) {
            out.writeByte(reasonCode);
        }
        if (withProps) {
            PropertiesEncoder.write(out, properties, props);
        }
        return out;
    }

    private static ByteBuf reasonOnly(PacketType type, int reasonCode, MqttProperties properties, boolean v5,
                                      ByteBufAllocator alloc) {
        if (!v5 || (reasonCode == 0 && properties.isEmpty())) {
            return twoBytes(alloc, first(type));
        }
        boolean withProps = !properties.isEmpty();
        int props = withProps ? PropertiesEncoder.contentSize(properties) : 0;
        int remaining = 1 + (withProps ? PropertiesEncoder.blockSize(props) : 0);
        ByteBuf out = start(alloc, first(type), remaining);
        out.writeByte(reasonCode);
        if (withProps) {
            PropertiesEncoder.write(out, properties, props);
        }
        return out;
    }

    private static ByteBuf subscribe(Subscribe s, boolean v5, ByteBufAllocator alloc) {
        int props = v5 ? PropertiesEncoder.contentSize(s.properties()) : 0;
        int remaining = 2 + (v5 ? PropertiesEncoder.blockSize(props) : 0);
        for (TopicSubscription t : s.subscriptions()) {
            remaining += Wire.stringSize(t.filter()) + 1;
        }
        ByteBuf out = start(alloc, first(PacketType.SUBSCRIBE), remaining);
        out.writeShort(s.packetId());
        if (v5) {
            PropertiesEncoder.write(out, s.properties(), props);
        }
        for (TopicSubscription t : s.subscriptions()) {
            Wire.writeString(out, t.filter());
            int options = t.qos().value();
            if (v5) {
                options |= (t.noLocal() ? 0x04 : 0) | (t.retainAsPublished() ? 0x08 : 0) | (t.retainHandling() << 4);
            }
            out.writeByte(options);
        }
        return out;
    }

    private static ByteBuf subAck(SubAck s, boolean v5, ByteBufAllocator alloc) {
        return idPropsCodes(PacketType.SUBACK, s.packetId(), s.properties(), s.reasonCodes(), v5, alloc);
    }

    private static ByteBuf unsubAck(UnsubAck u, boolean v5, ByteBufAllocator alloc) {
        return idPropsCodes(PacketType.UNSUBACK, u.packetId(), u.properties(), v5 ? u.reasonCodes() : List.of(), v5,
                alloc);
    }

    private static ByteBuf idPropsCodes(PacketType type, int packetId, MqttProperties properties, List<Integer> codes,
                                        boolean v5, ByteBufAllocator alloc) {
        int props = v5 ? PropertiesEncoder.contentSize(properties) : 0;
        int remaining = 2 + (v5 ? PropertiesEncoder.blockSize(props) : 0) + codes.size();
        ByteBuf out = start(alloc, first(type), remaining);
        out.writeShort(packetId);
        if (v5) {
            PropertiesEncoder.write(out, properties, props);
        }
        for (int code : codes) {
            out.writeByte(code);
        }
        return out;
    }

    private static ByteBuf unsubscribe(Unsubscribe u, boolean v5, ByteBufAllocator alloc) {
        int props = v5 ? PropertiesEncoder.contentSize(u.properties()) : 0;
        int remaining = 2 + (v5 ? PropertiesEncoder.blockSize(props) : 0);
        for (String f : u.filters()) {
            remaining += Wire.stringSize(f);
        }
        ByteBuf out = start(alloc, first(PacketType.UNSUBSCRIBE), remaining);
        out.writeShort(u.packetId());
        if (v5) {
            PropertiesEncoder.write(out, u.properties(), props);
        }
        for (String f : u.filters()) {
            Wire.writeString(out, f);
        }
        return out;
    }
}
