package dev.tern.broker.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.broker.test.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Eclipse Paho Java (mqttv3 1.2.5) against an embedded Tern, over MQTT 3.1.1 and 3.1. */
class PahoJavaIT {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private TestBroker broker;
    private final List<MqttClient> clients = new ArrayList<>();

    @BeforeEach
    void startBroker() throws Exception {
        broker = TestBroker.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (MqttClient c : clients) {
            if (c.isConnected()) {
                try {
                    c.disconnect(0);
                } catch (MqttException e) {
                    // the connection ended meanwhile (take-over, forced close)
                }
            }
            c.close(true);
        }
        broker.close();
    }

    /** A message as Paho delivered it. */
    record Received(String topic, String payload, int qos, boolean retained, boolean duplicate) {}

    /** A Paho client with its received messages and connection-lost signal. */
    private final class Peer implements MqttCallback {
        final MqttClient client;
        final BlockingQueue<Received> messages = new LinkedBlockingQueue<>();
        final CountDownLatch lost = new CountDownLatch(1);

        Peer(String clientId) throws MqttException {
            client = new MqttClient("tcp://127.0.0.1:" + broker.port(), clientId, new MemoryPersistence());
            client.setTimeToWait(WAIT.toMillis());
            client.setCallback(this);
            clients.add(client);
        }

        Peer connect(int mqttVersion, boolean cleanSession) throws MqttException {
            client.connect(options(mqttVersion, cleanSession));
            return this;
        }

        @Override
        public void connectionLost(Throwable cause) {
            lost.countDown();
        }

        @Override
        public void messageArrived(String topic, MqttMessage m) {
            messages.add(new Received(topic, new String(m.getPayload(), StandardCharsets.UTF_8), m.getQos(),
                    m.isRetained(), m.isDuplicate()));
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {}

        Received next() throws InterruptedException {
            Received r = messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(r).as("a message for %s within %s", client.getClientId(), WAIT).isNotNull();
            return r;
        }

        void publish(String topic, String payload, int qos, boolean retained) throws MqttException {
            client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retained);
        }
    }

    private static MqttConnectOptions options(int mqttVersion, boolean cleanSession) {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(mqttVersion); // explicit: no silent fallback from 3.1.1 to 3.1
        o.setCleanSession(cleanSession);
        o.setConnectionTimeout(5);
        o.setKeepAliveInterval(30);
        return o;
    }

    private Peer connected(String clientId) throws MqttException {
        return new Peer(clientId).connect(MqttConnectOptions.MQTT_VERSION_3_1_1, true);
    }

    @ParameterizedTest(name = "MQTT version {0}")
    @ValueSource(ints = {MqttConnectOptions.MQTT_VERSION_3_1_1, MqttConnectOptions.MQTT_VERSION_3_1})
    @DisplayName("publish and subscribe at QoS 0, 1 and 2 (4 = MQTT 3.1.1, 3 = MQTT 3.1)")
    void publishSubscribeAtEveryQos(int version) throws Exception {
        Peer sub = new Peer("paho-sub").connect(version, true);
        Peer pub = new Peer("paho-pub").connect(version, true);
        sub.client.subscribe("paho/qos", 2);
        for (int qos = 0; qos <= 2; qos++) {
            pub.publish("paho/qos", "at qos " + qos, qos, false);
            assertThat(sub.next()).isEqualTo(new Received("paho/qos", "at qos " + qos, qos, false, false));
        }
        sub.client.subscribe("paho/low", 1);
        pub.publish("paho/low", "downgraded", 2, false);
        assertThat(sub.next().qos()).as("delivered at the subscription's lower QoS").isEqualTo(1);
    }

    @Test
    void retainedMessageReachesLateSubscriber() throws Exception {
        Peer pub = connected("paho-retainer");
        pub.publish("paho/retained", "last known value", 1, true);
        pub.publish("paho/live", "not retained", 1, false);

        Peer late = connected("paho-late");
        late.client.subscribe("paho/#", 1);
        assertThat(late.next()).isEqualTo(new Received("paho/retained", "last known value", 1, true, false));

        pub.publish("paho/retained", "fresh", 1, true);
        assertThat(late.next()).as("live delivery to an existing subscription has RETAIN 0")
                .isEqualTo(new Received("paho/retained", "fresh", 1, false, false));
    }

    @Test
    void wildcardSubscriptions() throws Exception {
        Peer sub = connected("paho-wild");
        sub.client.subscribe(new String[] {"home/+/temperature", "office/#"}, new int[] {1, 1});
        Peer pub = connected("paho-wild-pub");
        pub.publish("home/kitchen/temperature", "21", 1, false);
        pub.publish("home/kitchen/humidity", "no match", 1, false);
        pub.publish("home/a/b/temperature", "no match: + is one level", 1, false);
        pub.publish("office", "# matches the parent level", 1, false);
        pub.publish("office/floor/1/desk", "deep", 1, false);
        assertThat(List.of(sub.next(), sub.next(), sub.next())).extracting(Received::topic)
                .containsExactly("home/kitchen/temperature", "office", "office/floor/1/desk");
    }

    @Test
    @DisplayName("the will is published when the client dies without DISCONNECT [MQTT-3.1.2-8]")
    void willOnAbruptClose() throws Exception {
        Peer watcher = connected("paho-watcher");
        watcher.client.subscribe("paho/status/#", 1);

        Peer dying = new Peer("paho-dying");
        MqttConnectOptions o = options(MqttConnectOptions.MQTT_VERSION_3_1_1, true);
        o.setWill("paho/status/dying", "offline".getBytes(StandardCharsets.UTF_8), 1, false);
        dying.client.connect(o);
        dying.client.disconnectForcibly(0, 10, false); // closes the socket, sends no DISCONNECT

        assertThat(watcher.next()).isEqualTo(new Received("paho/status/dying", "offline", 1, false, false));

        Peer polite = new Peer("paho-polite");
        MqttConnectOptions p = options(MqttConnectOptions.MQTT_VERSION_3_1_1, true);
        p.setWill("paho/status/polite", "offline".getBytes(StandardCharsets.UTF_8), 1, false);
        polite.client.connect(p);
        polite.client.disconnect();
        connected("paho-marker").publish("paho/status/marker", "after", 1, false);
        assertThat(watcher.next().topic()).as("DISCONNECT discards the will [MQTT-3.1.2-10]")
                .isEqualTo("paho/status/marker");
    }

    @Test
    @DisplayName("a persistent session receives the QoS 1 messages published while it was offline")
    void persistentSessionGetsOfflineMessages() throws Exception {
        Peer first = new Peer("paho-persistent").connect(MqttConnectOptions.MQTT_VERSION_3_1_1, false);
        first.client.subscribe("paho/offline", 1);
        first.client.disconnect();
        await().atMost(WAIT).until(() -> broker.broker().metrics().connectedClients() == 0);

        Peer pub = connected("paho-offline-pub");
        for (int i = 1; i <= 3; i++) {
            pub.publish("paho/offline", "queued " + i, 1, false);
        }
        pub.publish("paho/offline", "qos 0 is not queued", 0, false);

        Peer again = new Peer("paho-persistent");
        boolean sessionPresent = again.client.connectWithResult(options(MqttConnectOptions.MQTT_VERSION_3_1_1, false))
                .getSessionPresent();
        assertThat(sessionPresent).isTrue();
        assertThat(List.of(again.next(), again.next(), again.next())).extracting(Received::payload)
                .containsExactly("queued 1", "queued 2", "queued 3");
        pub.publish("paho/offline", "live", 1, false);
        assertThat(again.next().payload()).isEqualTo("live");
    }

    @Test
    @DisplayName("a second connection with the same client id takes over [MQTT-3.1.4-2]")
    void takeOver() throws Exception {
        Peer first = connected("paho-same-id");
        Peer second = connected("paho-same-id");
        assertThat(first.lost.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("first connection closed").isTrue();
        assertThat(first.client.isConnected()).isFalse();

        second.client.subscribe("paho/takeover", 1);
        connected("paho-takeover-pub").publish("paho/takeover", "to the new connection", 1, false);
        assertThat(second.next().payload()).isEqualTo("to the new connection");
        assertThat(second.client.isConnected()).isTrue();
    }

    @Test
    void unsubscribe() throws Exception {
        Peer sub = connected("paho-unsub");
        sub.client.subscribe(new String[] {"paho/unsub/#", "paho/kept"}, new int[] {1, 1});
        Peer pub = connected("paho-unsub-pub");
        pub.publish("paho/unsub/a", "before", 1, false);
        assertThat(sub.next().payload()).isEqualTo("before");

        sub.client.unsubscribe("paho/unsub/#");
        pub.publish("paho/unsub/a", "after unsubscribe", 1, false);
        pub.publish("paho/kept", "marker", 1, false);
        assertThat(sub.next()).as("only the still-subscribed topic")
                .isEqualTo(new Received("paho/kept", "marker", 1, false, false));
    }
}
