package dev.tern.broker.session;

import dev.tern.codec.MqttVersion;
import java.util.Objects;

/**
 * What a CONNECT asks of the session layer.
 *
 * @param clientId   the client identifier (assigned by the broker if the client sent none)
 * @param cleanStart Clean Session (3.x) / Clean Start (5.0): discard any existing session first
 * @param keepAfterDisconnect whether the session outlives this connection (3.x: not clean session;
 *                   5.0: a Session Expiry Interval above 0)
 * @param version    protocol version of the connection
 */
public record ConnectRequest(String clientId, boolean cleanStart, boolean keepAfterDisconnect, MqttVersion version) {
    public ConnectRequest {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(version, "version");
    }
}
