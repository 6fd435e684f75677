package dev.tern.codec.packet;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.PacketType;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * CONNECT: the first packet a client sends.
 *
 * @param version          protocol version, from the protocol name and level
 * @param clientId         client identifier; may be empty
 * @param cleanStart       Clean Session (3.x) or Clean Start (5.0)
 * @param keepAliveSeconds keep-alive interval, 0..65535; 0 disables keep-alive
 * @param username         user name, or null if the flag is not set
 * @param password         password, or null if the flag is not set (not copied)
 * @param will             will message, or null if the will flag is not set
 * @param properties       MQTT 5.0 properties; empty for 3.x
 */
public record Connect(MqttVersion version, String clientId, boolean cleanStart, int keepAliveSeconds,
                      @Nullable String username, byte @Nullable [] password, @Nullable Will will,
                      MqttProperties properties) implements MqttPacket {
    public Connect {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(properties, "properties");
        if (keepAliveSeconds < 0 || keepAliveSeconds > 0xFFFF) {
            throw new IllegalArgumentException("keep-alive out of range: " + keepAliveSeconds);
        }
    }

    @Override
    public PacketType type() {
        return PacketType.CONNECT;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Connect c && version == c.version && clientId.equals(c.clientId)
                && cleanStart == c.cleanStart && keepAliveSeconds == c.keepAliveSeconds
                && Objects.equals(username, c.username) && Arrays.equals(password, c.password)
                && Objects.equals(will, c.will) && properties.equals(c.properties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, clientId, cleanStart, keepAliveSeconds, username, Arrays.hashCode(password),
                will, properties);
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "Connect[version=" + version + ", clientId=" + clientId + ", cleanStart=" + cleanStart
                + ", keepAlive=" + keepAliveSeconds + ", username=" + username
                + ", password=" + (password == null ? "none" : "***") + ", will=" + will
                + ", properties=" + properties + "]";
    }
}
