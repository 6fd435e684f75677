package dev.tern.codec;

import dev.tern.codec.packet.Subscribe;
import dev.tern.codec.packet.TopicSubscription;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SUBSCRIBE (MQTT 3.1.1 section 3.8, MQTT 5.0 section 3.8), byte for byte. */
class SubscribeCodecTest extends CodecTestSupport {

    @Test
    void mqtt31() {
        assertCodec(V31, new Subscribe(1, List.of(new TopicSubscription("a/b", QoS.AT_MOST_ONCE)),
                        MqttProperties.EMPTY),
                0x82, 0x08,                               // SUBSCRIBE (flags 0010), remaining length 8
                0x00, 0x01,                               // packet identifier 1
                0x00, 0x03, 'a', '/', 'b',                // topic filter "a/b"
                0x00);                                    //   requested QoS 0
    }

    @Test
    void mqtt311TwoFilters() {
        assertCodec(V311, new Subscribe(2, List.of(new TopicSubscription("a/+", QoS.AT_LEAST_ONCE),
                        new TopicSubscription("#", QoS.EXACTLY_ONCE)), MqttProperties.EMPTY),
                0x82, 0x0C,                               // SUBSCRIBE (flags 0010), remaining length 12
                0x00, 0x02,                               // packet identifier 2
                0x00, 0x03, 'a', '/', '+',                // topic filter "a/+"
                0x01,                                     //   requested QoS 1
                0x00, 0x01, '#',                          // topic filter "#"
                0x02);                                    //   requested QoS 2
    }

    @Test
    void mqtt5SubscriptionOptions() {
        assertCodec(V5, new Subscribe(3, List.of(
                        new TopicSubscription("x", QoS.AT_MOST_ONCE, true, false, 0),
                        new TopicSubscription("y", QoS.AT_LEAST_ONCE, false, true, 0),
                        new TopicSubscription("z", QoS.EXACTLY_ONCE, false, true, 1),
                        new TopicSubscription("w", QoS.AT_MOST_ONCE, true, true, 2)), MqttProperties.EMPTY),
                0x82, 0x13,                               // SUBSCRIBE (flags 0010), remaining length 19
                0x00, 0x03,                               // packet identifier 3
                0x00,                                     // property length 0
                0x00, 0x01, 'x',                          // topic filter "x"
                0x04,                                     //   options: No Local, QoS 0
                0x00, 0x01, 'y',                          // topic filter "y"
                0x09,                                     //   options: Retain As Published, QoS 1
                0x00, 0x01, 'z',                          // topic filter "z"
                0x1A,                                     //   options: Retain Handling 1, Retain As Published, QoS 2
                0x00, 0x01, 'w',                          // topic filter "w"
                0x2C);                                    //   options: Retain Handling 2, Retain As Published, No Local, QoS 0
    }

    @Test
    void mqtt5WithSubscriptionIdentifierAndUserProperty() {
        MqttProperties props = MqttProperties.builder().addSubscriptionIdentifier(42).addUserProperty("u", "p").build();
        assertCodec(V5, new Subscribe(4, List.of(new TopicSubscription("t/#", QoS.AT_LEAST_ONCE)), props),
                0x82, 0x12,                               // SUBSCRIBE (flags 0010), remaining length 18
                0x00, 0x04,                               // packet identifier 4
                0x09,                                     // property length 9
                0x0B, 0x2A,                               //   subscription identifier 42
                0x26, 0x00, 0x01, 'u', 0x00, 0x01, 'p',   //   user property u=p
                0x00, 0x03, 't', '/', '#',                // topic filter "t/#"
                0x01);                                    //   options: QoS 1
    }

    @Test
    void mqtt5SharedSubscriptionFilterIsAPlainString() {
        assertCodec(V5, new Subscribe(5, List.of(new TopicSubscription("$share/g/t", QoS.AT_MOST_ONCE)),
                        MqttProperties.EMPTY),
                0x82, 0x10,                               // SUBSCRIBE (flags 0010), remaining length 16
                0x00, 0x05,                               // packet identifier 5
                0x00,                                     // property length 0
                0x00, 0x0A, '$', 's', 'h', 'a', 'r', 'e', '/', 'g', '/', 't', // topic filter "$share/g/t"
                0x00);                                    //   options: QoS 0
    }

    @Test
    void mqtt311EncodingLeavesOutMqtt5Options() {
        assertEncodes(V311, new Subscribe(6, List.of(new TopicSubscription("x", QoS.AT_LEAST_ONCE, true, true, 2)),
                        MqttProperties.builder().addSubscriptionIdentifier(1).build()),
                0x82, 0x06,                               // SUBSCRIBE (flags 0010), remaining length 6
                0x00, 0x06,                               // packet identifier 6
                0x00, 0x01, 'x',                          // topic filter "x"
                0x01);                                    //   requested QoS 1 (the other bits are reserved in 3.1.1)
    }
}
