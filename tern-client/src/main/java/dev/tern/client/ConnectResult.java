package dev.tern.client;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import org.jspecify.annotations.Nullable;

/**
 * The server's CONNACK and what it means for this connection.
 *
 * @param version        protocol version of the connection
 * @param sessionPresent the server resumed a stored session
 * @param reasonCode     0 on success; the 3.x return code or 5.0 reason code otherwise
 * @param properties     MQTT 5.0 CONNACK properties (server limits, assigned client id, ...)
 * @param clientId       the client identifier in use (the assigned one if the server assigned it)
 */
public record ConnectResult(MqttVersion version, boolean sessionPresent, int reasonCode, MqttProperties properties,
                            String clientId) {
    /** True if the connection was accepted. */
    public boolean isSuccess() {
        return reasonCode == 0;
    }

    /** The server's Reason String, or null. */
    public @Nullable String reasonString() {
        return properties.reasonString();
    }
}
