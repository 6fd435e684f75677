package dev.tern.broker.connection;

import dev.tern.broker.security.AccessControl;
import dev.tern.broker.security.MemoryGuard;
import java.util.Objects;

/**
 * What a listener's connections are checked against: who may connect and do what, the broker's
 * memory limit and the per-client publish rate.
 *
 * @param access         authentication and ACLs
 * @param memory         the global memory limit
 * @param maxPublishRate PUBLISH packets per second per client, 0 for no limit
 */
public record ConnectionPolicy(AccessControl access, MemoryGuard memory, int maxPublishRate) {
    public ConnectionPolicy {
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(memory, "memory");
    }
}
