package dev.tern.client;

/**
 * A client operation failed: the connection was refused or lost, the server answered with an error
 * reason code, or the request breaks a limit the server announced. {@link #reasonCode()} is the
 * MQTT reason code when the server gave one, else -1.
 */
public class MqttClientException extends RuntimeException {
    private final int reasonCode;

    public MqttClientException(String message) {
        this(message, -1, null);
    }

    public MqttClientException(String message, int reasonCode) {
        this(message, reasonCode, null);
    }

    public MqttClientException(String message, int reasonCode, Throwable cause) {
        super(message, cause);
        this.reasonCode = reasonCode;
    }

    /** The MQTT reason (or 3.x return) code from the server, or -1 if there is none. */
    public int reasonCode() {
        return reasonCode;
    }
}
