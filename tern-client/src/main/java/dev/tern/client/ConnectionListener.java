package dev.tern.client;

/**
 * Told when the client connects and when it loses or closes its connection. Runs on the client's
 * event loop (or its callback executor).
 */
public interface ConnectionListener {
    /** A connection was accepted (the first one or a reconnection). */
    default void connected(ConnectResult result) {}

    /**
     * The connection ended.
     *
     * @param cause        why (an {@link MqttClientException} with the server's reason code if it sent DISCONNECT)
     * @param reconnecting true if the client will try to reconnect
     */
    default void disconnected(Throwable cause, boolean reconnecting) {}
}
