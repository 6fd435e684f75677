package dev.tern.broker.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.exceptions.MqttClientStateException;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAck;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import dev.tern.broker.test.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The HiveMQ MQTT client (1.3.10, blocking API) against an embedded Tern: MQTT 3.1.1, and MQTT 5.0 basics. */
class HiveMqClientIT {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private TestBroker broker;
    private final List<Mqtt3BlockingClient> v3Clients = new ArrayList<>();
    private final List<Mqtt5BlockingClient> v5Clients = new ArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeEach
    void startBroker() throws Exception {
        broker = TestBroker.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
        for (Mqtt3BlockingClient c : v3Clients) {
            disconnectIfConnected(c.getState().isConnected(), c::disconnect);
        }
        for (Mqtt5BlockingClient c : v5Clients) {
            disconnectIfConnected(c.getState().isConnected(), c::disconnect);
        }
        broker.close();
    }

    private static void disconnectIfConnected(boolean connected, Runnable disconnect) {
        if (connected) {
            try {
                disconnect.run();
            } catch (MqttClientStateException e) {
                // it was connected a moment ago: a connection cut by the test ends asynchronously
            }
        }
    }

    private Mqtt3BlockingClient v3(String clientId) {
        return v3(clientId, broker.port());
    }

    private Mqtt3BlockingClient v3(String clientId, int port) {
        Mqtt3BlockingClient c = MqttClient.builder().useMqttVersion3().identifier(clientId)
                .serverHost("127.0.0.1").serverPort(port).buildBlocking();
        v3Clients.add(c);
        return c;
    }

    private Mqtt3BlockingClient connected(String clientId) {
        Mqtt3BlockingClient c = v3(clientId);
        assertThat(c.connect().getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
        return c;
    }

    /** Registers for every incoming PUBLISH; call before connect or subscribe so nothing is missed. */
    private Mqtt3BlockingClient.Mqtt3Publishes inbox(Mqtt3BlockingClient c) {
        Mqtt3BlockingClient.Mqtt3Publishes p = c.publishes(MqttGlobalPublishFilter.ALL);
        resources.add(p);
        return p;
    }

    private static Mqtt3Publish next(Mqtt3BlockingClient.Mqtt3Publishes inbox) throws InterruptedException {
        Optional<Mqtt3Publish> p = inbox.receive(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(p).as("a PUBLISH within %s", WAIT).isPresent();
        return p.get();
    }

    private static String text(Mqtt3Publish p) {
        return new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8);
    }

    private static void publish(Mqtt3BlockingClient c, String topic, String payload, MqttQos qos, boolean retain) {
        c.publishWith().topic(topic).payload(payload.getBytes(StandardCharsets.UTF_8)).qos(qos).retain(retain).send();
    }

    @Test
    void publishSubscribeAtEveryQos() throws Exception {
        Mqtt3BlockingClient sub = connected("hive-sub");
        var inbox = inbox(sub);
        assertThat(sub.subscribeWith().topicFilter("hive/qos/#").qos(MqttQos.EXACTLY_ONCE).send().getReturnCodes())
                .containsExactly(Mqtt3SubAckReturnCode.SUCCESS_MAXIMUM_QOS_2);
        Mqtt3BlockingClient pub = connected("hive-pub");
        for (MqttQos qos : MqttQos.values()) {
            publish(pub, "hive/qos/" + qos.getCode(), "at " + qos, qos, false);
            Mqtt3Publish p = next(inbox);
            assertThat(p.getTopic().toString()).isEqualTo("hive/qos/" + qos.getCode());
            assertThat(text(p)).isEqualTo("at " + qos);
            assertThat(p.getQos()).isEqualTo(qos);
            assertThat(p.isRetain()).isFalse();
        }
    }

    @Test
    void retainedMessageReachesLateSubscriber() throws Exception {
        Mqtt3BlockingClient pub = connected("hive-retainer");
        publish(pub, "hive/retained", "kept", MqttQos.AT_LEAST_ONCE, true);
        Mqtt3BlockingClient late = connected("hive-late");
        var inbox = inbox(late);
        late.subscribeWith().topicFilter("hive/+").qos(MqttQos.EXACTLY_ONCE).send();
        Mqtt3Publish p = next(inbox);
        assertThat(p.getTopic().toString()).isEqualTo("hive/retained");
        assertThat(text(p)).isEqualTo("kept");
        assertThat(p.isRetain()).isTrue();
        assertThat(p.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
        assertThat(broker.broker().retainedCount()).isEqualTo(1);
    }

    @Test
    @DisplayName("the will is published when the connection dies without DISCONNECT [MQTT-3.1.2-8]")
    void willOnAbruptClose() throws Exception {
        Mqtt3BlockingClient watcher = connected("hive-watcher");
        var inbox = inbox(watcher);
        watcher.subscribeWith().topicFilter("hive/status/+").qos(MqttQos.AT_LEAST_ONCE).send();

        // The HiveMQ client always sends DISCONNECT when asked to close, so the test cuts the TCP path.
        TcpProxy proxy = TcpProxy.to(broker.port());
        resources.add(proxy);
        Mqtt3BlockingClient dying = v3("hive-dying", proxy.port());
        dying.connectWith().willPublish().topic("hive/status/dying").payload("lost".getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE).retain(true).applyWillPublish().send();
        proxy.cut();

        Mqtt3Publish will = next(inbox);
        assertThat(will.getTopic().toString()).isEqualTo("hive/status/dying");
        assertThat(text(will)).isEqualTo("lost");
        assertThat(will.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
        assertThat(broker.broker().retainedCount()).as("will with RETAIN is retained").isEqualTo(1);
    }

    @Test
    @DisplayName("a persistent session receives QoS 1 and 2 messages published while it was offline")
    void persistentSession() throws Exception {
        Mqtt3BlockingClient first = v3("hive-persistent");
        Mqtt3ConnAck ack = first.connectWith().cleanSession(false).send();
        assertThat(ack.isSessionPresent()).isFalse();
        first.subscribeWith().topicFilter("hive/offline").qos(MqttQos.EXACTLY_ONCE).send();
        first.disconnect();
        await().atMost(WAIT).until(() -> broker.broker().metrics().connectedClients() == 0);

        Mqtt3BlockingClient pub = connected("hive-offline-pub");
        publish(pub, "hive/offline", "one", MqttQos.AT_LEAST_ONCE, false);
        publish(pub, "hive/offline", "two", MqttQos.EXACTLY_ONCE, false);

        Mqtt3BlockingClient again = v3("hive-persistent");
        var inbox = inbox(again);
        assertThat(again.connectWith().cleanSession(false).send().isSessionPresent()).isTrue();
        Mqtt3Publish one = next(inbox);
        Mqtt3Publish two = next(inbox);
        assertThat(List.of(text(one), text(two))).containsExactly("one", "two");
        assertThat(List.of(one.getQos(), two.getQos())).containsExactly(MqttQos.AT_LEAST_ONCE, MqttQos.EXACTLY_ONCE);
    }

    @Test
    void unsubscribe() throws Exception {
        Mqtt3BlockingClient sub = connected("hive-unsub");
        var inbox = inbox(sub);
        sub.subscribeWith().topicFilter("hive/gone").qos(MqttQos.AT_LEAST_ONCE).send();
        sub.subscribeWith().topicFilter("hive/kept").qos(MqttQos.AT_LEAST_ONCE).send();
        sub.unsubscribeWith().topicFilter("hive/gone").send();
        Mqtt3BlockingClient pub = connected("hive-unsub-pub");
        publish(pub, "hive/gone", "dropped", MqttQos.AT_LEAST_ONCE, false);
        publish(pub, "hive/kept", "marker", MqttQos.AT_LEAST_ONCE, false);
        assertThat(next(inbox).getTopic().toString()).isEqualTo("hive/kept");
    }

    @Test
    @DisplayName("an MQTT 5.0 client connects, subscribes and publishes at QoS 1")
    void mqtt5Basics() throws Exception {
        Mqtt5BlockingClient sub = MqttClient.builder().useMqttVersion5().identifier("hive5-sub")
                .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
        v5Clients.add(sub);
        Mqtt5BlockingClient pub = MqttClient.builder().useMqttVersion5().identifier("hive5-pub")
                .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
        v5Clients.add(pub);
        var inbox = sub.publishes(MqttGlobalPublishFilter.ALL);
        resources.add(inbox);

        Mqtt5ConnAck ack = sub.connect();
        assertThat(ack.getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        assertThat(pub.connect().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        assertThat(sub.subscribeWith().topicFilter("hive5/+").qos(MqttQos.AT_LEAST_ONCE).send().getReasonCodes())
                .containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_1);

        Mqtt5PublishResult result = pub.publishWith().topic("hive5/a").payload("v5".getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE).send();
        assertThat(result.getError()).isEmpty();

        Optional<Mqtt5Publish> p = inbox.receive(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(p).isPresent();
        assertThat(p.get().getTopic().toString()).isEqualTo("hive5/a");
        assertThat(new String(p.get().getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("v5");
        assertThat(p.get().getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
    }
}
