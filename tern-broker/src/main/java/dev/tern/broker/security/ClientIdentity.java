package dev.tern.broker.security;

import java.net.InetSocketAddress;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Who a connected client is once authentication has accepted it: what ACLs and plug-ins decide on.
 *
 * @param clientId     the client identifier (assigned by the broker if the client sent none)
 * @param username     the user name (from CONNECT, a plug-in or the client certificate), or null if anonymous
 * @param remote       the client's address
 * @param listenerPort the local port the client connected to
 */
public record ClientIdentity(String clientId, @Nullable String username, InetSocketAddress remote, int listenerPort) {
    public ClientIdentity {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(remote, "remote");
    }
}
