package dev.tern.client;

import dev.tern.codec.MqttVersion;

/** The server answered CONNECT with a CONNACK that refuses the connection. */
public final class ConnectionRefusedException extends MqttClientException {
    private final ConnectResult connAck;

    public ConnectionRefusedException(ConnectResult connAck) {
        super("Connection Refused: " + ReasonText.connack(connAck.reasonCode(), connAck.version())
                + (connAck.reasonString() == null ? "" : " (" + connAck.reasonString() + ")"), connAck.reasonCode());
        this.connAck = connAck;
    }

    /** The refusing CONNACK. */
    public ConnectResult connAck() {
        return connAck;
    }

    /** The protocol version that was refused. */
    public MqttVersion version() {
        return connAck.version();
    }
}
