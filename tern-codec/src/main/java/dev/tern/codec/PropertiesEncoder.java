package dev.tern.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.List;

/** Computes the size of and writes MQTT 5.0 property blocks, in identifier order. */
final class PropertiesEncoder {
    private PropertiesEncoder() {}

    /** Size of the property values, without the length prefix. */
    static int contentSize(MqttProperties p) {
        if (p == MqttProperties.EMPTY) {
            return 0;
        }
        int size = 0;
        size += p.payloadFormatIndicator() == null ? 0 : 2;
        size += p.messageExpiryInterval() == null ? 0 : 5;
        size += stringSize(p.contentType());
        size += stringSize(p.responseTopic());
        size += binarySize(p.rawCorrelationData());
        // Indexed loops: no iterator per packet on the publish path.
        List<Integer> ids = p.subscriptionIdentifiers();
        for (int k = 0; k < ids.size(); k++) {
            size += 1 + VarInt.size(ids.get(k));
        }
        size += p.sessionExpiryInterval() == null ? 0 : 5;
        size += stringSize(p.assignedClientIdentifier());
        size += p.serverKeepAlive() == null ? 0 : 3;
        size += stringSize(p.authenticationMethod());
        size += binarySize(p.rawAuthenticationData());
        size += p.requestProblemInformation() == null ? 0 : 2;
        size += p.willDelayInterval() == null ? 0 : 5;
        size += p.requestResponseInformation() == null ? 0 : 2;
        size += stringSize(p.responseInformation());
        size += stringSize(p.serverReference());
        size += stringSize(p.reasonString());
        size += p.receiveMaximum() == null ? 0 : 3;
        size += p.topicAliasMaximum() == null ? 0 : 3;
        size += p.topicAlias() == null ? 0 : 3;
        size += p.maximumQos() == null ? 0 : 2;
        size += p.retainAvailable() == null ? 0 : 2;
        List<UserProperty> user = p.userProperties();
        for (int k = 0; k < user.size(); k++) {
            UserProperty up = user.get(k);
            size += 1 + Wire.stringSize(up.name()) + Wire.stringSize(up.value());
        }
        size += p.maximumPacketSize() == null ? 0 : 5;
        size += p.wildcardSubscriptionAvailable() == null ? 0 : 2;
        size += p.subscriptionIdentifierAvailable() == null ? 0 : 2;
        size += p.sharedSubscriptionAvailable() == null ? 0 : 2;
        return size;
    }

    /** Size of the whole block: length prefix and values. */
    static int blockSize(int contentSize) {
        return VarInt.size(contentSize) + contentSize;
    }

    private static int stringSize(String s) {
        return s == null ? 0 : 1 + Wire.stringSize(s);
    }

    private static int binarySize(byte[] b) {
        return b == null ? 0 : 1 + Wire.binarySize(b);
    }

    static void write(ByteBuf out, MqttProperties p, int contentSize) {
        VarInt.write(out, contentSize);
        if (contentSize == 0) {
            return;
        }
        byteProp(out, PropertyId.PAYLOAD_FORMAT_INDICATOR, p.payloadFormatIndicator());
        intProp(out, PropertyId.MESSAGE_EXPIRY_INTERVAL, p.messageExpiryInterval());
        stringProp(out, PropertyId.CONTENT_TYPE, p.contentType());
        stringProp(out, PropertyId.RESPONSE_TOPIC, p.responseTopic());
        binaryProp(out, PropertyId.CORRELATION_DATA, p.rawCorrelationData());
        List<Integer> ids = p.subscriptionIdentifiers();
        for (int k = 0; k < ids.size(); k++) {
            out.writeByte(PropertyId.SUBSCRIPTION_IDENTIFIER.id());
            VarInt.write(out, ids.get(k));
        }
        intProp(out, PropertyId.SESSION_EXPIRY_INTERVAL, p.sessionExpiryInterval());
        stringProp(out, PropertyId.ASSIGNED_CLIENT_IDENTIFIER, p.assignedClientIdentifier());
        shortProp(out, PropertyId.SERVER_KEEP_ALIVE, p.serverKeepAlive());
        stringProp(out, PropertyId.AUTHENTICATION_METHOD, p.authenticationMethod());
        binaryProp(out, PropertyId.AUTHENTICATION_DATA, p.rawAuthenticationData());
        byteProp(out, PropertyId.REQUEST_PROBLEM_INFORMATION, p.requestProblemInformation());
        intProp(out, PropertyId.WILL_DELAY_INTERVAL, p.willDelayInterval());
        byteProp(out, PropertyId.REQUEST_RESPONSE_INFORMATION, p.requestResponseInformation());
        stringProp(out, PropertyId.RESPONSE_INFORMATION, p.responseInformation());
        stringProp(out, PropertyId.SERVER_REFERENCE, p.serverReference());
        stringProp(out, PropertyId.REASON_STRING, p.reasonString());
        shortProp(out, PropertyId.RECEIVE_MAXIMUM, p.receiveMaximum());
        shortProp(out, PropertyId.TOPIC_ALIAS_MAXIMUM, p.topicAliasMaximum());
        shortProp(out, PropertyId.TOPIC_ALIAS, p.topicAlias());
        byteProp(out, PropertyId.MAXIMUM_QOS, p.maximumQos());
        byteProp(out, PropertyId.RETAIN_AVAILABLE, p.retainAvailable());
        List<UserProperty> user = p.userProperties();
        for (int k = 0; k < user.size(); k++) {
            UserProperty up = user.get(k);
            out.writeByte(PropertyId.USER_PROPERTY.id());
            Wire.writeString(out, up.name());
            Wire.writeString(out, up.value());
        }
        intProp(out, PropertyId.MAXIMUM_PACKET_SIZE, p.maximumPacketSize());
        byteProp(out, PropertyId.WILDCARD_SUBSCRIPTION_AVAILABLE, p.wildcardSubscriptionAvailable());
        byteProp(out, PropertyId.SUBSCRIPTION_IDENTIFIER_AVAILABLE, p.subscriptionIdentifierAvailable());
        byteProp(out, PropertyId.SHARED_SUBSCRIPTION_AVAILABLE, p.sharedSubscriptionAvailable());
    }

    private static void byteProp(ByteBuf out, PropertyId id, Integer v) {
        if (v != null) {
            out.writeByte(id.id());
            out.writeByte(v);
        }
    }

    private static void shortProp(ByteBuf out, PropertyId id, Integer v) {
        if (v != null) {
            out.writeByte(id.id());
            out.writeShort(v);
        }
    }

    private static void intProp(ByteBuf out, PropertyId id, Long v) {
        if (v != null) {
            out.writeByte(id.id());
            out.writeInt((int) (long) v);
        }
    }

    private static void stringProp(ByteBuf out, PropertyId id, String v) {
        if (v != null) {
            out.writeByte(id.id());
            Wire.writeString(out, v);
        }
    }

    private static void binaryProp(ByteBuf out, PropertyId id, byte[] v) {
        if (v != null) {
            out.writeByte(id.id());
            Wire.writeBinary(out, v);
        }
    }

    static int utf8Length(String s) {
        return ByteBufUtil.utf8Bytes(s);
    }
}
