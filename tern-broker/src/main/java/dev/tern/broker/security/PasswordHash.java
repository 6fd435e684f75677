package dev.tern.broker.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The hash of one password file entry. Tern reads Mosquitto's two formats and writes its own:
 *
 * <ul>
 *   <li>{@code $6$SALT$HASH}: Mosquitto 1.x, SHA-512 of the password followed by the salt (one round);
 *   <li>{@code $7$ITERATIONS$SALT$HASH}: Mosquitto 2.x, PBKDF2-HMAC-SHA512, 64-byte key;
 *   <li>{@code $scram-sha-256$ITERATIONS$SALT$STOREDKEY$SERVERKEY}: Tern's default, the SCRAM-SHA-256
 *       verifier of RFC 5802/7677 (PBKDF2-HMAC-SHA256), so that the same entry serves plain
 *       passwords in CONNECT and MQTT 5.0 SCRAM authentication, where the server never sees the password.
 * </ul>
 *
 * Fields are standard Base64. Every comparison is constant-time ({@link MessageDigest#isEqual}).
 */
public sealed interface PasswordHash permits PasswordHash.Sha512, PasswordHash.Pbkdf2Sha512, ScramSha256Hash {

    /** Whether the password matches this hash. Costs what the format costs (see the README). */
    boolean matches(byte[] password);

    /** The text stored in the password file after "username:". */
    String encoded();

    /** A short name of the format for messages: "sha512", "sha512-pbkdf2", "scram-sha-256". */
    String algorithm();

    /**
     * Parses a stored hash.
     *
     * @throws IllegalArgumentException with a message for the user if it is not a known format
     */
    static PasswordHash parse(String text) {
        if (!text.startsWith("$")) {
            throw new IllegalArgumentException("the password is not hashed (plain text); hash the file with "
                    + "'tern passwd -U FILE'");
        }
        String[] f = text.split("\\$", -1);
        // f[0] is the empty string before the first '$'
        return switch (f[1]) {
            case "6" -> {
                expectFields(f, 4, "$6$SALT$HASH");
                yield new Sha512(decode(f[2], "salt"), decode(f[3], "hash"));
            }
            case "7" -> {
                expectFields(f, 5, "$7$ITERATIONS$SALT$HASH");
                yield new Pbkdf2Sha512(iterations(f[2]), decode(f[3], "salt"), decode(f[4], "hash"));
            }
            case ScramSha256Hash.ID -> {
                expectFields(f, 6, "$" + ScramSha256Hash.ID + "$ITERATIONS$SALT$STOREDKEY$SERVERKEY");
                yield new ScramSha256Hash(iterations(f[2]), decode(f[3], "salt"), decode(f[4], "StoredKey"),
                        decode(f[5], "ServerKey"));
            }
            default -> throw new IllegalArgumentException("unknown password hash type '$" + f[1]
                    + "$'; expected $6$, $7$ (mosquitto_passwd) or $" + ScramSha256Hash.ID + "$ (tern passwd)");
        };
    }

    private static void expectFields(String[] fields, int count, String form) {
        if (fields.length != count) {
            throw new IllegalArgumentException("malformed password hash, expected " + form);
        }
    }

    private static int iterations(String s) {
        try {
            int i = Integer.parseInt(s);
            if (i >= 1) {
                return i;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("malformed iteration count '" + s + "'");
    }

    private static byte[] decode(String s, String what) {
        try {
            byte[] b = Base64.getDecoder().decode(s);
            if (b.length > 0) {
                return b;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new IllegalArgumentException("malformed " + what + " (not Base64)");
    }

    /** PBKDF2 with the JDK's provider. */
    static byte[] pbkdf2(String algorithm, byte[] password, byte[] salt, int iterations, int keyBytes) {
        char[] chars = new String(password, StandardCharsets.UTF_8).toCharArray();
        PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, keyBytes * 8);
        try {
            return SecretKeyFactory.getInstance(algorithm).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is not available in this JDK", e);
        } finally {
            spec.clearPassword();
            java.util.Arrays.fill(chars, '\0');
        }
    }

    static byte[] hmac(String algorithm, byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is not available in this JDK", e);
        }
    }

    static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is not available in this JDK", e);
        }
    }

    /** Mosquitto's {@code $6$}: SHA-512(password || salt). Weak (one round); read for compatibility only. */
    record Sha512(byte[] salt, byte[] hash) implements PasswordHash {
        @Override
        public boolean matches(byte[] password) {
            MessageDigest d = digest("SHA-512");
            d.update(password);
            d.update(salt);
            return MessageDigest.isEqual(d.digest(), hash);
        }

        @Override
        public String encoded() {
            Base64.Encoder e = Base64.getEncoder();
            return "$6$" + e.encodeToString(salt) + "$" + e.encodeToString(hash);
        }

        @Override
        public String algorithm() {
            return "sha512";
        }
    }

    /** Mosquitto's {@code $7$}: PBKDF2-HMAC-SHA512 (mosquitto_passwd uses 101 iterations). */
    record Pbkdf2Sha512(int iterations, byte[] salt, byte[] hash) implements PasswordHash {
        @Override
        public boolean matches(byte[] password) {
            byte[] derived = pbkdf2("PBKDF2WithHmacSHA512", password, salt, iterations, hash.length);
            return MessageDigest.isEqual(derived, hash);
        }

        @Override
        public String encoded() {
            Base64.Encoder e = Base64.getEncoder();
            return "$7$" + iterations + "$" + e.encodeToString(salt) + "$" + e.encodeToString(hash);
        }

        @Override
        public String algorithm() {
            return "sha512-pbkdf2";
        }
    }
}
