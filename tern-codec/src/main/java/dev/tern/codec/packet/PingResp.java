package dev.tern.codec.packet;

import dev.tern.codec.PacketType;

/** PINGRESP. Has no fields; use {@link #INSTANCE}. */
public record PingResp() implements MqttPacket {
    /** The one PINGRESP. */
    public static final PingResp INSTANCE = new PingResp();

    @Override
    public PacketType type() {
        return PacketType.PINGRESP;
    }
}
