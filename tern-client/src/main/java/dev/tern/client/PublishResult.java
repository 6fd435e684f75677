package dev.tern.client;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.QoS;

/**
 * The outcome of one publish. For QoS 0 it completes once the packet is written; for QoS 1 on PUBACK,
 * for QoS 2 on PUBCOMP. A 5.0 PUBACK or PUBREC reason code of 0x80 or more fails the future instead (a
 * PUBCOMP error does not: the server had accepted the message with its PUBREC).
 *
 * @param message    the published message
 * @param reasonCode 0, or a 5.0 success code such as 0x10 (no matching subscribers)
 * @param properties MQTT 5.0 properties of the acknowledgement
 */
public record PublishResult(Message message, int reasonCode, MqttProperties properties) {
    /** The QoS the message was published with. */
    public QoS qos() {
        return message.qos();
    }
}
