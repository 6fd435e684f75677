package dev.tern.codec;

import org.jspecify.annotations.Nullable;

/**
 * Bytes that are not a valid MQTT packet: which rule they broke, in which packet type, and details.
 * After a decode error the stream cannot be resynchronised; the connection must be closed.
 *
 * @param violation  the broken rule
 * @param packetType the packet type, when the fixed header was readable
 * @param detail     specifics, e.g. the offending value
 */
public record DecodeError(Violation violation, @Nullable PacketType packetType, String detail)
        implements DecodeResult {

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
