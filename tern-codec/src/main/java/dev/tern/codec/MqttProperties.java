package dev.tern.codec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The MQTT 5.0 properties of one packet, typed: every property has its own accessor, and an absent
 * property is {@code null} (or an empty list for the repeatable ones). Immutable; build one with
 * {@link #builder()}. MQTT 3.x packets carry {@link #EMPTY}.
 */
public final class MqttProperties {
    /** No properties at all. */
    public static final MqttProperties EMPTY = new Builder().build();

    private final @Nullable Integer payloadFormatIndicator;
    private final @Nullable Long messageExpiryInterval;
    private final @Nullable String contentType;
    private final @Nullable String responseTopic;
    private final byte @Nullable [] correlationData;
    private final List<Integer> subscriptionIdentifiers;
    private final @Nullable Long sessionExpiryInterval;
    private final @Nullable String assignedClientIdentifier;
    private final @Nullable Integer serverKeepAlive;
    private final @Nullable String authenticationMethod;
    private final byte @Nullable [] authenticationData;
    private final @Nullable Integer requestProblemInformation;
    private final @Nullable Long willDelayInterval;
    private final @Nullable Integer requestResponseInformation;
    private final @Nullable String responseInformation;
    private final @Nullable String serverReference;
    private final @Nullable String reasonString;
    private final @Nullable Integer receiveMaximum;
    private final @Nullable Integer topicAliasMaximum;
    private final @Nullable Integer topicAlias;
    private final @Nullable Integer maximumQos;
    private final @Nullable Integer retainAvailable;
    private final List<UserProperty> userProperties;
    private final @Nullable Long maximumPacketSize;
    private final @Nullable Integer wildcardSubscriptionAvailable;
    private final @Nullable Integer subscriptionIdentifierAvailable;
    private final @Nullable Integer sharedSubscriptionAvailable;

    private MqttProperties(Builder b) {
        payloadFormatIndicator = b.payloadFormatIndicator;
        messageExpiryInterval = b.messageExpiryInterval;
        contentType = b.contentType;
        responseTopic = b.responseTopic;
        correlationData = b.correlationData;
        subscriptionIdentifiers = immutable(b.subscriptionIdentifiers);
        sessionExpiryInterval = b.sessionExpiryInterval;
        assignedClientIdentifier = b.assignedClientIdentifier;
        serverKeepAlive = b.serverKeepAlive;
        authenticationMethod = b.authenticationMethod;
        authenticationData = b.authenticationData;
        requestProblemInformation = b.requestProblemInformation;
        willDelayInterval = b.willDelayInterval;
        requestResponseInformation = b.requestResponseInformation;
        responseInformation = b.responseInformation;
        serverReference = b.serverReference;
        reasonString = b.reasonString;
        receiveMaximum = b.receiveMaximum;
        topicAliasMaximum = b.topicAliasMaximum;
        topicAlias = b.topicAlias;
        maximumQos = b.maximumQos;
        retainAvailable = b.retainAvailable;
        userProperties = immutable(b.userProperties);
        maximumPacketSize = b.maximumPacketSize;
        wildcardSubscriptionAvailable = b.wildcardSubscriptionAvailable;
        subscriptionIdentifierAvailable = b.subscriptionIdentifierAvailable;
        sharedSubscriptionAvailable = b.sharedSubscriptionAvailable;
    }

    /** An immutable copy; the one- and two-element cases skip the array that {@link List#copyOf} makes first. */
    private static <T> List<T> immutable(@Nullable List<T> list) {
        if (list == null) {
            return List.of();
        }
        return switch (list.size()) {
            case 0 -> List.of();
            case 1 -> List.of(list.get(0));
            case 2 -> List.of(list.get(0), list.get(1));
            default -> List.copyOf(list);
        };
    }

    /** A new, empty builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts with this object's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.payloadFormatIndicator = payloadFormatIndicator;
        b.messageExpiryInterval = messageExpiryInterval;
        b.contentType = contentType;
        b.responseTopic = responseTopic;
        b.correlationData = correlationData;
        if (!subscriptionIdentifiers.isEmpty()) {
            b.subscriptionIdentifiers = new ArrayList<>(subscriptionIdentifiers);
        }
        b.sessionExpiryInterval = sessionExpiryInterval;
        b.assignedClientIdentifier = assignedClientIdentifier;
        b.serverKeepAlive = serverKeepAlive;
        b.authenticationMethod = authenticationMethod;
        b.authenticationData = authenticationData;
        b.requestProblemInformation = requestProblemInformation;
        b.willDelayInterval = willDelayInterval;
        b.requestResponseInformation = requestResponseInformation;
        b.responseInformation = responseInformation;
        b.serverReference = serverReference;
        b.reasonString = reasonString;
        b.receiveMaximum = receiveMaximum;
        b.topicAliasMaximum = topicAliasMaximum;
        b.topicAlias = topicAlias;
        b.maximumQos = maximumQos;
        b.retainAvailable = retainAvailable;
        if (!userProperties.isEmpty()) {
            b.userProperties = new ArrayList<>(userProperties);
        }
        b.maximumPacketSize = maximumPacketSize;
        b.wildcardSubscriptionAvailable = wildcardSubscriptionAvailable;
        b.subscriptionIdentifierAvailable = subscriptionIdentifierAvailable;
        b.sharedSubscriptionAvailable = sharedSubscriptionAvailable;
        return b;
    }

    /** True if no property is set. */
    public boolean isEmpty() {
        return this.equals(EMPTY);
    }

    /** Payload Format Indicator (0x01): 0 unspecified bytes, 1 UTF-8. */
    public @Nullable Integer payloadFormatIndicator() { return payloadFormatIndicator; }
    /** Message Expiry Interval (0x02) in seconds, 0..4294967295. */
    public @Nullable Long messageExpiryInterval() { return messageExpiryInterval; }
    /** Content Type (0x03). */
    public @Nullable String contentType() { return contentType; }
    /** Response Topic (0x08). */
    public @Nullable String responseTopic() { return responseTopic; }
    /** Correlation Data (0x09); a copy. */
    public byte @Nullable [] correlationData() { return correlationData == null ? null : correlationData.clone(); }
    /** Subscription Identifiers (0x0B), in order; empty if none. */
    public List<Integer> subscriptionIdentifiers() { return subscriptionIdentifiers; }
    /** Session Expiry Interval (0x11) in seconds. */
    public @Nullable Long sessionExpiryInterval() { return sessionExpiryInterval; }
    /** Assigned Client Identifier (0x12). */
    public @Nullable String assignedClientIdentifier() { return assignedClientIdentifier; }
    /** Server Keep Alive (0x13) in seconds. */
    public @Nullable Integer serverKeepAlive() { return serverKeepAlive; }
    /** Authentication Method (0x15). */
    public @Nullable String authenticationMethod() { return authenticationMethod; }
    /** Authentication Data (0x16); a copy. */
    public byte @Nullable [] authenticationData() { return authenticationData == null ? null : authenticationData.clone(); }
    /** Request Problem Information (0x17): 0 or 1. */
    public @Nullable Integer requestProblemInformation() { return requestProblemInformation; }
    /** Will Delay Interval (0x18) in seconds. */
    public @Nullable Long willDelayInterval() { return willDelayInterval; }
    /** Request Response Information (0x19): 0 or 1. */
    public @Nullable Integer requestResponseInformation() { return requestResponseInformation; }
    /** Response Information (0x1A). */
    public @Nullable String responseInformation() { return responseInformation; }
    /** Server Reference (0x1C). */
    public @Nullable String serverReference() { return serverReference; }
    /** Reason String (0x1F). */
    public @Nullable String reasonString() { return reasonString; }
    /** Receive Maximum (0x21), 1..65535. */
    public @Nullable Integer receiveMaximum() { return receiveMaximum; }
    /** Topic Alias Maximum (0x22), 0..65535. */
    public @Nullable Integer topicAliasMaximum() { return topicAliasMaximum; }
    /** Topic Alias (0x23), 1..65535. */
    public @Nullable Integer topicAlias() { return topicAlias; }
    /** Maximum QoS (0x24): 0 or 1. */
    public @Nullable Integer maximumQos() { return maximumQos; }
    /** Retain Available (0x25): 0 or 1. */
    public @Nullable Integer retainAvailable() { return retainAvailable; }
    /** User Properties (0x26), in order; empty if none. */
    public List<UserProperty> userProperties() { return userProperties; }
    /** Maximum Packet Size (0x27), 1..4294967295. */
    public @Nullable Long maximumPacketSize() { return maximumPacketSize; }
    /** Wildcard Subscription Available (0x28): 0 or 1. */
    public @Nullable Integer wildcardSubscriptionAvailable() { return wildcardSubscriptionAvailable; }
    /** Subscription Identifier Available (0x29): 0 or 1. */
    public @Nullable Integer subscriptionIdentifierAvailable() { return subscriptionIdentifierAvailable; }
    /** Shared Subscription Available (0x2A): 0 or 1. */
    public @Nullable Integer sharedSubscriptionAvailable() { return sharedSubscriptionAvailable; }

    // Package-private raw access for the encoder, without defensive copies.
    byte @Nullable [] rawCorrelationData() { return correlationData; }
    byte @Nullable [] rawAuthenticationData() { return authenticationData; }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof MqttProperties p)) {
            return false;
        }
        return Objects.equals(payloadFormatIndicator, p.payloadFormatIndicator)
                && Objects.equals(messageExpiryInterval, p.messageExpiryInterval)
                && Objects.equals(contentType, p.contentType)
                && Objects.equals(responseTopic, p.responseTopic)
                && Arrays.equals(correlationData, p.correlationData)
                && subscriptionIdentifiers.equals(p.subscriptionIdentifiers)
                && Objects.equals(sessionExpiryInterval, p.sessionExpiryInterval)
                && Objects.equals(assignedClientIdentifier, p.assignedClientIdentifier)
                && Objects.equals(serverKeepAlive, p.serverKeepAlive)
                && Objects.equals(authenticationMethod, p.authenticationMethod)
                && Arrays.equals(authenticationData, p.authenticationData)
                && Objects.equals(requestProblemInformation, p.requestProblemInformation)
                && Objects.equals(willDelayInterval, p.willDelayInterval)
                && Objects.equals(requestResponseInformation, p.requestResponseInformation)
                && Objects.equals(responseInformation, p.responseInformation)
                && Objects.equals(serverReference, p.serverReference)
                && Objects.equals(reasonString, p.reasonString)
                && Objects.equals(receiveMaximum, p.receiveMaximum)
                && Objects.equals(topicAliasMaximum, p.topicAliasMaximum)
                && Objects.equals(topicAlias, p.topicAlias)
                && Objects.equals(maximumQos, p.maximumQos)
                && Objects.equals(retainAvailable, p.retainAvailable)
                && userProperties.equals(p.userProperties)
                && Objects.equals(maximumPacketSize, p.maximumPacketSize)
                && Objects.equals(wildcardSubscriptionAvailable, p.wildcardSubscriptionAvailable)
                && Objects.equals(subscriptionIdentifierAvailable, p.subscriptionIdentifierAvailable)
                && Objects.equals(sharedSubscriptionAvailable, p.sharedSubscriptionAvailable);
    }

    @Override
    public int hashCode() {
        return Objects.hash(payloadFormatIndicator, messageExpiryInterval, contentType, responseTopic,
                Arrays.hashCode(correlationData), subscriptionIdentifiers, sessionExpiryInterval,
                assignedClientIdentifier, serverKeepAlive, authenticationMethod, Arrays.hashCode(authenticationData),
                requestProblemInformation, willDelayInterval, requestResponseInformation, responseInformation,
                serverReference, reasonString, receiveMaximum, topicAliasMaximum, topicAlias, maximumQos,
                retainAvailable, userProperties, maximumPacketSize, wildcardSubscriptionAvailable,
                subscriptionIdentifierAvailable, sharedSubscriptionAvailable);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("MqttProperties{");
        append(sb, "payloadFormatIndicator", payloadFormatIndicator);
        append(sb, "messageExpiryInterval", messageExpiryInterval);
        append(sb, "contentType", contentType);
        append(sb, "responseTopic", responseTopic);
        append(sb, "correlationData", correlationData == null ? null : correlationData.length + " bytes");
        append(sb, "subscriptionIdentifiers", subscriptionIdentifiers.isEmpty() ? null : subscriptionIdentifiers);
        append(sb, "sessionExpiryInterval", sessionExpiryInterval);
        append(sb, "assignedClientIdentifier", assignedClientIdentifier);
        append(sb, "serverKeepAlive", serverKeepAlive);
        append(sb, "authenticationMethod", authenticationMethod);
        append(sb, "authenticationData", authenticationData == null ? null : authenticationData.length + " bytes");
        append(sb, "requestProblemInformation", requestProblemInformation);
        append(sb, "willDelayInterval", willDelayInterval);
        append(sb, "requestResponseInformation", requestResponseInformation);
        append(sb, "responseInformation", responseInformation);
        append(sb, "serverReference", serverReference);
        append(sb, "reasonString", reasonString);
        append(sb, "receiveMaximum", receiveMaximum);
        append(sb, "topicAliasMaximum", topicAliasMaximum);
        append(sb, "topicAlias", topicAlias);
        append(sb, "maximumQos", maximumQos);
        append(sb, "retainAvailable", retainAvailable);
        append(sb, "userProperties", userProperties.isEmpty() ? null : userProperties);
        append(sb, "maximumPacketSize", maximumPacketSize);
        append(sb, "wildcardSubscriptionAvailable", wildcardSubscriptionAvailable);
        append(sb, "subscriptionIdentifierAvailable", subscriptionIdentifierAvailable);
        append(sb, "sharedSubscriptionAvailable", sharedSubscriptionAvailable);
        if (sb.charAt(sb.length() - 1) == ' ') {
            sb.setLength(sb.length() - 1);
        }
        return sb.append('}').toString();
    }

    private static void append(StringBuilder sb, String name, @Nullable Object value) {
        if (value != null) {
            sb.append(name).append('=').append(value).append(' ');
        }
    }

    /** Mutable builder of {@link MqttProperties}. */
    public static final class Builder {
        private @Nullable Integer payloadFormatIndicator;
        private @Nullable Long messageExpiryInterval;
        private @Nullable String contentType;
        private @Nullable String responseTopic;
        private byte @Nullable [] correlationData;
        // The two lists are made on first use: most packets carry neither.
        private @Nullable List<Integer> subscriptionIdentifiers;
        private @Nullable Long sessionExpiryInterval;
        private @Nullable String assignedClientIdentifier;
        private @Nullable Integer serverKeepAlive;
        private @Nullable String authenticationMethod;
        private byte @Nullable [] authenticationData;
        private @Nullable Integer requestProblemInformation;
        private @Nullable Long willDelayInterval;
        private @Nullable Integer requestResponseInformation;
        private @Nullable String responseInformation;
        private @Nullable String serverReference;
        private @Nullable String reasonString;
        private @Nullable Integer receiveMaximum;
        private @Nullable Integer topicAliasMaximum;
        private @Nullable Integer topicAlias;
        private @Nullable Integer maximumQos;
        private @Nullable Integer retainAvailable;
        private @Nullable List<UserProperty> userProperties;
        private @Nullable Long maximumPacketSize;
        private @Nullable Integer wildcardSubscriptionAvailable;
        private @Nullable Integer subscriptionIdentifierAvailable;
        private @Nullable Integer sharedSubscriptionAvailable;

        private Builder() {}

        public Builder payloadFormatIndicator(@Nullable Integer v) { payloadFormatIndicator = v; return this; }
        public Builder messageExpiryInterval(@Nullable Long v) { messageExpiryInterval = v; return this; }
        public Builder contentType(@Nullable String v) { contentType = v; return this; }
        public Builder responseTopic(@Nullable String v) { responseTopic = v; return this; }
        public Builder correlationData(byte @Nullable [] v) { correlationData = v == null ? null : v.clone(); return this; }
        public Builder addSubscriptionIdentifier(int v) {
            if (subscriptionIdentifiers == null) {
                subscriptionIdentifiers = new ArrayList<>(1);
            }
            subscriptionIdentifiers.add(v);
            return this;
        }
        public Builder clearSubscriptionIdentifiers() { subscriptionIdentifiers = null; return this; }
        public Builder sessionExpiryInterval(@Nullable Long v) { sessionExpiryInterval = v; return this; }
        public Builder assignedClientIdentifier(@Nullable String v) { assignedClientIdentifier = v; return this; }
        public Builder serverKeepAlive(@Nullable Integer v) { serverKeepAlive = v; return this; }
        public Builder authenticationMethod(@Nullable String v) { authenticationMethod = v; return this; }
        public Builder authenticationData(byte @Nullable [] v) { authenticationData = v == null ? null : v.clone(); return this; }
        public Builder requestProblemInformation(@Nullable Integer v) { requestProblemInformation = v; return this; }
        public Builder willDelayInterval(@Nullable Long v) { willDelayInterval = v; return this; }
        public Builder requestResponseInformation(@Nullable Integer v) { requestResponseInformation = v; return this; }
        public Builder responseInformation(@Nullable String v) { responseInformation = v; return this; }
        public Builder serverReference(@Nullable String v) { serverReference = v; return this; }
        public Builder reasonString(@Nullable String v) { reasonString = v; return this; }
        public Builder receiveMaximum(@Nullable Integer v) { receiveMaximum = v; return this; }
        public Builder topicAliasMaximum(@Nullable Integer v) { topicAliasMaximum = v; return this; }
        public Builder topicAlias(@Nullable Integer v) { topicAlias = v; return this; }
        public Builder maximumQos(@Nullable Integer v) { maximumQos = v; return this; }
        public Builder retainAvailable(@Nullable Integer v) { retainAvailable = v; return this; }
        public Builder addUserProperty(String name, String value) { return addUserProperty(new UserProperty(name, value)); }
        public Builder addUserProperty(UserProperty p) {
            if (userProperties == null) {
                userProperties = new ArrayList<>(2);
            }
            userProperties.add(p);
            return this;
        }
        public Builder clearUserProperties() { userProperties = null; return this; }
        public Builder maximumPacketSize(@Nullable Long v) { maximumPacketSize = v; return this; }
        public Builder wildcardSubscriptionAvailable(@Nullable Integer v) { wildcardSubscriptionAvailable = v; return this; }
        public Builder subscriptionIdentifierAvailable(@Nullable Integer v) { subscriptionIdentifierAvailable = v; return this; }
        public Builder sharedSubscriptionAvailable(@Nullable Integer v) { sharedSubscriptionAvailable = v; return this; }

        /**
         * The immutable properties.
         *
         * @throws IllegalArgumentException if a value is outside the range its wire type and the
         *                                  specification allow
         */
        public MqttProperties build() {
            flag("payloadFormatIndicator", payloadFormatIndicator);
            flag("requestProblemInformation", requestProblemInformation);
            flag("requestResponseInformation", requestResponseInformation);
            flag("maximumQos", maximumQos);
            flag("retainAvailable", retainAvailable);
            flag("wildcardSubscriptionAvailable", wildcardSubscriptionAvailable);
            flag("subscriptionIdentifierAvailable", subscriptionIdentifierAvailable);
            flag("sharedSubscriptionAvailable", sharedSubscriptionAvailable);
            range("messageExpiryInterval", messageExpiryInterval, 0, 0xFFFF_FFFFL);
            range("sessionExpiryInterval", sessionExpiryInterval, 0, 0xFFFF_FFFFL);
            range("willDelayInterval", willDelayInterval, 0, 0xFFFF_FFFFL);
            range("maximumPacketSize", maximumPacketSize, 1, 0xFFFF_FFFFL);
            range("serverKeepAlive", serverKeepAlive, 0, 0xFFFF);
            range("topicAliasMaximum", topicAliasMaximum, 0, 0xFFFF);
            range("receiveMaximum", receiveMaximum, 1, 0xFFFF);
            range("topicAlias", topicAlias, 1, 0xFFFF);
            if (subscriptionIdentifiers != null) {
                for (int id : subscriptionIdentifiers) {
                    range("subscriptionIdentifier", (long) id, 1, 268_435_455);
                }
            }
            return new MqttProperties(this);
        }

        private static void flag(String name, @Nullable Integer v) {
            range(name, v, 0, 1);
        }

        private static void range(String name, @Nullable Number v, long min, long max) {
            if (v != null && (v.longValue() < min || v.longValue() > max)) {
                throw new IllegalArgumentException(name + " must be " + min + ".." + max + ", was " + v);
            }
        }
    }
}
