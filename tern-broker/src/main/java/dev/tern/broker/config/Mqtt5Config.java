package dev.tern.broker.config;

import dev.tern.broker.routing.SharedSubscriptionStrategy;
import java.util.Objects;

/**
 * The settings of MQTT 5.0 features that have no MQTT 3.x counterpart. The 5.0 announcements that
 * derive from older options live with those: Receive Maximum is {@code max_inflight_messages},
 * Maximum Packet Size is {@code max_packet_size}, Server Keep Alive is {@code max_keepalive},
 * Maximum QoS is {@code max_qos}, Retain Available is {@code retain_available} (as in Mosquitto).
 *
 * @param maxTopicAlias               Topic Alias Maximum announced in CONNACK: aliases a client may
 *                                    define for its PUBLISHes (0 = none); Mosquitto's {@code max_topic_alias}
 * @param maxOutgoingTopicAlias       aliases the broker assigns per connection for the PUBLISHes it
 *                                    sends, never more than the client's Topic Alias Maximum (0 = none)
 * @param sharedSubscriptionStrategy  how a shared subscription group picks the member for a message
 * @param responseInformationPrefix   Response Information returned to a client that requests it is this
 *                                    prefix followed by its client id; empty = never returned
 * @param validatePayloadFormat       reject a PUBLISH or will whose Payload Format Indicator is 1 but whose
 *                                    payload is not valid UTF-8 (0x99)
 * @param wildcardSubscriptions       allow subscriptions with {@code +} or {@code #} (else SUBACK 0xA2)
 * @param subscriptionIdentifiers     allow Subscription Identifiers (else SUBACK 0xA1)
 * @param sharedSubscriptions         allow {@code $share/...} subscriptions (else SUBACK 0x9E)
 */
public record Mqtt5Config(int maxTopicAlias, int maxOutgoingTopicAlias,
                          SharedSubscriptionStrategy sharedSubscriptionStrategy, String responseInformationPrefix,
                          boolean validatePayloadFormat, boolean wildcardSubscriptions,
                          boolean subscriptionIdentifiers, boolean sharedSubscriptions) {

    /** Tern's defaults: Mosquitto's {@code max_topic_alias 10}, everything available. */
    public static final Mqtt5Config DEFAULT = new Mqtt5Config(10, 10, SharedSubscriptionStrategy.ROUND_ROBIN,
            "response/", true, true, true, true);

    public Mqtt5Config {
        if (maxTopicAlias < 0 || maxTopicAlias > 65_535 || maxOutgoingTopicAlias < 0
                || maxOutgoingTopicAlias > 65_535) {
            throw new IllegalArgumentException("topic alias maximums must be 0..65535");
        }
        Objects.requireNonNull(sharedSubscriptionStrategy, "sharedSubscriptionStrategy");
        Objects.requireNonNull(responseInformationPrefix, "responseInformationPrefix");
    }

    public Mqtt5Config withMaxTopicAlias(int v) {
        return new Mqtt5Config(v, maxOutgoingTopicAlias, sharedSubscriptionStrategy, responseInformationPrefix,
                validatePayloadFormat, wildcardSubscriptions, subscriptionIdentifiers, sharedSubscriptions);
    }

    public Mqtt5Config withMaxOutgoingTopicAlias(int v) {
        return new Mqtt5Config(maxTopicAlias, v, sharedSubscriptionStrategy, responseInformationPrefix,
                validatePayloadFormat, wildcardSubscriptions, subscriptionIdentifiers, sharedSubscriptions);
    }

    public Mqtt5Config withSharedSubscriptionStrategy(SharedSubscriptionStrategy v) {
        return new Mqtt5Config(maxTopicAlias, maxOutgoingTopicAlias, v, responseInformationPrefix,
                validatePayloadFormat, wildcardSubscriptions, subscriptionIdentifiers, sharedSubscriptions);
    }

    public Mqtt5Config withResponseInformationPrefix(String v) {
        return new Mqtt5Config(maxTopicAlias, maxOutgoingTopicAlias, sharedSubscriptionStrategy, v,
                validatePayloadFormat, wildcardSubscriptions, subscriptionIdentifiers, sharedSubscriptions);
    }

    public Mqtt5Config withValidatePayloadFormat(boolean v) {
        return new Mqtt5Config(maxTopicAlias, maxOutgoingTopicAlias, sharedSubscriptionStrategy,
                responseInformationPrefix, v, wildcardSubscriptions, subscriptionIdentifiers, sharedSubscriptions);
    }

    public Mqtt5Config withWildcardSubscriptions(boolean v) {
        return new Mqtt5Config(maxTopicAlias, maxOutgoingTopicAlias, sharedSubscriptionStrategy,
                responseInformationPrefix, validatePayloadFormat, v, subscriptionIdentifiers, sharedSubscriptions);
    }

    public Mqtt5Config withSubscriptionIdentifiers(boolean v) {
        return new Mqtt5Config(maxTopicAlias, maxOutgoingTopicAlias, sharedSubscriptionStrategy,
                responseInformationPrefix, validatePayloadFormat, wildcardSubscriptions, v, sharedSubscriptions);
    }

    public Mqtt5Config withSharedSubscriptions(boolean v) {
        return new Mqtt5Config(maxTopicAlias, maxOutgoingTopicAlias, sharedSubscriptionStrategy,
                responseInformationPrefix, validatePayloadFormat, wildcardSubscriptions, subscriptionIdentifiers, v);
    }
}
