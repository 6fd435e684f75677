package dev.tern.broker.security;

import dev.tern.codec.MqttVersion;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A client asking to connect, as an {@link AuthPlugin} sees it.
 *
 * @param clientId     the client identifier
 * @param username     the user name from CONNECT, or null
 * @param password     the password from CONNECT, or null; never log it
 * @param remote       the client's address
 * @param listenerPort the local port the client connected to
 * @param version      the MQTT version of the CONNECT
 * @param certificates the verified client certificate chain (leaf first), empty without TLS client authentication
 */
public record AuthRequest(String clientId, @Nullable String username, byte @Nullable [] password,
                          InetSocketAddress remote, int listenerPort, MqttVersion version,
                          List<X509Certificate> certificates) {
    public AuthRequest {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(version, "version");
        certificates = List.copyOf(certificates);
    }

    /** The identity this request would have with this user name. */
    public ClientIdentity identity(@Nullable String effectiveUsername) {
        return new ClientIdentity(clientId, effectiveUsername, remote, listenerPort);
    }

    @Override
    public String toString() {
        // records print every component; the password must never reach a log
        return "AuthRequest[clientId=" + clientId + ", username=" + username + ", password="
                + (password == null ? "none" : "***") + ", remote=" + remote + ", listenerPort=" + listenerPort
                + ", version=" + version + ", certificates=" + certificates.size() + "]";
    }
}
