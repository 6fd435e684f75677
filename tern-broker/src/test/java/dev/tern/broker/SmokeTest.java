package dev.tern.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.test.MqttTestClient;
import dev.tern.broker.test.TestBroker;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.Publish;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void publishReachesSubscriber() throws Exception {
        try (TestBroker broker = TestBroker.start();
             MqttTestClient sub = MqttTestClient.connected(broker.port(), "sub");
             MqttTestClient pub = MqttTestClient.connected(broker.port(), "pub")) {
            assertThat(sub.subscribe("a/+", QoS.EXACTLY_ONCE).reasonCodes()).containsExactly(2);
            pub.publish("a/b", "hello", QoS.AT_LEAST_ONCE, false);
            Publish p = sub.expect(Publish.class);
            assertThat(p.topic()).isEqualTo("a/b");
            assertThat(MqttTestClient.text(p)).isEqualTo("hello");
            assertThat(p.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
        }
    }
}
