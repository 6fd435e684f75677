package dev.tern.client;

import dev.tern.codec.MqttProperties;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * SCRAM-SHA-256 (RFC 5802 with RFC 7677's hash) as MQTT 5.0 enhanced authentication: the password
 * never crosses the network, and the client checks that the server knows the user's key too. The
 * client-first-message travels in CONNECT, the server's challenge in AUTH 0x18, the proof in the
 * client's AUTH 0x18, and the server's signature in CONNACK (or in the final AUTH of a
 * {@linkplain TernClient#reauthenticate() re-authentication}); a wrong signature fails the connection.
 *
 * <pre>{@code
 * TernClient client = TernClient.builder().version(MqttVersion.MQTT_5)
 *         .enhancedAuthentication(new ScramSha256Authenticator("alice", "wonderland"))
 *         .build();
 * }</pre>
 *
 * <p>Tern offers this method for the users of a {@code password_file} written by {@code tern passwd}.
 * The password is used as its UTF-8 bytes, without SASLprep (as {@code tern passwd} hashes it; for
 * ASCII passwords SASLprep changes nothing). Channel binding is not used ({@code n,,}).
 *
 * <p>An instance holds the state of one exchange at a time: give each client its own. The salted
 * password (PBKDF2, about 50 ms of CPU at Tern's default 100,000 iterations) is computed on the
 * client's event loop at the first connection and remembered for the salt and iteration count the
 * server names, so that reconnections cost only a few HMACs.
 */
public final class ScramSha256Authenticator implements EnhancedAuthenticator {
    /** The Authentication Method name. */
    public static final String METHOD = "SCRAM-SHA-256";
    /** Fewer iterations than RFC 7677's minimum are refused: a server asking for them weakens the hash. */
    public static final int MIN_ITERATIONS = 4_096;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder B64D = Base64.getDecoder();
    private static final String GS2_HEADER = "n,,";

    private final String username;
    private final byte[] password;

    // The exchange in progress.
    private String clientNonce = "";
    private String clientFirstBare = "";
    private byte @Nullable [] expectedServerSignature;

    // The last salted password, for the salt and iterations it was made with.
    private byte @Nullable [] cachedSalt;
    private int cachedIterations;
    private byte @Nullable [] cachedSaltedPassword;

    /** Authenticates {@code username} with {@code password}. */
    public ScramSha256Authenticator(String username, String password) {
        this(username, password.getBytes(StandardCharsets.UTF_8));
    }

    /** Authenticates {@code username} with a password given as UTF-8 bytes. */
    public ScramSha256Authenticator(String username, byte[] password) {
        if (Objects.requireNonNull(username, "username").isEmpty()) {
            throw new IllegalArgumentException("SCRAM needs a user name");
        }
        this.username = username;
        this.password = password.clone();
    }

    @Override
    public String method() {
        return METHOD;
    }

    /** Starts a new exchange: {@code n,,n=USER,r=NONCE} with a fresh nonce. */
    @Override
    public byte[] initialData() {
        byte[] n = new byte[18];
        RANDOM.nextBytes(n);
        return start(B64.encodeToString(n));
    }

    /** Starts an exchange with this client nonce (tests use RFC 7677's). */
    byte[] start(String nonce) {
        clientNonce = nonce;
        clientFirstBare = "n=" + saslName(username) + ",r=" + clientNonce;
        expectedServerSignature = null;
        return (GS2_HEADER + clientFirstBare).getBytes(StandardCharsets.UTF_8);
    }

    /** Answers the server-first-message ({@code r=NONCE,s=SALT,i=ITERATIONS}) with the proof. */
    @Override
    public byte[] onContinue(byte @Nullable [] serverData, MqttProperties properties) {
        if (serverData == null || clientFirstBare.isEmpty()) {
            throw new IllegalStateException("SCRAM: a challenge without server data or without a started exchange");
        }
        String serverFirst = new String(serverData, StandardCharsets.UTF_8);
        String nonce = null;
        byte[] salt = null;
        int iterations = 0;
        for (String attr : serverFirst.split(",")) {
            if (attr.startsWith("m=")) {
                throw new IllegalStateException("SCRAM: the server asks for an unsupported mandatory extension");
            } else if (attr.startsWith("r=") && nonce == null) {
                nonce = attr.substring(2);
            } else if (attr.startsWith("s=") && salt == null) {
                try {
                    salt = B64D.decode(attr.substring(2));
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException("SCRAM: the salt is not base64");
                }
            } else if (attr.startsWith("i=") && iterations == 0) {
                try {
                    iterations = Integer.parseInt(attr.substring(2));
                } catch (NumberFormatException e) {
                    throw new IllegalStateException("SCRAM: the iteration count is not a number");
                }
            }
        }
        if (nonce == null || !nonce.startsWith(clientNonce) || nonce.length() == clientNonce.length()) {
            throw new IllegalStateException("SCRAM: the server's nonce does not extend ours");
        }
        if (salt == null || salt.length == 0) {
            throw new IllegalStateException("SCRAM: the server sent no salt");
        }
        if (iterations < MIN_ITERATIONS) {
            throw new IllegalStateException("SCRAM: the server asks for " + iterations + " iterations, fewer than "
                    + MIN_ITERATIONS);
        }
        String withoutProof = "c=" + B64.encodeToString(GS2_HEADER.getBytes(StandardCharsets.UTF_8)) + ",r=" + nonce;
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
        byte[] salted = saltedPassword(salt, iterations);
        byte[] clientKey = hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] clientSignature = hmac(sha256(clientKey), authMessage);
        byte[] proof = new byte[clientKey.length];
        for (int i = 0; i < proof.length; i++) {
            proof[i] = (byte) (clientKey[i] ^ clientSignature[i]);
        }
        expectedServerSignature = hmac(hmac(salted, "Server Key".getBytes(StandardCharsets.US_ASCII)), authMessage);
        clientFirstBare = ""; // one answer per exchange
        return (withoutProof + ",p=" + B64.encodeToString(proof)).getBytes(StandardCharsets.UTF_8);
    }

    /** Checks the server-final-message: {@code v=SIGNATURE} must prove the server knows the user's key. */
    @Override
    public void onSuccess(byte @Nullable [] serverData, MqttProperties properties) {
        byte[] expected = expectedServerSignature;
        expectedServerSignature = null;
        if (expected == null) {
            throw new IllegalStateException("SCRAM: the server accepted before the exchange was complete");
        }
        String serverFinal = serverData == null ? "" : new String(serverData, StandardCharsets.UTF_8);
        if (serverFinal.startsWith("e=")) {
            throw new IllegalStateException("SCRAM: the server reports " + serverFinal.substring(2));
        }
        byte[] signature;
        try {
            signature = serverFinal.startsWith("v=") ? B64D.decode(serverFinal.substring(2)) : new byte[0];
        } catch (IllegalArgumentException e) {
            signature = new byte[0];
        }
        if (!MessageDigest.isEqual(signature, expected)) {
            throw new IllegalStateException("SCRAM: the server's signature is wrong (the server does not know the "
                    + "user's key)");
        }
    }

    private byte[] saltedPassword(byte[] salt, int iterations) {
        byte[] cached = cachedSaltedPassword;
        if (cached != null && iterations == cachedIterations && Arrays.equals(salt, cachedSalt)) {
            return cached;
        }
        char[] chars = new String(password, StandardCharsets.UTF_8).toCharArray();
        PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, 256);
        try {
            // The JDK's PBKDF2 turns the characters back into their UTF-8 bytes (RFC 8018's P).
            byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            cachedSalt = salt.clone();
            cachedIterations = iterations;
            cachedSaltedPassword = salted;
            return salted;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available in this JDK", e);
        } finally {
            spec.clearPassword();
            Arrays.fill(chars, '\0');
        }
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available in this JDK", e);
        }
    }

    /** RFC 5802 saslname: ',' and '=' are escaped as "=2C" and "=3D". */
    private static String saslName(String name) {
        return name.replace("=", "=3D").replace(",", "=2C");
    }
}
