package dev.tern.codec;

import dev.tern.codec.packet.ConnAck;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** CONNACK (MQTT 3.1.1 section 3.2, MQTT 5.0 section 3.2), byte for byte. */
class ConnAckCodecTest extends CodecTestSupport {

    @Test
    void mqtt31Accepted() {
        assertCodec(V31, new ConnAck(false, 0, MqttProperties.EMPTY),
                0x20, 0x02,                               // CONNACK, remaining length 2
                0x00,                                     // acknowledge flags: none (3.1 has no session present)
                0x00);                                    // return code 0: accepted
    }

    @Test
    void mqtt311SessionPresent() {
        assertCodec(V311, new ConnAck(true, 0, MqttProperties.EMPTY),
                0x20, 0x02,                               // CONNACK, remaining length 2
                0x01,                                     // acknowledge flags: session present
                0x00);                                    // return code 0: accepted
    }

    @ParameterizedTest(name = "return code {0}")
    @ValueSource(ints = {0x01, 0x02, 0x03, 0x04, 0x05})
    void mqtt311Refused(int returnCode) {
        assertCodec(V311, new ConnAck(false, returnCode, MqttProperties.EMPTY),
                0x20, 0x02,                               // CONNACK, remaining length 2
                0x00,                                     // acknowledge flags: none
                returnCode);                              // return code 1..5: refused
        assertCodec(V31, new ConnAck(false, returnCode, MqttProperties.EMPTY),
                0x20, 0x02, 0x00, returnCode);            // the same bytes in MQTT 3.1
    }

    @Test
    void mqtt5SuccessWithoutProperties() {
        assertCodec(V5, new ConnAck(false, 0, MqttProperties.EMPTY),
                0x20, 0x03,                               // CONNACK, remaining length 3
                0x00,                                     // acknowledge flags: none
                0x00,                                     // reason code 0x00: success
                0x00);                                    // property length 0
    }

    @Test
    void mqtt5WithServerProperties() {
        MqttProperties props = MqttProperties.builder()
                .sessionExpiryInterval(0xFFFF_FFFFL)
                .assignedClientIdentifier("auto-1")
                .serverKeepAlive(30)
                .responseInformation("resp")
                .reasonString("ok")
                .receiveMaximum(100)
                .topicAliasMaximum(5)
                .maximumQos(1)
                .retainAvailable(0)
                .addUserProperty("x", "y")
                .maximumPacketSize(65_536L)
                .wildcardSubscriptionAvailable(1)
                .subscriptionIdentifierAvailable(0)
                .sharedSubscriptionAvailable(1)
                .build();
        assertCodec(V5, new ConnAck(true, 0, props),
                0x20, 0x3C,                               // CONNACK, remaining length 60
                0x01,                                     // acknowledge flags: session present
                0x00,                                     // reason code 0x00: success
                0x39,                                     // property length 57
                0x11, 0xFF, 0xFF, 0xFF, 0xFF,             //   session expiry interval 4294967295 (never)
                0x12, 0x00, 0x06, 'a', 'u', 't', 'o', '-', '1', // assigned client identifier "auto-1"
                0x13, 0x00, 0x1E,                         //   server keep alive 30
                0x1A, 0x00, 0x04, 'r', 'e', 's', 'p',     //   response information "resp"
                0x1F, 0x00, 0x02, 'o', 'k',               //   reason string "ok"
                0x21, 0x00, 0x64,                         //   receive maximum 100
                0x22, 0x00, 0x05,                         //   topic alias maximum 5
                0x24, 0x01,                               //   maximum QoS 1
                0x25, 0x00,                               //   retain available 0
                0x26, 0x00, 0x01, 'x', 0x00, 0x01, 'y',   //   user property x=y
                0x27, 0x00, 0x01, 0x00, 0x00,             //   maximum packet size 65536
                0x28, 0x01,                               //   wildcard subscription available 1
                0x29, 0x00,                               //   subscription identifier available 0
                0x2A, 0x01);                              //   shared subscription available 1
    }

    @Test
    void mqtt5UseAnotherServer() {
        assertCodec(V5, new ConnAck(false, ReasonCodes.USE_ANOTHER_SERVER,
                        MqttProperties.builder().serverReference("other:1883").build()),
                0x20, 0x10,                               // CONNACK, remaining length 16
                0x00,                                     // acknowledge flags: none
                0x9C,                                     // reason code 0x9C: use another server
                0x0D,                                     // property length 13
                0x1C, 0x00, 0x0A, 'o', 't', 'h', 'e', 'r', ':', '1', '8', '8', '3'); // server reference
    }

    @Test
    void mqtt5BadCredentialsWithAuthentication() {
        assertCodec(V5, new ConnAck(false, ReasonCodes.BAD_USER_NAME_OR_PASSWORD,
                        MqttProperties.builder().authenticationMethod("M").authenticationData(bytes(0x09)).build()),
                0x20, 0x0B,                               // CONNACK, remaining length 11
                0x00,                                     // acknowledge flags: none
                0x86,                                     // reason code 0x86: bad user name or password
                0x08,                                     // property length 8
                0x15, 0x00, 0x01, 'M',                    //   authentication method "M"
                0x16, 0x00, 0x01, 0x09);                  //   authentication data 09
    }

    @Test
    void mqtt311EncodingLeavesOutProperties() {
        assertEncodes(V311, new ConnAck(true, 0, MqttProperties.builder().receiveMaximum(10).build()),
                0x20, 0x02,                               // CONNACK, remaining length 2
                0x01,                                     // acknowledge flags: session present
                0x00);                                    // return code 0 (3.1.1 has no properties)
    }
}
