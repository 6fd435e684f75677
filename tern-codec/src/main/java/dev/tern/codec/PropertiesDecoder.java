package dev.tern.codec;

/** Reads and validates an MQTT 5.0 property block (section 2.2.2). */
final class PropertiesDecoder {
    private PropertiesDecoder() {}

    // Field labels for errors, made once rather than per property read.
    private static final String USER_PROPERTY_NAME = PropertyId.USER_PROPERTY.name() + " name";
    private static final String USER_PROPERTY_VALUE = PropertyId.USER_PROPERTY.name() + " value";

    /**
     * Reads a property block.
     *
     * @param will true for the will properties of CONNECT
     */
    static MqttProperties read(BodyReader r, boolean will) {
        int length = r.varInt("property length");
        if (length > r.remaining()) {
            throw r.error(Violation.TRUNCATED, "property length " + length + " exceeds the packet");
        }
        if (length == 0) {
            return MqttProperties.EMPTY;
        }
        int end = r.buffer().readerIndex() + length;
        MqttProperties.Builder b = MqttProperties.builder();
        long seen = 0;
        while (r.buffer().readerIndex() < end) {
            int id = r.varInt("property identifier");
            PropertyId p = PropertyId.of(id);
            if (p == null) {
                throw r.error(Violation.PROPERTY_UNKNOWN, "0x" + Integer.toHexString(id));
            }
            boolean allowed = will ? p.allowedInWill() : p.allowedIn(r.type());
            if (!allowed) {
                throw r.error(Violation.PROPERTY_NOT_ALLOWED, p.name() + (will ? " in will properties" : ""));
            }
            long bit = 1L << p.id();
            if ((seen & bit) != 0 && !p.repeatable()) {
                throw r.error(Violation.PROPERTY_REPEATED, p.name());
            }
            seen |= bit;
            readValue(r, p, b);
            if (r.buffer().readerIndex() > end) {
                throw r.error(Violation.TRUNCATED, p.name() + " runs past the property block");
            }
        }
        if ((seen & (1L << PropertyId.AUTHENTICATION_DATA.id())) != 0
                && (seen & (1L << PropertyId.AUTHENTICATION_METHOD.id())) == 0) {
            throw r.error(Violation.AUTHENTICATION_DATA_WITHOUT_METHOD, "");
        }
        return b.build();
    }

    private static void readValue(BodyReader r, PropertyId p, MqttProperties.Builder b) {
        String name = p.name();
        switch (p) {
            case PAYLOAD_FORMAT_INDICATOR -> b.payloadFormatIndicator(flag(r, p));
            case MESSAGE_EXPIRY_INTERVAL -> b.messageExpiryInterval(r.u32(name));
            case CONTENT_TYPE -> b.contentType(r.utf8(name));
            case RESPONSE_TOPIC -> {
                String topic = r.utf8(name);
                if (topic.isEmpty() || Topics.hasWildcard(topic)) {
                    throw r.error(Violation.PROPERTY_VALUE_INVALID, name + " must be a topic name");
                }
                b.responseTopic(topic);
            }
            case CORRELATION_DATA -> b.correlationData(r.binary(name));
            case SUBSCRIPTION_IDENTIFIER -> {
                int v = r.varInt(name);
                if (v == 0) {
                    throw r.error(Violation.PROPERTY_VALUE_INVALID, name + " is 0");
                }
                b.addSubscriptionIdentifier(v);
            }
            case SESSION_EXPIRY_INTERVAL -> b.sessionExpiryInterval(r.u32(name));
            case ASSIGNED_CLIENT_IDENTIFIER -> b.assignedClientIdentifier(r.utf8(name));
            case SERVER_KEEP_ALIVE -> b.serverKeepAlive(r.u16(name));
            case AUTHENTICATION_METHOD -> b.authenticationMethod(r.utf8(name));
            case AUTHENTICATION_DATA -> b.authenticationData(r.binary(name));
            case REQUEST_PROBLEM_INFORMATION -> b.requestProblemInformation(flag(r, p));
            case WILL_DELAY_INTERVAL -> b.willDelayInterval(r.u32(name));
            case REQUEST_RESPONSE_INFORMATION -> b.requestResponseInformation(flag(r, p));
            case RESPONSE_INFORMATION -> b.responseInformation(r.utf8(name));
            case SERVER_REFERENCE -> b.serverReference(r.utf8(name));
            case REASON_STRING -> b.reasonString(r.utf8(name));
            case RECEIVE_MAXIMUM -> b.receiveMaximum(nonZero(r, p, r.u16(name)));
            case TOPIC_ALIAS_MAXIMUM -> b.topicAliasMaximum(r.u16(name));
            case TOPIC_ALIAS -> {
                int v = r.u16(name);
                if (v == 0) {
                    throw r.error(Violation.TOPIC_ALIAS_ZERO, ""); // DISCONNECT 0x94, not 0x82
                }
                b.topicAlias(v);
            }
            case MAXIMUM_QOS -> b.maximumQos(flag(r, p));
            case RETAIN_AVAILABLE -> b.retainAvailable(flag(r, p));
            case USER_PROPERTY -> b.addUserProperty(r.utf8(USER_PROPERTY_NAME), r.utf8(USER_PROPERTY_VALUE));
            case MAXIMUM_PACKET_SIZE -> {
                long v = r.u32(name);
                if (v == 0) {
                    throw r.error(Violation.PROPERTY_VALUE_INVALID, name + " is 0");
                }
                b.maximumPacketSize(v);
            }
            case WILDCARD_SUBSCRIPTION_AVAILABLE -> b.wildcardSubscriptionAvailable(flag(r, p));
            case SUBSCRIPTION_IDENTIFIER_AVAILABLE -> b.subscriptionIdentifierAvailable(flag(r, p));
            case SHARED_SUBSCRIPTION_AVAILABLE -> b.sharedSubscriptionAvailable(flag(r, p));
        }
    }

    private static int flag(BodyReader r, PropertyId p) {
        int v = r.u8(p.name());
        if (v > 1) {
            throw r.error(Violation.PROPERTY_VALUE_INVALID, p.name() + " must be 0 or 1, was " + v);
        }
        return v;
    }

    private static int nonZero(BodyReader r, PropertyId p, int v) {
        if (v == 0) {
            throw r.error(Violation.PROPERTY_VALUE_INVALID, p.name() + " is 0");
        }
        return v;
    }
}
