package dev.tern.broker.connection;

import dev.tern.broker.config.BrokerConfig;
import dev.tern.broker.config.Mqtt5Config;
import dev.tern.broker.routing.Message;
import dev.tern.broker.routing.Router;
import dev.tern.broker.routing.SharedFilter;
import dev.tern.broker.routing.Subscription;
import dev.tern.broker.security.AclAccess;
import dev.tern.broker.session.Session;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.QoS;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.Topics;
import dev.tern.codec.packet.SubAck;
import dev.tern.codec.packet.Subscribe;
import dev.tern.codec.packet.TopicSubscription;
import dev.tern.codec.packet.UnsubAck;
import dev.tern.codec.packet.Unsubscribe;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SUBSCRIBE and UNSUBSCRIBE for one connection: validates filters, grants QoS, answers, and then
 * sends the retained messages the new subscriptions match as their Retain Handling says (MQTT
 * 3.1.1 section 3.8.4, MQTT 5.0 section 3.8.3.1). Shared subscriptions ({@code $share/...}) join their
 * group and get no retained messages. Event loop only.
 */
final class SubscriptionHandler {
    /** Mosquitto's log_type subscribe / unsubscribe lines. */
    private static final Logger SUBSCRIBE_LOG = LoggerFactory.getLogger("dev.tern.broker.subscribe");
    private static final Logger UNSUBSCRIBE_LOG = LoggerFactory.getLogger("dev.tern.broker.unsubscribe");

    private final MqttConnection connection;
    private final BrokerConfig config;
    private final Router router;

    SubscriptionHandler(MqttConnection connection, BrokerContext context) {
        this.connection = connection;
        this.config = context.config();
        this.router = context.router();
    }

    void onSubscribe(Subscribe subscribe, Session session) {
        boolean v5 = connection.writer().version().isV5();
        Mqtt5Config m5 = config.mqtt5();
        int n = subscribe.subscriptions().size();
        List<Integer> codes = new ArrayList<>(n);
        List<Subscription> granted = new ArrayList<>(n);
        List<Boolean> existed = new ArrayList<>(n);
        List<String> problems = new ArrayList<>(1);
        int subscriptionId = subscribe.properties().subscriptionIdentifiers().isEmpty() ? 0
                : subscribe.properties().subscriptionIdentifiers().get(0);
        for (TopicSubscription t : subscribe.subscriptions()) {
            String filter = t.filter();
            boolean shared = SharedFilter.isShared(filter);
            String invalid = shared ? SharedFilter.check(filter) : Topics.checkFilter(filter);
            if (invalid != null) {
                if (!v5) {
                    // MQTT 3.1.1 section 4.8: a protocol violation closes the connection (as Mosquitto does).
                    connection.protocolError("sent an invalid topic filter '" + filter + "': " + invalid,
                            ReasonCodes.TOPIC_FILTER_INVALID);
                    return;
                }
                refuse(codes, problems, ReasonCodes.TOPIC_FILTER_INVALID, filter, invalid);
                continue;
            }
            if (shared && t.noLocal()) {
                connection.protocolError("set No Local on the shared subscription '" + filter + "' [MQTT-3.8.3-4]",
                        ReasonCodes.PROTOCOL_ERROR);
                return;
            }
            int unavailable = unavailable(m5, filter, shared, subscriptionId);
            if (unavailable != 0) {
                refuse(codes, problems, v5 ? unavailable : ReasonCodes.V3_SUBACK_FAILURE, filter,
                        unavailableReason(unavailable));
                continue;
            }
            if (!connection.authorized(AclAccess.SUBSCRIBE, aclFilter(t.filter()))) {
                SUBSCRIBE_LOG.info("{} denied subscription to {}: not allowed by the ACL", connection.clientId(),
                        t.filter());
                codes.add(v5 ? ReasonCodes.NOT_AUTHORIZED : ReasonCodes.V3_SUBACK_FAILURE);
                continue;
            }
            QoS qos = QoS.min(t.qos(), QoS.of(config.maxQos()));
            Subscription s = new Subscription(session, filter, qos, t.noLocal(), t.retainAsPublished(),
                    t.retainHandling(), subscriptionId);
            existed.add(session.subscribe(s));
            granted.add(s);
            codes.add(qos.value());
            SUBSCRIBE_LOG.info("{} {} {}", connection.clientId(), qos.value(), filter);
        }
        MqttProperties props = problems.isEmpty() ? MqttProperties.EMPTY
                : MqttProperties.builder().reasonString(String.join("; ", problems)).build();
        CompletableFuture<Void> stored = session.storeSubscriptions(granted, List.of());
        Runnable answer = () -> {
            if (stored.isCompletedExceptionally()) {
                refuseUnstored(subscribe, session, granted, existed, codes, v5);
                return;
            }
            connection.writer().write(new SubAck(subscribe.packetId(), codes, props));
            for (int i = 0; i < granted.size(); i++) {
                sendRetained(session, granted.get(i), existed.get(i));
            }
        };
        if (stored.isDone()) {
            answer.run();
        } else {
            // A persistent session's subscription is granted once it is stored (it survives a crash).
            stored.whenComplete((v, e) -> connection.eventLoop().execute(() -> {
                answer.run();
                connection.writer().flush();
                session.sendQueued();
            }));
        }
    }

    /**
     * The store could not take the new subscriptions (disk full): they are refused (MQTT 5.0: 0x97
     * Quota exceeded; 3.x: 0x80) and taken back, unless they replaced one that existed.
     */
    private void refuseUnstored(Subscribe subscribe, Session session, List<Subscription> granted,
                                List<Boolean> existed, List<Integer> codes, boolean v5) {
        int failure = v5 ? ReasonCodes.QUOTA_EXCEEDED : ReasonCodes.V3_SUBACK_FAILURE;
        int g = 0;
        List<Integer> refused = new ArrayList<>(codes.size());
        for (int code : codes) {
            boolean grantedHere = code < 0x80 && g < granted.size();
            if (grantedHere) {
                if (!existed.get(g)) {
                    session.unsubscribe(granted.get(g).filter());
                }
                g++;
            }
            refused.add(grantedHere ? failure : code);
        }
        SUBSCRIBE_LOG.warn("{} refused subscription: the store cannot take it", connection.clientId());
        MqttProperties props = v5 ? MqttProperties.builder().reasonString("the broker cannot store the subscription now")
                .build() : MqttProperties.EMPTY;
        connection.writer().write(new SubAck(subscribe.packetId(), refused, props));
    }

    /** The 5.0 reason code if the broker is configured without a feature the filter needs, else 0. */
    private static int unavailable(Mqtt5Config m5, String filter, boolean shared, int subscriptionId) {
        if (shared && !m5.sharedSubscriptions()) {
            return ReasonCodes.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED;
        }
        if (!m5.wildcardSubscriptions() && Topics.isWildcardFilter(shared ? SharedFilter.parse(filter).filter()
                : filter)) {
            return ReasonCodes.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED;
        }
        if (!m5.subscriptionIdentifiers() && subscriptionId != 0) {
            return ReasonCodes.SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED;
        }
        return 0;
    }

    private static String unavailableReason(int code) {
        return switch (code) {
            case ReasonCodes.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED -> "shared subscriptions are disabled";
            case ReasonCodes.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED -> "wildcard subscriptions are disabled";
            default -> "subscription identifiers are disabled";
        };
    }

    private void refuse(List<Integer> codes, List<String> problems, int code, String filter, String why) {
        codes.add(code);
        problems.add("'" + filter + "': " + why);
        ConnectionLog.LOG.info("Client {} subscription to '{}' refused (0x{}): {}.", connection.clientId(), filter,
                Integer.toHexString(code), why);
    }

    private void sendRetained(Session session, Subscription s, boolean existed) {
        if (s.sharedFilter()) {
            // MQTT 5.0 section 3.3.1.3 sends retained messages for new non-shared subscriptions only.
            return;
        }
        if (s.retainHandling() == 2 || (s.retainHandling() == 1 && existed)) {
            return; // MQTT-3.3.1-10, MQTT-3.3.1-11
        }
        for (Message m : router.retained().match(s.filter())) {
            if (s.noLocal() && session.clientId().equals(m.publisherId())) {
                m.release(); // MQTT-3.8.3-3: No Local covers the client's own retained messages too
                continue;
            }
            if (connection.authorized(AclAccess.READ, m.topic())) {
                session.deliverRetained(m, QoS.min(m.qos(), s.qos()), s.subscriptionIdentifier());
            } else {
                m.release(); // the ACL does not let this client read that topic
            }
        }
    }

    /** The filter an ACL judges: a shared subscription's ($share/GROUP/FILTER) topic filter. */
    static String aclFilter(String filter) {
        if (filter.startsWith("$share/")) {
            int slash = filter.indexOf('/', 7);
            if (slash > 0 && slash + 1 < filter.length()) {
                return filter.substring(slash + 1);
            }
        }
        return filter;
    }

    void onUnsubscribe(Unsubscribe unsubscribe, Session session) {
        boolean v5 = connection.writer().version().isV5();
        List<Integer> codes = new ArrayList<>(unsubscribe.filters().size());
        List<String> problems = new ArrayList<>(0);
        List<String> removed = new ArrayList<>();
        for (String filter : unsubscribe.filters()) {
            String invalid = invalidFilter(filter);
            if (invalid != null) {
                if (!v5) {
                    // MQTT 3.1.1 section 4.8: a protocol violation closes the connection (as Mosquitto does).
                    connection.protocolError("sent an invalid topic filter '" + filter + "' in UNSUBSCRIBE: "
                            + invalid, ReasonCodes.TOPIC_FILTER_INVALID);
                    return;
                }
                codes.add(ReasonCodes.TOPIC_FILTER_INVALID);
                problems.add("'" + filter + "': " + invalid);
                continue;
            }
            boolean wasThere = session.unsubscribe(filter);
            if (wasThere) {
                removed.add(filter);
            }
            codes.add(wasThere ? ReasonCodes.SUCCESS : ReasonCodes.NO_SUBSCRIPTION_EXISTED);
            UNSUBSCRIBE_LOG.info("{} {}", connection.clientId(), filter);
        }
        MqttProperties props = problems.isEmpty() ? MqttProperties.EMPTY
                : MqttProperties.builder().reasonString(String.join("; ", problems)).build();
        // MQTT-3.10.4-5: UNSUBACK even if nothing was removed; for a persistent session once stored.
        UnsubAck ack = new UnsubAck(unsubscribe.packetId(), codes, props);
        CompletableFuture<Void> stored = session.storeSubscriptions(List.of(), removed);
        if (stored.isDone()) {
            connection.writer().write(ack);
        } else {
            stored.whenComplete((v, e) -> connection.eventLoop().execute(() -> {
                connection.writer().write(ack);
                connection.writer().flush();
            }));
        }
    }

    private static @Nullable String invalidFilter(String filter) {
        return SharedFilter.isShared(filter) ? SharedFilter.check(filter) : Topics.checkFilter(filter);
    }
}
