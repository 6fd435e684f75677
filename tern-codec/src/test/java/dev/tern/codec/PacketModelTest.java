package dev.tern.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.codec.packet.Auth;
import dev.tern.codec.packet.ConnAck;
import dev.tern.codec.packet.Connect;
import dev.tern.codec.packet.PubAck;
import dev.tern.codec.packet.Publish;
import dev.tern.codec.packet.SubAck;
import dev.tern.codec.packet.TopicSubscription;
import dev.tern.codec.packet.UnsubAck;
import dev.tern.codec.packet.Will;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The records' own checks, the properties model, and what the encoder refuses to write. */
class PacketModelTest extends CodecTestSupport {

    @Test
    void recordsRejectValuesTheWireCannotCarry() {
        assertThatThrownBy(() -> new PubAck(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PubAck(0x1_0000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PubAck(1, 0x100, MqttProperties.EMPTY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ConnAck(false, -1, MqttProperties.EMPTY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Auth(256, MqttProperties.EMPTY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SubAck(1, List.of(300), MqttProperties.EMPTY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UnsubAck(1, List.of(-1), MqttProperties.EMPTY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TopicSubscription("a", QoS.AT_MOST_ONCE, false, false, 3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Connect(V311, "c", true, 65_536, null, null, null, MqttProperties.EMPTY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Publish("t", QoS.AT_MOST_ONCE, false, false, 1, MqttProperties.EMPTY, payload()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Publish("t", QoS.AT_LEAST_ONCE, false, false, 0, MqttProperties.EMPTY, payload()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> QoS.of(3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encoderRefusesStringsAndBinariesLongerThan65535Bytes() {
        String longTopic = "t".repeat(65_536);
        Publish p = new Publish(longTopic, QoS.AT_MOST_ONCE, false, false, 0, MqttProperties.EMPTY, payload());
        assertThatThrownBy(() -> MqttPacketEncoder.encode(p, V311, alloc)).isInstanceOf(IllegalArgumentException.class);
        // Refused before any buffer is allocated: the after-each check fails on a leaked one.
        Connect c = new Connect(V311, "c", true, 0, "u", new byte[65_536], null, MqttProperties.EMPTY);
        assertThatThrownBy(() -> MqttPacketEncoder.encode(c, V311, alloc)).isInstanceOf(IllegalArgumentException.class);
        Will bigWill = new Will("w", new byte[65_536], QoS.AT_MOST_ONCE, false, MqttProperties.EMPTY);
        Connect withWill = new Connect(V5, "c", true, 0, null, null, bigWill, MqttProperties.EMPTY);
        assertThatThrownBy(() -> MqttPacketEncoder.encode(withWill, V5, alloc))
                .isInstanceOf(IllegalArgumentException.class);
        Publish bigCorrelation = new Publish("t", QoS.AT_MOST_ONCE, false, false, 0,
                MqttProperties.builder().correlationData(new byte[65_536]).build(), payload());
        assertThatThrownBy(() -> MqttPacketEncoder.encode(bigCorrelation, V5, alloc))
                .isInstanceOf(IllegalArgumentException.class);
        Auth bigAuth = new Auth(0x18, MqttProperties.builder().authenticationData(new byte[65_536]).build());
        assertThatThrownBy(() -> MqttPacketEncoder.encode(bigAuth, V5, alloc))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(alloc.allocations()).isZero();
        // The largest string fits: two length bytes of 0xFFFF.
        Publish largest = new Publish("é".repeat(32_767) + "a", QoS.AT_MOST_ONCE, false, false, 0,
                MqttProperties.EMPTY, payload());
        byte[] wire = encode(largest, V311);
        assertThat(wire[4] & 0xFF).isEqualTo(0xFF);
        assertThat(wire[5] & 0xFF).isEqualTo(0xFF);
        assertThat(wire).hasSize(1 + 3 + 2 + 65_535);
    }

    @Test
    void propertiesBuilderCopiesAndCompares() {
        byte[] data = {1, 2};
        MqttProperties p = MqttProperties.builder().correlationData(data).addUserProperty("a", "1")
                .addSubscriptionIdentifier(7).build();
        data[0] = 9; // the builder took a copy
        assertThat(p.correlationData()).containsExactly(1, 2);
        p.correlationData()[1] = 9; // and the accessor hands out copies
        assertThat(p.correlationData()).containsExactly(1, 2);
        assertThat(p.toBuilder().build()).isEqualTo(p).hasSameHashCodeAs(p);
        assertThat(p.toBuilder().clearUserProperties().build().userProperties()).isEmpty();
        assertThat(p.toBuilder().clearSubscriptionIdentifiers().build().subscriptionIdentifiers()).isEmpty();
        assertThat(p.isEmpty()).isFalse();
        assertThat(MqttProperties.builder().build().isEmpty()).isTrue();
        assertThat(MqttProperties.builder().correlationData(new byte[] {1, 3}).build())
                .isNotEqualTo(MqttProperties.builder().correlationData(new byte[] {1, 2}).build());
        assertThat(p.toString()).contains("correlationData=2 bytes").doesNotContain("[1, 2]");
        assertThat(MqttProperties.EMPTY.toString()).isEqualTo("MqttProperties{}");
    }

    @Test
    void userPropertyOrderIsSignificant() {
        MqttProperties ab = MqttProperties.builder().addUserProperty("a", "1").addUserProperty("b", "2").build();
        MqttProperties ba = MqttProperties.builder().addUserProperty("b", "2").addUserProperty("a", "1").build();
        assertThat(ab).isNotEqualTo(ba);
    }

    @Test
    void passwordsAndPayloadsCompareByContentAndPasswordsAreNotPrinted() {
        Connect a = new Connect(V5, "c", true, 0, "u", new byte[] {1}, null, MqttProperties.EMPTY);
        Connect b = new Connect(V5, "c", true, 0, "u", new byte[] {1}, null, MqttProperties.EMPTY);
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.toString()).contains("password=***");
        Will w1 = new Will("t", new byte[] {5}, QoS.AT_MOST_ONCE, false, MqttProperties.EMPTY);
        Will w2 = new Will("t", new byte[] {5}, QoS.AT_MOST_ONCE, false, MqttProperties.EMPTY);
        assertThat(w1).isEqualTo(w2).hasSameHashCodeAs(w2);
        Publish p1 = new Publish("t", QoS.AT_MOST_ONCE, false, false, 0, MqttProperties.EMPTY, payload("x"));
        Publish p2 = new Publish("t", QoS.AT_MOST_ONCE, false, false, 0, MqttProperties.EMPTY,
                Unpooled.copiedBuffer(new byte[] {'x'}));
        assertThat(p1).isEqualTo(p2).hasSameHashCodeAs(p2);
        p2.release();
        assertThat(p2.toString()).contains("payload=released");
    }

    @Test
    void withWireStateSharesThePayload() {
        Publish p = new Publish("t", QoS.AT_LEAST_ONCE, false, false, 1, MqttProperties.EMPTY, alloc.buffer().writeByte(1));
        Publish resent = p.withWireState(2, true);
        assertThat(resent.payload()).isSameAs(p.payload());
        assertThat(resent.packetId()).isEqualTo(2);
        assertThat(resent.dup()).isTrue();
        assertThat(p.payload().refCnt()).isEqualTo(1);
        p.release();
    }

    @Test
    void utf8Validity() {
        assertThat(Utf8.isValid("a/b")).isTrue();
        assertThat(Utf8.isValid("\uD83D\uDE00")).isTrue();
        assertThat(Utf8.isValid("a\u0000")).isFalse();
        assertThat(Utf8.isValid("\uD83D")).isFalse();
        assertThat(Utf8.isValid("\uDE00a")).isFalse();
        assertThat(Utf8.isValid("\uD83Da")).isFalse();
    }

    @Test
    void decodeErrorMessageNamesTypeRuleAndReference() {
        DecodeError e = new DecodeError(Violation.PACKET_ID_ZERO, PacketType.PUBACK, "");
        assertThat(e.message()).isEqualTo("PUBACK: packet identifier is 0 [MQTT-2.3.1-1]");
        assertThat(e.reasonCode()).isEqualTo(ReasonCodes.MALFORMED_PACKET);
        DecodeError withDetail = new DecodeError(Violation.RESERVED_PACKET_TYPE, null, "type 0");
        assertThat(withDetail.message()).isEqualTo(
                "packet type 0, or 15 (AUTH) before MQTT 5.0, is reserved (type 0) [MQTT-2.2.1]");
    }

    @Test
    void versions() {
        assertThat(MqttVersion.of("MQIsdp", 3)).isEqualTo(V31);
        assertThat(MqttVersion.of("MQTT", 4)).isEqualTo(V311);
        assertThat(MqttVersion.of("MQTT", 5)).isEqualTo(V5);
        assertThat(MqttVersion.of("MQTT", 3)).isNull();
        assertThat(V5.label()).isEqualTo("5.0");
        assertThat(V31.isV5()).isFalse();
    }
}
