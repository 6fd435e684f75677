package dev.tern.broker.auth;

import java.util.concurrent.CompletionStage;

/**
 * One challenge/response exchange of an authentication method. The broker calls {@link #respond}
 * with the Authentication Data of CONNECT (or of the AUTH 0x19 that starts a re-authentication), then
 * with the data of each AUTH 0x18 the client answers a {@link AuthenticationStep.Continue} with.
 * Calls are sequential, never concurrent, on one connection's event loop.
 *
 * <p>Return a completed stage when the answer is at hand (SCRAM needs only a few HMACs); a method that
 * must ask another system completes the stage later, on any thread, and must not block the caller.
 */
public interface AuthenticationExchange {
    /**
     * The next step given the client's data.
     *
     * @param clientData the client's Authentication Data; empty if the packet carried none
     */
    CompletionStage<AuthenticationStep> respond(byte[] clientData);
}
