package dev.tern.codec;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** {@link Topics#matches} agrees with an independent matcher on topics and filters from a small alphabet. */
class TopicsPropertiesTest {

    @Property(tries = 3000)
    void matcherAgreesWithTheReference(@ForAll("filters") String filter, @ForAll("topics") String topic) {
        Assume.that(Topics.checkFilter(filter) == null);
        assertThat(Topics.matches(filter, topic)).isEqualTo(TopicsTest.referenceMatches(filter, topic));
    }

    /** A filter matches every topic name that is the filter with its wildcards filled in. */
    @Property(tries = 2000)
    void filledInFiltersMatch(@ForAll("filters") String filter, @ForAll("levelText") String fill) {
        Assume.that(Topics.checkFilter(filter) == null && !filter.startsWith("+") && !filter.startsWith("#"));
        String topic = filter.replace("+", fill).replace("/#", "/" + fill + "/" + fill).replace("#", fill);
        assertThat(Topics.matches(filter, topic)).as("%s on %s", filter, topic).isTrue();
    }

    @Provide
    Arbitrary<String> filters() {
        return Arbitraries.strings().withChars("ab$/+#").ofMaxLength(8);
    }

    @Provide
    Arbitrary<String> topics() {
        return Arbitraries.strings().withChars("ab$/").ofMaxLength(8);
    }

    @Provide
    Arbitrary<String> levelText() {
        return Arbitraries.strings().withChars("ab$").ofMaxLength(3);
    }
}
