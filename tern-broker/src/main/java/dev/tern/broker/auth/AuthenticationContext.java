package dev.tern.broker.auth;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the broker knows about a client when an authentication exchange starts.
 *
 * @param clientId          the client identifier (assigned by the broker if the client sent none)
 * @param username          the User Name of CONNECT, or null
 * @param reauthentication  true for re-authentication (AUTH 0x19) on an established connection
 * @param authenticatedUser the user an earlier exchange on this connection authenticated, or null
 */
public record AuthenticationContext(String clientId, @Nullable String username, boolean reauthentication,
                                    @Nullable String authenticatedUser) {
    public AuthenticationContext {
        Objects.requireNonNull(clientId, "clientId");
    }
}
