package dev.tern.broker.security;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A deployment's own authentication and authorization, e.g. a call to an HTTP auth service or an
 * LDAP directory. Created by an {@link AuthPluginProvider}; see the README ("Security plug-ins")
 * and the {@code examples/auth-plugin} module for a working one.
 *
 * <p>Plug-ins are asked in the order of their {@code plugin} lines, before the password and ACL
 * files; the first answer that is not "defer" decides. Methods may be called from any event loop
 * thread at the same time, so implementations must be thread-safe.
 */
public interface AuthPlugin extends AutoCloseable {

    /**
     * Decides whether a client may connect. Must not block: do slow work (network, disk, expensive
     * hashing) asynchronously and complete the stage later. The broker waits at most
     * {@code connect_timeout} for the answer.
     */
    default CompletionStage<AuthDecision> authenticate(AuthRequest request) {
        return CompletableFuture.completedFuture(AuthDecision.defer());
    }

    /**
     * Decides one access: publishing to a topic ({@link AclAccess#WRITE}), subscribing to a filter
     * ({@link AclAccess#SUBSCRIBE}) or receiving a message ({@link AclAccess#READ}). Called on the
     * publish path for every recipient, so it must be fast and must not block; cache what you fetch.
     */
    default AclDecision authorize(ClientIdentity client, AclAccess access, String topic) {
        return AclDecision.DEFER;
    }

    /** SIGHUP: re-read whatever the plug-in reads. A failure is logged and the old state kept. */
    default void reload() throws Exception {
    }

    /** Broker shutdown. */
    @Override
    default void close() {
    }
}
