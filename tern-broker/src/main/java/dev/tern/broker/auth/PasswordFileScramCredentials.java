package dev.tern.broker.auth;

import dev.tern.broker.security.AccessControl;
import dev.tern.broker.security.ScramSha256Hash;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * SCRAM-SHA-256 credentials from a listener's password file: the users whose entries {@code tern passwd}
 * wrote with the {@code scram-sha-256} hash (mosquitto_passwd's entries cannot serve SCRAM, which needs
 * StoredKey and ServerKey). Reads the current file, so a reload applies at once.
 */
public final class PasswordFileScramCredentials implements ScramCredentialStore {
    private final AccessControl access;

    public PasswordFileScramCredentials(AccessControl access) {
        this.access = Objects.requireNonNull(access, "access");
    }

    @Override
    public @Nullable ScramCredential credential(String username) {
        return access.scramCredentials(username)
                .map(PasswordFileScramCredentials::credential)
                .orElse(null);
    }

    private static ScramCredential credential(ScramSha256Hash h) {
        return new ScramCredential(h.salt(), h.iterations(), h.storedKey(), h.serverKey());
    }
}
