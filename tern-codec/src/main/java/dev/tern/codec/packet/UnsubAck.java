package dev.tern.codec.packet;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.PacketType;
import java.util.List;
import java.util.Objects;

/**
 * UNSUBACK.
 *
 * @param packetId    packet identifier of the UNSUBSCRIBE
 * @param reasonCodes MQTT 5.0 reason codes, one per filter; empty for 3.x, which has none
 * @param properties  MQTT 5.0 properties; empty for 3.x
 */
public record UnsubAck(int packetId, List<Integer> reasonCodes, MqttProperties properties) implements MqttPacket {
    public UnsubAck {
        Checks.checkPacketId(packetId);
        reasonCodes = List.copyOf(reasonCodes);
        reasonCodes.forEach(Checks::checkByte);
        Objects.requireNonNull(properties, "properties");
    }

    /** The MQTT 3.x form, without reason codes. */
    public UnsubAck(int packetId) {
        this(packetId, List.of(), MqttProperties.EMPTY);
    }

    @Override
    public PacketType type() {
        return PacketType.UNSUBACK;
    }
}
