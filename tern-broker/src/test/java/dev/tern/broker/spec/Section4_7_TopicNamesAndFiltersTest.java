package dev.tern.broker.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.Publish;
import java.io.IOException;
import java.text.Normalizer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** MQTT 3.1.1 section 4.7: topic names, topic filters, wildcards and matching. */
class Section4_7_TopicNamesAndFiltersTest extends SpecTestBase {

    // ---- 4.7.1 Wildcards -------------------------------------------------------------------

    @ParameterizedTest(name = "[MQTT-4.7.1-1] [MQTT-3.3.2-2] a QoS 0 PUBLISH to \"{0}\" closes the connection")
    @ValueSource(strings = {"sport/#", "sport/+/player", "+", "#"})
    void wildcardsNotAllowedInTopicNames(String topic) throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Packets.publish0(topic, "x"));
        assertClosedWithoutReply(c);
    }

    @ParameterizedTest(name = "[MQTT-4.7.1-2] subscribing to \"{0}\" (misplaced #) closes the connection")
    @ValueSource(strings = {"sport/tennis#", "sport/tennis/#/ranking", "#/", "##", "a#", "#a", "+#", "a/#b"})
    void misplacedMultiLevelWildcardCloses(String filter) throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Packets.subscribe(1, "valid/first", 0, filter, 0));
        assertClosedWithoutReply(c);
    }

    @ParameterizedTest(name = "[MQTT-4.7.1-3] subscribing to \"{0}\" (+ not filling its level) closes the connection")
    @ValueSource(strings = {"sport+", "+sport", "sport/+tennis", "sport/ten+nis/x", "++", "+/++", "a/b+"})
    void partialSingleLevelWildcardCloses(String filter) throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Packets.subscribe(1, filter, 0));
        assertClosedWithoutReply(c);
    }

    @ParameterizedTest(name = "[MQTT-4.7.1-2] [MQTT-4.7.1-3] filter \"{0}\" matches topic \"{1}\": {2}")
    @CsvSource(delimiter = '|', value = {
        "sport/tennis/player1/#|sport/tennis/player1|true",
        "sport/tennis/player1/#|sport/tennis/player1/ranking|true",
        "sport/tennis/player1/#|sport/tennis/player1/score/wimbledon|true",
        "sport/tennis/player1/#|sport/tennis/player2|false",
        "sport/#|sport|true",
        "#|sport/tennis|true",
        "#|/|true",
        "sport/tennis/+|sport/tennis/player1|true",
        "sport/tennis/+|sport/tennis/player1/ranking|false",
        "sport/+|sport|false",
        "sport/+|sport/|true",
        "+/+|/finance|true",
        "/+|/finance|true",
        "+|/finance|false",
        "+|finance|true",
        "+/tennis/#|sport/tennis/player1/ranking|true",
        "+/tennis/#|sport/golf|false",
        "a/+/b|a//b|true",
        "+/+/+|a//b|true",
        "+/+|/|true",
        "/#|/|true",
        "sport/+/player1|sport/tennis/player1|true",
        "sport/+/player1|sport/tennis/player2|false",
    })
    void wildcardMatching(String filter, String topic, boolean matches) throws IOException {
        MqttTestClient sub = subscriber("sub", filter, QoS.AT_MOST_ONCE);
        MqttTestClient pub = connect("pub");
        pub.publish(topic, "m", QoS.AT_MOST_ONCE, false);
        if (matches) {
            assertPublish(nextPublish(sub), topic, "m", QoS.AT_MOST_ONCE, false);
        }
        assertNextPublishIsFence(sub, pub);
    }

    // ---- 4.7.2 Topics beginning with $ -----------------------------------------------------

    @Test
    @DisplayName("[MQTT-4.7.2-1] filters starting with a wildcard do not match topic names starting with $")
    void dollarTopicsNotMatchedByLeadingWildcards() throws IOException {
        MqttTestClient wild = connect("wild");
        wild.subscribe(FENCE, QoS.AT_MOST_ONCE);
        wild.subscribe("#", QoS.AT_MOST_ONCE);
        wild.subscribe("+/info", QoS.AT_MOST_ONCE);
        wild.subscribe("+/#", QoS.AT_MOST_ONCE);
        MqttTestClient explicit = connect("explicit");
        explicit.subscribe(FENCE, QoS.AT_MOST_ONCE);
        explicit.subscribe("$internal/+", QoS.AT_MOST_ONCE);
        MqttTestClient pub = connect("pub");
        pub.publish("$internal/info", "dollar", QoS.AT_LEAST_ONCE, false);
        assertPublish(nextPublish(explicit), "$internal/info", "dollar", QoS.AT_MOST_ONCE, false);
        // The $ message must not reach '#', '+/info' or '+/#'.
        assertNextPublishIsFence(wild, pub);
    }

    @Test
    @DisplayName("[MQTT-4.7.2-1] retained messages on $ topics are not sent for filters starting with a wildcard")
    void dollarRetainedNotMatchedByLeadingWildcards() throws IOException {
        MqttTestClient pub = connect("pub");
        pub.publish("$internal/state", "retained dollar", QoS.AT_LEAST_ONCE, true);
        pub.publish("plain/state", "retained plain", QoS.AT_LEAST_ONCE, true);
        MqttTestClient wild = subscriber("wild", "#", QoS.AT_LEAST_ONCE);
        Publish p = nextPublish(wild);
        assertPublish(p, "plain/state", "retained plain", QoS.AT_LEAST_ONCE, true);
        assertNextPublishIsFence(wild, pub);
        MqttTestClient explicit = subscriber("explicit", "$internal/#", QoS.AT_LEAST_ONCE);
        assertPublish(nextPublish(explicit), "$internal/state", "retained dollar", QoS.AT_LEAST_ONCE, true);
    }

    // ---- 4.7.3 Topic semantic and usage ----------------------------------------------------

    @Test
    @DisplayName("[MQTT-4.7.3-1] a PUBLISH with an empty topic name closes the connection")
    void emptyTopicNameCloses() throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Packets.publish(0x02, "", 1, "x"));
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[MQTT-4.7.3-1] subscribing to an empty topic filter closes the connection")
    void emptyTopicFilterCloses() throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Packets.subscribe(1, "", 0));
        assertClosedWithoutReply(c);
    }

    static Stream<Arguments> invalidUnsubscribeFilters() {
        return Stream.of(Arguments.of(""), Arguments.of("a/#/b"), Arguments.of("a+"));
    }

    @ParameterizedTest(name = "[MQTT-4.7.3-1] [MQTT-4.7.1-2] [MQTT-4.7.1-3] unsubscribing from the invalid filter "
            + "\"{0}\" closes the connection")
    @MethodSource("invalidUnsubscribeFilters")
    void invalidUnsubscribeFilterCloses(String filter) throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Packets.unsubscribe(1, filter));
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[MQTT-4.7.3-3] topic names and filters of 65535 bytes (the most the length field holds) work")
    void longestTopic() throws IOException {
        String topic = "t/" + "x".repeat(65_533);
        MqttTestClient sub = connect("sub");
        sub.raw().send(Packets.subscribe(1, topic, 1));
        assertNextBytes(sub, Bytes.of(0x90, 0x03, 0x00, 0x01, 0x01));
        connect("pub").publish(topic, "long", QoS.AT_LEAST_ONCE, false);
        Publish p = nextPublish(sub);
        assertThat(p.topic()).isEqualTo(topic);
    }

    @ParameterizedTest(name = "[MQTT-4.7.3-4] no normalisation: filter \"{0}\" does not match topic \"{1}\"")
    @MethodSource("distinctTopics")
    void noNormalisation(String filter, String topic) throws IOException {
        MqttTestClient sub = subscriber("sub", filter, QoS.AT_MOST_ONCE);
        MqttTestClient pub = connect("pub");
        pub.publish(topic, "other topic", QoS.AT_MOST_ONCE, false);
        pub.publish(filter, "same topic", QoS.AT_MOST_ONCE, false);
        assertPublish(nextPublish(sub), filter, "same topic", QoS.AT_MOST_ONCE, false);
        assertNextPublishIsFence(sub, pub);
    }

    static Stream<Arguments> distinctTopics() {
        String composed = Normalizer.normalize("caf\u00e9", Normalizer.Form.NFC);
        String decomposed = Normalizer.normalize("caf\u00e9", Normalizer.Form.NFD);
        return Stream.of(
                Arguments.of("ACCOUNTS", "Accounts"),
                Arguments.of(composed, decomposed),
                Arguments.of(decomposed, composed),
                Arguments.of("a", "a "),
                Arguments.of("a", "a/"),
                Arguments.of("a", "/a"),
                Arguments.of("a/b", "a//b"),
                Arguments.of("\uFF21", "A"));
    }

    @Test
    @DisplayName("[MQTT-4.7.3-4] spaces and unusual characters are ordinary topic characters")
    void spacesAndSymbols() throws IOException {
        String topic = " a b / /\u00a7$%&()*,;=?@[]{}|~";
        MqttTestClient sub = subscriber("sub", " a b /+/#", QoS.AT_MOST_ONCE);
        connect("pub").publish(topic, "kept", QoS.AT_MOST_ONCE, false);
        assertPublish(nextPublish(sub), topic, "kept", QoS.AT_MOST_ONCE, false);
    }
}
