package dev.tern.codec;

/**
 * A rule of the MQTT wire format that a packet broke. Each names the normative statement it comes from
 * and the MQTT 5.0 reason code a server sends in DISCONNECT (or CONNACK) before closing.
 */
public enum Violation {
    RESERVED_PACKET_TYPE("packet type 0, or 15 (AUTH) before MQTT 5.0, is reserved", "MQTT-2.2.1", Kind.MALFORMED),
    INVALID_FIXED_HEADER_FLAGS("fixed header flags differ from the ones the packet type requires", "MQTT-2.2.2-1", Kind.MALFORMED),
    REMAINING_LENGTH_TOO_LONG("remaining length uses more than four bytes", "MQTT-2.2.3", Kind.MALFORMED),
    PACKET_TOO_LARGE("packet is larger than the maximum packet size", "MQTT-3.1.2-24", Kind.TOO_LARGE),
    TRUNCATED("packet ends before its fields do", "MQTT-2.2.3", Kind.MALFORMED),
    TRAILING_BYTES("packet has bytes after its last field", "MQTT-2.2.3", Kind.MALFORMED),
    INVALID_UTF8("string is not well-formed UTF-8 or encodes a surrogate", "MQTT-1.5.3-1", Kind.MALFORMED),
    NULL_CHARACTER("string contains U+0000", "MQTT-1.5.3-2", Kind.MALFORMED),
    INVALID_VARIABLE_BYTE_INTEGER("variable byte integer uses more than four bytes", "MQTT-1.5.5", Kind.MALFORMED),
    PACKET_ID_ZERO("packet identifier is 0", "MQTT-2.3.1-1", Kind.MALFORMED),
    PUBLISH_QOS_3("PUBLISH has both QoS bits set", "MQTT-3.3.1-4", Kind.MALFORMED),
    PUBLISH_DUP_WITH_QOS_0("PUBLISH with QoS 0 has DUP set", "MQTT-3.3.1-2", Kind.MALFORMED),
    TOPIC_NAME_WILDCARD("topic name contains a wildcard character", "MQTT-3.3.2-2", Kind.MALFORMED),
    TOPIC_NAME_EMPTY("topic name is empty", "MQTT-4.7.3-1", Kind.MALFORMED),
    SUBSCRIBE_EMPTY("SUBSCRIBE has no topic filter", "MQTT-3.8.3-3", Kind.PROTOCOL_ERROR),
    UNSUBSCRIBE_EMPTY("UNSUBSCRIBE has no topic filter", "MQTT-3.10.3-2", Kind.PROTOCOL_ERROR),
    SUBSCRIPTION_OPTIONS_RESERVED("reserved bits of the subscription options are set", "MQTT-3.8.3-4", Kind.MALFORMED),
    SUBSCRIPTION_QOS_3("requested QoS is 3", "MQTT-3.8.3-4", Kind.MALFORMED),
    RETAIN_HANDLING_3("retain handling is 3", "MQTT-3.8.3-5", Kind.PROTOCOL_ERROR),
    PROTOCOL_NAME_INVALID("protocol name is not MQTT or MQIsdp", "MQTT-3.1.2-1", Kind.MALFORMED),
    PROTOCOL_LEVEL_UNSUPPORTED("protocol level is not 3, 4 or 5", "MQTT-3.1.2-2", Kind.UNSUPPORTED_VERSION),
    CONNECT_RESERVED_FLAG("reserved flag of CONNECT is set", "MQTT-3.1.2-3", Kind.MALFORMED),
    WILL_FLAGS_WITHOUT_WILL("will QoS or will retain set without the will flag", "MQTT-3.1.2-11", Kind.MALFORMED),
    WILL_QOS_3("will QoS is 3", "MQTT-3.1.2-14", Kind.MALFORMED),
    PASSWORD_WITHOUT_USERNAME("password flag set without the user name flag", "MQTT-3.1.2-22", Kind.MALFORMED),
    CONNACK_RESERVED_FLAGS("reserved bits of the CONNACK acknowledge flags are set", "MQTT-3.2.2-1", Kind.MALFORMED),
    PROPERTY_UNKNOWN("property identifier is not defined", "MQTT-2.2.2", Kind.MALFORMED),
    PROPERTY_NOT_ALLOWED("property is not allowed in this packet", "MQTT-2.2.2", Kind.PROTOCOL_ERROR),
    PROPERTY_REPEATED("property appears more than once", "MQTT-2.2.2", Kind.PROTOCOL_ERROR),
    PROPERTY_VALUE_INVALID("property value is out of range", "MQTT-2.2.2", Kind.PROTOCOL_ERROR),
    TOPIC_ALIAS_ZERO("topic alias is 0", "MQTT-3.3.2-8", Kind.TOPIC_ALIAS_INVALID),
    AUTHENTICATION_DATA_WITHOUT_METHOD("authentication data without an authentication method", "MQTT-3.1.2",
            Kind.PROTOCOL_ERROR),
    REASON_CODE_INVALID("reason code is not defined for this packet", "MQTT-2.4", Kind.MALFORMED);

    /** How a violation is reported to an MQTT 5.0 peer. */
    public enum Kind {
        /** Reason code 0x81. */
        MALFORMED(ReasonCodes.MALFORMED_PACKET),
        /** Reason code 0x82. */
        PROTOCOL_ERROR(ReasonCodes.PROTOCOL_ERROR),
        /** Reason code 0x95. */
        TOO_LARGE(ReasonCodes.PACKET_TOO_LARGE),
        /** Reason code 0x94. */
        TOPIC_ALIAS_INVALID(ReasonCodes.TOPIC_ALIAS_INVALID),
        /** CONNACK 0x01 (3.x) or 0x84 (5.0). */
        UNSUPPORTED_VERSION(ReasonCodes.UNSUPPORTED_PROTOCOL_VERSION);

        private final int reasonCode;

        Kind(int reasonCode) {
            this.reasonCode = reasonCode;
        }

        /** The MQTT 5.0 reason code. */
        public int reasonCode() {
            return reasonCode;
        }
    }

    private final String description;
    private final String specReference;
    private final Kind kind;

    Violation(String description, String specReference, Kind kind) {
        this.description = description;
        this.specReference = specReference;
        this.kind = kind;
    }

    /** What is wrong, in words. */
    public String description() {
        return description;
    }

    /** The normative statement or section the rule comes from, e.g. {@code MQTT-3.3.1-4}. */
    public String specReference() {
        return specReference;
    }

    /** How the violation is reported. */
    public Kind kind() {
        return kind;
    }
}
