package dev.tern.broker.auth;

import dev.tern.codec.ReasonCodes;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** What an {@link AuthenticationExchange} answers to the client's data. */
public sealed interface AuthenticationStep {

    /** Send the client this challenge in AUTH 0x18 and wait for its answer (MQTT-4.12.0-2). */
    record Continue(byte[] serverData) implements AuthenticationStep {
        public Continue {
            Objects.requireNonNull(serverData, "serverData");
        }
    }

    /**
     * The client is authenticated. The data (for example SCRAM's server signature) goes to the client in
     * CONNACK, or in AUTH 0x00 after a re-authentication.
     *
     * @param serverData        final data for the client, or null
     * @param authenticatedUser the identity established, for logs and authorization
     */
    record Success(byte @Nullable [] serverData, String authenticatedUser) implements AuthenticationStep {
        public Success {
            Objects.requireNonNull(authenticatedUser, "authenticatedUser");
        }
    }

    /**
     * The client is not authenticated: CONNACK with the reason code, or DISCONNECT after a failed
     * re-authentication (where 0x86, not a DISCONNECT code, becomes 0x87), and the connection closes.
     *
     * @param reasonCode 0x80 or above, e.g. {@link ReasonCodes#BAD_USER_NAME_OR_PASSWORD} or
     *                   {@link ReasonCodes#NOT_AUTHORIZED}
     * @param reason     a Reason String for the client and the log
     */
    record Failure(int reasonCode, String reason) implements AuthenticationStep {
        public Failure {
            if (!ReasonCodes.isError(reasonCode) || reasonCode > 0xFF) {
                throw new IllegalArgumentException("a failure needs an error reason code: " + reasonCode);
            }
            Objects.requireNonNull(reason, "reason");
        }
    }
}
