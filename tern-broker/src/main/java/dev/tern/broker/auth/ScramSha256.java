package dev.tern.broker.auth;

import dev.tern.broker.auth.ScramCredential.Scram;
import dev.tern.codec.ReasonCodes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The SCRAM-SHA-256 authentication method (RFC 5802 with RFC 7677's hash) over MQTT 5.0 AUTH packets:
 * the client-first-message travels in CONNECT's Authentication Data, the server-first-message in AUTH
 * 0x18, the client-final-message in the client's AUTH 0x18, and the server-final-message (the server
 * signature that proves the server knows the user's key) in CONNACK, or in AUTH 0x00 after a
 * re-authentication.
 *
 * <p>Channel binding is not offered (MQTT has no standard way to name a TLS channel binding), so a
 * client asking for it ({@code p=}) is refused; {@code n} and {@code y} are accepted. An unknown user
 * gets a server-first-message with a salt derived from the user name, so that the exchange looks the
 * same as for a known user until the proof fails (RFC 5802 section 9).
 */
public final class ScramSha256 implements AuthenticationMethod {
    /** The Authentication Method name. */
    public static final String NAME = "SCRAM-SHA-256";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    /**
     * Derives the salts of unknown users; one key per process, so that every instance answers an unknown
     * user with the same salt, as it would a known one.
     */
    private static final byte[] FAKE_SALT_KEY = new byte[32];

    static {
        RANDOM.nextBytes(FAKE_SALT_KEY);
    }

    private final ScramCredentialStore store;

    public ScramSha256(ScramCredentialStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public AuthenticationExchange begin(AuthenticationContext context) {
        return new Exchange(context);
    }

    private static CompletionStage<AuthenticationStep> done(AuthenticationStep step) {
        return CompletableFuture.completedFuture(step);
    }

    private static AuthenticationStep.Failure refuse(String why) {
        return new AuthenticationStep.Failure(ReasonCodes.BAD_USER_NAME_OR_PASSWORD, why);
    }

    /** One exchange; its methods are called one at a time by the connection. */
    private final class Exchange implements AuthenticationExchange {
        private final AuthenticationContext context;
        private int round;
        private String gs2Header = "";
        private String clientFirstBare = "";
        private String serverFirst = "";
        private String nonce = "";
        private String username = "";
        private @Nullable ScramCredential credential;

        Exchange(AuthenticationContext context) {
            this.context = context;
        }

        @Override
        public CompletionStage<AuthenticationStep> respond(byte[] clientData) {
            String message = new String(clientData, StandardCharsets.UTF_8);
            return done(switch (round++) {
                case 0 -> clientFirst(message);
                case 1 -> clientFinal(message);
                default -> refuse("SCRAM exchange already complete");
            });
        }

        private AuthenticationStep clientFirst(String message) {
            // gs2-header = gs2-cbind-flag "," [ authzid ] ","
            int first = message.indexOf(',');
            int second = first < 0 ? -1 : message.indexOf(',', first + 1);
            if (second < 0) {
                return refuse("SCRAM client-first-message has no GS2 header");
            }
            String cbind = message.substring(0, first);
            String authzid = message.substring(first + 1, second);
            if (cbind.startsWith("p=")) {
                return refuse("SCRAM channel binding is not supported");
            }
            if (!cbind.equals("n") && !cbind.equals("y")) {
                return refuse("SCRAM GS2 channel binding flag must be n or y");
            }
            gs2Header = message.substring(0, second + 1);
            clientFirstBare = message.substring(second + 1);
            String user = null;
            String clientNonce = null;
            for (String attr : clientFirstBare.split(",")) {
                if (attr.startsWith("m=")) {
                    return refuse("SCRAM mandatory extensions are not supported");
                } else if (attr.startsWith("n=") && user == null) {
                    user = saslName(attr.substring(2));
                } else if (attr.startsWith("r=") && clientNonce == null) {
                    clientNonce = attr.substring(2);
                }
            }
            if (user == null || user.isEmpty() || clientNonce == null || clientNonce.isEmpty()) {
                return refuse("SCRAM client-first-message needs n= and r=");
            }
            if (!authzid.isEmpty() && !(authzid.startsWith("a=") && user.equals(saslName(authzid.substring(2))))) {
                return refuse("SCRAM authorization identity must be the user name");
            }
            if (context.username() != null && !context.username().equals(user)) {
                return refuse("SCRAM user name differs from the CONNECT user name");
            }
            if (context.reauthentication() && context.authenticatedUser() != null
                    && !context.authenticatedUser().equals(user)) {
                return new AuthenticationStep.Failure(ReasonCodes.NOT_AUTHORIZED,
                        "re-authentication must use the same user");
            }
            username = user;
            credential = store.credential(user);
            byte[] salt;
            int iterations;
            if (credential != null) {
                salt = credential.salt();
                iterations = credential.iterations();
            } else {
                salt = java.util.Arrays.copyOf(Scram.hmac(FAKE_SALT_KEY, user.getBytes(StandardCharsets.UTF_8)), 16);
                iterations = ScramCredential.DEFAULT_ITERATIONS;
            }
            byte[] serverNonce = new byte[18];
            RANDOM.nextBytes(serverNonce);
            nonce = clientNonce + B64.encodeToString(serverNonce);
            serverFirst = "r=" + nonce + ",s=" + B64.encodeToString(salt) + ",i=" + iterations;
            return new AuthenticationStep.Continue(serverFirst.getBytes(StandardCharsets.UTF_8));
        }

        private AuthenticationStep clientFinal(String message) {
            int proofAt = message.lastIndexOf(",p=");
            if (proofAt < 0) {
                return refuse("SCRAM client-final-message has no proof");
            }
            String withoutProof = message.substring(0, proofAt);
            String channelBinding = null;
            String finalNonce = null;
            for (String attr : withoutProof.split(",")) {
                if (attr.startsWith("c=") && channelBinding == null) {
                    channelBinding = attr.substring(2);
                } else if (attr.startsWith("r=") && finalNonce == null) {
                    finalNonce = attr.substring(2);
                }
            }
            byte[] proof;
            try {
                proof = B64D.decode(message.substring(proofAt + 3));
            } catch (IllegalArgumentException e) {
                return refuse("SCRAM proof is not base64");
            }
            String expectedBinding = B64.encodeToString(gs2Header.getBytes(StandardCharsets.UTF_8));
            if (!expectedBinding.equals(channelBinding)) {
                return refuse("SCRAM channel binding data does not match the GS2 header");
            }
            if (!nonce.equals(finalNonce)) {
                return refuse("SCRAM nonce does not match");
            }
            ScramCredential c = credential;
            if (c == null || proof.length != 32) {
                return refuse("SCRAM authentication failed for user '" + username + "'");
            }
            byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof)
                    .getBytes(StandardCharsets.UTF_8);
            byte[] clientSignature = Scram.hmac(c.storedKey(), authMessage);
            byte[] clientKey = new byte[32];
            for (int i = 0; i < 32; i++) {
                clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
            }
            if (!MessageDigest.isEqual(Scram.sha256(clientKey), c.storedKey())) {
                return refuse("SCRAM authentication failed for user '" + username + "'");
            }
            byte[] serverSignature = Scram.hmac(c.serverKey(), authMessage);
            byte[] serverFinal = ("v=" + B64.encodeToString(serverSignature)).getBytes(StandardCharsets.UTF_8);
            return new AuthenticationStep.Success(serverFinal, username);
        }
    }

    /** RFC 5802 saslname: "=2C" is ',' and "=3D" is '='; any other '=' is invalid (null). */
    private static @Nullable String saslName(String raw) {
        StringBuilder sb = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char ch = raw.charAt(i);
            if (ch == '=') {
                if (raw.startsWith("=2C", i)) {
                    sb.append(',');
                } else if (raw.startsWith("=3D", i)) {
                    sb.append('=');
                } else {
                    return null;
                }
                i += 2;
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }
}
