package dev.tern.broker.spec.v5;

import static dev.tern.broker.spec.v5.V5Packets.CLEAN_START;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.auth.AuthenticationContext;
import dev.tern.broker.auth.AuthenticationExchange;
import dev.tern.broker.auth.AuthenticationMethod;
import dev.tern.broker.spec.Bytes;
import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.ReasonCodes;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every reason code the broker sends, each provoked once and checked as the byte on the wire. Codes
 * whose scenario belongs to a section are also checked there; this class is the index (see
 * docs/conformance-5.0.md, "Reason codes the broker sends").
 */
class ReasonCodesTest extends V5SpecTestBase {

    private static final int PUBACK = 0x40;
    private static final int PUBREC = 0x50;

    /** Sends a QoS 1 or 2 PUBLISH and returns the reason code byte of the PUBACK or PUBREC. */
    private static int ackCode(MqttTestClient c, int qosFlags, String topic, int packetId, Props props, byte[] payload)
            throws IOException {
        c.raw().send(V5Packets.publish(qosFlags, topic, packetId, props, payload));
        byte[] raw = next(c);
        assertThat(raw[0] & 0xFF).isEqualTo(qosFlags == 0x02 ? PUBACK : PUBREC);
        return raw.length > 4 ? reasonCodeByte(raw, 2) : 0;
    }

    // ---- CONNACK -----------------------------------------------------------------------

    @Test
    @DisplayName("CONNACK 0x00 Success")
    void connAckSuccess() throws IOException {
        MqttTestClient c = open5();
        c.raw().send(V5Packets.connect("ok"));
        assertThat(reasonCodeByte(next(c), 1)).isEqualTo(0x00);
    }

    @Test
    @DisplayName("CONNACK 0x80 Unspecified error: an authentication method that fails unexpectedly")
    void connAckUnspecified() throws IOException {
        AuthenticationMethod broken = new AuthenticationMethod() {
            @Override
            public String name() {
                return "BROKEN";
            }

            @Override
            public AuthenticationExchange begin(AuthenticationContext context) {
                return data -> CompletableFuture.failedFuture(new IllegalStateException("backend down"));
            }
        };
        startBroker(b -> { }, e -> e.authenticationMethod(broken));
        MqttTestClient c = open5();
        c.raw().send(V5Packets.connect("b", CLEAN_START, 60, Props.of().utf8(Props.AUTHENTICATION_METHOD, "BROKEN")));
        assertConnAckRefusal(c, ReasonCodes.UNSPECIFIED_ERROR);
    }

    @Test
    @DisplayName("CONNACK 0x81 Malformed Packet: a malformed AUTH during enhanced authentication")
    void connAckMalformed() throws IOException {
        startBroker(b -> { }, e -> e.scramCredentials(new dev.tern.broker.auth.InMemoryScramCredentialStore()));
        MqttTestClient c = open5();
        c.raw().send(V5Packets.connect("m", CLEAN_START, 60, Props.of().utf8(Props.AUTHENTICATION_METHOD,
                "SCRAM-SHA-256").binary(Props.AUTHENTICATION_DATA, "n,,n=u,r=abc".getBytes())));
        assertThat(next(c)[0] & 0xFF).as("AUTH challenge").isEqualTo(0xF0);
        c.raw().send(Bytes.of(0xF0, 0x02, 0x18, 0x05)); // property length 5 but nothing follows
        assertConnAckRefusal(c, ReasonCodes.MALFORMED_PACKET);
    }

    @Test
    @DisplayName("CONNACK 0x81 and 0x82 for a malformed MQTT 5.0 CONNECT: reserved flag set; a property twice")
    void connAckMalformedConnect() throws IOException {
        MqttTestClient c = open5();
        c.raw().send(V5Packets.connect("m", CLEAN_START | 0x01, 60, Props.none()));
        assertConnAckRefusal(c, ReasonCodes.MALFORMED_PACKET);
        MqttTestClient d = open5();
        d.raw().send(V5Packets.connect("p", CLEAN_START, 60, Props.of().u16(Props.RECEIVE_MAXIMUM, 5)
                .u16(Props.RECEIVE_MAXIMUM, 6)));
        assertConnAckRefusal(d, ReasonCodes.PROTOCOL_ERROR);
    }

    @Test
    @DisplayName("CONNACK 0x82 Protocol Error: a PUBLISH before enhanced authentication completes")
    void connAckProtocolError() throws IOException {
        startBroker(b -> { }, e -> e.scramCredentials(new dev.tern.broker.auth.InMemoryScramCredentialStore()));
        MqttTestClient c = open5();
        c.raw().send(V5Packets.connect("p", CLEAN_START, 60, Props.of().utf8(Props.AUTHENTICATION_METHOD,
                "SCRAM-SHA-256").binary(Props.AUTHENTICATION_DATA, "n,,n=u,r=abc".getBytes())));
        next(c);
        c.raw().send(V5Packets.publish0("t", "x"));
        assertConnAckRefusal(c, ReasonCodes.PROTOCOL_ERROR);
    }

    @Test
    @DisplayName("CONNACK 0x85 Client Identifier not valid")
    void connAckClientId() throws IOException {
        startBroker(b -> b.allowZeroLengthClientId(false));
        MqttTestClient c = open5();
        c.raw().send(V5Packets.connect(""));
        assertConnAckRefusal(c, ReasonCodes.CLIENT_IDENTIFIER_NOT_VALID);
    }

    @Test
    @DisplayName("CONNACK 0x86 Bad User Name or Password: credentials on a listener without anonymous access")
    void connAckBadCredentials() throws IOException {
        startBroker(b -> b.allowAnonymous(false));
        MqttTestClient c = open5();
        c.raw().send(Bytes.packet(0x10).utf8("MQTT").u8(5).u8(CLEAN_START | V5Packets.USERNAME | V5Packets.PASSWORD)
                .u16(60).u8(0).utf8("u").utf8("user").utf8("pw").build());
        assertConnAckRefusal(c, ReasonCodes.BAD_USER_NAME_OR_PASSWORD);
    }

    @Test
    @DisplayName("CONNACK 0x87 Not authorized: a will topic in $SYS")
    void connAckNotAuthorized() throws IOException {
        MqttTestClient c = open5();
        c.raw().send(V5Packets.connectWithWill("w", CLEAN_START, 60, Props.none(), Props.none(), "$SYS/x", "x"));
        assertConnAckRefusal(c, ReasonCodes.NOT_AUTHORIZED);
    }

    @Test
    @DisplayName("CONNACK 0x8C Bad authentication method")
    void connAckBadMethod() throws IOException {
        MqttTestClient c = open5();
        c.raw().send(V5Packets.connect("k", CLEAN_START, 60, Props.of().utf8(Props.AUTHENTICATION_METHOD, "X")));
        assertConnAckRefusal(c, ReasonCodes.BAD_AUTHENTICATION_METHOD);
    }

    @Test
    @DisplayName("CONNACK 0x99 Payload format invalid: a will whose Payload Format Indicator 1 payload is not UTF-8")
    void connAckPayloadFormat() throws IOException {
        MqttTestClient c = open5();
        c.raw().send(Bytes.packet(0x10).utf8("MQTT").u8(5).u8(CLEAN_START | V5Packets.WILL).u16(60).u8(0).utf8("w")
                .raw(Props.of().u8(Props.PAYLOAD_FORMAT_INDICATOR, 1).block()).utf8("w/t")
                .string(new byte[] {(byte) 0xFF}).build());
        assertConnAckRefusal(c, ReasonCodes.PAYLOAD_FORMAT_INVALID);
    }

    @Test
    @DisplayName("CONNACK 0x9A Retain not supported and 0x9B QoS not supported (wills)")
    void connAckRetainAndQos() throws IOException {
        startBroker(b -> b.retainAvailable(false).maxQos(0));
        MqttTestClient r = open5();
        r.raw().send(V5Packets.connectWithWill("r", CLEAN_START | V5Packets.WILL_RETAIN, 60, Props.none(),
                Props.none(), "w", "x"));
        assertConnAckRefusal(r, ReasonCodes.RETAIN_NOT_SUPPORTED);
        MqttTestClient q = open5();
        q.raw().send(V5Packets.connectWithWill("q", CLEAN_START | V5Packets.WILL_QOS_1, 60, Props.none(),
                Props.none(), "w", "x"));
        assertConnAckRefusal(q, ReasonCodes.QOS_NOT_SUPPORTED);
    }

    // ---- PUBACK and PUBREC ---------------------------------------------------------------

    @ParameterizedTest(name = "[MQTT-3.4.2-1] [MQTT-3.5.2-1] {0}: 0x00 Success, 0x10 No matching subscribers, "
            + "0x87 Not authorized, 0x97 Quota exceeded, 0x99 Payload format invalid")
    @ValueSource(strings = {"PUBACK", "PUBREC"})
    void pubAckAndPubRec(String type) throws IOException {
        startBroker(b -> b.messageSizeLimit(8));
        int qos = type.equals("PUBACK") ? 0x02 : 0x04;
        subscriber5("sub", "taken", 0);
        MqttTestClient c = connect5("c");
        assertThat(ackCode(c, qos, "taken", 1, Props.none(), "x".getBytes())).isEqualTo(0x00);
        assertThat(ackCode(c, qos, "nobody", 2, Props.none(), "x".getBytes())).isEqualTo(0x10);
        assertThat(ackCode(c, qos, "$SYS/x", 3, Props.none(), "x".getBytes())).isEqualTo(0x87);
        assertThat(ackCode(c, qos, "taken", 4, Props.none(), "123456789".getBytes())).isEqualTo(0x97);
        assertThat(ackCode(c, qos, "taken", 5, Props.of().u8(Props.PAYLOAD_FORMAT_INDICATOR, 1),
                new byte[] {(byte) 0x80})).isEqualTo(0x99);
    }

    @Test
    @DisplayName("[MQTT-3.6.2-1] [MQTT-3.7.2-1] PUBREL and PUBCOMP 0x92 Packet Identifier not found")
    void packetIdentifierNotFound() throws IOException {
        MqttTestClient c = connect5("c");
        c.raw().send(V5Packets.pubrel(77));
        assertThat(reasonCodeByte(next(c), 2)).isEqualTo(0x92); // PUBCOMP
        c.raw().send(V5Packets.pubrec(78));
        byte[] pubRel = next(c);
        assertThat(pubRel[0] & 0xFF).isEqualTo(0x62);
        assertThat(reasonCodeByte(pubRel, 2)).isEqualTo(0x92);
    }

    // ---- SUBACK and UNSUBACK -------------------------------------------------------------

    @Test
    @DisplayName("SUBACK 0x00, 0x01, 0x02 granted QoS and 0x8F Topic Filter invalid; UNSUBACK 0x00, 0x11, 0x8F")
    void subAckUnsubAck() throws IOException {
        MqttTestClient c = connect5("c");
        c.raw().send(V5Packets.subscribe(1, Props.none(), "a", 0, "b", 1, "c", 2, "d/#/e", 0));
        assertThat(codesAfterProperties(next(c))).containsExactly(0x00, 0x01, 0x02, 0x8F);
        c.raw().send(V5Packets.unsubscribe(2, Props.none(), "a", "none", "x/#/y"));
        assertThat(codesAfterProperties(next(c))).containsExactly(0x00, 0x11, 0x8F);
    }

    @Test
    @DisplayName("SUBACK 0x9E Shared Subscriptions not supported, 0xA1 Subscription Identifiers not supported, "
            + "0xA2 Wildcard Subscriptions not supported")
    void subAckUnavailable() throws IOException {
        startBroker(b -> b.mqtt5(m -> m.withSharedSubscriptions(false).withSubscriptionIdentifiers(false)
                .withWildcardSubscriptions(false)));
        MqttTestClient c = connect5("c");
        c.raw().send(V5Packets.subscribe(1, Props.none(), "$share/g/a", 0, "a/+", 0));
        assertThat(codesAfterProperties(next(c))).containsExactly(0x9E, 0xA2);
        c.raw().send(V5Packets.subscribe(2, Props.of().varInt(Props.SUBSCRIPTION_IDENTIFIER, 1), "a", 0));
        assertThat(codesAfterProperties(next(c))).containsExactly(0xA1);
    }

    // ---- DISCONNECT ------------------------------------------------------------------------

    @Test
    @DisplayName("DISCONNECT 0x81 Malformed Packet")
    void disconnectMalformed() throws IOException {
        MqttTestClient c = connect5("c");
        c.raw().send(Bytes.of(0x30, 0x01, 0x00)); // PUBLISH ending inside its topic length
        assertDisconnect(c, ReasonCodes.MALFORMED_PACKET);
    }

    @Test
    @DisplayName("DISCONNECT 0x82 Protocol Error")
    void disconnectProtocolError() throws IOException {
        MqttTestClient c = connect5("c");
        c.raw().send(V5Packets.connect("c"));
        assertDisconnect(c, ReasonCodes.PROTOCOL_ERROR);
    }

    @Test
    @DisplayName("DISCONNECT 0x8B Server shutting down")
    void disconnectShuttingDown() throws IOException {
        MqttTestClient c = connect5("c");
        broker().close();
        assertDisconnect(c, ReasonCodes.SERVER_SHUTTING_DOWN);
    }

    @Test
    @DisplayName("DISCONNECT 0x8D Keep Alive timeout")
    void disconnectKeepAlive() throws IOException {
        MqttTestClient c = open5();
        connAck(c, V5Packets.connect("c", CLEAN_START, 1, Props.none()));
        assertDisconnect(c, ReasonCodes.KEEP_ALIVE_TIMEOUT);
    }

    @Test
    @DisplayName("DISCONNECT 0x8E Session taken over")
    void disconnectTakenOver() throws IOException {
        MqttTestClient c = connect5("c");
        connect5("c");
        assertDisconnect(c, ReasonCodes.SESSION_TAKEN_OVER);
    }

    @Test
    @DisplayName("DISCONNECT 0x93 Receive Maximum exceeded")
    void disconnectReceiveMaximum() throws IOException {
        startBroker(b -> b.maxInflightMessages(1));
        MqttTestClient c = connect5("c");
        c.raw().send(V5Packets.publish(0x04, "t", 1, Props.none(), "x"));
        next(c);
        c.raw().send(V5Packets.publish(0x04, "t", 2, Props.none(), "x"));
        assertDisconnect(c, ReasonCodes.RECEIVE_MAXIMUM_EXCEEDED);
    }

    @Test
    @DisplayName("DISCONNECT 0x94 Topic Alias invalid")
    void disconnectTopicAlias() throws IOException {
        MqttTestClient c = connect5("c");
        c.raw().send(V5Packets.publish(0, "t", 0, Props.of().u16(Props.TOPIC_ALIAS, 1000), "x"));
        assertDisconnect(c, ReasonCodes.TOPIC_ALIAS_INVALID);
    }

    @Test
    @DisplayName("DISCONNECT 0x95 Packet too large (max_packet_size)")
    void disconnectPacketTooLarge() throws IOException {
        startBroker(b -> b.maxPacketSize(100));
        MqttTestClient c = connect5("c");
        c.raw().send(V5Packets.publish0("t", "x".repeat(100)));
        assertDisconnect(c, ReasonCodes.PACKET_TOO_LARGE);
    }

    @Test
    @DisplayName("DISCONNECT 0x99 Payload format invalid (QoS 0)")
    void disconnectPayloadFormat() throws IOException {
        MqttTestClient c = connect5("c");
        c.raw().send(V5Packets.publish(0, "t", 0, Props.of().u8(Props.PAYLOAD_FORMAT_INDICATOR, 1),
                new byte[] {(byte) 0xFE}));
        assertDisconnect(c, ReasonCodes.PAYLOAD_FORMAT_INVALID);
    }

    @Test
    @DisplayName("DISCONNECT 0x9A Retain not supported and 0x9B QoS not supported")
    void disconnectRetainAndQos() throws IOException {
        startBroker(b -> b.retainAvailable(false).maxQos(1));
        MqttTestClient r = connect5("r");
        r.raw().send(V5Packets.publish(0x01, "t", 0, Props.none(), "x"));
        assertDisconnect(r, ReasonCodes.RETAIN_NOT_SUPPORTED);
        MqttTestClient q = connect5("q");
        q.raw().send(V5Packets.publish(0x04, "t", 1, Props.none(), "x"));
        assertDisconnect(q, ReasonCodes.QOS_NOT_SUPPORTED);
    }

    /** The reason codes of a SUBACK or UNSUBACK: the bytes after packet id and properties. */
    private static int[] codesAfterProperties(byte[] raw) {
        int i = lengthEnd(raw) + 2;
        int propLength = 0;
        int shift = 0;
        int b;
        do {
            b = raw[i++] & 0xFF;
            propLength |= (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        i += propLength;
        int[] codes = new int[raw.length - i];
        for (int k = 0; k < codes.length; k++) {
            codes[k] = raw[i + k] & 0xFF;
        }
        return codes;
    }
}
