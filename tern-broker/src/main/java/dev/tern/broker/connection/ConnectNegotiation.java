package dev.tern.broker.connection;

import dev.tern.broker.config.BrokerConfig;
import dev.tern.broker.config.Mqtt5Config;
import dev.tern.broker.session.ConnectRequest;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.packet.Connect;
import org.jspecify.annotations.Nullable;

/**
 * What an accepted CONNECT and the broker's settings agree on for one connection: keep-alive, the
 * session's expiry, the client's limits on what the broker sends, and the CONNACK properties that
 * announce the broker's own capabilities (MQTT 5.0 section 3.2.2.3).
 *
 * @param keepAlive            the keep-alive in force, in seconds (0 = none)
 * @param serverKeepAlive      the Server Keep Alive to announce, or null to keep the client's
 * @param requestedExpiry      the Session Expiry Interval the client asked for (3.x: 0 or never)
 * @param effectiveExpiry      the one in force, after {@code persistent_client_expiration}
 * @param clientReceiveMaximum how many QoS 1/2 PUBLISHes the client takes unacknowledged (MQTT-3.3.4-9)
 * @param outboundAliasMaximum how many Topic Aliases the broker may assign (MQTT-3.1.2-26, -27)
 */
record ConnectNegotiation(int keepAlive, @Nullable Integer serverKeepAlive, long requestedExpiry,
                          long effectiveExpiry, int clientReceiveMaximum, int outboundAliasMaximum) {

    static ConnectNegotiation of(Connect c, BrokerConfig config) {
        boolean v5 = c.version().isV5();
        int keepAlive = c.keepAliveSeconds();
        Integer serverKeepAlive = null;
        int maxKeepAlive = config.maxKeepalive();
        if (v5 && (keepAlive == 0 || keepAlive > maxKeepAlive)) {
            // Mosquitto's max_keepalive for MQTT 5.0: the client is told to use the maximum (MQTT-3.2.2-21).
            keepAlive = maxKeepAlive;
            serverKeepAlive = maxKeepAlive;
        }
        MqttProperties props = c.properties();
        long requested;
        if (v5) {
            Long expiry = props.sessionExpiryInterval();
            requested = expiry == null ? 0 : expiry;
        } else {
            requested = c.cleanStart() ? 0 : ConnectRequest.NEVER;
        }
        long effective = config.sessionSettings().effectiveExpiry(requested);
        Integer receiveMax = props.receiveMaximum();
        Integer aliasMax = props.topicAliasMaximum();
        int aliases = Math.min(aliasMax == null ? 0 : aliasMax, config.mqtt5().maxOutgoingTopicAlias());
        return new ConnectNegotiation(keepAlive, serverKeepAlive, requested, effective,
                receiveMax == null ? 65_535 : receiveMax, aliases);
    }

    /**
     * The MQTT 5.0 CONNACK properties of a successful connect: the broker's limits where they differ
     * from the defaults a client assumes, and what this client was given.
     *
     * @param connect          the CONNECT
     * @param clientId         the client id in force
     * @param assignedClientId the id the broker assigned, or null
     * @param authMethod       the enhanced authentication method used, or null (MQTT-4.12.0-5, -6)
     * @param authData         the method's final data for the client, or null
     */
    MqttProperties connAckProperties(BrokerConfig config, Connect connect, String clientId,
                                     @Nullable String assignedClientId, @Nullable String authMethod,
                                     byte @Nullable [] authData) {
        Mqtt5Config m5 = config.mqtt5();
        MqttProperties.Builder b = MqttProperties.builder().assignedClientIdentifier(assignedClientId);
        if (effectiveExpiry != requestedExpiry) {
            b.sessionExpiryInterval(effectiveExpiry); // persistent_client_expiration shortened it
        }
        if (config.receiveMaximum() < 65_535) {
            b.receiveMaximum(config.receiveMaximum());
        }
        if (config.maxQos() < 2) {
            b.maximumQos(config.maxQos());
        }
        if (!config.retainAvailable()) {
            b.retainAvailable(0);
        }
        if (config.maxPacketSize() > 0) {
            b.maximumPacketSize((long) config.effectiveMaxPacketSize());
        }
        if (m5.maxTopicAlias() > 0) {
            b.topicAliasMaximum(m5.maxTopicAlias());
        }
        if (!m5.wildcardSubscriptions()) {
            b.wildcardSubscriptionAvailable(0);
        }
        if (!m5.subscriptionIdentifiers()) {
            b.subscriptionIdentifierAvailable(0);
        }
        if (!m5.sharedSubscriptions()) {
            b.sharedSubscriptionAvailable(0);
        }
        b.serverKeepAlive(serverKeepAlive);
        if (Integer.valueOf(1).equals(connect.properties().requestResponseInformation())
                && !m5.responseInformationPrefix().isEmpty()) {
            b.responseInformation(m5.responseInformationPrefix() + clientId); // else none (MQTT-3.1.2-28)
        }
        if (authMethod != null) {
            b.authenticationMethod(authMethod);
            if (authData != null) {
                b.authenticationData(authData);
            }
        }
        return b.build();
    }
}
