package dev.tern.broker.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.test.MqttTestClient;
import dev.tern.broker.test.TestBroker;
import dev.tern.codec.MqttPacketEncoder;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.ConnAck;
import dev.tern.codec.packet.Disconnect;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.PubAck;
import dev.tern.codec.packet.PubRel;
import dev.tern.codec.packet.Publish;
import dev.tern.codec.packet.SubAck;
import dev.tern.codec.packet.Subscribe;
import dev.tern.codec.packet.TopicSubscription;
import dev.tern.testkit.MosquittoBroker;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Where MQTT 3.1.1 leaves the server a choice, the same scenario runs against Debian's mosquitto
 * 2.0.11 and against Tern, and each broker's behaviour is asserted explicitly. Where the two differ,
 * both behaviours are asserted and {@code docs/interop.md} explains Tern's choice.
 *
 * <p>Both brokers run with {@code max_keepalive 60}, {@code max_queued_messages 3} and
 * {@code max_inflight_messages 2}; everything else is each broker's default (Tern: one event loop).
 */
class MosquittoComparisonIT {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static MosquittoBroker mosquitto;
    private static TestBroker tern;

    @BeforeAll
    static void startBrokers() throws Exception {
        Peers.requireMosquittoBroker();
        mosquitto = MosquittoBroker.start("max_keepalive 60", "max_queued_messages 3", "max_inflight_messages 2");
        // One event loop: a publisher's burst then always reaches the subscriber's session in one
        // mailbox drain, the case where a queue limit applied before the in-flight window dropped too much.
        tern = TestBroker.start(b -> b.maxKeepalive(60).maxQueuedMessages(3).maxInflightMessages(2)
                .eventLoopThreads(1));
    }

    @AfterAll
    static void stopBrokers() throws Exception {
        if (tern != null) {
            tern.close();
        }
        if (mosquitto != null) {
            mosquitto.close();
        }
    }

    /** One scenario, run against the broker on a port; returns what was observed. */
    @FunctionalInterface
    interface Scenario<T> {
        T run(int port) throws Exception;
    }

    /** What each broker did. */
    record Outcome<T>(T mosquitto, T tern) {}

    private static <T> Outcome<T> onBoth(Scenario<T> scenario) throws Exception {
        T m;
        try {
            m = scenario.run(mosquitto.port());
        } catch (Exception | AssertionError e) {
            throw new AssertionError("scenario failed against mosquitto; its log:\n" + mosquitto.log(), e);
        }
        return new Outcome<>(m, scenario.run(tern.port()));
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static MqttTestClient client(int port, String id) throws IOException {
        return MqttTestClient.connected(port, id, true, MqttVersion.MQTT_3_1_1);
    }

    private static MqttTestClient persistent(int port, String id) throws IOException {
        return MqttTestClient.connected(port, id, false, MqttVersion.MQTT_3_1_1);
    }

    /** The CONNACK return code for a CONNECT with these fields. */
    private static int connAckCode(int port, MqttVersion version, String id, boolean clean, int keepAlive)
            throws IOException {
        try (MqttTestClient c = MqttTestClient.open(port, version)) {
            return c.connect(id, clean, keepAlive, null).reasonCode();
        }
    }

    /** Sends DISCONNECT and waits until the broker has closed the connection (so it has processed it). */
    private static void disconnectAndWait(MqttTestClient c) throws IOException {
        c.send(Disconnect.NORMAL);
        assertThat(c.raw().awaitClosed(WAIT)).as("broker closes after DISCONNECT").isTrue();
        c.close();
    }

    private static Publish nextPublish(MqttTestClient c) throws IOException {
        return c.expect(Publish.class);
    }

    /** Receives PUBLISHes until one on {@code markerTopic}; acknowledges QoS 1; returns "topic payload qN" of the others. */
    private static List<String> untilMarker(MqttTestClient c, String markerTopic) throws IOException {
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Publish p = nextPublish(c);
            if (p.qos() == QoS.AT_LEAST_ONCE) {
                c.send(new PubAck(p.packetId()));
            }
            if (p.topic().equals(markerTopic)) {
                return seen;
            }
            seen.add(describe(p));
        }
        throw new AssertionError("no marker on " + markerTopic + " among 50 messages: " + seen);
    }

    private static String describe(Publish p) {
        return p.topic() + " " + MqttTestClient.text(p) + " q" + p.qos().value() + (p.retain() ? " r" : "");
    }

    /** The first packet after SUBSCRIBE, or "closed" if the broker closed the connection instead. */
    private static String replyToSubscribe(MqttTestClient c, List<TopicSubscription> filters) throws IOException {
        c.send(new Subscribe(c.packetId(), filters, MqttProperties.EMPTY));
        try {
            MqttPacket p = c.receive(WAIT);
            return p instanceof SubAck s ? "SUBACK " + s.reasonCodes() : p.toString();
        } catch (EOFException | SocketException e) {
            return "closed";
        }
    }

    // ---- scenarios --------------------------------------------------------------------------

    @Test
    @DisplayName("SUBSCRIBE with an invalid topic filter closes the connection (3.1.1 section 4.8: no SUBACK 0x80)")
    void invalidTopicFilter() throws Exception {
        Outcome<List<String>> o = onBoth(port -> {
            List<String> replies = new ArrayList<>();
            for (String filter : List.of("a/#/b", "a+", "sport#")) {
                try (MqttTestClient c = client(port, "cmp-invalid")) {
                    replies.add(filter + ": " + replyToSubscribe(c, List.of(new TopicSubscription(filter, QoS.AT_MOST_ONCE))));
                }
            }
            try (MqttTestClient c = client(port, "cmp-invalid")) {
                replies.add("valid+invalid: " + replyToSubscribe(c, List.of(new TopicSubscription("ok/#", QoS.AT_MOST_ONCE),
                        new TopicSubscription("bad/#/x", QoS.AT_MOST_ONCE))));
            }
            return replies;
        });
        List<String> closed = List.of("a/#/b: closed", "a+: closed", "sport#: closed", "valid+invalid: closed");
        assertThat(o.mosquitto()).isEqualTo(closed);
        assertThat(o.tern()).isEqualTo(closed);
    }

    @Test
    @DisplayName("a client's PUBLISH to $SYS is acknowledged but not delivered nor retained")
    void publishToSys() throws Exception {
        Outcome<List<String>> o = onBoth(port -> {
            List<String> observed = new ArrayList<>();
            try (MqttTestClient sub = client(port, "cmp-sys-sub");
                 MqttTestClient pub = client(port, "cmp-sys-pub")) {
                sub.subscribe("$SYS/interop/#", QoS.AT_LEAST_ONCE);
                sub.subscribe("cmp/marker", QoS.AT_LEAST_ONCE);
                pub.send(new Publish("$SYS/interop/q0", QoS.AT_MOST_ONCE, true, false, 0, MqttProperties.EMPTY,
                        Unpooled.wrappedBuffer("forged".getBytes(StandardCharsets.UTF_8))));
                int id1 = pub.packetId();
                pub.send(new Publish("$SYS/interop/q1", QoS.AT_LEAST_ONCE, true, false, id1, MqttProperties.EMPTY,
                        Unpooled.wrappedBuffer("forged".getBytes(StandardCharsets.UTF_8))));
                observed.add("q1 -> " + pub.receive().type());
                int id2 = pub.packetId();
                pub.send(new Publish("$SYS/interop/q2", QoS.EXACTLY_ONCE, false, false, id2, MqttProperties.EMPTY,
                        Unpooled.wrappedBuffer("forged".getBytes(StandardCharsets.UTF_8))));
                observed.add("q2 -> " + pub.receive().type());
                pub.send(new PubRel(id2));
                observed.add("PUBREL -> " + pub.receive().type());
                pub.publish("cmp/marker", "after", QoS.AT_LEAST_ONCE, false);
                observed.add("delivered: " + untilMarker(sub, "cmp/marker"));
            }
            try (MqttTestClient late = client(port, "cmp-sys-late");
                 MqttTestClient pub = client(port, "cmp-sys-pub")) {
                late.subscribe("$SYS/interop/#", QoS.AT_LEAST_ONCE);
                late.subscribe("cmp/marker", QoS.AT_LEAST_ONCE);
                pub.publish("cmp/marker", "after", QoS.AT_LEAST_ONCE, false);
                observed.add("retained: " + untilMarker(late, "cmp/marker"));
            }
            return observed;
        });
        List<String> expected = List.of("q1 -> PUBACK", "q2 -> PUBREC", "PUBREL -> PUBCOMP", "delivered: []",
                "retained: []");
        assertThat(o.mosquitto()).isEqualTo(expected);
        assertThat(o.tern()).isEqualTo(expected);
    }

    @Test
    @DisplayName("$SYS/broker/connection/+/state (a bridge's status) is writable in mosquitto, not in Tern")
    void publishToBridgeStateTopic() throws Exception {
        Outcome<List<String>> o = onBoth(port -> {
            try (MqttTestClient sub = client(port, "cmp-bridge-sub");
                 MqttTestClient pub = client(port, "cmp-bridge-pub")) {
                sub.subscribe("$SYS/broker/connection/#", QoS.AT_LEAST_ONCE);
                sub.subscribe("cmp/marker", QoS.AT_LEAST_ONCE);
                pub.publish("$SYS/broker/connection/remote/state", "1", QoS.AT_LEAST_ONCE, false);
                pub.publish("cmp/marker", "after", QoS.AT_LEAST_ONCE, false);
                return untilMarker(sub, "cmp/marker");
            }
        });
        assertThat(o.mosquitto()).containsExactly("$SYS/broker/connection/remote/state 1 q1");
        assertThat(o.tern()).as("Tern: every $SYS topic is read-only for clients").isEmpty();
    }

    @Test
    @DisplayName("keep-alive above max_keepalive 60: mosquitto 2.0.11 accepts 3.x clients, Tern refuses (0x02)")
    void keepAliveAboveMaximum() throws Exception {
        Outcome<List<Integer>> o = onBoth(port -> List.of(
                connAckCode(port, MqttVersion.MQTT_3_1_1, "cmp-ka-0", true, 0),
                connAckCode(port, MqttVersion.MQTT_3_1_1, "cmp-ka-60", true, 60),
                connAckCode(port, MqttVersion.MQTT_3_1_1, "cmp-ka-61", true, 61),
                connAckCode(port, MqttVersion.MQTT_3_1_1, "cmp-ka-max", true, 65_535),
                connAckCode(port, MqttVersion.MQTT_3_1, "cmp-ka-31", true, 61)));
        // mosquitto 2.0.11 applies max_keepalive to MQTT 5.0 clients only (fixed in 2.0.12, CVE-2020-13849).
        assertThat(o.mosquitto()).containsExactly(0, 0, 0, 0, 0);
        assertThat(o.tern()).containsExactly(0, 0, 2, 2, 2);
    }

    @Test
    @DisplayName("overlapping subscriptions: one copy; Tern at the highest granted QoS [MQTT-3.3.5-1], "
            + "mosquitto 2.0.11 at the QoS of the first matching subscription")
    void overlappingSubscriptions() throws Exception {
        Outcome<List<String>> o = onBoth(port -> {
            try (MqttTestClient sub = client(port, "cmp-overlap");
                 MqttTestClient pub = client(port, "cmp-overlap-pub")) {
                sub.subscribe("ov/#", QoS.AT_LEAST_ONCE);
                sub.subscribe("ov/+", QoS.AT_MOST_ONCE);
                sub.subscribe("ov/x", QoS.AT_MOST_ONCE);
                sub.subscribe("cmp/marker", QoS.AT_LEAST_ONCE);
                pub.publish("ov/x", "m", QoS.EXACTLY_ONCE, false);
                pub.publish("cmp/marker", "after", QoS.AT_LEAST_ONCE, false);
                return untilMarker(sub, "cmp/marker");
            }
        });
        // mosquitto delivers the copy of the first subscription its tree search finds (ov/x or ov/+, QoS 0) and
        // skips the others as duplicates, below the maximum QoS that MQTT-3.3.5-1 requires.
        assertThat(o.mosquitto()).containsExactly("ov/x m q0");
        assertThat(o.tern()).containsExactly("ov/x m q1");
    }

    @Test
    @DisplayName("QoS 0 messages are not queued for an offline persistent session (queue_qos0_messages false)")
    void qos0NotQueuedOffline() throws Exception {
        Outcome<String> o = onBoth(port -> {
            MqttTestClient first = persistent(port, "cmp-q0");
            first.subscribe("q0/#", QoS.AT_LEAST_ONCE);
            disconnectAndWait(first);
            try (MqttTestClient pub = client(port, "cmp-q0-pub")) {
                pub.publish("q0/zero", "qos 0", QoS.AT_MOST_ONCE, false);
                pub.publish("q0/one", "qos 1", QoS.AT_LEAST_ONCE, false);
            }
            try (MqttTestClient again = MqttTestClient.open(port, MqttVersion.MQTT_3_1_1)) {
                assertThat(again.connect("cmp-q0", false, 60, null).sessionPresent()).isTrue();
                Publish p = nextPublish(again); // the QoS 0 message was published first
                again.send(new PubAck(p.packetId()));
                return describe(p);
            }
        });
        assertThat(o.mosquitto()).isEqualTo("q0/one qos 1 q1");
        assertThat(o.tern()).isEqualTo("q0/one qos 1 q1");
    }

    @Test
    @DisplayName("a QoS 0 retained message replaces the retained message and is kept [MQTT-3.3.1-7]")
    void retainedQos0() throws Exception {
        Outcome<List<String>> o = onBoth(port -> {
            try (MqttTestClient pub = client(port, "cmp-ret-pub")) {
                pub.publish("ret0/a", "old at qos 1", QoS.AT_LEAST_ONCE, true);
                pub.publish("ret0/a", "new at qos 0", QoS.AT_MOST_ONCE, true);
                pub.publish("ret0/b", "only qos 0", QoS.AT_MOST_ONCE, true);
                pub.publish("cmp/sync", "after", QoS.AT_LEAST_ONCE, false); // the QoS 0 ones before it are done
            }
            try (MqttTestClient late = client(port, "cmp-ret-late")) {
                late.subscribe("ret0/#", QoS.EXACTLY_ONCE);
                return List.of(describe(nextPublish(late)), describe(nextPublish(late))).stream().sorted().toList();
            }
        });
        List<String> expected = List.of("ret0/a new at qos 0 q0 r", "ret0/b only qos 0 q0 r");
        assertThat(o.mosquitto()).isEqualTo(expected);
        assertThat(o.tern()).isEqualTo(expected);
    }

    @Test
    @DisplayName("max_queued_messages 3: an offline session keeps the 3 oldest QoS 1 messages, drops the rest")
    void queueLimitOffline() throws Exception {
        Outcome<List<String>> o = onBoth(port -> {
            MqttTestClient first = persistent(port, "cmp-qoff");
            first.subscribe("qoff/#", QoS.AT_LEAST_ONCE);
            disconnectAndWait(first);
            try (MqttTestClient pub = client(port, "cmp-qoff-pub")) {
                for (int i = 0; i < 10; i++) {
                    pub.publish("qoff/x", "m" + i, QoS.AT_LEAST_ONCE, false);
                }
                try (MqttTestClient again = MqttTestClient.open(port, MqttVersion.MQTT_3_1_1)) {
                    assertThat(again.connect("cmp-qoff", false, 60, null).sessionPresent()).isTrue();
                    Publish head = nextPublish(again);
                    again.send(new PubAck(head.packetId()));
                    pub.publish("qoff/marker", "end", QoS.AT_LEAST_ONCE, false);
                    List<String> all = new ArrayList<>(List.of(describe(head)));
                    all.addAll(untilMarker(again, "qoff/marker"));
                    return all;
                }
            }
        });
        List<String> expected = List.of("qoff/x m0 q1", "qoff/x m1 q1", "qoff/x m2 q1");
        assertThat(o.mosquitto()).isEqualTo(expected);
        assertThat(o.tern()).isEqualTo(expected);
    }

    @Test
    @DisplayName("max_queued_messages 3 beyond max_inflight_messages 2: a connected client that does not "
            + "acknowledge gets 2 in flight + 3 queued of a burst of 10")
    void queueLimitOnlineBurst() throws Exception {
        Outcome<List<String>> o = onBoth(port -> {
            try (MqttTestClient sub = client(port, "cmp-qon");
                 MqttTestClient pub = client(port, "cmp-qon-pub")) {
                sub.subscribe("qon/#", QoS.AT_LEAST_ONCE);
                // Ten QoS 1 PUBLISH packets in one write: the broker receives them as one burst.
                ByteBuf burst = Unpooled.buffer();
                List<Integer> ids = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    int id = pub.packetId();
                    ids.add(id);
                    ByteBuf one = MqttPacketEncoder.encode(new Publish("qon/x", QoS.AT_LEAST_ONCE, false, false, id,
                            MqttProperties.EMPTY, Unpooled.wrappedBuffer(("m" + i).getBytes(StandardCharsets.UTF_8))),
                            MqttVersion.MQTT_3_1_1, UnpooledByteBufAllocator.DEFAULT);
                    burst.writeBytes(one);
                    one.release();
                }
                byte[] bytes = new byte[burst.readableBytes()];
                burst.readBytes(bytes);
                burst.release();
                pub.raw().send(bytes);
                for (int id : ids) {
                    assertThat(pub.expect(PubAck.class).packetId()).isEqualTo(id);
                }
                Publish a = nextPublish(sub);
                Publish b = nextPublish(sub);
                sub.send(new PubAck(a.packetId())).send(new PubAck(b.packetId()));
                Publish c = nextPublish(sub); // the broker has processed the acknowledgements
                pub.publish("qon/marker", "end", QoS.AT_LEAST_ONCE, false);
                sub.send(new PubAck(c.packetId()));
                List<String> all = new ArrayList<>(List.of(describe(a), describe(b), describe(c)));
                all.addAll(untilMarker(sub, "qon/marker"));
                return all;
            }
        });
        List<String> expected = List.of("qon/x m0 q1", "qon/x m1 q1", "qon/x m2 q1", "qon/x m3 q1", "qon/x m4 q1");
        assertThat(o.mosquitto()).isEqualTo(expected);
        assertThat(o.tern()).isEqualTo(expected);
    }

    @Test
    @DisplayName("zero-length client id: accepted with clean session (an id is assigned), refused otherwise "
            + "[MQTT-3.1.3-6] [MQTT-3.1.3-8]")
    void zeroLengthClientId() throws Exception {
        Outcome<List<String>> o = onBoth(port -> {
            List<String> observed = new ArrayList<>();
            observed.add("3.1.1 clean: " + connAckCode(port, MqttVersion.MQTT_3_1_1, "", true, 60));
            observed.add("3.1.1 persistent: " + connAckCode(port, MqttVersion.MQTT_3_1_1, "", false, 60));
            observed.add("3.1 clean: " + connAckCode(port, MqttVersion.MQTT_3_1, "", true, 60));
            try (MqttTestClient v5 = MqttTestClient.open(port, MqttVersion.MQTT_5)) {
                ConnAck ack = v5.connect("", true, 60, null);
                String assigned = ack.properties().assignedClientIdentifier();
                observed.add("5.0 clean: " + ack.reasonCode() + ", assigned "
                        + (assigned == null ? "none" : assigned.replaceAll("(?i)[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", "<uuid>")));
            }
            return observed;
        });
        List<String> expected = List.of("3.1.1 clean: 0", "3.1.1 persistent: 2", "3.1 clean: 2",
                "5.0 clean: 0, assigned auto-<uuid>");
        assertThat(o.mosquitto()).isEqualTo(expected);
        assertThat(o.tern()).isEqualTo(expected);
    }

    @Test
    @DisplayName("client ids longer than 23 characters are accepted, in MQTT 3.1 too")
    void longClientId() throws Exception {
        String id100 = "c".repeat(100);
        String id1000 = "d".repeat(1000);
        Outcome<List<Integer>> o = onBoth(port -> List.of(
                connAckCode(port, MqttVersion.MQTT_3_1_1, "x".repeat(24), true, 60),
                connAckCode(port, MqttVersion.MQTT_3_1_1, id1000, true, 60),
                connAckCode(port, MqttVersion.MQTT_3_1, "y".repeat(24), true, 60),
                connAckCode(port, MqttVersion.MQTT_3_1, id100, true, 60)));
        assertThat(o.mosquitto()).containsExactly(0, 0, 0, 0);
        assertThat(o.tern()).containsExactly(0, 0, 0, 0);
    }

    @Test
    @DisplayName("an unacknowledged QoS 1 message is re-sent with DUP 1 and the same packet id after "
            + "reconnecting [MQTT-4.4.0-1] [MQTT-3.3.1-1]")
    void dupOnResend() throws Exception {
        Outcome<String> o = onBoth(port -> {
            MqttTestClient sub = persistent(port, "cmp-dup");
            sub.subscribe("dup/#", QoS.AT_LEAST_ONCE);
            try (MqttTestClient pub = client(port, "cmp-dup-pub")) {
                pub.publish("dup/x", "again", QoS.AT_LEAST_ONCE, false);
            }
            Publish first = nextPublish(sub);
            sub.close(); // no PUBACK, no DISCONNECT
            try (MqttTestClient again = MqttTestClient.open(port, MqttVersion.MQTT_3_1_1)) {
                ConnAck ack = again.connect("cmp-dup", false, 60, null);
                Publish resent = nextPublish(again);
                again.send(new PubAck(resent.packetId()));
                return "first dup=" + first.dup() + "; session present=" + ack.sessionPresent()
                        + "; resent dup=" + resent.dup() + ", same id=" + (resent.packetId() == first.packetId())
                        + ", " + describe(resent);
            }
        });
        String expected = "first dup=false; session present=true; resent dup=true, same id=true, dup/x again q1";
        assertThat(o.mosquitto()).isEqualTo(expected);
        assertThat(o.tern()).isEqualTo(expected);
    }

    @Test
    @DisplayName("topics starting with $ are not matched by # or + at the first level [MQTT-4.7.2-1]")
    void dollarTopicsAndWildcards() throws Exception {
        Outcome<List<String>> o = onBoth(port -> {
            try (MqttTestClient wild = client(port, "cmp-dollar-wild");
                 MqttTestClient dollar = client(port, "cmp-dollar");
                 MqttTestClient pub = client(port, "cmp-dollar-pub")) {
                wild.subscribe("#", QoS.AT_LEAST_ONCE);
                wild.subscribe("+/status", QoS.AT_LEAST_ONCE);
                dollar.subscribe("$internal/#", QoS.AT_LEAST_ONCE);
                pub.publish("$internal/status", "hidden", QoS.AT_LEAST_ONCE, false);
                pub.publish("cmp/marker", "after", QoS.AT_LEAST_ONCE, false);
                Publish explicit = nextPublish(dollar);
                dollar.send(new PubAck(explicit.packetId()));
                return List.of("# and +/status: " + untilMarker(wild, "cmp/marker"),
                        "$internal/#: " + describe(explicit));
            }
        });
        List<String> expected = List.of("# and +/status: []", "$internal/#: $internal/status hidden q1");
        assertThat(o.mosquitto()).isEqualTo(expected);
        assertThat(o.tern()).isEqualTo(expected);
    }
}
