package dev.tern.broker.session;

import dev.tern.codec.MqttVersion;
import java.util.Objects;

/**
 * What a CONNECT asks of the session layer.
 *
 * @param clientId              the client identifier (assigned by the broker if the client sent none)
 * @param cleanStart            Clean Session (3.x) / Clean Start (5.0): discard any existing session first
 * @param sessionExpiryInterval seconds the session outlives this connection: 0 ends it with the connection,
 *                              {@link #NEVER} keeps it for ever (3.x persistent sessions); already limited by
 *                              {@code persistent_client_expiration}
 * @param version               protocol version of the connection
 */
public record ConnectRequest(String clientId, boolean cleanStart, long sessionExpiryInterval, MqttVersion version) {
    /** The Session Expiry Interval that means "never expire" (MQTT 5.0 section 3.1.2.11.2). */
    public static final long NEVER = 0xFFFF_FFFFL;

    public ConnectRequest {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(version, "version");
        if (sessionExpiryInterval < 0 || sessionExpiryInterval > NEVER) {
            throw new IllegalArgumentException("session expiry interval out of range: " + sessionExpiryInterval);
        }
    }

    /** A 3.x-style request: a persistent session never expires, a clean one ends with the connection. */
    public ConnectRequest(String clientId, boolean cleanStart, boolean keepAfterDisconnect, MqttVersion version) {
        this(clientId, cleanStart, keepAfterDisconnect ? NEVER : 0, version);
    }

    /** Whether the session outlives the connection. */
    public boolean keepAfterDisconnect() {
        return sessionExpiryInterval > 0;
    }
}
