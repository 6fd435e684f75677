package dev.tern.broker.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * What a server stores to verify a SCRAM-SHA-256 user without knowing the password (RFC 5802 section
 * 3): the salt, the iteration count, StoredKey = H(ClientKey) and ServerKey.
 *
 * @param salt       the salt, at least one byte
 * @param iterations the PBKDF2 iteration count (RFC 7677 asks for at least 4096)
 * @param storedKey  SHA-256(HMAC(SaltedPassword, "Client Key")), 32 bytes
 * @param serverKey  HMAC(SaltedPassword, "Server Key"), 32 bytes
 */
public record ScramCredential(byte[] salt, int iterations, byte[] storedKey, byte[] serverKey) {
    /** RFC 7677's minimum iteration count. */
    public static final int DEFAULT_ITERATIONS = 4096;

    public ScramCredential {
        Objects.requireNonNull(salt, "salt");
        Objects.requireNonNull(storedKey, "storedKey");
        Objects.requireNonNull(serverKey, "serverKey");
        if (salt.length == 0 || iterations < 1 || storedKey.length != 32 || serverKey.length != 32) {
            throw new IllegalArgumentException("SCRAM-SHA-256 credential needs a salt, iterations >= 1 and 32-byte keys");
        }
        salt = salt.clone();
        storedKey = storedKey.clone();
        serverKey = serverKey.clone();
    }

    /**
     * Derives a credential from a password. The password is normalised with Unicode NFKC, which equals
     * SASLprep (RFC 4013) for the printable passwords people use; clients must normalise the same way.
     */
    public static ScramCredential fromPassword(String password, byte[] salt, int iterations) {
        byte[] salted = saltedPassword(password, salt, iterations);
        byte[] clientKey = Scram.hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] serverKey = Scram.hmac(salted, "Server Key".getBytes(StandardCharsets.US_ASCII));
        return new ScramCredential(salt, iterations, Scram.sha256(clientKey), serverKey);
    }

    /** SaltedPassword = Hi(Normalize(password), salt, i), PBKDF2 with HMAC-SHA-256. */
    static byte[] saltedPassword(String password, byte[] salt, int iterations) {
        String normalized = Normalizer.normalize(password, Normalizer.Form.NFKC);
        try {
            SecretKeyFactory f = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            return f.generateSecret(new PBEKeySpec(normalized.toCharArray(), salt, iterations, 256)).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every JDK", e);
        }
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public byte[] storedKey() {
        return storedKey.clone();
    }

    @Override
    public byte[] serverKey() {
        return serverKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScramCredential c && iterations == c.iterations && Arrays.equals(salt, c.salt)
                && MessageDigest.isEqual(storedKey, c.storedKey) && MessageDigest.isEqual(serverKey, c.serverKey);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(salt) + iterations;
    }

    /** Never prints the keys. */
    @Override
    public String toString() {
        return "ScramCredential[iterations=" + iterations + "]";
    }

    /** HMAC-SHA-256 and SHA-256, shared with the mechanism. */
    static final class Scram {
        private Scram() {}

        static byte[] hmac(byte[] key, byte[] data) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                return mac.doFinal(data);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
            }
        }

        static byte[] sha256(byte[] data) {
            try {
                return MessageDigest.getInstance("SHA-256").digest(data);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("SHA-256 is part of every JDK", e);
            }
        }
    }
}
