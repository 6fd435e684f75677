package dev.tern.broker.spec.v5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.spec.Bytes;
import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.QoS;
import dev.tern.codec.UserProperty;
import dev.tern.codec.packet.Publish;
import java.io.IOException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** MQTT 5.0 and 3.1.1 clients on one broker: messages cross versions, properties stay with 5.0. */
class CrossVersionTest extends V5SpecTestBase {

    private static Props richProps() {
        return Props.of().u8(Props.PAYLOAD_FORMAT_INDICATOR, 1).u32(Props.MESSAGE_EXPIRY_INTERVAL, 600)
                .utf8(Props.CONTENT_TYPE, "text/plain").utf8(Props.RESPONSE_TOPIC, "reply")
                .userProperty("k", "v");
    }

    @Test
    @DisplayName("a 5.0 PUBLISH with properties reaches a 3.1.1 subscriber as a plain 3.1.1 PUBLISH")
    void v5ToV311() throws IOException {
        MqttTestClient old = subscriber("old", "x/#", QoS.AT_MOST_ONCE);
        connect5("pub").raw().send(V5Packets.publish(0, "x/a", 0, richProps(), "hi"));
        assertNextBytes(old, Bytes.of(0x30, 0x07, 0x00, 0x03, 'x', '/', 'a', 'h', 'i'));
    }

    @Test
    @DisplayName("a 3.1.1 PUBLISH reaches a 5.0 subscriber with a property length of 0")
    void v311ToV5() throws IOException {
        MqttTestClient sub = subscriber5("sub", "x/#", 1);
        connect("old").publish("x/a", "hi", QoS.AT_LEAST_ONCE, false);
        byte[] raw = next(sub);
        assertThat(Bytes.hex(raw)).isEqualTo(Bytes.hex(Bytes.of(0x32, 0x0A, 0x00, 0x03, 'x', '/', 'a', 0x00, 0x01,
                0x00, 'h', 'i')));
    }

    @Test
    @DisplayName("a retained 5.0 message keeps its properties for 5.0 subscribers and has none for 3.1.1 ones")
    void retainedKeepsProperties() throws IOException {
        connect5("pub").raw().send(V5Packets.publish(0x01, "r/a", 0, richProps(), "kept"));
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> broker().broker().retainedCount() == 1);
        MqttTestClient sub = connect5("sub");
        subscribe5(sub, 1, Props.none(), "r/#", 0, 0);
        Publish p = nextPublish(sub);
        assertThat(p.retain()).isTrue();
        MqttProperties props = p.properties();
        assertThat(props.contentType()).isEqualTo("text/plain");
        assertThat(props.responseTopic()).isEqualTo("reply");
        assertThat(props.userProperties()).containsExactly(new UserProperty("k", "v"));
        assertThat(props.messageExpiryInterval()).isBetween(598L, 600L);
        MqttTestClient old = connect("old");
        old.subscribe("r/#", QoS.AT_MOST_ONCE);
        assertNextBytes(old, Bytes.of(0x31, 0x09, 0x00, 0x03, 'r', '/', 'a', 'k', 'e', 'p', 't'));
    }

    @Test
    @DisplayName("a 5.0 will keeps its properties for 5.0 subscribers; a 3.1.1 will reaches 5.0 subscribers")
    void wills() throws IOException {
        MqttTestClient sub = subscriber5("sub", "w/#", 0);
        MqttTestClient v5 = open5();
        connAck(v5, V5Packets.connectWithWill("v5", V5Packets.CLEAN_START, 60, Props.none(),
                Props.of().utf8(Props.CONTENT_TYPE, "text/plain").userProperty("why", "crash"), "w/v5", "gone"));
        v5.close();
        Publish p = nextPublish(sub);
        assertThat(p.properties().contentType()).isEqualTo("text/plain");
        assertThat(p.properties().userProperties()).containsExactly(new UserProperty("why", "crash"));
        MqttTestClient old = connectWithWill("old", 60, "w/old", "gone too", QoS.AT_MOST_ONCE, false);
        old.close();
        Publish q = nextPublish(sub);
        assertPublish(q, "w/old", "gone too", QoS.AT_MOST_ONCE, false);
        assertThat(q.properties().isEmpty()).isTrue();
    }
}
