package dev.tern.broker.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Tern's password hash: the SCRAM-SHA-256 verifier of RFC 5802 and RFC 7677.
 *
 * <pre>
 * SaltedPassword = PBKDF2-HMAC-SHA256(password, salt, iterations)
 * StoredKey      = SHA-256(HMAC(SaltedPassword, "Client Key"))
 * ServerKey      = HMAC(SaltedPassword, "Server Key")
 * </pre>
 *
 * A plain password in CONNECT is checked by recomputing StoredKey; a SCRAM exchange uses StoredKey
 * and ServerKey directly. The password itself is not recoverable from either.
 *
 * @param iterations PBKDF2 iteration count
 * @param salt       per-user random salt
 * @param storedKey  SHA-256 of the client key
 * @param serverKey  the server key
 */
public record ScramSha256Hash(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) implements PasswordHash {
    /** The identifier between the first two '$'. */
    public static final String ID = "scram-sha-256";
    /**
     * Iterations of new entries. 100,000 PBKDF2-HMAC-SHA256 rounds cost about 45 ms on one core of
     * the 2-core build machine (docs/architecture.md, "Password hashing"): 25 times Mosquitto's
     * {@code $7$}, cheap enough for a cold connect storm thanks to the login cache.
     */
    public static final int DEFAULT_ITERATIONS = 100_000;
    /** RFC 7677's minimum. */
    public static final int MIN_ITERATIONS = 4_096;
    private static final int SALT_BYTES = 16;

    /** Hashes a new password with a fresh random salt. */
    public static ScramSha256Hash create(byte[] password, int iterations, SecureRandom random) {
        if (iterations < MIN_ITERATIONS) {
            throw new IllegalArgumentException("at least " + MIN_ITERATIONS + " iterations, was " + iterations);
        }
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] salted = saltedPassword(password, salt, iterations);
        return new ScramSha256Hash(iterations, salt, storedKey(salted), serverKey(salted));
    }

    /** RFC 5802 SaltedPassword := Hi(Normalize(password), salt, i); Tern does not apply SASLprep. */
    static byte[] saltedPassword(byte[] password, byte[] salt, int iterations) {
        return PasswordHash.pbkdf2("PBKDF2WithHmacSHA256", password, salt, iterations, 32);
    }

    static byte[] storedKey(byte[] saltedPassword) {
        byte[] clientKey = PasswordHash.hmac("HmacSHA256", saltedPassword, "Client Key".getBytes(StandardCharsets.US_ASCII));
        return PasswordHash.digest("SHA-256").digest(clientKey);
    }

    static byte[] serverKey(byte[] saltedPassword) {
        return PasswordHash.hmac("HmacSHA256", saltedPassword, "Server Key".getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public boolean matches(byte[] password) {
        return MessageDigest.isEqual(storedKey(saltedPassword(password, salt, iterations)), storedKey);
    }

    @Override
    public String encoded() {
        Base64.Encoder e = Base64.getEncoder();
        return "$" + ID + "$" + iterations + "$" + e.encodeToString(salt) + "$" + e.encodeToString(storedKey) + "$"
                + e.encodeToString(serverKey);
    }

    @Override
    public String algorithm() {
        return ID;
    }
}
