package dev.tern.broker.connection;

import dev.tern.broker.security.AclAccess;
import dev.tern.broker.security.AuthRequest;
import dev.tern.broker.security.ClientIdentity;
import dev.tern.broker.security.LoginResult;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.packet.Connect;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * One connection's side of authentication and authorization: turns its CONNECT into a login at the
 * listener's {@link dev.tern.broker.security.AccessControl}, maps the outcome to CONNACK codes,
 * and afterwards answers the connection's ACL questions for the identity the login established.
 * Event loop only.
 */
final class ClientAuthorization {
    private final ConnectionPolicy policy;
    private @Nullable ClientIdentity identity;
    /** The password file entry the login was verified against, re-checked after a reload. */
    private @Nullable String credential;

    ClientAuthorization(ConnectionPolicy policy) {
        this.policy = policy;
    }

    /** Starts the login for a CONNECT; completes on another thread. */
    CompletableFuture<LoginResult> login(Connect c, String clientId, Channel channel) {
        AuthRequest request = new AuthRequest(clientId, c.username(), c.password(), remote(channel),
                ConnectionLog.localPort(channel), c.version(), PeerCertificates.of(channel));
        return policy.access().login(request);
    }

    /** The CONNACK code for a refused login, in the client's protocol version. */
    static int refusalCode(LoginResult.Outcome outcome, boolean v5) {
        return switch (outcome) {
            case BAD_CREDENTIALS -> v5 ? ReasonCodes.BAD_USER_NAME_OR_PASSWORD : ReasonCodes.V3_NOT_AUTHORIZED;
            case SERVER_BUSY -> v5 ? ReasonCodes.SERVER_BUSY : ReasonCodes.V3_SERVER_UNAVAILABLE;
            default -> v5 ? ReasonCodes.NOT_AUTHORIZED : ReasonCodes.V3_NOT_AUTHORIZED;
        };
    }

    /** Records who the client is after an accepted login. */
    void accepted(LoginResult result, String clientId, Channel channel) {
        identity = new ClientIdentity(clientId, result.username(), remote(channel), ConnectionLog.localPort(channel));
        credential = result.credential();
    }

    /** The ACL's answer for this client (true before a login, which the state machine never asks). */
    boolean authorized(AclAccess access, String topic) {
        ClientIdentity id = identity;
        return id == null || policy.access().authorize(id, access, topic);
    }

    /** The read permission for the client's session: constant true without ACLs, so routing pays nothing. */
    Predicate<String> readPermission() {
        ClientIdentity id = identity;
        if (id == null || !policy.access().restrictsReading()) {
            return topic -> true;
        }
        var access = policy.access();
        return topic -> access.authorize(id, AclAccess.READ, topic);
    }

    /** False if the password file entry this login rested on was removed or changed by a reload. */
    boolean stillValid() {
        ClientIdentity id = identity;
        return id == null || policy.access().stillValid(id.username(), credential);
    }

    @Nullable String username() {
        ClientIdentity id = identity;
        return id == null ? null : id.username();
    }

    private static InetSocketAddress remote(Channel channel) {
        return channel.remoteAddress() instanceof InetSocketAddress inet ? inet
                : new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }
}
