package dev.tern.broker.auth;

import org.jspecify.annotations.Nullable;

/**
 * Where SCRAM-SHA-256 looks users up: user name to salt, iteration count, StoredKey and ServerKey.
 * Implementations must be thread-safe and fast (they are called on event loops); Tern ships an
 * in-memory store ({@link InMemoryScramCredentialStore}) and the password file will back another.
 */
public interface ScramCredentialStore {
    /** The credential of a user, or null if there is no such user. */
    @Nullable ScramCredential credential(String username);
}
