package dev.tern.broker.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.QoS;
import dev.tern.codec.Topics;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link Router#publish} against a naive model through random subscribes and unsubscribes of
 * ordinary and shared subscriptions (with QoS, No Local and subscription identifiers), publishing
 * random topics, some starting with '$', after every few changes.
 */
class RouterModelTest {
    private static final String[] LEVELS = {"a", "b", "$SYS", "$a", "", "sensor", "温度", "abcdefghijklmnopq"};
    private static final RandomTopics TOPICS = new RandomTopics(4, LEVELS);

    @Test
    @DisplayName("Randomised: one delivery per subscriber at the highest QoS with every identifier, one per shared group,"
            + " none to No Local's publisher [MQTT-3.3.5-1, MQTT-3.8.3-3, MQTT-4.7.2-1, MQTT-4.8.2-3]")
    void publishAgreesWithNaiveModel() {
        for (long seed = 1; seed <= 3; seed++) {
            Random r = new Random(seed);
            Router router = new Router(new SubscriptionTrie(), new RetainedStore(), false);
            List<RouterTest.RecordingSubscriber> subscribers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                subscribers.add(new RouterTest.RecordingSubscriber("c" + i));
            }
            Map<String, Subscription> model = new HashMap<>(); // "client filter" -> subscription
            int[] delivered = new int[2]; // ordinary, shared
            for (int op = 0; op < 1500; op++) {
                RouterTest.RecordingSubscriber who = subscribers.get(r.nextInt(subscribers.size()));
                boolean shared = r.nextInt(4) == 0;
                String filter = shared ? "$share/g" + r.nextInt(2) + "/" + TOPICS.filter(r) : TOPICS.filter(r);
                String key = who.clientId() + " " + filter;
                if (r.nextInt(3) > 0) {
                    // No Local on a shared subscription is a protocol error (MQTT-3.8.3-4): never sent.
                    Subscription s = new Subscription(who, filter, QoS.of(r.nextInt(3)), !shared && r.nextBoolean(),
                            false, 0, r.nextInt(3));
                    router.subscribe(s);
                    model.put(key, s);
                } else {
                    Subscription removed = router.unsubscribe(who, filter);
                    Subscription expected = model.remove(key);
                    assertThat(removed).as("unsubscribe %s", key).isEqualTo(expected);
                }
                if (op % 5 == 0) {
                    String topic = TOPICS.topic(r);
                    String publisher = r.nextBoolean() ? subscribers.get(r.nextInt(subscribers.size())).clientId() : null;
                    QoS qos = QoS.of(r.nextInt(3));
                    check(router, subscribers, model, topic, qos, publisher, delivered);
                }
            }
            // The random filters and topics overlap enough that both kinds were exercised.
            assertThat(delivered[0]).as("seed %d: ordinary deliveries checked", seed).isGreaterThan(100);
            assertThat(delivered[1]).as("seed %d: shared deliveries checked", seed).isGreaterThan(20);
        }
    }

    private static void check(Router router, List<RouterTest.RecordingSubscriber> subscribers,
                              Map<String, Subscription> model, String topic, QoS qos, @Nullable String publisher,
                              int[] delivered) {
        // Expected ordinary deliveries per subscriber, and the shared groups that match.
        Map<Subscriber, List<Subscription>> ordinary = new LinkedHashMap<>();
        Map<String, List<Subscription>> groups = new TreeMap<>();
        for (Subscription s : model.values()) {
            if (s.sharedFilter()) {
                SharedFilter f = SharedFilter.parse(s.filter());
                if (Topics.matches(f.filter(), topic)) {
                    groups.computeIfAbsent(s.filter(), k -> new ArrayList<>()).add(s);
                }
            } else if (Topics.matches(s.filter(), topic)
                    && !(s.noLocal() && s.subscriber().clientId().equals(publisher))) {
                ordinary.computeIfAbsent(s.subscriber(), k -> new ArrayList<>()).add(s);
            }
        }
        Message m = new Message(topic, Unpooled.wrappedBuffer(new byte[] {1, 2, 3}), qos, false, MqttProperties.EMPTY,
                publisher);
        int handed;
        try {
            handed = router.publish(m);
        } finally {
            m.release();
        }
        assertThat(handed).as("ordinary deliveries for '%s'", topic).isEqualTo(ordinary.size());
        Map<String, Integer> sharedSeen = new TreeMap<>();
        for (RouterTest.RecordingSubscriber who : subscribers) {
            int ordinarySeen = 0;
            for (Delivery d : who.deliveries) {
                assertThat(d.message().topic()).isEqualTo(topic);
                if (d.sharedFilter() != null) {
                    List<Subscription> members = groups.get(d.sharedFilter());
                    assertThat(members).as("%s got '%s' through %s, which does not match", who.clientId(), topic,
                            d.sharedFilter()).isNotNull();
                    Subscription mine = members.stream().filter(s -> s.subscriber() == who).findFirst().orElse(null);
                    assertThat(mine).as("%s is a member of %s", who.clientId(), d.sharedFilter()).isNotNull();
                    assertThat(d.qos()).isEqualTo(QoS.min(qos, mine.qos()));
                    sharedSeen.merge(d.sharedFilter(), 1, Integer::sum);
                    continue;
                }
                ordinarySeen++;
                List<Subscription> matched = ordinary.get(who);
                assertThat(matched).as("%s got '%s' without a matching subscription", who.clientId(), topic).isNotNull();
                QoS max = QoS.AT_MOST_ONCE;
                List<Integer> ids = new ArrayList<>();
                for (Subscription s : matched) {
                    max = QoS.max(max, s.qos());
                    if (s.subscriptionIdentifier() != 0) {
                        ids.add(s.subscriptionIdentifier());
                    }
                }
                assertThat(d.qos()).as("QoS to %s", who.clientId()).isEqualTo(QoS.min(qos, max));
                assertThat(d.subscriptionIdentifiers()).containsExactlyInAnyOrderElementsOf(ids);
            }
            assertThat(ordinarySeen).as("ordinary deliveries to %s for '%s'", who.clientId(), topic)
                    .isEqualTo(ordinary.containsKey(who) ? 1 : 0);
            who.deliveries.forEach(Delivery::release);
            who.deliveries.clear();
        }
        Map<String, Integer> expectedShared = new TreeMap<>();
        groups.keySet().forEach(g -> expectedShared.put(g, 1));
        assertThat(sharedSeen).as("one delivery per matching shared group for '%s'", topic).isEqualTo(expectedShared);
        delivered[0] += handed;
        delivered[1] += expectedShared.size();
    }
}
