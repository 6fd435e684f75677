package dev.tern.broker.connection;

import dev.tern.broker.config.BrokerConfig;
import dev.tern.broker.routing.Message;
import dev.tern.broker.routing.Router;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SUBSCRIBE and UNSUBSCRIBE for one connection: validates filters, grants QoS, answers, and then
 * sends the retained messages the new subscriptions match (MQTT-3.8.4-3). Event loop only.
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
        List<Integer> codes = new ArrayList<>(subscribe.subscriptions().size());
        List<Subscription> granted = new ArrayList<>(subscribe.subscriptions().size());
        List<Boolean> existed = new ArrayList<>(subscribe.subscriptions().size());
        int subscriptionId = subscribe.properties().subscriptionIdentifiers().isEmpty() ? 0
                : subscribe.properties().subscriptionIdentifiers().get(0);
        for (TopicSubscription t : subscribe.subscriptions()) {
            String invalid = Topics.checkFilter(t.filter());
            if (invalid != null) {
                if (!v5) {
                    // MQTT 3.1.1 section 4.8: a protocol violation closes the connection (as Mosquitto does).
                    connection.protocolError("sent an invalid topic filter '" + t.filter() + "': " + invalid,
                            ReasonCodes.TOPIC_FILTER_INVALID);
                    return;
                }
                codes.add(ReasonCodes.TOPIC_FILTER_INVALID);
                continue;
            }
            if (!connection.authorized(AclAccess.SUBSCRIBE, aclFilter(t.filter()))) {
                SUBSCRIBE_LOG.info("{} denied subscription to {}: not allowed by the ACL", connection.clientId(),
                        t.filter());
                codes.add(v5 ? ReasonCodes.NOT_AUTHORIZED : ReasonCodes.V3_SUBACK_FAILURE);
                continue;
            }
            QoS qos = QoS.min(t.qos(), QoS.of(config.maxQos()));
            Subscription s = new Subscription(session, t.filter(), qos, t.noLocal(), t.retainAsPublished(),
                    t.retainHandling(), subscriptionId);
            existed.add(session.subscribe(s));
            granted.add(s);
            codes.add(qos.value());
            SUBSCRIBE_LOG.info("{} {} {}", connection.clientId(), qos.value(), t.filter());
        }
        connection.writer().write(new SubAck(subscribe.packetId(), codes, MqttProperties.EMPTY));
        for (int i = 0; i < granted.size(); i++) {
            sendRetained(session, granted.get(i), existed.get(i));
        }
    }

    private void sendRetained(Session session, Subscription s, boolean existed) {
        if (s.retainHandling() == 2 || (s.retainHandling() == 1 && existed)) {
            return; // MQTT 5.0 Retain Handling
        }
        for (Message m : router.retained().match(s.filter())) {
            if (connection.authorized(AclAccess.READ, m.topic())) {
                session.deliverRetained(m, QoS.min(m.qos(), s.qos()));
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
        List<Integer> codes = new ArrayList<>(unsubscribe.filters().size());
        for (String filter : unsubscribe.filters()) {
            String invalid = Topics.checkFilter(filter);
            if (invalid != null && !connection.writer().version().isV5()) {
                // MQTT 3.1.1 section 4.8: a protocol violation closes the connection (as Mosquitto does).
                connection.protocolError("sent an invalid topic filter '" + filter + "' in UNSUBSCRIBE: " + invalid,
                        ReasonCodes.TOPIC_FILTER_INVALID);
                return;
            }
            boolean removed = session.unsubscribe(filter);
            codes.add(removed ? ReasonCodes.SUCCESS : ReasonCodes.NO_SUBSCRIPTION_EXISTED);
            UNSUBSCRIBE_LOG.info("{} {}", connection.clientId(), filter);
        }
        // MQTT-3.10.4-5: UNSUBACK even if nothing was removed.
        connection.writer().write(new UnsubAck(unsubscribe.packetId(), codes, MqttProperties.EMPTY));
    }
}
