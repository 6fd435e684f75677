package dev.tern.client;

/** MQTT 5.0 Retain Handling subscription option: when the server sends retained messages. */
public enum RetainHandling {
    /** Send retained messages at the time of every subscribe (0, the default and MQTT 3.x behaviour). */
    SEND,
    /** Send retained messages only if the subscription did not exist before (1). */
    SEND_IF_NEW,
    /** Never send retained messages for this subscription (2). */
    DO_NOT_SEND;

    /** The option's value on the wire. */
    public int value() {
        return ordinal();
    }
}
