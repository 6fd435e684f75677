package dev.tern.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Topic filter syntax and matching (MQTT 3.1.1 and 5.0 section 4.7), with the specification's examples. */
class TopicsTest {

    @ParameterizedTest(name = "''{0}'' is a valid filter")
    @ValueSource(strings = {"#", "+", "sport/tennis/player1/#", "sport/#", "+/tennis/#", "sport/+/player1",
            "/+", "+/+", "a//b", "/", "$SYS/#", "$share/group/a/+"})
    void validFilters(String filter) {
        assertThat(Topics.checkFilter(filter)).isNull();
    }

    @ParameterizedTest(name = "''{0}'' is not a valid filter")
    @ValueSource(strings = {"sport/tennis#", "sport/tennis/#/ranking", "sport+", "#/a", "a/#/", "a+b/c", "++",
            "##", "a/b#"})
    void invalidFilters(String filter) {
        assertThat(Topics.checkFilter(filter)).isNotNull();
    }

    @Test
    void emptyFilterIsInvalid() {
        assertThat(Topics.checkFilter("")).contains("MQTT-4.7.3-1");
    }

    @ParameterizedTest(name = "''{0}'' matches ''{1}'': {2}")
    @CsvSource({
            // MQTT 3.1.1 section 4.7.1.2 and 4.7.1.3, MQTT 5.0 the same
            "sport/tennis/player1/#, sport/tennis/player1,                 true",
            "sport/tennis/player1/#, sport/tennis/player1/ranking,         true",
            "sport/tennis/player1/#, sport/tennis/player1/score/wimbledon, true",
            "sport/#,                sport,                                true",
            "'#',                    sport/tennis,                         true",
            "sport/tennis/+,         sport/tennis/player1,                 true",
            "sport/tennis/+,         sport/tennis/player2,                 true",
            "sport/tennis/+,         sport/tennis/player1/ranking,         false",
            "sport/+,                sport,                                false",
            "sport/+,                sport/,                               true",
            "+/+,                    /finance,                             true",
            "/+,                     /finance,                             true",
            "+,                      /finance,                             false",
            // MQTT-4.7.2-1: wildcards at the start do not match topics starting with $
            "'#',                    $SYS/broker/uptime,                   false",
            "+/monitor/Clients,      $SYS/monitor/Clients,                 false",
            "$SYS/#,                 $SYS/monitor/Clients,                 true",
            "$SYS/monitor/+,         $SYS/monitor/Clients,                 true",
            // exact, case-sensitive, levels may be empty
            "a/b,                    a/b,                                  true",
            "a/b,                    A/b,                                  false",
            "a/b,                    a/b/c,                                false",
            "a/b/c,                  a/b,                                  false",
            "a//b,                   a//b,                                 true",
            "a/+/b,                  a//b,                                 true",
            "a/#,                    a/b/c/d,                              true",
            "a/+/#,                  a,                                    false",
            "a/+/#,                  a/b,                                  true"})
    void matches(String filter, String topic, boolean expected) {
        assertThat(Topics.matches(filter, topic)).isEqualTo(expected);
        assertThat(referenceMatches(filter, topic)).as("reference matcher").isEqualTo(expected);
    }

    @Test
    void wildcardDetection() {
        assertThat(Topics.hasWildcard("a/+")).isTrue();
        assertThat(Topics.hasWildcard("#")).isTrue();
        assertThat(Topics.hasWildcard("a/b")).isFalse();
        assertThat(Topics.isWildcardFilter("a/b/#")).isTrue();
        assertThat(Topics.isWildcardFilter("$SYS/x")).isFalse();
    }

    /**
     * An independent matcher written from the specification's words, level by level, for the
     * property test in {@link TopicsPropertiesTest}.
     */
    static boolean referenceMatches(String filter, String topic) {
        if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
            return false;
        }
        List<String> f = levels(filter);
        List<String> t = levels(topic);
        for (int i = 0; i < f.size(); i++) {
            String level = f.get(i);
            if (level.equals("#")) {
                return true; // matches the parent level and any number of child levels
            }
            if (i >= t.size()) {
                return false;
            }
            if (!level.equals("+") && !level.equals(t.get(i))) {
                return false;
            }
        }
        return f.size() == t.size();
    }

    private static List<String> levels(String s) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= s.length(); i++) {
            if (i == s.length() || s.charAt(i) == '/') {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        return out;
    }
}
