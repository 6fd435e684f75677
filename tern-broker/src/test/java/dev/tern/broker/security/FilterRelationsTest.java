package dev.tern.broker.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FilterRelationsTest {
    @ParameterizedTest(name = "{0} and {1} intersect: {2}")
    @CsvSource({
        "a/b, a/b, true", "a/b, a/c, false", "a/+, a/b, true", "+/b, a/+, true", "a/#, a, true",
        "a/#, b/#, false", "#, $SYS/x, false", "+/x, $SYS/x, false", "$SYS/#, $SYS/broker/uptime, true",
        "a/+/c, a/b, false", "a/+/c, a/#, true", "#, #, true", "a, a/b, false"})
    void intersects(String a, String b, boolean expected) {
        assertThat(FilterRelations.intersects(a, b)).isEqualTo(expected);
        assertThat(FilterRelations.intersects(b, a)).as("symmetric").isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} covers {1}: {2}")
    @CsvSource({
        "a/#, a/b, true", "a/#, a, true", "a/#, a/#, true", "a/b, a/#, false", "a/+, a/b, true", "a/b, a/+, false",
        "+/+, a/b, true", "#, a/b/c, true", "#, $SYS/x, false", "$SYS/#, $SYS/x, true", "a/+, a/b/c, false",
        "a/+/#, a/b, true", "+, +, true", "#, +/#, true"})
    void covers(String outer, String inner, boolean expected) {
        assertThat(FilterRelations.covers(outer, inner)).isEqualTo(expected);
    }
}
