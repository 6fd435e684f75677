package dev.tern.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.codec.packet.Publish;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** PUBLISH (MQTT 3.1.1 section 3.3, MQTT 5.0 section 3.3), byte for byte. */
class PublishCodecTest extends CodecTestSupport {

    private static Publish publish(String topic, QoS qos, boolean retain, boolean dup, int packetId,
                                   MqttProperties props, ByteBuf payload) {
        return new Publish(topic, qos, retain, dup, packetId, props, payload);
    }

    @Test
    void mqtt31Qos0Retained() {
        assertCodec(V31, publish("a/b", QoS.AT_MOST_ONCE, true, false, 0, MqttProperties.EMPTY, payload("hi")),
                0x31, 0x07,                               // PUBLISH QoS 0, RETAIN; remaining length 7
                0x00, 0x03, 'a', '/', 'b',                // topic name "a/b"
                'h', 'i');                                // payload "hi"
    }

    @Test
    void mqtt31Qos1() {
        assertCodec(V31, publish("t", QoS.AT_LEAST_ONCE, false, false, 1, MqttProperties.EMPTY, payload("x")),
                0x32, 0x06,                               // PUBLISH QoS 1; remaining length 6
                0x00, 0x01, 't',                          // topic name "t"
                0x00, 0x01,                               // packet identifier 1
                'x');                                     // payload "x"
    }

    @Test
    void mqtt311Qos0() {
        assertCodec(V311, publish("a/b", QoS.AT_MOST_ONCE, false, false, 0, MqttProperties.EMPTY, payload("hi")),
                0x30, 0x07,                               // PUBLISH QoS 0; remaining length 7
                0x00, 0x03, 'a', '/', 'b',                // topic name "a/b"
                'h', 'i');                                // payload "hi"
    }

    @Test
    void mqtt311Qos1Duplicate() {
        assertCodec(V311, publish("t", QoS.AT_LEAST_ONCE, false, true, 10, MqttProperties.EMPTY,
                        payload(0x01, 0x02, 0x03)),
                0x3A, 0x08,                               // PUBLISH DUP, QoS 1; remaining length 8
                0x00, 0x01, 't',                          // topic name "t"
                0x00, 0x0A,                               // packet identifier 10
                0x01, 0x02, 0x03);                        // payload, 3 bytes
    }

    @Test
    void mqtt311Qos2RetainedWithEmptyPayload() {
        assertCodec(V311, publish("t", QoS.EXACTLY_ONCE, true, false, 0x1234, MqttProperties.EMPTY, payload()),
                0x35, 0x05,                               // PUBLISH QoS 2, RETAIN; remaining length 5
                0x00, 0x01, 't',                          // topic name "t"
                0x12, 0x34);                              // packet identifier 4660; no payload
    }

    @Test
    void mqtt311Qos2DuplicateRetained() {
        assertCodec(V311, publish("t", QoS.EXACTLY_ONCE, true, true, 0xFFFF, MqttProperties.EMPTY, payload("p")),
                0x3D, 0x06,                               // PUBLISH DUP, QoS 2, RETAIN; remaining length 6
                0x00, 0x01, 't',                          // topic name "t"
                0xFF, 0xFF,                               // packet identifier 65535
                'p');                                     // payload "p"
    }

    @Test
    void mqtt311UnicodeTopic() {
        assertCodec(V311, publish("温度/\uD83D\uDE00", QoS.AT_MOST_ONCE, false, false, 0, MqttProperties.EMPTY,
                        payload()),
                0x30, 0x0D,                               // PUBLISH QoS 0; remaining length 13
                0x00, 0x0B,                               // topic name: 11 bytes
                0xE6, 0xB8, 0xA9,                         //   U+6E29 温
                0xE5, 0xBA, 0xA6,                         //   U+5EA6 度
                '/',                                      //   level separator
                0xF0, 0x9F, 0x98, 0x80);                  //   U+1F600, a supplementary character
    }

    @Test
    void mqtt311TwoByteRemainingLength() {
        int[] header = {
                0x30, 0xCB, 0x01,                         // PUBLISH QoS 0; remaining length 203 (0x4B + 1 * 128)
                0x00, 0x01, 't'};                         // topic name "t"; then 200 payload bytes
        int[] wire = Arrays.copyOf(header, header.length + 200);
        Arrays.fill(wire, header.length, wire.length, 'z');
        assertCodec(V311, publish("t", QoS.AT_MOST_ONCE, false, false, 0, MqttProperties.EMPTY,
                payload("z".repeat(200))), wire);
    }

    @Test
    void mqtt5Qos0WithoutProperties() {
        assertCodec(V5, publish("t", QoS.AT_MOST_ONCE, false, false, 0, MqttProperties.EMPTY, payload("x")),
                0x30, 0x05,                               // PUBLISH QoS 0; remaining length 5
                0x00, 0x01, 't',                          // topic name "t"
                0x00,                                     // property length 0
                'x');                                     // payload "x"
    }

    @Test
    void mqtt5Qos1WithPropertiesAndUserPropertiesInOrder() {
        MqttProperties props = MqttProperties.builder()
                .payloadFormatIndicator(1)
                .messageExpiryInterval(10L)
                .contentType("json")
                .responseTopic("re/q")
                .correlationData(bytes(0x01))
                .topicAlias(7)
                .addUserProperty("a", "1")
                .addUserProperty("b", "2")
                .addUserProperty("a", "3")
                .build();
        assertCodec(V5, publish("s/1", QoS.AT_LEAST_ONCE, false, false, 1, props, payload("{}")),
                0x32, 0x3B,                               // PUBLISH QoS 1; remaining length 59
                0x00, 0x03, 's', '/', '1',                // topic name "s/1"
                0x00, 0x01,                               // packet identifier 1
                0x31,                                     // property length 49
                0x01, 0x01,                               //   payload format indicator 1 (UTF-8)
                0x02, 0x00, 0x00, 0x00, 0x0A,             //   message expiry interval 10
                0x03, 0x00, 0x04, 'j', 's', 'o', 'n',     //   content type "json"
                0x08, 0x00, 0x04, 'r', 'e', '/', 'q',     //   response topic "re/q"
                0x09, 0x00, 0x01, 0x01,                   //   correlation data 01
                0x23, 0x00, 0x07,                         //   topic alias 7
                0x26, 0x00, 0x01, 'a', 0x00, 0x01, '1',   //   user property a=1
                0x26, 0x00, 0x01, 'b', 0x00, 0x01, '2',   //   user property b=2
                0x26, 0x00, 0x01, 'a', 0x00, 0x01, '3',   //   user property a=3 (order is significant)
                '{', '}');                                // payload "{}"
    }

    @Test
    void mqtt5Qos2WithSeveralSubscriptionIdentifiers() {
        MqttProperties props = MqttProperties.builder()
                .addSubscriptionIdentifier(1)
                .addSubscriptionIdentifier(200)
                .addSubscriptionIdentifier(268_435_455)
                .build();
        assertCodec(V5, publish("t", QoS.EXACTLY_ONCE, false, false, 2, props, payload("p")),
                0x34, 0x11,                               // PUBLISH QoS 2; remaining length 17
                0x00, 0x01, 't',                          // topic name "t"
                0x00, 0x02,                               // packet identifier 2
                0x0A,                                     // property length 10
                0x0B, 0x01,                               //   subscription identifier 1
                0x0B, 0xC8, 0x01,                         //   subscription identifier 200 (two-byte varint)
                0x0B, 0xFF, 0xFF, 0xFF, 0x7F,             //   subscription identifier 268435455 (largest)
                'p');                                     // payload "p"
    }

    @Test
    void mqtt5EmptyTopicWithTopicAlias() {
        assertCodec(V5, publish("", QoS.AT_MOST_ONCE, false, false, 0,
                        MqttProperties.builder().topicAlias(1).build(), payload("z")),
                0x30, 0x07,                               // PUBLISH QoS 0; remaining length 7
                0x00, 0x00,                               // topic name "" (the alias stands for it, MQTT-3.3.2-8)
                0x03,                                     // property length 3
                0x23, 0x00, 0x01,                         //   topic alias 1
                'z');                                     // payload "z"
    }

    @Test
    void byteOrderMarkInTopicIsKept() {
        assertCodec(V5, publish("\uFEFFa", QoS.AT_MOST_ONCE, false, false, 0, MqttProperties.EMPTY, payload()),
                0x30, 0x07,                               // PUBLISH QoS 0; remaining length 7
                0x00, 0x04, 0xEF, 0xBB, 0xBF, 'a',        // topic name U+FEFF "a": not skipped (MQTT-1.5.4-3)
                0x00);                                    // property length 0; no payload
    }

    @Test
    void mqtt311EncodingLeavesOutProperties() {
        assertEncodes(V311, publish("t", QoS.AT_MOST_ONCE, false, false, 0,
                        MqttProperties.builder().messageExpiryInterval(5L).build(), payload("x")),
                0x30, 0x04,                               // PUBLISH QoS 0; remaining length 4
                0x00, 0x01, 't',                          // topic name "t"
                'x');                                     // payload "x" (3.1.1 has no properties)
    }

    @Test
    void encodingSharesThePayloadWithoutConsumingIt() {
        ByteBuf payload = alloc.buffer().writeBytes(utf8("shared"));
        Publish p = publish("t", QoS.AT_LEAST_ONCE, false, false, 3, MqttProperties.EMPTY, payload);
        ByteBuf first = MqttPacketEncoder.encode(p, V311, alloc);
        ByteBuf second = MqttPacketEncoder.encode(p, V311, alloc);
        try {
            // Each encoding holds its own reference to the same payload memory.
            assertThat(payload.refCnt()).isEqualTo(3);
            assertThat(payload.readerIndex()).isZero();
            assertThat(ByteBufUtil.getBytes(first)).isEqualTo(ByteBufUtil.getBytes(second));
            assertThat(first.readableBytes()).isEqualTo(MqttPacketEncoder.publishSize(p, V311)).isEqualTo(13);
        } finally {
            first.release();
            second.release();
        }
        assertThat(payload.refCnt()).isEqualTo(1);
        assertThat(p.release()).isTrue();
    }

    @Test
    void publishHeaderCountsThePayloadThatFollows() {
        Publish p = publish("t", QoS.AT_MOST_ONCE, false, false, 0, MqttProperties.EMPTY, payload("abc"));
        ByteBuf header = MqttPacketEncoder.encodePublishHeader(p, V5, alloc);
        try {
            assertThat(hex(ByteBufUtil.getBytes(header))).isEqualTo(hex(bytes(
                    0x30, 0x07,                           // PUBLISH QoS 0; remaining length 7 (3 payload bytes follow)
                    0x00, 0x01, 't',                      // topic name "t"
                    0x00)));                              // property length 0
        } finally {
            header.release();
        }
        assertThat(MqttPacketEncoder.publishSize(p, V5)).isEqualTo(9);
    }

    @Test
    void decodedPayloadIsACopyIndependentOfTheInputBuffer() {
        ByteBuf in = alloc.buffer().writeBytes(bytes(
                0x30, 0x05,                               // PUBLISH QoS 0; remaining length 5
                0x00, 0x01, 't',                          // topic name "t"
                'o', 'k'));                               // payload "ok"
        DecodeResult r = decoder.decode(in, V311);
        in.setBytes(5, utf8("XX"));                       // the connection reuses its buffer
        in.release();
        Publish p = (Publish) ((DecodeResult.Decoded) r).packet();
        try {
            assertThat(p.payload().toString(StandardCharsets.UTF_8)).isEqualTo("ok");
            assertThat(p.payload().refCnt()).isEqualTo(1);
        } finally {
            p.release();
        }
    }
}
