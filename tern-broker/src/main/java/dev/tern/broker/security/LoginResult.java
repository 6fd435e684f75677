package dev.tern.broker.security;

import org.jspecify.annotations.Nullable;

/**
 * The outcome of a login.
 *
 * @param outcome    accepted, or why not
 * @param username   the user name the client is known by from now on (null: anonymous)
 * @param logReason  what happened, for the log (never the password)
 * @param credential the password file entry that verified the password, re-checked after a reload;
 *                   null if the login did not rest on the password file
 */
public record LoginResult(Outcome outcome, @Nullable String username, String logReason, @Nullable String credential) {

    /** Accepted or the refusal's kind, which chooses the CONNACK code. */
    public enum Outcome {
        ACCEPTED,
        /** Unknown user or wrong password. */
        BAD_CREDENTIALS,
        /** No permission to connect (anonymous refused, certificate missing, refused by a plug-in). */
        NOT_AUTHORIZED,
        /** The broker is too busy checking other logins. */
        SERVER_BUSY
    }

    public boolean accepted() {
        return outcome == Outcome.ACCEPTED;
    }

    static LoginResult accepted(@Nullable String username, String why, @Nullable String credential) {
        return new LoginResult(Outcome.ACCEPTED, username, why, credential);
    }

    static LoginResult refused(Outcome outcome, @Nullable String username, String why) {
        return new LoginResult(outcome, username, why, null);
    }
}
