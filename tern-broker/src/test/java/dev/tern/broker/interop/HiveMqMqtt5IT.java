package dev.tern.broker.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.datatypes.MqttUtf8String;
import com.hivemq.client.mqtt.exceptions.MqttClientStateException;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientConfig;
import com.hivemq.client.mqtt.mqtt5.auth.Mqtt5EnhancedAuthMechanism;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5Auth;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5AuthBuilder;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5EnhancedAuthBuilder;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5Connect;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckRestrictions;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5Disconnect;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5RetainHandling;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import dev.tern.broker.auth.InMemoryScramCredentialStore;
import dev.tern.broker.test.ScramClient;
import dev.tern.broker.test.TestBroker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The HiveMQ MQTT client (1.3.10) MQTT 5 API against an embedded Tern: every MQTT 5.0 feature of the
 * broker as this third-party client sees it, including a fault-injecting subscriber that withholds
 * its PUBACKs (manual acknowledgement) to prove Receive Maximum.
 */
class HiveMqMqtt5IT {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private TestBroker broker;
    private final List<Mqtt5BlockingClient> clients = new ArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
        for (Mqtt5BlockingClient c : clients) {
            if (c.getState().isConnected()) {
                try {
                    c.disconnect();
                } catch (MqttClientStateException e) {
                    // closed by the broker or the test in the meantime
                }
            }
        }
        if (broker != null) {
            broker.close();
        }
    }

    private void start() throws Exception {
        broker = TestBroker.start();
    }

    private Mqtt5BlockingClient client(String id) {
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(broker.port()).buildBlocking();
        clients.add(c);
        return c;
    }

    private Mqtt5BlockingClient connected(String id) {
        Mqtt5BlockingClient c = client(id);
        c.connect();
        return c;
    }

    private Mqtt5BlockingClient.Mqtt5Publishes inbox(Mqtt5BlockingClient c) {
        Mqtt5BlockingClient.Mqtt5Publishes inbox = c.publishes(MqttGlobalPublishFilter.ALL);
        resources.add(inbox);
        return inbox;
    }

    private static Mqtt5Publish next(Mqtt5BlockingClient.Mqtt5Publishes inbox) throws InterruptedException {
        Optional<Mqtt5Publish> p = inbox.receive(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(p).as("a PUBLISH within %s", WAIT).isPresent();
        return p.get();
    }

    private static String text(Mqtt5Publish p) {
        return new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("CONNACK: the client sees Receive Maximum 256, Topic Alias Maximum 10, QoS 2, retain, wildcard, "
            + "shared and identifier support, an assigned id, Server Keep Alive and Response Information")
    void connAckCapabilities() throws Exception {
        broker = TestBroker.start(b -> b.maxKeepalive(100));
        Mqtt5ConnAck ack = client("").connectWith().keepAlive(0).restrictions().requestResponseInformation(true)
                .applyRestrictions().send();
        Mqtt5ConnAckRestrictions r = ack.getRestrictions();
        assertThat(r.getReceiveMaximum()).isEqualTo(256);
        assertThat(r.getTopicAliasMaximum()).isEqualTo(10);
        assertThat(r.getMaximumQos()).isEqualTo(MqttQos.EXACTLY_ONCE);
        assertThat(r.isRetainAvailable()).isTrue();
        assertThat(r.isWildcardSubscriptionAvailable()).isTrue();
        assertThat(r.isSharedSubscriptionAvailable()).isTrue();
        assertThat(r.areSubscriptionIdentifiersAvailable()).isTrue();
        assertThat(ack.getAssignedClientIdentifier()).isPresent();
        assertThat(ack.getServerKeepAlive()).hasValue(100);
        String id = ack.getAssignedClientIdentifier().get().toString();
        assertThat(ack.getResponseInformation().map(Object::toString)).hasValue("response/" + id);
    }

    @Test
    @DisplayName("Session Expiry Interval and Clean Start: the session and a QoS 1 message outlive the connection")
    void sessionExpiry() throws Exception {
        start();
        Mqtt5BlockingClient sub = client("hive-session");
        assertThat(sub.connectWith().cleanStart(true).sessionExpiryInterval(60).send().isSessionPresent()).isFalse();
        sub.subscribeWith().topicFilter("hs/t").qos(MqttQos.AT_LEAST_ONCE).send();
        sub.disconnect();
        connected("hive-pub").publishWith().topic("hs/t").payload(bytes("waiting")).qos(MqttQos.AT_LEAST_ONCE)
                .messageExpiryInterval(120).send();
        Mqtt5BlockingClient again = client("hive-session");
        var inbox = inbox(again);
        assertThat(again.connectWith().cleanStart(false).sessionExpiryInterval(60).send().isSessionPresent())
                .isTrue();
        Mqtt5Publish p = next(inbox);
        assertThat(text(p)).isEqualTo("waiting");
        assertThat(p.getMessageExpiryInterval()).isPresent();
        assertThat(p.getMessageExpiryInterval().getAsLong()).isBetween(115L, 120L);
    }

    @Test
    @DisplayName("properties forwarded: Payload Format Indicator, Content Type, Response Topic, Correlation Data "
            + "and User Properties in order (request/response)")
    void requestResponse() throws Exception {
        start();
        Mqtt5BlockingClient responder = connected("hive-responder");
        var requests = inbox(responder);
        responder.subscribeWith().topicFilter("rr/request").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5BlockingClient requester = connected("hive-requester");
        var replies = inbox(requester);
        requester.subscribeWith().topicFilter("rr/reply/#").qos(MqttQos.AT_LEAST_ONCE).send();
        requester.publishWith().topic("rr/request").payload(bytes("ping")).qos(MqttQos.AT_LEAST_ONCE)
                .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8).contentType("text/plain")
                .responseTopic("rr/reply/1").correlationData(bytes("corr-42"))
                .userProperties().add("b", "1").add("a", "2").add("b", "3").applyUserProperties().send();
        Mqtt5Publish request = next(requests);
        assertThat(request.getPayloadFormatIndicator()).hasValue(Mqtt5PayloadFormatIndicator.UTF_8);
        assertThat(request.getContentType().map(Object::toString)).hasValue("text/plain");
        assertThat(request.getUserProperties().asList()).extracting(u -> u.getName() + "=" + u.getValue())
                .containsExactly("b=1", "a=2", "b=3");
        responder.publishWith().topic(request.getResponseTopic().orElseThrow()).payload(bytes("pong"))
                .correlationData(request.getCorrelationData().orElseThrow()).qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5Publish reply = next(replies);
        assertThat(reply.getTopic().toString()).isEqualTo("rr/reply/1");
        assertThat(StandardCharsets.UTF_8.decode(reply.getCorrelationData().orElseThrow()).toString())
                .isEqualTo("corr-42");
    }

    @Test
    @DisplayName("topic aliases both ways: the client may send aliases and receive the broker's (its Topic Alias "
            + "Maximum 5); every message keeps its topic")
    void topicAliases() throws Exception {
        start();
        Mqtt5BlockingClient sub = client("hive-alias-sub");
        var inbox = inbox(sub);
        sub.connectWith().restrictions().topicAliasMaximum(5).applyRestrictions().send();
        sub.subscribeWith().topicFilter("alias/#").send();
        Mqtt5BlockingClient pub = client("hive-alias-pub");
        pub.connectWith().restrictions().sendTopicAliasMaximum(5).applyRestrictions().send();
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String topic = "alias/" + (i % 3) + "/a/rather/long/topic/name/to/make/aliases/worth/it";
            topics.add(topic);
            pub.publishWith().topic(topic).payload(bytes("m" + i)).qos(MqttQos.AT_LEAST_ONCE).send();
        }
        for (int i = 0; i < 12; i++) {
            Mqtt5Publish p = next(inbox);
            assertThat(p.getTopic().toString()).isEqualTo(topics.get(i));
            assertThat(text(p)).isEqualTo("m" + i);
        }
    }

    @Test
    @DisplayName("Receive Maximum: a subscriber with Receive Maximum 3 that withholds its PUBACKs gets 3 messages, "
            + "the rest as it acknowledges")
    void receiveMaximumWithWithheldAcks() throws Exception {
        start();
        Mqtt5BlockingClient sub = client("hive-slow");
        List<Mqtt5Publish> received = new CopyOnWriteArrayList<>();
        sub.toAsync().publishes(MqttGlobalPublishFilter.ALL, received::add, true); // manual acknowledgement
        sub.connectWith().restrictions().receiveMaximum(3).applyRestrictions().send();
        sub.subscribeWith().topicFilter("slow/#").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5BlockingClient pub = connected("hive-fast");
        for (int i = 0; i < 10; i++) {
            pub.publishWith().topic("slow/t").payload(bytes("m" + i)).qos(MqttQos.AT_LEAST_ONCE).send();
        }
        await().atMost(WAIT).until(() -> received.size() == 3);
        Thread.sleep(300);
        assertThat(received).as("no more than Receive Maximum unacknowledged").hasSize(3);
        assertThat(broker.broker().sessionInfo("hive-slow").join().orElseThrow().inflightMessages()).isEqualTo(3);
        for (int acked = 0; acked < 10; acked++) {
            int upTo = acked;
            await().atMost(WAIT).until(() -> received.size() > upTo);
            received.get(acked).acknowledge();
        }
        assertThat(received).extracting(HiveMqMqtt5IT::text).containsExactly("m0", "m1", "m2", "m3", "m4", "m5",
                "m6", "m7", "m8", "m9");
    }

    @Test
    @DisplayName("Maximum Packet Size: a message larger than the client's maximum is not sent to it")
    void maximumPacketSize() throws Exception {
        start();
        Mqtt5BlockingClient sub = client("hive-small");
        var inbox = inbox(sub);
        sub.connectWith().restrictions().maximumPacketSize(100).applyRestrictions().send();
        sub.subscribeWith().topicFilter("mps/#").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5BlockingClient pub = connected("hive-big");
        pub.publishWith().topic("mps/t").payload(new byte[200]).qos(MqttQos.AT_LEAST_ONCE).send();
        pub.publishWith().topic("mps/t").payload(bytes("small")).qos(MqttQos.AT_LEAST_ONCE).send();
        assertThat(text(next(inbox))).isEqualTo("small");
    }

    @Test
    @DisplayName("subscription options: No Local, Retain As Published, Retain Handling 2")
    void subscriptionOptions() throws Exception {
        start();
        Mqtt5BlockingClient c = connected("hive-options");
        var inbox = inbox(c);
        c.publishWith().topic("opt/retained").payload(bytes("kept")).retain(true).qos(MqttQos.AT_LEAST_ONCE).send();
        c.subscribeWith().topicFilter("opt/#").noLocal(true).send();
        c.subscribeWith().topicFilter("opt/retained").retainHandling(Mqtt5RetainHandling.DO_NOT_SEND).send();
        c.subscribeWith().topicFilter("opt/rap").retainAsPublished(true).send();
        c.publishWith().topic("opt/mine").payload(bytes("not back")).qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5BlockingClient other = connected("hive-other");
        other.publishWith().topic("opt/rap").payload(bytes("rap")).retain(true).qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5Publish p = next(inbox);
        assertThat(p.getTopic().toString()).isEqualTo("opt/rap");
        assertThat(p.isRetain()).as("Retain As Published").isTrue();
        assertThat(inbox.receive(300, TimeUnit.MILLISECONDS)).isEmpty();
    }

    @Test
    @DisplayName("shared subscriptions: two HiveMQ members of $share/workers share the messages")
    void sharedSubscription() throws Exception {
        start();
        Mqtt5BlockingClient a = connected("hive-worker-a");
        Mqtt5BlockingClient b = connected("hive-worker-b");
        var inboxA = inbox(a);
        var inboxB = inbox(b);
        assertThat(a.subscribeWith().topicFilter("$share/workers/jobs").qos(MqttQos.AT_LEAST_ONCE).send()
                .getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
        b.subscribeWith().topicFilter("$share/workers/jobs").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5BlockingClient pub = connected("hive-boss");
        for (int i = 0; i < 6; i++) {
            pub.publishWith().topic("jobs").payload(bytes("job" + i)).qos(MqttQos.AT_LEAST_ONCE).send();
        }
        int countA = 0;
        int countB = 0;
        while (inboxA.receive(300, TimeUnit.MILLISECONDS).isPresent()) {
            countA++;
        }
        while (inboxB.receive(300, TimeUnit.MILLISECONDS).isPresent()) {
            countB++;
        }
        assertThat(countA).isEqualTo(3);
        assertThat(countB).isEqualTo(3);
    }

    @Test
    @DisplayName("Will Delay Interval: the will of a connection cut without DISCONNECT comes after the delay")
    void willDelay() throws Exception {
        start();
        Mqtt5BlockingClient watcher = connected("hive-watcher");
        var inbox = inbox(watcher);
        watcher.subscribeWith().topicFilter("hwill/#").send();
        try (TcpProxy proxy = TcpProxy.to(broker.port())) {
            Mqtt5BlockingClient dying = MqttClient.builder().useMqttVersion5().identifier("hive-dying")
                    .serverHost("127.0.0.1").serverPort(proxy.port()).buildBlocking();
            clients.add(dying);
            dying.connectWith().sessionExpiryInterval(30).willPublish().topic("hwill/dying").payload(bytes("gone"))
                    .delayInterval(1).applyWillPublish().send();
            long cut = System.nanoTime();
            proxy.cut();
            assertThat(inbox.receive(500, TimeUnit.MILLISECONDS)).as("not before the delay").isEmpty();
            assertThat(text(next(inbox))).isEqualTo("gone");
            assertThat(Duration.ofNanos(System.nanoTime() - cut)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        }
    }

    @Test
    @DisplayName("reason codes: PUBACK 0x10 with no subscribers, 0x87 for $SYS, 0x99 for a bad UTF-8 payload")
    void pubAckReasonCodes() throws Exception {
        start();
        Mqtt5BlockingClient pub = connected("hive-codes");
        assertThat(pubAck(() -> pub.publishWith().topic("nobody/home").payload(bytes("x"))
                .qos(MqttQos.AT_LEAST_ONCE).send())).isEqualTo(Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS);
        assertThat(pubAck(() -> pub.publishWith().topic("$SYS/forged").payload(bytes("x"))
                .qos(MqttQos.AT_LEAST_ONCE).send())).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        assertThat(pubAck(() -> pub.publishWith().topic("bad/utf8").payload(new byte[] {(byte) 0xC3, 0x28})
                .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8).qos(MqttQos.AT_LEAST_ONCE).send()))
                .isEqualTo(Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID);
    }

    private static Mqtt5PubAckReasonCode pubAck(java.util.function.Supplier<Mqtt5PublishResult> send) {
        try {
            Mqtt5PublishResult result = send.get();
            assertThat(result).isInstanceOf(Mqtt5PublishResult.Mqtt5Qos1Result.class);
            return ((Mqtt5PublishResult.Mqtt5Qos1Result) result).getPubAck().getReasonCode();
        } catch (Mqtt5PubAckException e) {
            return e.getMqttMessage().getReasonCode(); // the blocking API throws for error codes
        }
    }

    @Test
    @DisplayName("server DISCONNECT: a taken-over client learns 0x8E (Session taken over)")
    void takenOver() throws Exception {
        start();
        AtomicReference<Throwable> cause = new AtomicReference<>();
        Mqtt5BlockingClient first = MqttClient.builder().useMqttVersion5().identifier("hive-twin")
                .serverHost("127.0.0.1").serverPort(broker.port())
                .addDisconnectedListener(ctx -> cause.set(ctx.getCause())).buildBlocking();
        clients.add(first);
        first.connect();
        connected("hive-twin");
        await().atMost(WAIT).until(() -> cause.get() != null);
        assertThat(cause.get()).isInstanceOf(Mqtt5DisconnectException.class);
        Mqtt5Disconnect d = ((Mqtt5DisconnectException) cause.get()).getMqttMessage();
        assertThat(d.getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER);
    }

    @Test
    @DisplayName("cross-version: a 5.0 publish with properties reaches a HiveMQ 3.1.1 subscriber")
    void crossVersion() throws Exception {
        start();
        Mqtt3BlockingClient old = MqttClient.builder().useMqttVersion3().identifier("hive-old")
                .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
        old.connect();
        try (var inbox = old.publishes(MqttGlobalPublishFilter.ALL)) {
            old.subscribeWith().topicFilter("cross/#").qos(MqttQos.AT_LEAST_ONCE).send();
            connected("hive-new").publishWith().topic("cross/a").payload(bytes("to 3.1.1"))
                    .qos(MqttQos.AT_LEAST_ONCE).userProperties().add("k", "v").applyUserProperties()
                    .contentType("text/plain").send();
            Optional<Mqtt3Publish> p = inbox.receive(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(p).isPresent();
            assertThat(new String(p.get().getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("to 3.1.1");
        } finally {
            old.disconnect();
        }
    }

    @Test
    @DisplayName("enhanced authentication: SCRAM-SHA-256 through the HiveMQ enhanced-auth API, then "
            + "re-authentication; a wrong password is refused with 0x86")
    void scram() throws Exception {
        InMemoryScramCredentialStore users = new InMemoryScramCredentialStore().addUser("hive", "s3cret");
        broker = TestBroker.start(b -> b.allowAnonymous(false), e -> e.scramCredentials(users));
        ScramMechanism good = new ScramMechanism("hive", "s3cret");
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier("hive-scram")
                .serverHost("127.0.0.1").serverPort(broker.port()).enhancedAuth(good).buildBlocking();
        clients.add(c);
        assertThat(c.connect().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        assertThat(good.serverVerified).as("server signature verified").isTrue();
        good.serverVerified = false;
        c.toAsync().reauth().get(5, TimeUnit.SECONDS);
        assertThat(good.serverVerified).as("re-authenticated").isTrue();
        assertThat(c.getState().isConnected()).isTrue();

        Mqtt5BlockingClient bad = MqttClient.builder().useMqttVersion5().identifier("hive-scram-bad")
                .serverHost("127.0.0.1").serverPort(broker.port()).enhancedAuth(new ScramMechanism("hive", "nope"))
                .buildBlocking();
        try {
            bad.connect();
            throw new AssertionError("a wrong password was accepted");
        } catch (Mqtt5ConnAckException e) {
            assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
        }
    }

    /** SCRAM-SHA-256 on HiveMQ's enhanced authentication SPI, with the test's own SCRAM client. */
    private static final class ScramMechanism implements Mqtt5EnhancedAuthMechanism {
        private final String user;
        private final String password;
        private ScramClient scram;
        volatile boolean serverVerified;

        ScramMechanism(String user, String password) {
            this.user = user;
            this.password = password;
        }

        @Override
        public MqttUtf8String getMethod() {
            return MqttUtf8String.of("SCRAM-SHA-256");
        }

        @Override
        public int getTimeout() {
            return 5;
        }

        @Override
        public CompletableFuture<Void> onAuth(Mqtt5ClientConfig config, Mqtt5Connect connect,
                                              Mqtt5EnhancedAuthBuilder builder) {
            scram = new ScramClient(user, password);
            builder.data(scram.clientFirst());
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> onReAuth(Mqtt5ClientConfig config, Mqtt5AuthBuilder builder) {
            scram = new ScramClient(user, password);
            builder.data(scram.clientFirst());
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Boolean> onContinue(Mqtt5ClientConfig config, Mqtt5Auth auth,
                                                     Mqtt5AuthBuilder builder) {
            builder.data(scram.clientFinal(array(auth.getData())));
            return CompletableFuture.completedFuture(true);
        }

        @Override
        public CompletableFuture<Boolean> onAuthSuccess(Mqtt5ClientConfig config, Mqtt5ConnAck connAck) {
            serverVerified = scram.verifyServerFinal(array(connAck.getEnhancedAuth().orElseThrow().getData()));
            return CompletableFuture.completedFuture(serverVerified);
        }

        @Override
        public CompletableFuture<Boolean> onReAuthSuccess(Mqtt5ClientConfig config, Mqtt5Auth auth) {
            serverVerified = scram.verifyServerFinal(array(auth.getData()));
            return CompletableFuture.completedFuture(serverVerified);
        }

        @Override
        public void onAuthRejected(Mqtt5ClientConfig config, Mqtt5ConnAck connAck) {
        }

        @Override
        public void onReAuthRejected(Mqtt5ClientConfig config, Mqtt5Disconnect disconnect) {
        }

        @Override
        public void onAuthError(Mqtt5ClientConfig config, Throwable cause) {
        }

        @Override
        public void onReAuthError(Mqtt5ClientConfig config, Throwable cause) {
        }

        private static byte[] array(Optional<ByteBuffer> data) {
            ByteBuffer b = data.orElseThrow().duplicate();
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        }
    }
}
