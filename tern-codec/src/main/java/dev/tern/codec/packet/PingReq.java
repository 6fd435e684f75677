package dev.tern.codec.packet;

import dev.tern.codec.PacketType;

/** PINGREQ. Has no fields; use {@link #INSTANCE}. */
public record PingReq() implements MqttPacket {
    /** The one PINGREQ. */
    public static final PingReq INSTANCE = new PingReq();

    @Override
    public PacketType type() {
        return PacketType.PINGREQ;
    }
}
