package dev.tern.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.codec.packet.Connect;
import dev.tern.codec.packet.Will;
import org.junit.jupiter.api.Test;

/** CONNECT (MQTT 3.1 section 3.1, MQTT 3.1.1 section 3.1, MQTT 5.0 section 3.1), byte for byte. */
class ConnectCodecTest extends CodecTestSupport {

    @Test
    void mqtt31Minimal() {
        assertCodec(V31, new Connect(V31, "c1", true, 60, null, null, null, MqttProperties.EMPTY),
                0x10, 0x10,                               // CONNECT, remaining length 16
                0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p', // protocol name "MQIsdp"
                0x03,                                     // protocol level 3 (MQTT 3.1)
                0x02,                                     // connect flags: clean session
                0x00, 0x3C,                               // keep alive 60 s
                0x00, 0x02, 'c', '1');                    // client identifier "c1"
    }

    @Test
    void mqtt31WithWillUsernameAndPassword() {
        Will will = new Will("w/t", utf8("bye"), QoS.AT_LEAST_ONCE, true, MqttProperties.EMPTY);
        assertCodec(V31, new Connect(V31, "c1", true, 10, "u", bytes(0x70, 0x77), will, MqttProperties.EMPTY),
                0x10, 0x21,                               // CONNECT, remaining length 33
                0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p', // protocol name "MQIsdp"
                0x03,                                     // protocol level 3
                0xEE,                                     // flags: user name, password, will retain, will QoS 1, will, clean
                0x00, 0x0A,                               // keep alive 10 s
                0x00, 0x02, 'c', '1',                     // client identifier "c1"
                0x00, 0x03, 'w', '/', 't',                // will topic "w/t"
                0x00, 0x03, 'b', 'y', 'e',                // will message "bye"
                0x00, 0x01, 'u',                          // user name "u"
                0x00, 0x02, 0x70, 0x77);                  // password, 2 bytes
    }

    @Test
    void mqtt311MinimalWithEmptyClientId() {
        assertCodec(V311, new Connect(V311, "", true, 0, null, null, null, MqttProperties.EMPTY),
                0x10, 0x0C,                               // CONNECT, remaining length 12
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x04,                                     // protocol level 4 (MQTT 3.1.1)
                0x02,                                     // connect flags: clean session
                0x00, 0x00,                               // keep alive 0: disabled
                0x00, 0x00);                              // client identifier "" (empty)
    }

    @Test
    void mqtt311WithQos2WillAndUsernameOnly() {
        Will will = new Will("status/dev", new byte[0], QoS.EXACTLY_ONCE, false, MqttProperties.EMPTY);
        assertCodec(V311, new Connect(V311, "dev", false, 300, "user", null, will, MqttProperties.EMPTY),
                0x10, 0x23,                               // CONNECT, remaining length 35
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x04,                                     // protocol level 4
                0x94,                                     // flags: user name, will QoS 2, will; session kept
                0x01, 0x2C,                               // keep alive 300 s
                0x00, 0x03, 'd', 'e', 'v',                // client identifier "dev"
                0x00, 0x0A, 's', 't', 'a', 't', 'u', 's', '/', 'd', 'e', 'v', // will topic "status/dev"
                0x00, 0x00,                               // will message: empty
                0x00, 0x04, 'u', 's', 'e', 'r');          // user name "user"
    }

    @Test
    void mqtt311WithUsernameAndPassword() {
        assertCodec(V311, new Connect(V311, "c", true, 60, "u", utf8("p"), null, MqttProperties.EMPTY),
                0x10, 0x13,                               // CONNECT, remaining length 19
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x04,                                     // protocol level 4
                0xC2,                                     // flags: user name, password, clean session
                0x00, 0x3C,                               // keep alive 60 s
                0x00, 0x01, 'c',                          // client identifier "c"
                0x00, 0x01, 'u',                          // user name "u"
                0x00, 0x01, 'p');                         // password "p"
    }

    @Test
    void mqtt5Minimal() {
        assertCodec(V5, new Connect(V5, "c1", true, 60, null, null, null, MqttProperties.EMPTY),
                0x10, 0x0F,                               // CONNECT, remaining length 15
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x05,                                     // protocol level 5 (MQTT 5.0)
                0x02,                                     // connect flags: clean start
                0x00, 0x3C,                               // keep alive 60 s
                0x00,                                     // property length 0
                0x00, 0x02, 'c', '1');                    // client identifier "c1"
    }

    @Test
    void mqtt5WithProperties() {
        MqttProperties props = MqttProperties.builder()
                .sessionExpiryInterval(3600L)
                .authenticationMethod("SCRAM")
                .authenticationData(bytes(0x01, 0x02))
                .requestProblemInformation(0)
                .requestResponseInformation(1)
                .receiveMaximum(20)
                .topicAliasMaximum(10)
                .addUserProperty("a", "1")
                .addUserProperty("a", "2")
                .maximumPacketSize(1_048_576L)
                .build();
        assertCodec(V5, new Connect(V5, "c1", true, 60, null, null, null, props),
                0x10, 0x3E,                               // CONNECT, remaining length 62
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x05,                                     // protocol level 5
                0x02,                                     // connect flags: clean start
                0x00, 0x3C,                               // keep alive 60 s
                0x2F,                                     // property length 47
                0x11, 0x00, 0x00, 0x0E, 0x10,             //   session expiry interval 3600
                0x15, 0x00, 0x05, 'S', 'C', 'R', 'A', 'M', //  authentication method "SCRAM"
                0x16, 0x00, 0x02, 0x01, 0x02,             //   authentication data 01 02
                0x17, 0x00,                               //   request problem information 0
                0x19, 0x01,                               //   request response information 1
                0x21, 0x00, 0x14,                         //   receive maximum 20
                0x22, 0x00, 0x0A,                         //   topic alias maximum 10
                0x26, 0x00, 0x01, 'a', 0x00, 0x01, '1',   //   user property a=1
                0x26, 0x00, 0x01, 'a', 0x00, 0x01, '2',   //   user property a=2 (same name, order kept)
                0x27, 0x00, 0x10, 0x00, 0x00,             //   maximum packet size 1048576
                0x00, 0x02, 'c', '1');                    // client identifier "c1"
    }

    @Test
    void mqtt5WithWillPropertiesUsernameAndPassword() {
        MqttProperties willProps = MqttProperties.builder()
                .payloadFormatIndicator(1)
                .messageExpiryInterval(60L)
                .contentType("text/plain")
                .responseTopic("r/1")
                .correlationData(bytes(0xCA, 0xFE))
                .willDelayInterval(30L)
                .addUserProperty("k", "v")
                .build();
        Will will = new Will("w", utf8("gone"), QoS.AT_MOST_ONCE, true, willProps);
        assertCodec(V5, new Connect(V5, "c1", true, 60, "u", utf8("pw"), will, MqttProperties.EMPTY),
                0x10, 0x4B,                               // CONNECT, remaining length 75
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x05,                                     // protocol level 5
                0xE6,                                     // flags: user name, password, will retain, will QoS 0, will, clean start
                0x00, 0x3C,                               // keep alive 60 s
                0x00,                                     // property length 0
                0x00, 0x02, 'c', '1',                     // client identifier "c1"
                0x2B,                                     // will property length 43
                0x01, 0x01,                               //   payload format indicator 1 (UTF-8)
                0x02, 0x00, 0x00, 0x00, 0x3C,             //   message expiry interval 60
                0x03, 0x00, 0x0A, 't', 'e', 'x', 't', '/', 'p', 'l', 'a', 'i', 'n', // content type "text/plain"
                0x08, 0x00, 0x03, 'r', '/', '1',          //   response topic "r/1"
                0x09, 0x00, 0x02, 0xCA, 0xFE,             //   correlation data CA FE
                0x18, 0x00, 0x00, 0x00, 0x1E,             //   will delay interval 30
                0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v',   //   user property k=v
                0x00, 0x01, 'w',                          // will topic "w"
                0x00, 0x04, 'g', 'o', 'n', 'e',           // will payload "gone"
                0x00, 0x01, 'u',                          // user name "u"
                0x00, 0x02, 'p', 'w');                    // password "pw"
    }

    @Test
    void mqtt5AllowsPasswordWithoutUsername() {
        assertCodec(V5, new Connect(V5, "c", true, 60, null, utf8("p"), null, MqttProperties.EMPTY),
                0x10, 0x11,                               // CONNECT, remaining length 17
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x05,                                     // protocol level 5
                0x42,                                     // flags: password (no user name: allowed in 5.0), clean start
                0x00, 0x3C,                               // keep alive 60 s
                0x00,                                     // property length 0
                0x00, 0x01, 'c',                          // client identifier "c"
                0x00, 0x01, 'p');                         // password "p"
    }

    @Test
    void mqtt5PropertiesInAnyOrderDecodeToTheSameRecord() {
        MqttProperties props = MqttProperties.builder().sessionExpiryInterval(10L).receiveMaximum(5).build();
        assertDecodes(V5, new Connect(V5, "c", true, 0, null, null, null, props),
                0x10, 0x16,                               // CONNECT, remaining length 22
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x05,                                     // protocol level 5
                0x02,                                     // connect flags: clean start
                0x00, 0x00,                               // keep alive 0
                0x08,                                     // property length 8
                0x21, 0x00, 0x05,                         //   receive maximum 5 (before 0x11: any order is valid)
                0x11, 0x00, 0x00, 0x00, 0x0A,             //   session expiry interval 10
                0x00, 0x01, 'c');                         // client identifier "c"
    }

    @Test
    void unicodeClientIdWithSupplementaryCharacterAndByteOrderMark() {
        // U+FEFF must pass through unchanged (MQTT-1.5.4-3); U+1F600 is a 4-byte sequence / surrogate pair.
        String clientId = "\uFEFF\uD83D\uDE00é";
        assertCodec(V311, new Connect(V311, clientId, true, 0, null, null, null, MqttProperties.EMPTY),
                0x10, 0x15,                               // CONNECT, remaining length 21
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x04,                                     // protocol level 4
                0x02,                                     // connect flags: clean session
                0x00, 0x00,                               // keep alive 0
                0x00, 0x09,                               // client identifier: 9 bytes
                0xEF, 0xBB, 0xBF,                         //   U+FEFF zero width no-break space
                0xF0, 0x9F, 0x98, 0x80,                   //   U+1F600
                0xC3, 0xA9);                              //   U+00E9 é
    }

    @Test
    void connectCarriesItsOwnVersion() {
        byte[] v5Connect = bytes(
                0x10, 0x0D,                               // CONNECT, remaining length 13
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x05,                                     // protocol level 5
                0x00,                                     // connect flags: none
                0x00, 0x05,                               // keep alive 5 s
                0x00,                                     // property length 0
                0x00, 0x00);                              // client identifier ""
        Connect expected = new Connect(V5, "", false, 5, null, null, null, MqttProperties.EMPTY);
        // A second CONNECT on a 3.1.1 connection is still decoded by its own protocol level
        // (the broker, not the codec, rejects it).
        assertThat(decode(V311, v5Connect)).isEqualTo(expected);
        // The encoder, too, takes the version from the record, not from the argument.
        assertThat(hex(encode(expected, V311))).isEqualTo(hex(v5Connect));
    }

    @Test
    void malformedConnectNamesItsVersion() {
        DecodeError v5 = decodeError(null, bytes(
                0x10, 0x0E,                         // CONNECT, remaining length 14
                0x00, 0x04, 'M', 'Q', 'T', 'T',     // protocol name "MQTT"
                0x05, 0x03, 0x00, 0x3C,             // level 5, reserved flag set, keep alive 60
                0x00,                               // property length 0
                0x00, 0x01, 'c'));                  // client id "c"
        assertThat(v5.violation()).isEqualTo(Violation.CONNECT_RESERVED_FLAG);
        assertThat(v5.connectVersion()).isEqualTo(MqttVersion.MQTT_5);
        DecodeError v311 = decodeError(null, bytes(
                0x10, 0x0D,                         // CONNECT, remaining length 13
                0x00, 0x04, 'M', 'Q', 'T', 'T',     // protocol name "MQTT"
                0x04, 0x03, 0x00, 0x3C,             // level 4, reserved flag set, keep alive 60
                0x00, 0x01, 'c'));                  // client id "c"
        assertThat(v311.connectVersion()).isEqualTo(MqttVersion.MQTT_3_1_1);
        DecodeError unknown = decodeError(null, bytes(
                0x10, 0x0D,                         // CONNECT, remaining length 13
                0x00, 0x04, 'M', 'Q', 'T', 'X',     // protocol name "MQTX"
                0x05, 0x02, 0x00, 0x3C,             // level 5, clean start, keep alive 60
                0x00, 0x01, 'c'));                  // client id "c"
        assertThat(unknown.connectVersion()).as("version not known").isNull();
    }
}
