package dev.tern.codec.packet;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.PacketType;
import java.util.Objects;

/**
 * PUBCOMP.
 *
 * @param packetId   packet identifier
 * @param reasonCode MQTT 5.0 reason code; 0 for 3.x
 * @param properties MQTT 5.0 properties; empty for 3.x
 */
public record PubComp(int packetId, int reasonCode, MqttProperties properties) implements MqttPacket {
    public PubComp {
        Checks.checkPacketId(packetId);
        Checks.checkByte(reasonCode);
        Objects.requireNonNull(properties, "properties");
    }

    /** A successful acknowledgement without properties, the only form MQTT 3.x has. */
    public PubComp(int packetId) {
        this(packetId, 0, MqttProperties.EMPTY);
    }

    @Override
    public PacketType type() {
        return PacketType.PUBCOMP;
    }
}
