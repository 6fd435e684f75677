package dev.tern.broker.routing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.QoS;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RouterTest {
    private final SubscriptionTrie trie = new SubscriptionTrie();
    private final RetainedStore retained = new RetainedStore();
    private final Router router = new Router(trie, retained, false);
    private final List<Message> created = new ArrayList<>();
    private final List<RecordingSubscriber> subscribers = new ArrayList<>();

    /** Records what routing hands over; the test releases it. */
    static final class RecordingSubscriber implements Subscriber {
        private final String clientId;
        final List<Delivery> deliveries = new ArrayList<>();

        boolean discardsQos0;

        RecordingSubscriber(String clientId) {
            this.clientId = clientId;
        }

        @Override
        public boolean discardsQos0() {
            return discardsQos0;
        }

        @Override
        public String clientId() {
            return clientId;
        }

        @Override
        public void deliver(Delivery delivery) {
            deliveries.add(delivery);
        }

        Delivery only() {
            assertThat(deliveries).as("deliveries to " + clientId).hasSize(1);
            return deliveries.get(0);
        }

        void releaseAll() {
            deliveries.forEach(Delivery::release);
            deliveries.clear();
        }
    }

    private RecordingSubscriber subscriber(String clientId) {
        RecordingSubscriber s = new RecordingSubscriber(clientId);
        subscribers.add(s);
        return s;
    }

    private Message message(String topic, QoS qos, boolean retain, @Nullable String publisherId) {
        byte[] bytes = ("payload of " + topic).getBytes(UTF_8);
        Message m = new Message(topic, Unpooled.buffer(bytes.length).writeBytes(bytes), qos, retain,
                MqttProperties.EMPTY, publisherId);
        created.add(m);
        return m;
    }

    /** Publishes and gives back the publisher's reference, as the connection does. */
    private int publish(String topic, QoS qos, boolean retain, @Nullable String publisherId) {
        Message m = message(topic, qos, retain, publisherId);
        try {
            return router.publish(m);
        } finally {
            m.release();
        }
    }

    @AfterEach
    void everyBufferReleased() {
        subscribers.forEach(RecordingSubscriber::releaseAll);
        retained.clear();
        for (Message m : created) {
            assertThat(m.payload().refCnt()).as("refCnt of %s", m).isZero();
        }
    }

    @Test
    @DisplayName("A subscriber that would only drop a QoS 0 copy (offline) gets none, but counts as routed to; QoS 1 still goes")
    void noDeliveryIsCreatedForASubscriberThatDiscardsQos0() {
        RecordingSubscriber offline = subscriber("offline");
        offline.discardsQos0 = true;
        trie.add(new Subscription(offline, "t/q0", QoS.AT_LEAST_ONCE, false, false, 0, 0));
        trie.add(new Subscription(offline, "t/q1", QoS.AT_LEAST_ONCE, false, false, 0, 0));
        trie.add(new Subscription(offline, "t/low", QoS.AT_MOST_ONCE, false, false, 0, 0));
        assertThat(publish("t/q0", QoS.AT_MOST_ONCE, false, "p")).isEqualTo(1);
        assertThat(publish("t/low", QoS.AT_LEAST_ONCE, false, "p")).as("downgraded to QoS 0").isEqualTo(1);
        assertThat(offline.deliveries).isEmpty();
        assertThat(publish("t/q1", QoS.AT_LEAST_ONCE, false, "p")).isEqualTo(1);
        assertThat(offline.only().qos()).isEqualTo(QoS.AT_LEAST_ONCE);
    }

    @Test
    @DisplayName("Overlapping subscriptions give one delivery at the maximum QoS with all identifiers [MQTT-3.3.5-1]")
    void overlappingSubscriptionsGiveOneDelivery() {
        RecordingSubscriber s = subscriber("s");
        trie.add(new Subscription(s, "a/+", QoS.AT_MOST_ONCE, false, false, 0, 1));
        trie.add(new Subscription(s, "a/#", QoS.EXACTLY_ONCE, false, false, 0, 2));
        trie.add(new Subscription(s, "a/b", QoS.AT_LEAST_ONCE, false, false, 0, 0));
        trie.add(new Subscription(s, "#", QoS.AT_MOST_ONCE, false, false, 0, 3));
        RecordingSubscriber other = subscriber("other");
        trie.add(Subscription.of(other, "a/b", QoS.AT_LEAST_ONCE));

        assertThat(publish("a/b", QoS.EXACTLY_ONCE, false, "pub")).isEqualTo(2);
        Delivery d = s.only();
        assertThat(d.qos()).isEqualTo(QoS.EXACTLY_ONCE);
        assertThat(d.subscriptionIdentifiers()).containsExactlyInAnyOrder(1, 2, 3);
        assertThat(d.message().topic()).isEqualTo("a/b");
        Delivery o = other.only();
        assertThat(o.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
        assertThat(o.subscriptionIdentifiers()).isEmpty();
        assertThat(o.message()).isSameAs(d.message());

        // A second publish does not inherit anything from the first (the collector is reused).
        s.releaseAll();
        other.releaseAll();
        assertThat(publish("a/c", QoS.AT_LEAST_ONCE, false, "pub")).isEqualTo(1);
        Delivery second = s.only();
        assertThat(second.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
        assertThat(second.subscriptionIdentifiers()).containsExactlyInAnyOrder(1, 2, 3);
        assertThat(other.deliveries).isEmpty();
    }

    @Test
    @DisplayName("A fan-out larger than the collector's first tables merges per subscriber, and a smaller one after it starts clean")
    void largeFanOutMergesPerSubscriberAndLeavesNothingBehind() {
        int n = 300; // well past the collector's initial 16 matches and 32 table slots
        List<RecordingSubscriber> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RecordingSubscriber s = subscriber("c" + i);
            all.add(s);
            trie.add(new Subscription(s, "big/+", QoS.AT_MOST_ONCE, false, false, 0, 1));
            trie.add(new Subscription(s, "big/#", QoS.of(i % 3), false, false, 0, 2));
        }
        assertThat(publish("big/x", QoS.EXACTLY_ONCE, false, "pub")).isEqualTo(n);
        for (int i = 0; i < n; i++) {
            Delivery d = all.get(i).only();
            assertThat(d.qos()).as("c%d", i).isEqualTo(QoS.of(i % 3));
            assertThat(d.subscriptionIdentifiers()).as("c%d", i).containsExactlyInAnyOrder(1, 2);
            all.get(i).releaseAll();
        }

        RecordingSubscriber alone = subscriber("alone");
        trie.add(Subscription.of(alone, "small", QoS.AT_LEAST_ONCE));
        assertThat(publish("small", QoS.AT_LEAST_ONCE, false, "pub")).isEqualTo(1);
        assertThat(alone.only().subscriptionIdentifiers()).isEmpty();
        assertThat(all).allSatisfy(s -> assertThat(s.deliveries).isEmpty());
    }

    @Test
    @DisplayName("Delivery QoS is the minimum of the message's and the granted QoS [MQTT-3.8.4-6]")
    void qosIsDowngradedToTheGrantedMaximum() {
        RecordingSubscriber[] byGranted = new RecordingSubscriber[3];
        for (int g = 0; g < 3; g++) {
            byGranted[g] = subscriber("granted" + g);
            trie.add(Subscription.of(byGranted[g], "t", QoS.of(g)));
        }
        for (int m = 0; m < 3; m++) {
            assertThat(publish("t", QoS.of(m), false, "pub")).isEqualTo(3);
            for (int g = 0; g < 3; g++) {
                assertThat(byGranted[g].only().qos()).as("message %d, granted %d", m, g)
                        .isEqualTo(QoS.of(Math.min(m, g)));
                byGranted[g].releaseAll();
            }
        }
    }

    @Test
    void upgradeOutgoingQosDeliversAtTheGrantedQos() {
        Router upgrading = new Router(trie, retained, true);
        RecordingSubscriber two = subscriber("two");
        RecordingSubscriber zero = subscriber("zero");
        trie.add(Subscription.of(two, "t", QoS.EXACTLY_ONCE));
        trie.add(Subscription.of(zero, "t", QoS.AT_MOST_ONCE));
        Message m = message("t", QoS.AT_MOST_ONCE, false, "pub");
        assertThat(upgrading.publish(m)).isEqualTo(2);
        m.release();
        assertThat(two.only().qos()).isEqualTo(QoS.EXACTLY_ONCE);
        assertThat(zero.only().qos()).isEqualTo(QoS.AT_MOST_ONCE);
    }

    @Test
    @DisplayName("No Local: not delivered to the publisher's own subscription [MQTT-3.8.3-3]")
    void noLocalSkipsThePublishersOwnSubscription() {
        RecordingSubscriber me = subscriber("me");
        trie.add(new Subscription(me, "a", QoS.EXACTLY_ONCE, true, false, 0, 5));
        assertThat(publish("a", QoS.EXACTLY_ONCE, false, "me")).isZero();
        assertThat(me.deliveries).isEmpty();
        assertThat(publish("a", QoS.EXACTLY_ONCE, false, "someone else")).isEqualTo(1);
        assertThat(me.only().qos()).isEqualTo(QoS.EXACTLY_ONCE);
        me.releaseAll();
        assertThat(publish("a", QoS.AT_LEAST_ONCE, false, null)).as("broker-made message").isEqualTo(1);
        me.releaseAll();

        // Another, overlapping subscription without No Local still delivers, with its own options only.
        trie.add(new Subscription(me, "#", QoS.AT_MOST_ONCE, false, false, 0, 6));
        assertThat(publish("a", QoS.EXACTLY_ONCE, false, "me")).isEqualTo(1);
        Delivery d = me.only();
        assertThat(d.qos()).isEqualTo(QoS.AT_MOST_ONCE);
        assertThat(d.subscriptionIdentifiers()).containsExactly(6);
    }

    @Test
    @DisplayName("Live deliveries have RETAIN 0 [MQTT-3.3.1-9], unless Retain As Published "
            + "[MQTT-3.3.1-12] [MQTT-3.3.1-13]")
    void retainFlagOfLiveDeliveries() {
        RecordingSubscriber plain = subscriber("plain");
        RecordingSubscriber asPublished = subscriber("asPublished");
        trie.add(Subscription.of(plain, "r", QoS.AT_LEAST_ONCE));
        trie.add(new Subscription(asPublished, "r", QoS.AT_LEAST_ONCE, false, true, 0, 0));

        assertThat(publish("r", QoS.AT_LEAST_ONCE, true, "pub")).isEqualTo(2);
        assertThat(plain.only().retain()).isFalse();
        assertThat(asPublished.only().retain()).isTrue();
        assertThat(retained.size()).as("the retained store is updated").isEqualTo(1);
        plain.releaseAll();
        asPublished.releaseAll();

        assertThat(publish("r", QoS.AT_LEAST_ONCE, false, "pub")).isEqualTo(2);
        assertThat(plain.only().retain()).isFalse();
        assertThat(asPublished.only().retain()).isFalse();
        assertThat(retained.size()).isEqualTo(1);
    }

    @Test
    void eachDeliveryHoldsOneReference() {
        List<RecordingSubscriber> subs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RecordingSubscriber s = subscriber("s" + i);
            subs.add(s);
            trie.add(Subscription.of(s, "x/+", QoS.AT_LEAST_ONCE));
            trie.add(Subscription.of(s, "x/#", QoS.AT_MOST_ONCE)); // overlap: still one delivery, one reference
        }
        Message m = message("x/y", QoS.AT_LEAST_ONCE, false, "pub");
        assertThat(router.publish(m)).isEqualTo(3);
        assertThat(m.payload().refCnt()).as("publisher + 3 deliveries").isEqualTo(4);
        subs.get(0).releaseAll();
        assertThat(m.payload().refCnt()).isEqualTo(3);
        subs.get(1).releaseAll();
        subs.get(2).releaseAll();
        assertThat(m.payload().refCnt()).isEqualTo(1);
        m.release();
        assertThat(m.payload().refCnt()).isZero();

        // A retained publish: the store holds one more reference until it is cleared.
        Message r = message("x/z", QoS.AT_LEAST_ONCE, true, "pub");
        router.publish(r);
        assertThat(r.payload().refCnt()).as("publisher + store + 3 deliveries").isEqualTo(5);
        r.release();
        subs.forEach(RecordingSubscriber::releaseAll);
        assertThat(r.payload().refCnt()).isEqualTo(1);
        retained.clear();
        assertThat(r.payload().refCnt()).isZero();

        // No subscriber: no reference taken.
        Message lonely = message("nobody/listens", QoS.AT_MOST_ONCE, false, "pub");
        assertThat(router.publish(lonely)).isZero();
        assertThat(lonely.payload().refCnt()).isEqualTo(1);
        lonely.release();
    }
}
