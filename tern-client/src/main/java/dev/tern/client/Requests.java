package dev.tern.client;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.Topics;
import dev.tern.codec.packet.SubAck;
import dev.tern.codec.packet.Subscribe;
import dev.tern.codec.packet.TopicSubscription;
import dev.tern.codec.packet.UnsubAck;
import dev.tern.codec.packet.Unsubscribe;
import io.netty.channel.Channel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SUBSCRIBE and UNSUBSCRIBE requests: those waiting for a connection, those sent and waiting for
 * SUBACK/UNSUBACK (by packet id), the checks against the server's subscription features, and the
 * re-subscription when a server lost the session. Requests in flight when a connection is lost are
 * sent again on the next one.
 */
// event loop only
final class Requests {
    private static final Logger LOG = LoggerFactory.getLogger(Requests.class);

    private final MqttVersion version;
    private final PacketIds ids;
    private final Subscriptions subscriptions;
    private final OutboundFlows.Wire wire;
    private final ArrayDeque<PendingRequest> waiting = new ArrayDeque<>();
    private final Map<Integer, PendingRequest> sent = new LinkedHashMap<>();
    private int nextSubscriptionId = 1;
    private boolean wildcardAvailable = true;
    private final boolean ownIdentifiers;
    private boolean subscriptionIdsAvailable = true;
    private boolean sharedAvailable = true;

    Requests(MqttVersion version, boolean ownIdentifiers, PacketIds ids, Subscriptions subscriptions,
             OutboundFlows.Wire wire) {
        this.version = version;
        this.ownIdentifiers = ownIdentifiers;
        this.ids = ids;
        this.subscriptions = subscriptions;
        this.wire = wire;
    }

    /** The CONNACK's subscription features. */
    void serverLimits(MqttProperties p) {
        wildcardAvailable = p.wildcardSubscriptionAvailable() == null || p.wildcardSubscriptionAvailable() == 1;
        subscriptionIdsAvailable = p.subscriptionIdentifierAvailable() == null
                || p.subscriptionIdentifierAvailable() == 1;
        sharedAvailable = p.sharedSubscriptionAvailable() == null || p.sharedSubscriptionAvailable() == 1;
    }

    /** Why the connected server cannot take this SUBSCRIBE, or null. */
    @Nullable String check(List<Subscription> subs, MqttProperties properties, boolean connected) {
        if (subs.isEmpty()) {
            return "SUBSCRIBE needs at least one topic filter [MQTT-3.8.3-3]";
        }
        if (connected) {
            for (Subscription s : subs) {
                if (!wildcardAvailable && Topics.isWildcardFilter(s.matchFilter())) {
                    return "the server does not support wildcard subscriptions";
                }
                if (!sharedAvailable && Subscription.isShared(s.filter())) {
                    return "the server does not support shared subscriptions";
                }
            }
            if (!subscriptionIdsAvailable && !properties.subscriptionIdentifiers().isEmpty()) {
                return "the server does not support subscription identifiers";
            }
        }
        return null;
    }

    /**
     * MQTT 5: the properties with a Subscription Identifier of our own if they have none, so that
     * messages can be routed to exactly the handlers of the subscriptions they are for.
     */
    MqttProperties withOwnIdentifier(MqttProperties properties, boolean connected) {
        if (!version.isV5() || !ownIdentifiers || !properties.subscriptionIdentifiers().isEmpty()
                || (connected && !subscriptionIdsAvailable)) {
            return properties;
        }
        MqttProperties p = properties.toBuilder().addSubscriptionIdentifier(nextSubscriptionId).build();
        nextSubscriptionId = nextSubscriptionId == 268_435_455 ? 1 : nextSubscriptionId + 1;
        return p;
    }

    /** Keeps a request for the next connection. */
    void waitForConnection(PendingRequest r) {
        waiting.add(r);
    }

    /** Sends what waited for the connection. */
    void sendWaiting(Channel ch) {
        while (!waiting.isEmpty()) {
            send(ch, waiting.poll());
        }
    }

    /** The server lost the session: subscribe again, one SUBSCRIBE per distinct property set. */
    void resubscribe(Channel ch) {
        for (var g : subscriptions.groups().entrySet()) {
            send(ch, PendingRequest.subscribe(g.getValue(), g.getKey(), null, null, true));
        }
    }

    void send(Channel ch, PendingRequest r) {
        int id = ids.allocate();
        if (id == 0) {
            r.fail(new MqttClientException("all 65535 packet identifiers are in use"));
            return;
        }
        r.packetId = id;
        sent.put(id, r);
        if (r.isSubscribe()) {
            List<TopicSubscription> ts = new ArrayList<>(r.subscriptions.size());
            for (Subscription s : r.subscriptions) {
                ts.add(new TopicSubscription(s.filter(), s.qos(), s.noLocal(), s.retainAsPublished(),
                        s.retainHandling().value()));
            }
            MqttProperties props = !version.isV5() ? MqttProperties.EMPTY
                    : subscriptionIdsAvailable ? r.properties
                    : r.properties.toBuilder().clearSubscriptionIdentifiers().build();
            wire.write(ch, new Subscribe(id, ts, props));
        } else {
            wire.write(ch, new Unsubscribe(id, r.unsubscribe, version.isV5() ? r.properties : MqttProperties.EMPTY));
        }
    }

    void onSubAck(SubAck s) {
        PendingRequest r = sent.remove(s.packetId());
        if (r == null || !r.isSubscribe()) {
            LOG.debug("SUBACK for unknown packet id {}", s.packetId());
            return;
        }
        ids.release(s.packetId());
        List<Integer> codes = s.reasonCodes();
        for (int i = 0; i < r.subscriptions.size(); i++) {
            int code = i < codes.size() ? codes.get(i) : ReasonCodes.UNSPECIFIED_ERROR;
            if (code >= 0x80) {
                if (!r.internal) {
                    subscriptions.refused(r.subscriptions.get(i));
                }
                if (r.internal) {
                    LOG.warn("Re-subscribing to {} failed: {}", r.subscriptions.get(i).filter(),
                            ReasonText.reason(code));
                }
            }
        }
        if (codes.size() != r.subscriptions.size()) {
            LOG.warn("SUBACK has {} codes for {} filters", codes.size(), r.subscriptions.size());
        }
        if (r.subscribed != null) {
            r.subscribed.complete(new SubscribeResult(r.subscriptions, codes, s.properties()));
        }
    }

    void onUnsubAck(UnsubAck u) {
        PendingRequest r = sent.remove(u.packetId());
        if (r == null || r.isSubscribe()) {
            LOG.debug("UNSUBACK for unknown packet id {}", u.packetId());
            return;
        }
        ids.release(u.packetId());
        for (String f : r.unsubscribe) {
            subscriptions.remove(f);
        }
        if (r.unsubscribed != null) {
            r.unsubscribed.complete(new UnsubscribeResult(r.unsubscribe, u.reasonCodes(), u.properties()));
        }
    }

    /** The client gave up or disconnected: waiting requests fail. */
    void failWaiting(MqttClientException error) {
        for (PendingRequest r : waiting) {
            r.fail(error);
        }
        waiting.clear();
    }

    /** The client disconnected: sent requests fail too. */
    void failSent(MqttClientException error) {
        for (PendingRequest r : sent.values()) {
            r.fail(error);
            ids.release(r.packetId);
        }
        sent.clear();
    }

    /** The connection was lost: requests without an answer go first on the next connection (re-subscriptions are made anew). */
    void connectionLost() {
        List<PendingRequest> again = new ArrayList<>(sent.values());
        sent.clear();
        for (int i = again.size() - 1; i >= 0; i--) {
            PendingRequest r = again.get(i);
            ids.release(r.packetId);
            r.packetId = 0;
            if (!r.internal) {
                waiting.addFirst(r);
            }
        }
    }
}
