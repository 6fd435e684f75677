package dev.tern.codec;

import org.jspecify.annotations.Nullable;

/**
 * Bytes that are not a valid MQTT packet: which rule they broke, in which packet type, and details.
 * After a decode error the stream cannot be resynchronised; the connection must be closed.
 *
 * @param violation      the broken rule
 * @param packetType     the packet type, when the fixed header was readable
 * @param detail         specifics, e.g. the offending value
 * @param connectVersion for a malformed CONNECT, the protocol version it announced, when its protocol name
 *                       and level were readable: an MQTT 5.0 server may then answer with a CONNACK reason
 *                       code before closing (MQTT 5.0 section 4.13)
 */
public record DecodeError(Violation violation, @Nullable PacketType packetType, String detail,
                          @Nullable MqttVersion connectVersion) implements DecodeResult {

    /** An error of a packet that is not a CONNECT with a known version. */
    public DecodeError(Violation violation, @Nullable PacketType packetType, String detail) {
        this(violation, packetType, detail, null);
    }

    /** The MQTT 5.0 reason code to report before closing. */
    public int reasonCode() {
        return violation.kind().reasonCode();
    }

    /** A one-line description for logs, naming the rule. */
    public String message() {
        return (packetType == null ? "" : packetType + ": ") + violation.description()
                + (detail.isEmpty() ? "" : " (" + detail + ")") + " [" + violation.specReference() + "]";
    }
}
