package dev.tern.broker.auth;

import java.security.SecureRandom;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/** SCRAM credentials held in memory; for embedding and tests. Thread-safe. */
public final class InMemoryScramCredentialStore implements ScramCredentialStore {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ConcurrentHashMap<String, ScramCredential> users = new ConcurrentHashMap<>();

    /** Adds or replaces a user with a random 16-byte salt and 4096 iterations. */
    public InMemoryScramCredentialStore addUser(String username, String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return put(username, ScramCredential.fromPassword(password, salt, ScramCredential.DEFAULT_ITERATIONS));
    }

    /** Adds or replaces a user's stored credential. */
    public InMemoryScramCredentialStore put(String username, ScramCredential credential) {
        users.put(Objects.requireNonNull(username, "username"), Objects.requireNonNull(credential, "credential"));
        return this;
    }

    /** Removes a user. */
    public InMemoryScramCredentialStore remove(String username) {
        users.remove(username);
        return this;
    }

    @Override
    public @Nullable ScramCredential credential(String username) {
        return users.get(username);
    }
}
