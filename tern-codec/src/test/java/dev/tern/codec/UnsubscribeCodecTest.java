package dev.tern.codec;

import dev.tern.codec.packet.Unsubscribe;
import java.util.List;
import org.junit.jupiter.api.Test;

/** UNSUBSCRIBE (MQTT 3.1.1 section 3.10, MQTT 5.0 section 3.10), byte for byte. */
class UnsubscribeCodecTest extends CodecTestSupport {

    @Test
    void mqtt31() {
        assertCodec(V31, new Unsubscribe(1, List.of("a/b"), MqttProperties.EMPTY),
                0xA2, 0x07,                               // UNSUBSCRIBE (flags 0010), remaining length 7
                0x00, 0x01,                               // packet identifier 1
                0x00, 0x03, 'a', '/', 'b');               // topic filter "a/b"
    }

    @Test
    void mqtt311TwoFilters() {
        assertCodec(V311, new Unsubscribe(2, List.of("a", "b/#"), MqttProperties.EMPTY),
                0xA2, 0x0A,                               // UNSUBSCRIBE (flags 0010), remaining length 10
                0x00, 0x02,                               // packet identifier 2
                0x00, 0x01, 'a',                          // topic filter "a"
                0x00, 0x03, 'b', '/', '#');               // topic filter "b/#"
    }

    @Test
    void mqtt5WithUserProperty() {
        assertCodec(V5, new Unsubscribe(3, List.of("a"), MqttProperties.builder().addUserProperty("k", "v").build()),
                0xA2, 0x0D,                               // UNSUBSCRIBE (flags 0010), remaining length 13
                0x00, 0x03,                               // packet identifier 3
                0x07,                                     // property length 7
                0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v',   //   user property k=v
                0x00, 0x01, 'a');                         // topic filter "a"
    }

    @Test
    void mqtt5WithoutProperties() {
        assertCodec(V5, new Unsubscribe(4, List.of("+/x"), MqttProperties.EMPTY),
                0xA2, 0x08,                               // UNSUBSCRIBE (flags 0010), remaining length 8
                0x00, 0x04,                               // packet identifier 4
                0x00,                                     // property length 0
                0x00, 0x03, '+', '/', 'x');               // topic filter "+/x"
    }
}
