package dev.tern.broker.spec.v5;

import static dev.tern.broker.spec.v5.V5Packets.CLEAN_START;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.spec.Bytes;
import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.packet.ConnAck;
import dev.tern.codec.packet.SubAck;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** MQTT 5.0 section 3.2: CONNACK, its flags, reason codes and the properties announcing the broker. */
class Section3_2_ConnAckTest extends V5SpecTestBase {

    @Test
    @DisplayName("[MQTT-3.2.2-1] [MQTT-3.2.2-2] [MQTT-2.2.2-1] CONNACK with default settings: flags 0, reason "
            + "0x00, Receive Maximum 256 (max_inflight_messages) and Topic Alias Maximum 10, nothing else")
    void defaultCapabilities() throws IOException {
        MqttTestClient c = open5();
        c.raw().send(V5Packets.connect("caps"));
        assertNextBytes(c, Bytes.of(
                0x20, 0x09,             // CONNACK, remaining length 9
                0x00,                   // acknowledge flags: session present 0
                0x00,                   // reason code: success
                0x06,                   // property length 6
                0x21, 0x01, 0x00,       //   receive maximum 256
                0x22, 0x00, 0x0A));     //   topic alias maximum 10
    }

    @Test
    @DisplayName("[MQTT-3.2.2-9] [MQTT-3.2.2-10] with max_qos 1 CONNACK says Maximum QoS 1, and SUBSCRIBE at "
            + "QoS 2 is still accepted (granted QoS 1)")
    void maximumQos() throws IOException {
        startBroker(b -> b.maxQos(1));
        MqttTestClient c = open5();
        ConnAck ack = connAck(c, V5Packets.connect("q"));
        assertThat(ack.properties().maximumQos()).isEqualTo(1);
        c.raw().send(V5Packets.subscribe(1, Props.none(), "q/#", 2));
        assertThat(c.expect(SubAck.class).reasonCodes()).containsExactly(1);
    }

    @Test
    @DisplayName("[MQTT-3.2.2-12] a will at QoS 2 with max_qos 1 is refused with CONNACK 0x9B and closed")
    void willQosNotSupported() throws IOException {
        startBroker(b -> b.maxQos(1));
        MqttTestClient c = open5();
        c.raw().send(V5Packets.connectWithWill("w", CLEAN_START | V5Packets.WILL_QOS_2, 60, Props.none(),
                Props.none(), "w/t", "gone"));
        ConnAck ack = assertConnAckRefusal(c, ReasonCodes.QOS_NOT_SUPPORTED);
        assertThat(ack.properties().reasonString()).contains("will QoS 2");
    }

    @Test
    @DisplayName("[MQTT-3.2.2-13] with retain_available false CONNACK says Retain Available 0, and a will with "
            + "Will Retain 1 is refused with CONNACK 0x9A")
    void retainNotAvailable() throws IOException {
        startBroker(b -> b.retainAvailable(false));
        MqttTestClient ok = open5();
        assertThat(connAck(ok, V5Packets.connect("r")).properties().retainAvailable()).isZero();
        MqttTestClient c = open5();
        c.raw().send(V5Packets.connectWithWill("w", CLEAN_START | V5Packets.WILL_RETAIN, 60, Props.none(),
                Props.none(), "w/t", "gone"));
        assertConnAckRefusal(c, ReasonCodes.RETAIN_NOT_SUPPORTED);
    }

    @Test
    @DisplayName("CONNACK announces max_packet_size as Maximum Packet Size and disabled features as 0")
    void announcedLimits() throws IOException {
        startBroker(b -> b.maxPacketSize(1000).maxInflightMessages(0)
                .mqtt5(m -> m.withMaxTopicAlias(0).withWildcardSubscriptions(false).withSubscriptionIdentifiers(false)
                        .withSharedSubscriptions(false)));
        MqttProperties p = connAck(open5(), V5Packets.connect("limits")).properties();
        assertThat(p.maximumPacketSize()).isEqualTo(1000L);
        assertThat(p.receiveMaximum()).as("65535 is the default, not sent").isNull();
        assertThat(p.topicAliasMaximum()).as("0 is the default, not sent").isNull();
        assertThat(p.wildcardSubscriptionAvailable()).isZero();
        assertThat(p.subscriptionIdentifierAvailable()).isZero();
        assertThat(p.sharedSubscriptionAvailable()).isZero();
    }

    @Test
    @DisplayName("[MQTT-3.2.2-21] [MQTT-3.2.2-22] Server Keep Alive: max_keepalive is sent to a client asking for "
            + "more or for 0; a client within the limit gets none and keeps its own")
    void serverKeepAlive() throws IOException {
        startBroker(b -> b.maxKeepalive(30));
        assertThat(connAck(open5(), V5Packets.connect("more", CLEAN_START, 31, Props.none())).properties()
                .serverKeepAlive()).isEqualTo(30);
        assertThat(connAck(open5(), V5Packets.connect("zero", CLEAN_START, 0, Props.none())).properties()
                .serverKeepAlive()).isEqualTo(30);
        assertThat(connAck(open5(), V5Packets.connect("within", CLEAN_START, 30, Props.none())).properties()
                .serverKeepAlive()).isNull();
    }

    @Test
    @DisplayName("[MQTT-3.2.2-16] [MQTT-3.1.3-6] [MQTT-3.1.3-7] an empty client id gets a unique Assigned Client "
            + "Identifier")
    void assignedClientIdentifiers() throws IOException {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            ConnAck ack = connAck(open5(), V5Packets.connect(""));
            assertThat(ack.reasonCode()).isZero();
            String id = ack.properties().assignedClientIdentifier();
            assertThat(id).startsWith("auto-");
            ids.add(id);
        }
        assertThat(ids).hasSize(5);
    }

    @Test
    @DisplayName("[MQTT-3.2.2-6] [MQTT-3.2.2-7] [MQTT-3.2.2-8] [MQTT-3.1.3-8] an empty client id with "
            + "allow_zero_length_clientid false: CONNACK 0x85, session present 0, closed")
    void clientIdentifierNotValid() throws IOException {
        startBroker(b -> b.allowZeroLengthClientId(false));
        MqttTestClient c = open5();
        c.raw().send(V5Packets.connect(""));
        assertConnAckRefusal(c, ReasonCodes.CLIENT_IDENTIFIER_NOT_VALID);
    }

    @Test
    @DisplayName("[MQTT-3.2.2-19] [MQTT-3.2.2-20] the Reason String is left out of a CONNACK that it would make "
            + "larger than the client's Maximum Packet Size")
    void reasonStringLeftOutWhenTooLarge() throws IOException {
        startBroker(b -> b.allowZeroLengthClientId(false));
        MqttTestClient big = open5();
        big.raw().send(V5Packets.connect("", CLEAN_START, 60, Props.none()));
        assertThat(assertConnAckRefusal(big, ReasonCodes.CLIENT_IDENTIFIER_NOT_VALID).properties().reasonString())
                .as("with no limit the reason is given").isNotEmpty();
        MqttTestClient small = open5();
        small.raw().send(V5Packets.connect("", CLEAN_START, 60, Props.of().u32(Props.MAXIMUM_PACKET_SIZE, 16)));
        assertNextBytes(small, Bytes.of(0x20, 0x03, 0x00, 0x85, 0x00));
        assertClosedWithoutReply(small);
    }

    @Test
    @DisplayName("[MQTT-3.2.0-2] [MQTT-3.2.2-3] a resumed session is present; only one CONNACK is sent")
    void sessionPresent() throws IOException {
        MqttTestClient first = connect5("keep", Props.of().u32(Props.SESSION_EXPIRY_INTERVAL, 60));
        first.raw().send(V5Packets.DISCONNECT);
        awaitSessionCount(1);
        MqttTestClient again = open5();
        ConnAck ack = connAck(again, V5Packets.connect("keep", 0, 60, Props.of().u32(Props.SESSION_EXPIRY_INTERVAL, 60)));
        assertThat(ack.sessionPresent()).isTrue();
        assertAlive(again);
    }
}
