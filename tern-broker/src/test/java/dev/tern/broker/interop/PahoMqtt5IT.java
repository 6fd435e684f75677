package dev.tern.broker.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.broker.auth.AuthenticationContext;
import dev.tern.broker.auth.AuthenticationExchange;
import dev.tern.broker.auth.AuthenticationMethod;
import dev.tern.broker.auth.AuthenticationStep;
import dev.tern.broker.auth.InMemoryScramCredentialStore;
import dev.tern.broker.test.ScramClient;
import dev.tern.broker.test.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Eclipse Paho Java {@code mqttv5} (1.2.5, asynchronous client) against an embedded Tern: every
 * MQTT 5.0 feature as this second third-party client sees it, including a subscriber with manual
 * acknowledgements that withholds PUBACKs to prove Receive Maximum.
 */
class PahoMqtt5IT {
    private static final long WAIT_MS = 5_000;

    private TestBroker broker;
    private final List<MqttAsyncClient> clients = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (MqttAsyncClient c : clients) {
            try {
                if (c.isConnected()) {
                    c.disconnect().waitForCompletion(WAIT_MS);
                }
                c.close(true);
            } catch (MqttException e) {
                // already closed by the broker or the test
            }
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** A client whose received messages land in {@link Client#inbox}. */
    private final class Client implements MqttCallback {
        final MqttAsyncClient paho;
        final BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        final AtomicReference<MqttDisconnectResponse> disconnected = new AtomicReference<>();
        final AtomicReference<MqttProperties> auth = new AtomicReference<>();
        final AtomicReference<MqttException> authFailure = new AtomicReference<>();
        volatile ScramClient scram;

        Client(String id) throws MqttException {
            paho = new MqttAsyncClient("tcp://127.0.0.1:" + broker.port(), id, new MemoryPersistence());
            paho.setCallback(this);
            clients.add(paho);
        }

        IMqttToken connect(MqttConnectionOptions options) throws MqttException {
            IMqttToken t = paho.connect(options);
            t.waitForCompletion(WAIT_MS);
            return t;
        }

        IMqttToken connect() throws MqttException {
            return connect(new MqttConnectionOptions());
        }

        void subscribe(MqttSubscription s, MqttProperties props) throws MqttException {
            paho.subscribe(new MqttSubscription[] {s}, null, null, props).waitForCompletion(WAIT_MS);
        }

        void subscribe(String filter, int qos) throws MqttException {
            subscribe(new MqttSubscription(filter, qos), new MqttProperties());
        }

        IMqttToken publish(String topic, String payload, int qos, MqttProperties props) throws MqttException {
            MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
            m.setQos(qos);
            m.setProperties(props);
            IMqttToken t = paho.publish(topic, m);
            t.waitForCompletion(WAIT_MS);
            return t;
        }

        Received next() throws InterruptedException {
            Received r = inbox.poll(WAIT_MS, TimeUnit.MILLISECONDS);
            assertThat(r).as("a message within %s ms", WAIT_MS).isNotNull();
            return r;
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            disconnected.set(response);
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            inbox.add(new Received(topic, message));
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
            auth.set(properties);
            if (reasonCode == 0x18 && scram != null) {
                MqttProperties answer = new MqttProperties();
                answer.setAuthenticationMethod("SCRAM-SHA-256");
                answer.setAuthenticationData(scram.clientFinal(properties.getAuthenticationData()));
                try {
                    paho.authenticate(0x18, null, answer);
                } catch (MqttException e) {
                    authFailure.set(e);
                }
            }
        }
    }

    record Received(String topic, MqttMessage message) {
        String text() {
            return new String(message.getPayload(), StandardCharsets.UTF_8);
        }
    }

    private void start() throws Exception {
        broker = TestBroker.start();
    }

    @Test
    @DisplayName("CONNACK properties: Receive Maximum, Topic Alias Maximum, assigned client id, Response Information")
    void connAck() throws Exception {
        start();
        Client c = new Client("");
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setRequestResponseInfo(true);
        MqttProperties p = c.connect(o).getResponseProperties();
        assertThat(p.getReceiveMaximum()).isEqualTo(256);
        assertThat(p.getTopicAliasMaximum()).isEqualTo(10);
        assertThat(p.getAssignedClientIdentifier()).startsWith("auto-");
        assertThat(p.getResponseInfo()).isEqualTo("response/" + p.getAssignedClientIdentifier());
    }

    @Test
    @DisplayName("Subscription Identifiers: a message matching two subscriptions carries both identifiers")
    void subscriptionIdentifiers() throws Exception {
        start();
        Client sub = new Client("paho-ids");
        sub.connect();
        MqttProperties one = new MqttProperties();
        one.setSubscriptionIdentifier(11);
        sub.subscribe(new MqttSubscription("ids/#", 1), one);
        MqttProperties two = new MqttProperties();
        two.setSubscriptionIdentifier(22);
        sub.subscribe(new MqttSubscription("ids/+", 1), two);
        Client pub = new Client("paho-ids-pub");
        pub.connect();
        pub.publish("ids/a", "x", 1, new MqttProperties());
        Received r = sub.next();
        assertThat(r.message().getProperties().getSubscriptionIdentifiers()).containsExactlyInAnyOrder(11, 22);
    }

    @Test
    @DisplayName("request/response properties and User Properties in order; Message Expiry Interval forwarded")
    void properties() throws Exception {
        start();
        Client sub = new Client("paho-props");
        sub.connect();
        sub.subscribe("props/#", 1);
        Client pub = new Client("paho-props-pub");
        pub.connect();
        MqttProperties p = new MqttProperties();
        p.setResponseTopic("props/reply");
        p.setCorrelationData(new byte[] {9, 8, 7});
        p.setContentType("application/octet-stream");
        p.setPayloadFormat(true);
        p.setMessageExpiryInterval(300L);
        p.setUserProperties(List.of(new UserProperty("x", "1"), new UserProperty("y", "2"),
                new UserProperty("x", "3")));
        pub.publish("props/a", "payload", 1, p);
        MqttProperties got = sub.next().message().getProperties();
        assertThat(got.getResponseTopic()).isEqualTo("props/reply");
        assertThat(got.getCorrelationData()).containsExactly(9, 8, 7);
        assertThat(got.getContentType()).isEqualTo("application/octet-stream");
        assertThat(got.getPayloadFormat()).isTrue();
        assertThat(got.getMessageExpiryInterval()).isBetween(298L, 300L);
        assertThat(got.getUserProperties()).extracting(u -> u.getKey() + "=" + u.getValue())
                .containsExactly("x=1", "y=2", "x=3");
    }

    @Test
    @DisplayName("Receive Maximum: a subscriber with manual acks and Receive Maximum 2 holds at most 2")
    void receiveMaximum() throws Exception {
        start();
        Client sub = new Client("paho-slow");
        sub.paho.setManualAcks(true);
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setReceiveMaximum(2);
        sub.connect(o);
        sub.subscribe("slow/#", 1);
        Client pub = new Client("paho-fast");
        pub.connect();
        for (int i = 0; i < 5; i++) {
            pub.publish("slow/t", "m" + i, 1, new MqttProperties());
        }
        Received first = sub.next();
        Received second = sub.next();
        assertThat(sub.inbox.poll(300, TimeUnit.MILLISECONDS)).as("quota used up").isNull();
        List<String> all = new ArrayList<>(List.of(first.text(), second.text()));
        sub.paho.messageArrivedComplete(first.message().getId(), first.message().getQos());
        sub.paho.messageArrivedComplete(second.message().getId(), second.message().getQos());
        for (int i = 0; i < 3; i++) {
            Received r = sub.next();
            all.add(r.text());
            sub.paho.messageArrivedComplete(r.message().getId(), r.message().getQos());
        }
        assertThat(all).containsExactly("m0", "m1", "m2", "m3", "m4");
    }

    @Test
    @DisplayName("topic aliases: Paho publishing with a Topic Alias; its subscriber announces no Topic Alias "
            + "Maximum (Paho 1.2.5 loses aliased topics, eclipse-paho/paho.mqtt.java#866) and gets none")
    void topicAliases() throws Exception {
        start();
        Client sub = new Client("paho-alias-sub");
        sub.connect();
        sub.subscribe("pa/#", 0);
        Client pub = new Client("paho-alias-pub");
        pub.connect();
        for (int i = 0; i < 4; i++) {
            MqttProperties p = new MqttProperties();
            p.setTopicAlias(3);
            pub.publish("pa/aliased", "m" + i, 1, p);
        }
        for (int i = 0; i < 4; i++) {
            Received r = sub.next();
            assertThat(r.topic()).isEqualTo("pa/aliased");
            assertThat(r.text()).isEqualTo("m" + i);
        }
    }

    @Test
    @DisplayName("session expiry, Clean Start 0, and the will with a Will Delay Interval cancelled by a reconnect")
    void sessionAndWill() throws Exception {
        start();
        Client watcher = new Client("paho-watcher");
        watcher.connect();
        watcher.subscribe("pwill/#", 0);
        Client c = new Client("paho-session");
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setSessionExpiryInterval(60L);
        MqttMessage will = new MqttMessage("gone".getBytes(StandardCharsets.UTF_8));
        o.setWill("pwill/session", will);
        MqttProperties willProps = new MqttProperties();
        willProps.setWillDelayInterval(2L);
        o.setWillMessageProperties(willProps);
        c.connect(o);
        c.subscribe("psess/t", 1);
        c.paho.disconnectForcibly(0, 100, false); // no DISCONNECT: the will is pending
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.broker().sessionInfo("paho-session").join()
                .map(s -> !s.connected()).orElse(false));
        assertThat(broker.broker().sessionInfo("paho-session").join().orElseThrow().willPending()).isTrue();
        Client again = new Client("paho-session");
        MqttConnectionOptions resume = new MqttConnectionOptions();
        resume.setCleanStart(false);
        resume.setSessionExpiryInterval(60L);
        assertThat(again.connect(resume).getSessionPresent()).isTrue();
        assertThat(watcher.inbox.poll(2500, TimeUnit.MILLISECONDS)).as("will cancelled by the reconnect").isNull();
    }

    @Test
    @DisplayName("shared subscription: two Paho v5 members share the messages")
    void shared() throws Exception {
        start();
        Client a = new Client("paho-share-a");
        a.connect();
        a.subscribe("$share/p/work", 1);
        Client b = new Client("paho-share-b");
        b.connect();
        b.subscribe("$share/p/work", 1);
        Client pub = new Client("paho-share-pub");
        pub.connect();
        for (int i = 0; i < 4; i++) {
            pub.publish("work", "w" + i, 1, new MqttProperties());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> a.inbox.size() + b.inbox.size() == 4);
        assertThat(a.inbox).hasSize(2);
        assertThat(b.inbox).hasSize(2);
    }

    @Test
    @DisplayName("server DISCONNECT reason codes reach Paho: 0x8E on take-over")
    void takenOver() throws Exception {
        start();
        Client first = new Client("paho-twin");
        first.connect();
        new Client("paho-twin").connect();
        await().atMost(Duration.ofSeconds(5)).until(() -> first.disconnected.get() != null);
        assertThat(first.disconnected.get().getReturnCode()).isEqualTo(0x8E);
    }

    @Test
    @DisplayName("enhanced authentication: Paho receives the SCRAM-SHA-256 challenge (AUTH 0x18 with the method "
            + "and a server-first-message for its nonce); Paho 1.2.5 cannot answer before CONNACK (docs/interop.md)")
    void scramChallenge() throws Exception {
        InMemoryScramCredentialStore users = new InMemoryScramCredentialStore().addUser("paho", "pw");
        broker = TestBroker.start(b -> b.allowAnonymous(false), e -> e.scramCredentials(users));
        Client c = new Client("paho-scram");
        c.scram = new ScramClient("paho", "pw");
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setAuthMethod("SCRAM-SHA-256");
        o.setAuthData(c.scram.clientFirst());
        try {
            c.connect(o);
        } catch (MqttException expected) {
            // Paho refuses to send AUTH before CONNACK ("Client is not connected", 32104).
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> c.auth.get() != null);
        assertThat(c.auth.get().getAuthenticationMethod()).isEqualTo("SCRAM-SHA-256");
        assertThat(c.authFailure.get()).as("Paho's own limitation").isNotNull();
        assertThat(c.authFailure.get().getReasonCode()).isEqualTo(32104); // Paho: client not connected
    }

    /** A one-step method for the SPI: the client's data must be the token. */
    private static AuthenticationMethod tokenMethod(String token) {
        return new AuthenticationMethod() {
            @Override
            public String name() {
                return "TOKEN";
            }

            @Override
            public AuthenticationExchange begin(AuthenticationContext context) {
                return data -> CompletableFuture.completedFuture(
                        new String(data, StandardCharsets.UTF_8).equals(token)
                                ? new AuthenticationStep.Success("welcome".getBytes(StandardCharsets.UTF_8), "paho")
                                : new AuthenticationStep.Failure(0x87, "wrong token"));
            }
        };
    }

    @Test
    @DisplayName("enhanced authentication with a one-step method through the SPI: CONNACK carries the method and "
            + "data; Paho's malformed re-authentication AUTH gets DISCONNECT 0x81")
    void tokenMethodAndReauthentication() throws Exception {
        broker = TestBroker.start(b -> b.allowAnonymous(false), e -> e.authenticationMethod(tokenMethod("t0k3n")));
        Client c = new Client("paho-token");
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setAuthMethod("TOKEN");
        o.setAuthData("t0k3n".getBytes(StandardCharsets.UTF_8));
        MqttProperties connAck = c.connect(o).getResponseProperties();
        assertThat(connAck.getAuthenticationMethod()).isEqualTo("TOKEN");
        assertThat(new String(connAck.getAuthenticationData(), StandardCharsets.UTF_8)).isEqualTo("welcome");

        // Re-authentication: Paho 1.2.5 sends AUTH with fixed-header flags 0001 (eclipse-paho/paho.mqtt.java#980);
        // such a packet is malformed (MQTT-3.15.1-1), so Tern closes with DISCONNECT 0x81, as Mosquitto does.
        MqttProperties again = new MqttProperties();
        again.setAuthenticationMethod("TOKEN");
        again.setAuthenticationData("t0k3n".getBytes(StandardCharsets.UTF_8));
        c.paho.authenticate(0x19, null, again);
        await().atMost(Duration.ofSeconds(5)).until(() -> c.disconnected.get() != null);
        assertThat(c.disconnected.get().getReturnCode()).isEqualTo(0x81);
    }

    @Test
    @DisplayName("a wrong token is refused with CONNACK 0x87")
    void wrongToken() throws Exception {
        broker = TestBroker.start(b -> b.allowAnonymous(false), e -> e.authenticationMethod(tokenMethod("t0k3n")));
        Client c = new Client("paho-token-bad");
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setAuthMethod("TOKEN");
        o.setAuthData("guess".getBytes(StandardCharsets.UTF_8));
        try {
            c.connect(o);
            throw new AssertionError("a wrong token was accepted");
        } catch (MqttException e) {
            assertThat(e.getReasonCode()).isEqualTo(0x87);
        }
    }
}
