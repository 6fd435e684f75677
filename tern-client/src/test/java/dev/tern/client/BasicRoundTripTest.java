package dev.tern.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.broker.TernBroker;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import static org.awaitility.Awaitility.await;

class BasicRoundTripTest {
    static TernBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = TernBroker.builder().port(0).build().start();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @ParameterizedTest
    @EnumSource(MqttVersion.class)
    void publishSubscribeEveryQos(MqttVersion version) throws Exception {
        try (BlockingClient client = TernClient.builder().serverPort(broker.port()).serverHost("127.0.0.1")
                .version(version).clientId("rt-" + version).buildBlocking()) {
            ConnectResult c = client.connect();
            assertThat(c.isSuccess()).isTrue();
            List<Message> got = new CopyOnWriteArrayList<>();
            SubscribeResult s = client.subscribe(Subscription.of("rt/#", 2), got::add);
            assertThat(s.reasonCodes()).containsExactly(2);
            for (int q = 0; q <= 2; q++) {
                PublishResult r = client.publish("rt/q" + q, "hello " + q, q, false);
                assertThat(r.qos()).isEqualTo(QoS.of(q));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 3);
            assertThat(got).extracting(Message::topic).containsExactly("rt/q0", "rt/q1", "rt/q2");
            assertThat(got).extracting(Message::payloadAsString).containsExactly("hello 0", "hello 1", "hello 2");
            assertThat(got).extracting(m -> m.qos().value()).containsExactly(0, 1, 2);
            client.unsubscribe("rt/#");
            client.disconnect();
            assertThat(client.isConnected()).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(MqttVersion.class)
    void refusedConnectionFails(MqttVersion version) throws Exception {
        try (TernBroker closed = TernBroker.builder().port(0).build().start()) {
            int port = closed.port();
            closed.close();
            TernClient client = TernClient.builder().serverHost("127.0.0.1").serverPort(port).version(version).build();
            assertThatThrownBy(() -> client.toBlocking().connect()).isInstanceOf(MqttClientException.class)
                    .hasMessageContaining("connection refused");
        }
    }
}
