package dev.tern.codec;

import static dev.tern.codec.PacketType.AUTH;
import static dev.tern.codec.PacketType.CONNACK;
import static dev.tern.codec.PacketType.CONNECT;
import static dev.tern.codec.PacketType.DISCONNECT;
import static dev.tern.codec.PacketType.PINGREQ;
import static dev.tern.codec.PacketType.PINGRESP;
import static dev.tern.codec.PacketType.PUBACK;
import static dev.tern.codec.PacketType.PUBCOMP;
import static dev.tern.codec.PacketType.PUBLISH;
import static dev.tern.codec.PacketType.PUBREC;
import static dev.tern.codec.PacketType.PUBREL;
import static dev.tern.codec.PacketType.SUBACK;
import static dev.tern.codec.PacketType.SUBSCRIBE;
import static dev.tern.codec.PacketType.UNSUBACK;
import static dev.tern.codec.PacketType.UNSUBSCRIBE;
import static dev.tern.codec.Violation.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One or more byte sequences for every {@link Violation}: each must make the decoder return exactly
 * that violation for the named packet type, and nothing else. CONNECT cases are decoded as the first
 * packet of a connection (version unknown); every other case in the version named.
 */
class DecodeViolationTest extends CodecTestSupport {

    record Case(String name, @Nullable MqttVersion version, Violation violation, @Nullable PacketType type,
                int[] wire) {
        @Override
        public String toString() {
            return violation + ": " + name + (version == null ? "" : " [" + version.label() + "]");
        }
    }

    private static final List<Case> CASES = new ArrayList<>();

    private static void c(String name, @Nullable MqttVersion version, Violation violation, @Nullable PacketType type,
                          int... wire) {
        CASES.add(new Case(name, version, violation, type, wire));
    }

    static {
        // ---- fixed header ----
        c("packet type 0", V311, RESERVED_PACKET_TYPE, null,
                0x00, 0x00);                              // type 0, remaining length 0
        c("packet type 0", V5, RESERVED_PACKET_TYPE, null,
                0x00, 0x00);                              // type 0, remaining length 0
        c("AUTH in MQTT 3.1", V31, RESERVED_PACKET_TYPE, null,
                0xF0, 0x00);                              // type 15 (AUTH), remaining length 0
        c("AUTH in MQTT 3.1.1", V311, RESERVED_PACKET_TYPE, null,
                0xF0, 0x00);                              // type 15 (AUTH), remaining length 0
        c("AUTH before CONNECT", null, RESERVED_PACKET_TYPE, null,
                0xF0, 0x00);                              // type 15 (AUTH), remaining length 0

        c("CONNECT with flags 0010", null, INVALID_FIXED_HEADER_FLAGS, CONNECT,
                0x12, 0x00);                              // CONNECT, flags 0010 (must be 0000)
        c("PUBREL with flags 0000", V311, INVALID_FIXED_HEADER_FLAGS, PUBREL,
                0x60, 0x02, 0x00, 0x01);                  // PUBREL, flags 0000 (must be 0010); packet id 1
        c("SUBSCRIBE with flags 0000", V5, INVALID_FIXED_HEADER_FLAGS, SUBSCRIBE,
                0x80, 0x00);                              // SUBSCRIBE, flags 0000 (must be 0010)
        c("UNSUBSCRIBE with flags 0011", V311, INVALID_FIXED_HEADER_FLAGS, UNSUBSCRIBE,
                0xA3, 0x00);                              // UNSUBSCRIBE, flags 0011 (must be 0010)
        c("PINGREQ with flags 0001", V311, INVALID_FIXED_HEADER_FLAGS, PINGREQ,
                0xC1, 0x00);                              // PINGREQ, flags 0001
        c("DISCONNECT with flags 1000", V5, INVALID_FIXED_HEADER_FLAGS, DISCONNECT,
                0xE8, 0x00);                              // DISCONNECT, flags 1000
        c("AUTH with flags 0001", V5, INVALID_FIXED_HEADER_FLAGS, AUTH,
                0xF1, 0x00);                              // AUTH, flags 0001

        c("remaining length with a fifth byte", V311, REMAINING_LENGTH_TOO_LONG, PUBLISH,
                0x30,                                     // PUBLISH QoS 0
                0xFF, 0xFF, 0xFF, 0xFF, 0x01);            // remaining length: 4 bytes with continuation, then a 5th
        c("fourth remaining length byte has the continuation bit", V5, REMAINING_LENGTH_TOO_LONG, PINGREQ,
                0xC0,                                     // PINGREQ
                0x80, 0x80, 0x80, 0x80);                  // 4 bytes, the last one announcing a 5th: rejected at once

        c("largest remaining length against a 1 KiB maximum", V311, PACKET_TOO_LARGE, PUBLISH,
                0x30,                                     // PUBLISH QoS 0
                0xFF, 0xFF, 0xFF, 0x7F);                  // remaining length 268435455; no body needed to reject

        // ---- truncated fields (the remaining length is right; a field inside runs past it) ----
        c("PUBACK with a one-byte packet identifier", V311, TRUNCATED, PUBACK,
                0x40, 0x01,                               // PUBACK, remaining length 1
                0x00);                                    // half a packet identifier
        c("PUBLISH topic length past the end", V311, TRUNCATED, PUBLISH,
                0x30, 0x03,                               // PUBLISH QoS 0, remaining length 3
                0x00, 0x05, 'a');                         // topic length 5, one byte present
        c("PUBLISH QoS 1 without packet identifier", V311, TRUNCATED, PUBLISH,
                0x32, 0x03,                               // PUBLISH QoS 1, remaining length 3
                0x00, 0x01, 't');                         // topic "t"; packet identifier missing
        c("CONNECT ends after the protocol level", null, TRUNCATED, CONNECT,
                0x10, 0x07,                               // CONNECT, remaining length 7
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x04);                                    // protocol level 4; flags missing
        c("CONNECT without client identifier", null, TRUNCATED, CONNECT,
                0x10, 0x0A,                               // CONNECT, remaining length 10
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x04,                                     // protocol level 4
                0x02,                                     // flags: clean session
                0x00, 0x3C);                              // keep alive 60; client identifier missing
        c("CONNECT with password flag but no password", null, TRUNCATED, CONNECT,
                0x10, 0x10,                               // CONNECT, remaining length 16
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x04,                                     // protocol level 4
                0xC2,                                     // flags: user name, password, clean session
                0x00, 0x3C,                               // keep alive 60
                0x00, 0x01, 'c',                          // client identifier "c"
                0x00, 0x01, 'u');                         // user name "u"; password missing
        c("CONNECT will payload length past the end", null, TRUNCATED, CONNECT,
                0x10, 0x12,                               // CONNECT, remaining length 18
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x04,                                     // protocol level 4
                0x06,                                     // flags: will, clean session
                0x00, 0x00,                               // keep alive 0
                0x00, 0x01, 'c',                          // client identifier "c"
                0x00, 0x01, 'w',                          // will topic "w"
                0x00, 0x09);                              // will payload length 9, no bytes
        c("SUBSCRIBE filter without options byte", V311, TRUNCATED, SUBSCRIBE,
                0x82, 0x05,                               // SUBSCRIBE, remaining length 5
                0x00, 0x01,                               // packet identifier 1
                0x00, 0x01, 'a');                         // topic filter "a"; options missing
        c("SUBACK without return codes", V311, TRUNCATED, SUBACK,
                0x90, 0x02,                               // SUBACK, remaining length 2
                0x00, 0x01);                              // packet identifier 1; no return code
        c("5.0 UNSUBACK without reason codes", V5, TRUNCATED, UNSUBACK,
                0xB0, 0x03,                               // UNSUBACK, remaining length 3
                0x00, 0x01,                               // packet identifier 1
                0x00);                                    // property length 0; no reason code
        c("CONNACK without property length", V5, TRUNCATED, CONNACK,
                0x20, 0x02,                               // CONNACK, remaining length 2
                0x00,                                     // acknowledge flags
                0x00);                                    // reason code; property length missing (mandatory in 5.0)
        c("property length beyond the packet", V5, TRUNCATED, PUBLISH,
                0x30, 0x04,                               // PUBLISH QoS 0, remaining length 4
                0x00, 0x01, 't',                          // topic "t"
                0x05);                                    // property length 5, no properties follow
        c("property value runs past the property block", V5, TRUNCATED, DISCONNECT,
                0xE0, 0x07,                               // DISCONNECT, remaining length 7
                0x00,                                     // reason code 0x00
                0x02,                                     // property length 2
                0x11, 0x00, 0x00, 0x00, 0x00);            //   session expiry interval: 5 bytes in a 2-byte block
        c("user property without value", V5, TRUNCATED, PUBLISH,
                0x30, 0x08,                               // PUBLISH QoS 0, remaining length 8
                0x00, 0x01, 't',                          // topic "t"
                0x04,                                     // property length 4
                0x26, 0x00, 0x01, 'k');                   //   user property name "k"; value missing
        c("four-byte property cut short", V5, TRUNCATED, CONNECT,
                0x10, 0x0F,                               // CONNECT, remaining length 15
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x05,                                     // protocol level 5
                0x02,                                     // flags: clean start
                0x00, 0x00,                               // keep alive 0
                0x04,                                     // property length 4
                0x11, 0x00, 0x00, 0x00);                  //   session expiry interval: 3 of 4 bytes, packet ends

        // ---- trailing bytes ----
        c("PINGREQ with a body", V311, TRAILING_BYTES, PINGREQ,
                0xC0, 0x01,                               // PINGREQ, remaining length 1
                0x00);                                    // extra byte
        c("PINGRESP with a body", V5, TRAILING_BYTES, PINGRESP,
                0xD0, 0x01,                               // PINGRESP, remaining length 1
                0x00);                                    // extra byte
        c("3.1.1 PUBACK with a reason code", V311, TRAILING_BYTES, PUBACK,
                0x40, 0x03,                               // PUBACK, remaining length 3
                0x00, 0x01,                               // packet identifier 1
                0x00);                                    // a 5.0 reason code: extra in 3.1.1
        c("3.1 PUBCOMP with an extra byte", V31, TRAILING_BYTES, PUBCOMP,
                0x70, 0x03,                               // PUBCOMP, remaining length 3
                0x00, 0x01,                               // packet identifier 1
                0x00);                                    // extra byte
        c("3.1.1 DISCONNECT with a reason code", V311, TRAILING_BYTES, DISCONNECT,
                0xE0, 0x01,                               // DISCONNECT, remaining length 1
                0x00);                                    // a 5.0 reason code: extra in 3.1.1
        c("3.1.1 UNSUBACK with a reason code", V311, TRAILING_BYTES, UNSUBACK,
                0xB0, 0x03,                               // UNSUBACK, remaining length 3
                0x00, 0x01,                               // packet identifier 1
                0x00);                                    // a 5.0 reason code: extra in 3.1.1
        c("3.1.1 CONNACK with a property length", V311, TRAILING_BYTES, CONNACK,
                0x20, 0x03,                               // CONNACK, remaining length 3
                0x00, 0x00,                               // acknowledge flags, return code
                0x00);                                    // extra byte
        c("CONNECT with a byte after the client identifier", null, TRAILING_BYTES, CONNECT,
                0x10, 0x0D,                               // CONNECT, remaining length 13
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x04,                                     // protocol level 4
                0x02,                                     // flags: clean session
                0x00, 0x00,                               // keep alive 0
                0x00, 0x00,                               // client identifier ""
                0xFF);                                    // extra byte
        c("5.0 PUBACK with a byte after the properties", V5, TRAILING_BYTES, PUBACK,
                0x40, 0x05,                               // PUBACK, remaining length 5
                0x00, 0x01,                               // packet identifier 1
                0x00,                                     // reason code 0x00
                0x00,                                     // property length 0
                0xFF);                                    // extra byte
        c("5.0 DISCONNECT with a byte after the properties", V5, TRAILING_BYTES, DISCONNECT,
                0xE0, 0x03,                               // DISCONNECT, remaining length 3
                0x00,                                     // reason code 0x00
                0x00,                                     // property length 0
                0xFF);                                    // extra byte
        c("AUTH with a byte after the properties", V5, TRAILING_BYTES, AUTH,
                0xF0, 0x03,                               // AUTH, remaining length 3
                0x00,                                     // reason code 0x00
                0x00,                                     // property length 0
                0xFF);                                    // extra byte
        c("5.0 CONNACK with a byte after the properties", V5, TRAILING_BYTES, CONNACK,
                0x20, 0x04,                               // CONNACK, remaining length 4
                0x00, 0x00,                               // acknowledge flags, reason code
                0x00,                                     // property length 0
                0xFF);                                    // extra byte

        // ---- UTF-8 strings (MQTT-1.5.3-1, MQTT-1.5.3-2) ----
        c("overlong two-byte '/'", V311, INVALID_UTF8, PUBLISH,
                0x30, 0x04,                               // PUBLISH QoS 0, remaining length 4
                0x00, 0x02, 0xC0, 0xAF);                  // topic: C0 AF, an overlong U+002F
        c("overlong encoding of U+0000", V311, INVALID_UTF8, PUBLISH,
                0x30, 0x04,                               // PUBLISH QoS 0, remaining length 4
                0x00, 0x02, 0xC0, 0x80);                  // topic: C0 80 (modified UTF-8 NUL), overlong
        c("overlong three-byte '/'", V311, INVALID_UTF8, PUBLISH,
                0x30, 0x05,                               // PUBLISH QoS 0, remaining length 5
                0x00, 0x03, 0xE0, 0x80, 0xAF);            // topic: E0 80 AF, an overlong U+002F
        c("overlong four-byte '/'", V311, INVALID_UTF8, PUBLISH,
                0x30, 0x06,                               // PUBLISH QoS 0, remaining length 6
                0x00, 0x04, 0xF0, 0x80, 0x80, 0xAF);      // topic: F0 80 80 AF, an overlong U+002F
        c("encoded high surrogate U+D800", V311, INVALID_UTF8, PUBLISH,
                0x30, 0x05,                               // PUBLISH QoS 0, remaining length 5
                0x00, 0x03, 0xED, 0xA0, 0x80);            // topic: ED A0 80, the surrogate U+D800
        c("encoded low surrogate U+DFFF", V5, INVALID_UTF8, PUBLISH,
                0x30, 0x06,                               // PUBLISH QoS 0, remaining length 6
                0x00, 0x03, 0xED, 0xBF, 0xBF,             // topic: ED BF BF, the surrogate U+DFFF
                0x00);                                    // property length 0
        c("surrogate pair encoded as two 3-byte sequences (CESU-8)", V311, INVALID_UTF8, PUBLISH,
                0x30, 0x08,                               // PUBLISH QoS 0, remaining length 8
                0x00, 0x06, 0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80); // topic: U+1F600 as CESU-8
        c("code point above U+10FFFF", V311, INVALID_UTF8, PUBLISH,
                0x30, 0x06,                               // PUBLISH QoS 0, remaining length 6
                0x00, 0x04, 0xF4, 0x90, 0x80, 0x80);      // topic: F4 90 80 80 = U+110000
        c("truncated three-byte sequence at the end of the string", V311, INVALID_UTF8, PUBLISH,
                0x30, 0x06,                               // PUBLISH QoS 0, remaining length 6
                0x00, 0x02, 'a', 0xE2,                    // topic: 'a', then E2 starting a 3-byte sequence
                0x82, 0xAC);                              // the payload: the rest of U+20AC must not be borrowed
        c("two of three bytes", V311, INVALID_UTF8, PUBLISH,
                0x30, 0x04,                               // PUBLISH QoS 0, remaining length 4
                0x00, 0x02, 0xE2, 0x82);                  // topic: E2 82, one continuation byte short
        c("truncated four-byte sequence", V311, INVALID_UTF8, PUBLISH,
                0x30, 0x05,                               // PUBLISH QoS 0, remaining length 5
                0x00, 0x03, 0xF0, 0x9F, 0x98);            // topic: F0 9F 98, one continuation byte short
        c("lead byte followed by ASCII", V311, INVALID_UTF8, PUBLISH,
                0x30, 0x05,                               // PUBLISH QoS 0, remaining length 5
                0x00, 0x03, 0xC3, 'a', 'b');              // topic: C3 needs a continuation byte, 'a' is none
        c("lone continuation byte", V311, INVALID_UTF8, PUBLISH,
                0x30, 0x03,                               // PUBLISH QoS 0, remaining length 3
                0x00, 0x01, 0x80);                        // topic: 80
        c("byte 0xFF", V311, INVALID_UTF8, PUBLISH,
                0x30, 0x03,                               // PUBLISH QoS 0, remaining length 3
                0x00, 0x01, 0xFF);                        // topic: FF, never valid in UTF-8
        c("invalid client identifier", null, INVALID_UTF8, CONNECT,
                0x10, 0x0D,                               // CONNECT, remaining length 13
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x04,                                     // protocol level 4
                0x02,                                     // flags: clean session
                0x00, 0x00,                               // keep alive 0
                0x00, 0x01, 0xFE);                        // client identifier: FE
        c("invalid topic filter", V311, INVALID_UTF8, SUBSCRIBE,
                0x82, 0x07,                               // SUBSCRIBE, remaining length 7
                0x00, 0x01,                               // packet identifier 1
                0x00, 0x02, 0xC0, 0xAF,                   // topic filter: overlong '/'
                0x00);                                    //   QoS 0
        c("invalid user property name", V5, INVALID_UTF8, PUBLISH,
                0x30, 0x0B,                               // PUBLISH QoS 0, remaining length 11
                0x00, 0x01, 't',                          // topic "t"
                0x07,                                     // property length 7
                0x26, 0x00, 0x01, 0xED, 0x00, 0x01, 'v'); //  user property: name ED (truncated), value "v"

        c("U+0000 in a topic", V311, NULL_CHARACTER, PUBLISH,
                0x30, 0x04,                               // PUBLISH QoS 0, remaining length 4
                0x00, 0x02, 'a', 0x00);                   // topic: 'a' U+0000
        c("U+0000 in a client identifier", null, NULL_CHARACTER, CONNECT,
                0x10, 0x0D,                               // CONNECT, remaining length 13
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x04,                                     // protocol level 4
                0x02,                                     // flags: clean session
                0x00, 0x00,                               // keep alive 0
                0x00, 0x01, 0x00);                        // client identifier: U+0000
        c("U+0000 in a reason string", V5, NULL_CHARACTER, PUBACK,
                0x40, 0x08,                               // PUBACK, remaining length 8
                0x00, 0x01,                               // packet identifier 1
                0x80,                                     // reason code 0x80
                0x04,                                     // property length 4
                0x1F, 0x00, 0x01, 0x00);                  //   reason string: U+0000

        // ---- variable byte integers in properties (MQTT 5.0 section 1.5.5) ----
        c("property length with five bytes", V5, INVALID_VARIABLE_BYTE_INTEGER, PUBLISH,
                0x30, 0x08,                               // PUBLISH QoS 0, remaining length 8
                0x00, 0x01, 't',                          // topic "t"
                0xFF, 0xFF, 0xFF, 0xFF, 0x01);            // property length: 5 bytes
        c("subscription identifier with five bytes", V5, INVALID_VARIABLE_BYTE_INTEGER, PUBLISH,
                0x30, 0x0A,                               // PUBLISH QoS 0, remaining length 10
                0x00, 0x01, 't',                          // topic "t"
                0x06,                                     // property length 6
                0x0B, 0x80, 0x80, 0x80, 0x80, 0x01);      //   subscription identifier: 5 bytes
        c("property identifier with five bytes", V5, INVALID_VARIABLE_BYTE_INTEGER, DISCONNECT,
                0xE0, 0x07,                               // DISCONNECT, remaining length 7
                0x00,                                     // reason code 0x00
                0x05,                                     // property length 5
                0x80, 0x80, 0x80, 0x80, 0x01);            //   property identifier: 5 bytes

        // ---- packet identifiers (MQTT-2.3.1-1) ----
        c("PUBLISH QoS 1 with packet identifier 0", V311, PACKET_ID_ZERO, PUBLISH,
                0x32, 0x05,                               // PUBLISH QoS 1, remaining length 5
                0x00, 0x01, 't',                          // topic "t"
                0x00, 0x00);                              // packet identifier 0
        c("PUBLISH QoS 2 with packet identifier 0", V5, PACKET_ID_ZERO, PUBLISH,
                0x34, 0x06,                               // PUBLISH QoS 2, remaining length 6
                0x00, 0x01, 't',                          // topic "t"
                0x00, 0x00,                               // packet identifier 0
                0x00);                                    // property length 0
        c("PUBACK", V311, PACKET_ID_ZERO, PUBACK,
                0x40, 0x02, 0x00, 0x00);                  // PUBACK, remaining length 2, packet identifier 0
        c("PUBACK", V5, PACKET_ID_ZERO, PUBACK,
                0x40, 0x02, 0x00, 0x00);                  // PUBACK, remaining length 2, packet identifier 0
        c("PUBREC", V311, PACKET_ID_ZERO, PUBREC,
                0x50, 0x02, 0x00, 0x00);                  // PUBREC, remaining length 2, packet identifier 0
        c("PUBREL", V31, PACKET_ID_ZERO, PUBREL,
                0x62, 0x02, 0x00, 0x00);                  // PUBREL, remaining length 2, packet identifier 0
        c("PUBCOMP", V5, PACKET_ID_ZERO, PUBCOMP,
                0x70, 0x02, 0x00, 0x00);                  // PUBCOMP, remaining length 2, packet identifier 0
        c("SUBSCRIBE", V311, PACKET_ID_ZERO, SUBSCRIBE,
                0x82, 0x06,                               // SUBSCRIBE, remaining length 6
                0x00, 0x00,                               // packet identifier 0
                0x00, 0x01, 'a', 0x00);                   // topic filter "a", QoS 0
        c("SUBACK", V311, PACKET_ID_ZERO, SUBACK,
                0x90, 0x03, 0x00, 0x00, 0x00);            // SUBACK, remaining length 3, packet identifier 0, QoS 0
        c("UNSUBSCRIBE", V5, PACKET_ID_ZERO, UNSUBSCRIBE,
                0xA2, 0x06,                               // UNSUBSCRIBE, remaining length 6
                0x00, 0x00,                               // packet identifier 0
                0x00,                                     // property length 0
                0x00, 0x01, 'a');                         // topic filter "a"
        c("UNSUBACK", V311, PACKET_ID_ZERO, UNSUBACK,
                0xB0, 0x02, 0x00, 0x00);                  // UNSUBACK, remaining length 2, packet identifier 0

        // ---- PUBLISH fixed header and topic name ----
        c("QoS 3", V311, PUBLISH_QOS_3, PUBLISH,
                0x36, 0x05,                               // PUBLISH QoS 3 (both QoS bits), remaining length 5
                0x00, 0x01, 't',                          // topic "t"
                0x00, 0x01);                              // packet identifier 1
        c("QoS 3 with RETAIN", V5, PUBLISH_QOS_3, PUBLISH,
                0x37, 0x06,                               // PUBLISH QoS 3, RETAIN; remaining length 6
                0x00, 0x01, 't',                          // topic "t"
                0x00, 0x01,                               // packet identifier 1
                0x00);                                    // property length 0
        c("DUP with QoS 0", V311, PUBLISH_DUP_WITH_QOS_0, PUBLISH,
                0x38, 0x03,                               // PUBLISH DUP, QoS 0; remaining length 3
                0x00, 0x01, 't');                         // topic "t"
        c("DUP with QoS 0 and RETAIN", V5, PUBLISH_DUP_WITH_QOS_0, PUBLISH,
                0x39, 0x04,                               // PUBLISH DUP, QoS 0, RETAIN; remaining length 4
                0x00, 0x01, 't',                          // topic "t"
                0x00);                                    // property length 0
        c("'+' in a topic name", V311, TOPIC_NAME_WILDCARD, PUBLISH,
                0x30, 0x05,                               // PUBLISH QoS 0, remaining length 5
                0x00, 0x03, 'a', '/', '+');               // topic "a/+"
        c("'#' as a topic name", V5, TOPIC_NAME_WILDCARD, PUBLISH,
                0x30, 0x04,                               // PUBLISH QoS 0, remaining length 4
                0x00, 0x01, '#',                          // topic "#"
                0x00);                                    // property length 0
        c("'#' inside a level", V31, TOPIC_NAME_WILDCARD, PUBLISH,
                0x30, 0x05,                               // PUBLISH QoS 0, remaining length 5
                0x00, 0x03, 'a', '#', 'b');               // topic "a#b"
        c("wildcard in the will topic", null, TOPIC_NAME_WILDCARD, CONNECT,
                0x10, 0x13,                               // CONNECT, remaining length 19
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x04,                                     // protocol level 4
                0x06,                                     // flags: will, clean session
                0x00, 0x00,                               // keep alive 0
                0x00, 0x00,                               // client identifier ""
                0x00, 0x03, 'w', '/', '+',                // will topic "w/+"
                0x00, 0x00);                              // will payload: empty
        c("empty topic name", V311, TOPIC_NAME_EMPTY, PUBLISH,
                0x30, 0x02,                               // PUBLISH QoS 0, remaining length 2
                0x00, 0x00);                              // topic ""
        c("empty topic name", V31, TOPIC_NAME_EMPTY, PUBLISH,
                0x32, 0x04,                               // PUBLISH QoS 1, remaining length 4
                0x00, 0x00,                               // topic ""
                0x00, 0x01);                              // packet identifier 1
        c("empty topic name without topic alias", V5, TOPIC_NAME_EMPTY, PUBLISH,
                0x30, 0x03,                               // PUBLISH QoS 0, remaining length 3
                0x00, 0x00,                               // topic ""
                0x00);                                    // property length 0: no topic alias
        c("empty will topic", null, TOPIC_NAME_EMPTY, CONNECT,
                0x10, 0x10,                               // CONNECT, remaining length 16
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x04,                                     // protocol level 4
                0x06,                                     // flags: will, clean session
                0x00, 0x00,                               // keep alive 0
                0x00, 0x00,                               // client identifier ""
                0x00, 0x00,                               // will topic ""
                0x00, 0x00);                              // will payload: empty

        // ---- SUBSCRIBE and UNSUBSCRIBE payloads ----
        c("SUBSCRIBE without filters", V311, SUBSCRIBE_EMPTY, SUBSCRIBE,
                0x82, 0x02,                               // SUBSCRIBE, remaining length 2
                0x00, 0x01);                              // packet identifier 1; no topic filter
        c("SUBSCRIBE without filters", V31, SUBSCRIBE_EMPTY, SUBSCRIBE,
                0x82, 0x02,                               // SUBSCRIBE, remaining length 2
                0x00, 0x01);                              // packet identifier 1; no topic filter
        c("SUBSCRIBE without filters", V5, SUBSCRIBE_EMPTY, SUBSCRIBE,
                0x82, 0x03,                               // SUBSCRIBE, remaining length 3
                0x00, 0x01,                               // packet identifier 1
                0x00);                                    // property length 0; no topic filter
        c("UNSUBSCRIBE without filters", V311, UNSUBSCRIBE_EMPTY, UNSUBSCRIBE,
                0xA2, 0x02,                               // UNSUBSCRIBE, remaining length 2
                0x00, 0x01);                              // packet identifier 1; no topic filter
        c("UNSUBSCRIBE without filters", V5, UNSUBSCRIBE_EMPTY, UNSUBSCRIBE,
                0xA2, 0x03,                               // UNSUBSCRIBE, remaining length 3
                0x00, 0x01,                               // packet identifier 1
                0x00);                                    // property length 0; no topic filter
        for (int options : new int[] {0x04, 0x08, 0x10, 0x20, 0x40, 0x80}) {
            c("3.1.1 options bit " + Integer.toHexString(options), V311, SUBSCRIPTION_OPTIONS_RESERVED, SUBSCRIBE,
                    0x82, 0x06,                           // SUBSCRIBE, remaining length 6
                    0x00, 0x01,                           // packet identifier 1
                    0x00, 0x01, 'a',                      // topic filter "a"
                    options);                             //   requested QoS byte with a reserved bit (3.1.1: 6 bits)
        }
        c("3.1 options bit 0x40", V31, SUBSCRIPTION_OPTIONS_RESERVED, SUBSCRIBE,
                0x82, 0x06,                               // SUBSCRIBE, remaining length 6
                0x00, 0x01,                               // packet identifier 1
                0x00, 0x01, 'a',                          // topic filter "a"
                0x41);                                    //   QoS 1 with reserved bit 6
        for (int options : new int[] {0x40, 0x80, 0xC1}) {
            c("5.0 options " + Integer.toHexString(options), V5, SUBSCRIPTION_OPTIONS_RESERVED, SUBSCRIBE,
                    0x82, 0x07,                           // SUBSCRIBE, remaining length 7
                    0x00, 0x01,                           // packet identifier 1
                    0x00,                                 // property length 0
                    0x00, 0x01, 'a',                      // topic filter "a"
                    options);                             //   options with reserved bit 6 or 7
        }
        c("requested QoS 3", V311, SUBSCRIPTION_QOS_3, SUBSCRIBE,
                0x82, 0x06,                               // SUBSCRIBE, remaining length 6
                0x00, 0x01,                               // packet identifier 1
                0x00, 0x01, 'a',                          // topic filter "a"
                0x03);                                    //   requested QoS 3
        c("maximum QoS 3", V5, SUBSCRIPTION_QOS_3, SUBSCRIBE,
                0x82, 0x0B,                               // SUBSCRIBE, remaining length 11
                0x00, 0x01,                               // packet identifier 1
                0x00,                                     // property length 0
                0x00, 0x01, 'a', 0x01,                    // topic filter "a", QoS 1
                0x00, 0x01, 'b', 0x07);                   // topic filter "b", No Local, QoS 3
        c("retain handling 3", V5, RETAIN_HANDLING_3, SUBSCRIBE,
                0x82, 0x07,                               // SUBSCRIBE, remaining length 7
                0x00, 0x01,                               // packet identifier 1
                0x00,                                     // property length 0
                0x00, 0x01, 'a',                          // topic filter "a"
                0x30);                                    //   options: retain handling 3, QoS 0
        c("retain handling 3 with QoS 1", V5, RETAIN_HANDLING_3, SUBSCRIBE,
                0x82, 0x07,                               // SUBSCRIBE, remaining length 7
                0x00, 0x01,                               // packet identifier 1
                0x00,                                     // property length 0
                0x00, 0x01, 'a',                          // topic filter "a"
                0x31);                                    //   options: retain handling 3, QoS 1

        // ---- CONNECT variable header ----
        c("protocol name MQTX", null, PROTOCOL_NAME_INVALID, CONNECT,
                0x10, 0x0C,                               // CONNECT, remaining length 12
                0x00, 0x04, 'M', 'Q', 'T', 'X',           // protocol name "MQTX"
                0x04, 0x02, 0x00, 0x00, 0x00, 0x00);      // level 4, clean, keep alive 0, client ""
        c("protocol name in lower case", null, PROTOCOL_NAME_INVALID, CONNECT,
                0x10, 0x0C,                               // CONNECT, remaining length 12
                0x00, 0x04, 'm', 'q', 't', 't',           // protocol name "mqtt"
                0x04, 0x02, 0x00, 0x00, 0x00, 0x00);      // level 4, clean, keep alive 0, client ""
        c("empty protocol name", null, PROTOCOL_NAME_INVALID, CONNECT,
                0x10, 0x08,                               // CONNECT, remaining length 8
                0x00, 0x00,                               // protocol name ""
                0x04, 0x02, 0x00, 0x00, 0x00, 0x00);      // level 4, clean, keep alive 0, client ""
        c("protocol level 6", null, PROTOCOL_LEVEL_UNSUPPORTED, CONNECT,
                0x10, 0x0C,                               // CONNECT, remaining length 12
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x06,                                     // protocol level 6
                0x02, 0x00, 0x00, 0x00, 0x00);            // clean, keep alive 0, client ""
        c("MQTT with level 3", null, PROTOCOL_LEVEL_UNSUPPORTED, CONNECT,
                0x10, 0x0C,                               // CONNECT, remaining length 12
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x03,                                     // protocol level 3 (belongs to "MQIsdp")
                0x02, 0x00, 0x00, 0x00, 0x00);            // clean, keep alive 0, client ""
        c("MQIsdp with level 4", null, PROTOCOL_LEVEL_UNSUPPORTED, CONNECT,
                0x10, 0x0E,                               // CONNECT, remaining length 14
                0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p', // protocol name "MQIsdp"
                0x04,                                     // protocol level 4 (belongs to "MQTT")
                0x02, 0x00, 0x00, 0x00, 0x00);            // clean, keep alive 0, client ""
        c("protocol level 0", null, PROTOCOL_LEVEL_UNSUPPORTED, CONNECT,
                0x10, 0x0C,                               // CONNECT, remaining length 12
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x00,                                     // protocol level 0
                0x02, 0x00, 0x00, 0x00, 0x00);            // clean, keep alive 0, client ""
        c("reserved flag", null, CONNECT_RESERVED_FLAG, CONNECT,
                0x10, 0x0C,                               // CONNECT, remaining length 12
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x04,                                     // protocol level 4
                0x03,                                     // flags: clean session + reserved bit 0
                0x00, 0x00, 0x00, 0x00);                  // keep alive 0, client ""
        c("reserved flag in 5.0", null, CONNECT_RESERVED_FLAG, CONNECT,
                0x10, 0x0D,                               // CONNECT, remaining length 13
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x05,                                     // protocol level 5
                0x01,                                     // flags: reserved bit 0
                0x00, 0x00, 0x00, 0x00, 0x00);            // keep alive 0, property length 0, client ""
        for (int flags : new int[] {0x0A, 0x12, 0x22, 0x1A, 0x3A}) {
            c("will flags 0x" + Integer.toHexString(flags) + " without will", null, WILL_FLAGS_WITHOUT_WILL, CONNECT,
                    0x10, 0x0C,                           // CONNECT, remaining length 12
                    0x00, 0x04, 'M', 'Q', 'T', 'T',       // protocol name "MQTT"
                    0x04,                                 // protocol level 4
                    flags,                                // flags: will QoS and/or will retain, will flag 0
                    0x00, 0x00, 0x00, 0x00);              // keep alive 0, client ""
        }
        c("will QoS 3", null, WILL_QOS_3, CONNECT,
                0x10, 0x11,                               // CONNECT, remaining length 17
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x04,                                     // protocol level 4
                0x1E,                                     // flags: will QoS 3, will, clean session
                0x00, 0x00, 0x00, 0x00,                   // keep alive 0, client ""
                0x00, 0x01, 'w', 0x00, 0x00);             // will topic "w", will payload empty
        c("will QoS 3 in 5.0", null, WILL_QOS_3, CONNECT,
                0x10, 0x13,                               // CONNECT, remaining length 19
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x05,                                     // protocol level 5
                0x1C,                                     // flags: will QoS 3, will
                0x00, 0x00, 0x00, 0x00, 0x00,             // keep alive 0, property length 0, client ""
                0x00, 0x00, 0x01, 'w', 0x00, 0x00);       // will properties none, topic "w", payload empty
        c("3.1.1 password without user name", null, PASSWORD_WITHOUT_USERNAME, CONNECT,
                0x10, 0x0F,                               // CONNECT, remaining length 15
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x04,                                     // protocol level 4
                0x42,                                     // flags: password, clean session; no user name
                0x00, 0x00, 0x00, 0x00,                   // keep alive 0, client ""
                0x00, 0x01, 'p');                         // password "p"
        c("3.1 password without user name", null, PASSWORD_WITHOUT_USERNAME, CONNECT,
                0x10, 0x11,                               // CONNECT, remaining length 17
                0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p', // protocol name "MQIsdp"
                0x03,                                     // protocol level 3
                0x42,                                     // flags: password, clean session; no user name
                0x00, 0x00, 0x00, 0x00,                   // keep alive 0, client ""
                0x00, 0x01, 'p');                         // password "p"

        // ---- CONNACK ----
        c("acknowledge flags bit 1", V311, CONNACK_RESERVED_FLAGS, CONNACK,
                0x20, 0x02,                               // CONNACK, remaining length 2
                0x02,                                     // acknowledge flags: reserved bit 1
                0x00);                                    // return code 0
        c("acknowledge flags bit 7", V5, CONNACK_RESERVED_FLAGS, CONNACK,
                0x20, 0x03,                               // CONNACK, remaining length 3
                0x81,                                     // acknowledge flags: reserved bit 7, session present
                0x00,                                     // reason code 0
                0x00);                                    // property length 0

        // ---- MQTT 5.0 properties ----
        for (int id : new int[] {0x00, 0x04, 0x14, 0x1B, 0x20, 0x2B, 0x7F}) {
            c("property identifier 0x" + Integer.toHexString(id), V5, PROPERTY_UNKNOWN, PUBLISH,
                    0x30, 0x06,                           // PUBLISH QoS 0, remaining length 6
                    0x00, 0x01, 't',                      // topic "t"
                    0x02,                                 // property length 2
                    id, 0x00);                            //   undefined property identifier, one byte
        }
        c("property identifier 128 in two bytes", V5, PROPERTY_UNKNOWN, PUBLISH,
                0x30, 0x07,                               // PUBLISH QoS 0, remaining length 7
                0x00, 0x01, 't',                          // topic "t"
                0x03,                                     // property length 3
                0x80, 0x01, 0x00);                        //   property identifier 128 (varint 80 01), one byte
        c("session expiry interval in PUBLISH", V5, PROPERTY_NOT_ALLOWED, PUBLISH,
                0x30, 0x09,                               // PUBLISH QoS 0, remaining length 9
                0x00, 0x01, 't',                          // topic "t"
                0x05,                                     // property length 5
                0x11, 0x00, 0x00, 0x00, 0x0A);            //   session expiry interval: CONNECT, CONNACK, DISCONNECT only
        c("reason string in PUBLISH", V5, PROPERTY_NOT_ALLOWED, PUBLISH,
                0x30, 0x08,                               // PUBLISH QoS 0, remaining length 8
                0x00, 0x01, 't',                          // topic "t"
                0x04,                                     // property length 4
                0x1F, 0x00, 0x01, 'r');                   //   reason string
        c("topic alias in CONNECT", null, PROPERTY_NOT_ALLOWED, CONNECT,
                0x10, 0x10,                               // CONNECT, remaining length 16
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x05, 0x02, 0x00, 0x00,                   // level 5, clean start, keep alive 0
                0x03,                                     // property length 3
                0x23, 0x00, 0x01,                         //   topic alias: PUBLISH only
                0x00, 0x00);                              // client identifier ""
        c("will delay interval in CONNECT properties", null, PROPERTY_NOT_ALLOWED, CONNECT,
                0x10, 0x12,                               // CONNECT, remaining length 18
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x05, 0x02, 0x00, 0x00,                   // level 5, clean start, keep alive 0
                0x05,                                     // property length 5
                0x18, 0x00, 0x00, 0x00, 0x01,             //   will delay interval: will properties only
                0x00, 0x00);                              // client identifier ""
        c("session expiry interval in will properties", null, PROPERTY_NOT_ALLOWED, CONNECT,
                0x10, 0x18,                               // CONNECT, remaining length 24
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x05, 0x06, 0x00, 0x00,                   // level 5, flags will + clean start, keep alive 0
                0x00,                                     // property length 0
                0x00, 0x00,                               // client identifier ""
                0x05,                                     // will property length 5
                0x11, 0x00, 0x00, 0x00, 0x01,             //   session expiry interval: not a will property
                0x00, 0x01, 'w', 0x00, 0x00);             // will topic "w", will payload empty
        c("maximum QoS in CONNECT", null, PROPERTY_NOT_ALLOWED, CONNECT,
                0x10, 0x0F,                               // CONNECT, remaining length 15
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x05, 0x02, 0x00, 0x00,                   // level 5, clean start, keep alive 0
                0x02,                                     // property length 2
                0x24, 0x01,                               //   maximum QoS: CONNACK only
                0x00, 0x00);                              // client identifier ""
        c("subscription identifier in UNSUBSCRIBE", V5, PROPERTY_NOT_ALLOWED, UNSUBSCRIBE,
                0xA2, 0x08,                               // UNSUBSCRIBE, remaining length 8
                0x00, 0x01,                               // packet identifier 1
                0x02,                                     // property length 2
                0x0B, 0x01,                               //   subscription identifier: PUBLISH, SUBSCRIBE only
                0x00, 0x01, 'a');                         // topic filter "a"
        c("content type in PUBACK", V5, PROPERTY_NOT_ALLOWED, PUBACK,
                0x40, 0x08,                               // PUBACK, remaining length 8
                0x00, 0x01,                               // packet identifier 1
                0x00,                                     // reason code 0x00
                0x04,                                     // property length 4
                0x03, 0x00, 0x01, 'x');                   //   content type: PUBLISH and will only
        c("server keep alive in DISCONNECT", V5, PROPERTY_NOT_ALLOWED, DISCONNECT,
                0xE0, 0x05,                               // DISCONNECT, remaining length 5
                0x00,                                     // reason code 0x00
                0x03,                                     // property length 3
                0x13, 0x00, 0x0A);                        //   server keep alive: CONNACK only
        c("authentication method in DISCONNECT", V5, PROPERTY_NOT_ALLOWED, DISCONNECT,
                0xE0, 0x06,                               // DISCONNECT, remaining length 6
                0x00,                                     // reason code 0x00
                0x04,                                     // property length 4
                0x15, 0x00, 0x01, 'M');                   //   authentication method: CONNECT, CONNACK, AUTH only
        c("reason string in SUBSCRIBE", V5, PROPERTY_NOT_ALLOWED, SUBSCRIBE,
                0x82, 0x0B,                               // SUBSCRIBE, remaining length 11
                0x00, 0x01,                               // packet identifier 1
                0x04,                                     // property length 4
                0x1F, 0x00, 0x01, 'r',                    //   reason string: not in SUBSCRIBE
                0x00, 0x01, 'a', 0x00);                   // topic filter "a", QoS 0
        c("two message expiry intervals", V5, PROPERTY_REPEATED, PUBLISH,
                0x30, 0x0E,                               // PUBLISH QoS 0, remaining length 14
                0x00, 0x01, 't',                          // topic "t"
                0x0A,                                     // property length 10
                0x02, 0x00, 0x00, 0x00, 0x01,             //   message expiry interval 1
                0x02, 0x00, 0x00, 0x00, 0x02);            //   message expiry interval 2
        c("two reason strings", V5, PROPERTY_REPEATED, PUBACK,
                0x40, 0x0C,                               // PUBACK, remaining length 12
                0x00, 0x01,                               // packet identifier 1
                0x80,                                     // reason code 0x80
                0x08,                                     // property length 8
                0x1F, 0x00, 0x01, 'a',                    //   reason string "a"
                0x1F, 0x00, 0x01, 'b');                   //   reason string "b"
        c("two subscription identifiers in SUBSCRIBE", V5, PROPERTY_REPEATED, SUBSCRIBE,
                0x82, 0x0B,                               // SUBSCRIBE, remaining length 11
                0x00, 0x01,                               // packet identifier 1
                0x04,                                     // property length 4
                0x0B, 0x01,                               //   subscription identifier 1
                0x0B, 0x02,                               //   subscription identifier 2: once only in SUBSCRIBE
                0x00, 0x01, 'a', 0x00);                   // topic filter "a", QoS 0
        c("two session expiry intervals in CONNECT", null, PROPERTY_REPEATED, CONNECT,
                0x10, 0x17,                               // CONNECT, remaining length 23
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x05, 0x02, 0x00, 0x00,                   // level 5, clean start, keep alive 0
                0x0A,                                     // property length 10
                0x11, 0x00, 0x00, 0x00, 0x01,             //   session expiry interval 1
                0x11, 0x00, 0x00, 0x00, 0x01,             //   session expiry interval 1 again
                0x00, 0x00);                              // client identifier ""
        c("two will delay intervals", null, PROPERTY_REPEATED, CONNECT,
                0x10, 0x1D,                               // CONNECT, remaining length 29
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x05, 0x06, 0x00, 0x00,                   // level 5, flags will + clean start, keep alive 0
                0x00,                                     // property length 0
                0x00, 0x00,                               // client identifier ""
                0x0A,                                     // will property length 10
                0x18, 0x00, 0x00, 0x00, 0x01,             //   will delay interval 1
                0x18, 0x00, 0x00, 0x00, 0x02,             //   will delay interval 2
                0x00, 0x01, 'w', 0x00, 0x00);             // will topic "w", will payload empty
        c("payload format indicator 2", V5, PROPERTY_VALUE_INVALID, PUBLISH,
                0x30, 0x06,                               // PUBLISH QoS 0, remaining length 6
                0x00, 0x01, 't',                          // topic "t"
                0x02,                                     // property length 2
                0x01, 0x02);                              //   payload format indicator 2 (0 or 1 only)
        c("topic alias 0", V5, TOPIC_ALIAS_ZERO, PUBLISH,
                0x30, 0x07,                               // PUBLISH QoS 0, remaining length 7
                0x00, 0x01, 't',                          // topic "t"
                0x03,                                     // property length 3
                0x23, 0x00, 0x00);                        //   topic alias 0
        c("authentication data without method in AUTH", V5, AUTHENTICATION_DATA_WITHOUT_METHOD, AUTH,
                0xF0, 0x06,                               // AUTH, remaining length 6
                0x18,                                     // reason code 0x18 continue authentication
                0x04,                                     // property length 4
                0x16, 0x00, 0x01, 'd');                   //   authentication data "d", no method
        c("authentication data without method in CONNECT", null, AUTHENTICATION_DATA_WITHOUT_METHOD, CONNECT,
                0x10, 0x11,                               // CONNECT, remaining length 17
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x05, 0x02, 0x00, 0x00,                   // level 5, clean start, keep alive 0
                0x04,                                     // property length 4
                0x16, 0x00, 0x01, 'd',                    //   authentication data "d", no method
                0x00, 0x00);                              // client identifier ""
        c("subscription identifier 0 in PUBLISH", V5, PROPERTY_VALUE_INVALID, PUBLISH,
                0x30, 0x06,                               // PUBLISH QoS 0, remaining length 6
                0x00, 0x01, 't',                          // topic "t"
                0x02,                                     // property length 2
                0x0B, 0x00);                              //   subscription identifier 0
        c("subscription identifier 0 in SUBSCRIBE", V5, PROPERTY_VALUE_INVALID, SUBSCRIBE,
                0x82, 0x09,                               // SUBSCRIBE, remaining length 9
                0x00, 0x01,                               // packet identifier 1
                0x02,                                     // property length 2
                0x0B, 0x00,                               //   subscription identifier 0
                0x00, 0x01, 'a', 0x00);                   // topic filter "a", QoS 0
        c("response topic with a wildcard", V5, PROPERTY_VALUE_INVALID, PUBLISH,
                0x30, 0x08,                               // PUBLISH QoS 0, remaining length 8
                0x00, 0x01, 't',                          // topic "t"
                0x04,                                     // property length 4
                0x08, 0x00, 0x01, '#');                   //   response topic "#": must be a topic name
        c("empty response topic", V5, PROPERTY_VALUE_INVALID, PUBLISH,
                0x30, 0x07,                               // PUBLISH QoS 0, remaining length 7
                0x00, 0x01, 't',                          // topic "t"
                0x03,                                     // property length 3
                0x08, 0x00, 0x00);                        //   response topic ""
        c("will response topic with a wildcard", null, PROPERTY_VALUE_INVALID, CONNECT,
                0x10, 0x17,                               // CONNECT, remaining length 23
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x05, 0x06, 0x00, 0x00,                   // level 5, flags will + clean start, keep alive 0
                0x00,                                     // property length 0
                0x00, 0x00,                               // client identifier ""
                0x04,                                     // will property length 4
                0x08, 0x00, 0x01, '+',                    //   response topic "+"
                0x00, 0x01, 'w', 0x00, 0x00);             // will topic "w", will payload empty
        c("request problem information 2", null, PROPERTY_VALUE_INVALID, CONNECT,
                0x10, 0x0F,                               // CONNECT, remaining length 15
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x05, 0x02, 0x00, 0x00,                   // level 5, clean start, keep alive 0
                0x02,                                     // property length 2
                0x17, 0x02,                               //   request problem information 2
                0x00, 0x00);                              // client identifier ""
        c("request response information 2", null, PROPERTY_VALUE_INVALID, CONNECT,
                0x10, 0x0F,                               // CONNECT, remaining length 15
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x05, 0x02, 0x00, 0x00,                   // level 5, clean start, keep alive 0
                0x02,                                     // property length 2
                0x19, 0xFF,                               //   request response information 255
                0x00, 0x00);                              // client identifier ""
        c("receive maximum 0", null, PROPERTY_VALUE_INVALID, CONNECT,
                0x10, 0x10,                               // CONNECT, remaining length 16
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x05, 0x02, 0x00, 0x00,                   // level 5, clean start, keep alive 0
                0x03,                                     // property length 3
                0x21, 0x00, 0x00,                         //   receive maximum 0
                0x00, 0x00);                              // client identifier ""
        c("maximum packet size 0", null, PROPERTY_VALUE_INVALID, CONNECT,
                0x10, 0x12,                               // CONNECT, remaining length 18
                0x00, 0x04, 'M', 'Q', 'T', 'T',           // protocol name "MQTT"
                0x05, 0x02, 0x00, 0x00,                   // level 5, clean start, keep alive 0
                0x05,                                     // property length 5
                0x27, 0x00, 0x00, 0x00, 0x00,             //   maximum packet size 0
                0x00, 0x00);                              // client identifier ""
        for (int id : new int[] {0x24, 0x25, 0x28, 0x29, 0x2A}) {
            c("CONNACK flag property 0x" + Integer.toHexString(id) + " = 2", V5, PROPERTY_VALUE_INVALID, CONNACK,
                    0x20, 0x05,                           // CONNACK, remaining length 5
                    0x00, 0x00,                           // acknowledge flags, reason code 0x00
                    0x02,                                 // property length 2
                    id, 0x02);                            //   maximum QoS / ... available: 0 or 1 only
        }

        // ---- reason codes ----
        c("CONNACK return code 6", V311, REASON_CODE_INVALID, CONNACK,
                0x20, 0x02, 0x00, 0x06);                  // CONNACK, remaining length 2, flags 0, return code 6
        c("CONNACK return code 6", V31, REASON_CODE_INVALID, CONNACK,
                0x20, 0x02, 0x00, 0x06);                  // CONNACK, remaining length 2, flags 0, return code 6
        c("CONNACK 3.x code 0x01 in 5.0", V5, REASON_CODE_INVALID, CONNACK,
                0x20, 0x03, 0x00, 0x01, 0x00);            // CONNACK, rl 3, flags 0, reason code 0x01, no properties
        c("PUBACK 0x01", V5, REASON_CODE_INVALID, PUBACK,
                0x40, 0x03, 0x00, 0x01, 0x01);            // PUBACK, rl 3, packet id 1, reason code 0x01
        c("PUBREC 0x92", V5, REASON_CODE_INVALID, PUBREC,
                0x50, 0x03, 0x00, 0x01, 0x92);            // PUBREC, rl 3, packet id 1, reason code 0x92 (PUBREL/PUBCOMP only)
        c("PUBREL 0x10", V5, REASON_CODE_INVALID, PUBREL,
                0x62, 0x03, 0x00, 0x01, 0x10);            // PUBREL, rl 3, packet id 1, reason code 0x10 (PUBACK/PUBREC only)
        c("PUBCOMP 0x80", V5, REASON_CODE_INVALID, PUBCOMP,
                0x70, 0x03, 0x00, 0x01, 0x80);            // PUBCOMP, rl 3, packet id 1, reason code 0x80
        c("SUBACK 0x03", V311, REASON_CODE_INVALID, SUBACK,
                0x90, 0x03, 0x00, 0x01, 0x03);            // SUBACK, rl 3, packet id 1, return code 3
        c("SUBACK 5.0-only code 0x87 in 3.1.1", V311, REASON_CODE_INVALID, SUBACK,
                0x90, 0x03, 0x00, 0x01, 0x87);            // SUBACK, rl 3, packet id 1, return code 0x87
        c("SUBACK 0x03", V5, REASON_CODE_INVALID, SUBACK,
                0x90, 0x05, 0x00, 0x01, 0x00, 0x00, 0x03); // SUBACK, rl 5, packet id 1, no properties, 0x00, 0x03
        c("UNSUBACK 0x01", V5, REASON_CODE_INVALID, UNSUBACK,
                0xB0, 0x04, 0x00, 0x01, 0x00, 0x01);      // UNSUBACK, rl 4, packet id 1, no properties, 0x01
        c("DISCONNECT 0x01", V5, REASON_CODE_INVALID, DISCONNECT,
                0xE0, 0x01, 0x01);                        // DISCONNECT, rl 1, reason code 0x01
        c("DISCONNECT 0x84 (CONNACK only)", V5, REASON_CODE_INVALID, DISCONNECT,
                0xE0, 0x01, 0x84);                        // DISCONNECT, rl 1, reason code 0x84
        c("AUTH 0x01", V5, REASON_CODE_INVALID, AUTH,
                0xF0, 0x01, 0x01);                        // AUTH, rl 1, reason code 0x01
    }

    static List<Case> cases() {
        return CASES;
    }

    private static final int SMALL_MAXIMUM = 1024;

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bytesBreakingARuleAreReportedAsThatRule(Case c) {
        MqttPacketDecoder d = c.violation() == PACKET_TOO_LARGE ? new MqttPacketDecoder(SMALL_MAXIMUM, alloc) : decoder;
        ByteBuf in = alloc.buffer(c.wire().length).writeBytes(bytes(c.wire()));
        try {
            DecodeResult r = d.decode(in, c.version());
            assertThat(r).as("decoding %s", hex(bytes(c.wire()))).isInstanceOf(DecodeError.class);
            DecodeError e = (DecodeError) r;
            assertThat(e.violation()).as("%s", e.message()).isEqualTo(c.violation());
            assertThat(e.packetType()).isEqualTo(c.type());
            assertThat(e.reasonCode()).isEqualTo(c.violation().kind().reasonCode());
            assertThat(e.message()).contains(c.violation().specReference());
        } finally {
            in.release();
        }
        // A rejected PUBLISH must not leave a payload buffer behind (checked after each test).
    }

    /** Guards the table: a case whose remaining length is off would fail for the wrong reason. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void remainingLengthOfEachCaseMatchesItsBytes(Case c) {
        if (c.violation() == REMAINING_LENGTH_TOO_LONG || c.violation() == PACKET_TOO_LARGE) {
            return;
        }
        int[] w = c.wire();
        int remaining = 0;
        int pos = 1;
        for (int shift = 0; ; shift += 7) {
            remaining |= (w[pos] & 0x7F) << shift;
            if ((w[pos++] & 0x80) == 0) {
                break;
            }
        }
        assertThat(w.length - pos).as("body length of %s", c).isEqualTo(remaining);
    }

    @Test
    void everyViolationHasACase() {
        Set<Violation> covered = CASES.stream().map(Case::violation).collect(Collectors.toCollection(
                () -> EnumSet.noneOf(Violation.class)));
        assertThat(EnumSet.complementOf(EnumSet.copyOf(covered))).as("violations without a case").isEmpty();
    }

    @Test
    void reasonCodesOfTheViolationKinds() {
        assertThat(Violation.Kind.MALFORMED.reasonCode()).isEqualTo(0x81);
        assertThat(Violation.Kind.PROTOCOL_ERROR.reasonCode()).isEqualTo(0x82);
        assertThat(Violation.Kind.TOO_LARGE.reasonCode()).isEqualTo(0x95);
        assertThat(Violation.Kind.UNSUPPORTED_VERSION.reasonCode()).isEqualTo(0x84);
        assertThat(Violation.Kind.TOPIC_ALIAS_INVALID.reasonCode()).isEqualTo(0x94);
        assertThat(PROTOCOL_LEVEL_UNSUPPORTED.kind()).isEqualTo(Violation.Kind.UNSUPPORTED_VERSION);
        assertThat(PACKET_TOO_LARGE.kind()).isEqualTo(Violation.Kind.TOO_LARGE);
    }
}
