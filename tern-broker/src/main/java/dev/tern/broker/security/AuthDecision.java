package dev.tern.broker.security;

import org.jspecify.annotations.Nullable;

/** What an {@link AuthPlugin} says about a connecting client. */
public sealed interface AuthDecision {
    /** Accept the client; the broker will not ask later plug-ins or the password file. */
    record Allow(@Nullable String username) implements AuthDecision {}

    /** Refuse the client. */
    record Deny(Reason reason, String logMessage) implements AuthDecision {}

    /** No opinion: ask the next plug-in, then the password file and the {@code allow_anonymous} rule. */
    record Defer() implements AuthDecision {}

    /** Why a client is refused; chooses the CONNACK code. */
    enum Reason {
        /** Unknown user or wrong password: MQTT 5.0 0x86, MQTT 3.1.1 5. */
        BAD_CREDENTIALS,
        /** Not allowed to connect at all: MQTT 5.0 0x87, MQTT 3.1.1 5. */
        NOT_AUTHORIZED
    }

    /** Accept, keeping the user name the client sent. */
    static AuthDecision allow() {
        return new Allow(null);
    }

    /** Accept under another user name (for ACLs and logs), e.g. one an external service maps to. */
    static AuthDecision allowAs(String username) {
        return new Allow(username);
    }

    static AuthDecision deny(Reason reason, String logMessage) {
        return new Deny(reason, logMessage);
    }

    static AuthDecision defer() {
        return new Defer();
    }
}
