package dev.tern.codec.packet;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.PacketType;
import java.util.List;
import java.util.Objects;

/**
 * SUBACK.
 *
 * @param packetId    packet identifier of the SUBSCRIBE
 * @param reasonCodes one return/reason code per requested filter, in order
 * @param properties  MQTT 5.0 properties; empty for 3.x
 */
public record SubAck(int packetId, List<Integer> reasonCodes, MqttProperties properties) implements MqttPacket {
    public SubAck {
        Checks.checkPacketId(packetId);
        reasonCodes = List.copyOf(reasonCodes);
        reasonCodes.forEach(Checks::checkByte);
        Objects.requireNonNull(properties, "properties");
    }

    @Override
    public PacketType type() {
        return PacketType.SUBACK;
    }
}
