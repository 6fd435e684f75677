package dev.tern.client;

import dev.tern.codec.MqttProperties;
import org.jspecify.annotations.Nullable;

/**
 * The MQTT 5.0 enhanced authentication hook (section 4.12): a challenge/response exchange of AUTH
 * packets during CONNECT and, on {@link TernClient#reauthenticate()}, on a live connection. The
 * methods run on the client's event loop; keep them quick.
 */
public interface EnhancedAuthenticator {
    /** The Authentication Method sent in CONNECT, e.g. {@code SCRAM-SHA-256}. */
    String method();

    /** The Authentication Data of CONNECT (or of the AUTH that starts a re-authentication), or null. */
    byte @Nullable [] initialData();

    /**
     * The server sent AUTH with reason Continue Authentication (0x18).
     *
     * @param serverData the server's Authentication Data, or null
     * @param properties all properties of the server's AUTH
     * @return the client's next Authentication Data, or null for none
     * @throws RuntimeException to abort: the client disconnects and the connect fails
     */
    byte @Nullable [] onContinue(byte @Nullable [] serverData, MqttProperties properties);

    /**
     * Authentication succeeded: called with the CONNACK's (or the final AUTH's) Authentication Data so
     * that the client can verify the server, too.
     *
     * @throws RuntimeException if the server's final data is not acceptable (the client disconnects)
     */
    default void onSuccess(byte @Nullable [] serverData, MqttProperties properties) {}
}
