package dev.tern.broker.routing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.QoS;
import dev.tern.codec.Topics;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RetainedStoreTest {
    private final RetainedStore store = new RetainedStore();
    private final List<Message> created = new ArrayList<>();

    /** A retained message whose payload is the text; the caller holds the one reference. */
    private Message message(String topic, String text) {
        byte[] bytes = text.getBytes(UTF_8);
        Message m = new Message(topic, Unpooled.buffer(bytes.length).writeBytes(bytes), QoS.AT_LEAST_ONCE, true,
                MqttProperties.EMPTY, "publisher");
        created.add(m);
        return m;
    }

    /** Stores a message and gives back the caller's reference, as the router's caller does. */
    private Message store(String topic, String text) {
        Message m = message(topic, text);
        store.update(m);
        m.release();
        return m;
    }

    private static String text(Message m) {
        return m.payload().toString(m.payload().readerIndex(), m.payloadSize(), UTF_8);
    }

    /** The topics a filter matches; releases the references match returned. */
    private List<String> matchTopics(String filter) {
        List<Message> found = store.match(filter);
        List<String> topics = new ArrayList<>();
        for (Message m : found) {
            topics.add(m.topic());
            m.release();
        }
        return topics;
    }

    @AfterEach
    void everyBufferReleased() {
        store.clear();
        for (Message m : created) {
            assertThat(m.payload().refCnt()).as("refCnt of %s", m).isZero();
        }
    }

    @Test
    @DisplayName("A retained message is stored with its own reference [MQTT-3.3.1-5]")
    void storeTakesItsOwnReference() {
        Message m = message("a/b", "hello");
        store.update(m);
        assertThat(m.payload().refCnt()).isEqualTo(2);
        m.release();
        assertThat(m.payload().refCnt()).isEqualTo(1);
        assertThat(store.size()).isEqualTo(1);

        Message got = store.get("a/b");
        assertThat(got).isSameAs(m);
        assertThat(m.payload().refCnt()).as("get returns a reference for the caller").isEqualTo(2);
        assertThat(text(got)).isEqualTo("hello");
        got.release();
        assertThat(m.payload().refCnt()).isEqualTo(1);
        assertThat(store.get("a")).isNull();
        assertThat(store.get("a/b/c")).isNull();
    }

    @Test
    @DisplayName("A new retained message replaces the topic's previous one, which is released [MQTT-3.3.1-5]")
    void replaceReleasesThePreviousMessage() {
        Message first = store("a/b", "one");
        assertThat(first.payload().refCnt()).isEqualTo(1);
        Message second = store("a/b", "two");
        assertThat(first.payload().refCnt()).isZero();
        assertThat(second.payload().refCnt()).isEqualTo(1);
        assertThat(store.size()).isEqualTo(1);
        Message got = store.get("a/b");
        assertThat(text(got)).isEqualTo("two");
        got.release();
    }

    @Test
    @DisplayName("An empty retained payload deletes the topic's retained message [MQTT-3.3.1-10] [MQTT-3.3.1-11]")
    void emptyPayloadDeletes() {
        Message kept = store("a/b", "kept");
        Message child = store("a/b/c", "child");
        assertThat(store.size()).isEqualTo(2);

        Message delete = message("a/b", "");
        store.update(delete);
        assertThat(delete.payload().refCnt()).as("the store keeps no reference to a delete").isEqualTo(1);
        delete.release();
        assertThat(kept.payload().refCnt()).isZero();
        assertThat(store.size()).isEqualTo(1);
        assertThat(store.get("a/b")).isNull();
        assertThat(matchTopics("a/#")).containsExactly("a/b/c");
        assertThat(child.payload().refCnt()).isEqualTo(1);

        // Deleting a topic that has no retained message changes nothing.
        Message nothing = message("x/y", "");
        store.update(nothing);
        nothing.release();
        Message alsoNothing = message("a", "");
        store.update(alsoNothing);
        alsoNothing.release();
        assertThat(store.size()).isEqualTo(1);

        Message deleteChild = message("a/b/c", "");
        store.update(deleteChild);
        deleteChild.release();
        assertThat(child.payload().refCnt()).isZero();
        assertThat(store.size()).isZero();
        assertThat(matchTopics("#")).isEmpty();

        // Deleted (pruned) paths can be stored again.
        store("a/b/c", "again");
        assertThat(matchTopics("a/b/c")).containsExactly("a/b/c");
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void countFollowsStoresReplacesAndDeletes() {
        store("a", "1");
        store("a/b", "2");
        store("b", "3");
        store("a", "4");
        assertThat(store.size()).isEqualTo(3);
        Message delete = message("a", "");
        store.update(delete);
        delete.release();
        assertThat(store.size()).isEqualTo(2);
        assertThat(matchTopics("#")).containsExactlyInAnyOrder("a/b", "b");
    }

    @Test
    @DisplayName("Matching with '+', '#' and the '$' rule [MQTT-4.7.1-2] [MQTT-4.7.1-3] [MQTT-4.7.2-1]")
    void matchWithWildcards() {
        for (String topic : List.of("a", "a/b", "a/b/c", "b", "a/", "/a", "a//c", "$SYS", "$SYS/x", "$SYS/x/y",
                "c/$SYS")) {
            store(topic, topic);
        }
        assertThat(matchTopics("#")).containsExactlyInAnyOrder("a", "a/b", "a/b/c", "b", "a/", "/a", "a//c",
                "c/$SYS");
        assertThat(matchTopics("+")).containsExactlyInAnyOrder("a", "b");
        assertThat(matchTopics("a/+")).containsExactlyInAnyOrder("a/b", "a/");
        assertThat(matchTopics("a/#")).containsExactlyInAnyOrder("a", "a/b", "a/b/c", "a/", "a//c");
        assertThat(matchTopics("a/+/c")).containsExactlyInAnyOrder("a/b/c", "a//c");
        assertThat(matchTopics("+/b")).containsExactly("a/b");
        assertThat(matchTopics("/+")).containsExactly("/a");
        assertThat(matchTopics("+/+")).containsExactlyInAnyOrder("a/b", "a/", "/a", "c/$SYS");
        assertThat(matchTopics("+/x")).isEmpty();
        assertThat(matchTopics("+/#")).doesNotContain("$SYS", "$SYS/x", "$SYS/x/y");
        assertThat(matchTopics("$SYS/#")).containsExactlyInAnyOrder("$SYS", "$SYS/x", "$SYS/x/y");
        assertThat(matchTopics("$SYS/+")).containsExactly("$SYS/x");
        assertThat(matchTopics("$SYS/x")).containsExactly("$SYS/x");
        assertThat(matchTopics("c/+")).containsExactly("c/$SYS");
        assertThat(matchTopics("a/b/c/d")).isEmpty();
        assertThat(matchTopics("A")).isEmpty();
    }

    @Test
    void matchReturnsReferencesTheCallerReleases() {
        Message a = store("x/a", "a");
        Message b = store("x/b", "b");
        List<Message> found = store.match("x/+");
        assertThat(found).containsExactlyInAnyOrder(a, b);
        assertThat(a.payload().refCnt()).isEqualTo(2);
        assertThat(b.payload().refCnt()).isEqualTo(2);
        // The store may drop its reference while the caller still holds one.
        Message delete = message("x/a", "");
        store.update(delete);
        delete.release();
        assertThat(a.payload().refCnt()).isEqualTo(1);
        assertThat(text(a)).isEqualTo("a");
        found.forEach(Message::release);
        assertThat(a.payload().refCnt()).isZero();
        assertThat(b.payload().refCnt()).isEqualTo(1);
    }

    @Test
    void clearReleasesEverything() {
        List<Message> stored = new ArrayList<>();
        for (String topic : List.of("a", "a/b", "$SYS/x", "b/c/d", "/")) {
            stored.add(store(topic, topic));
        }
        stored.forEach(m -> assertThat(m.payload().refCnt()).isEqualTo(1));
        Message heldByCaller = store.get("a/b");
        store.clear();
        assertThat(store.size()).isZero();
        assertThat(matchTopics("#")).isEmpty();
        assertThat(matchTopics("$SYS/#")).isEmpty();
        for (Message m : stored) {
            assertThat(m.payload().refCnt()).as(m.topic()).isEqualTo(m == heldByCaller ? 1 : 0);
        }
        heldByCaller.release();
        store("a", "after clear");
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    @DisplayName("Randomized: match agrees with Topics.matches [MQTT-4.7]")
    void randomizedMatchAgreesWithReferenceMatcher() {
        String[] levels = {"a", "b", "$s", ""};
        Random r = new Random(42);
        Map<String, Message> byTopic = new HashMap<>();
        for (int i = 0; i < 120; i++) {
            String topic = randomPath(r, levels, false);
            Message previous = byTopic.put(topic, store(topic, topic));
            if (previous != null) {
                assertThat(previous.payload().refCnt()).isZero();
            }
        }
        assertThat(store.size()).isEqualTo(byTopic.size());
        for (int i = 0; i < 600; i++) {
            String filter = randomPath(r, levels, true);
            List<String> expected = byTopic.keySet().stream().filter(t -> Topics.matches(filter, t)).toList();
            assertThat(matchTopics(filter)).as("filter '%s'", filter).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    private static String randomPath(Random r, String[] levels, boolean filter) {
        while (true) {
            int n = 1 + r.nextInt(4);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    sb.append('/');
                }
                int k = r.nextInt(levels.length + (filter ? 2 : 0));
                if (k == levels.length + 1 && i == n - 1) {
                    sb.append('#');
                } else if (k >= levels.length) {
                    sb.append('+');
                } else {
                    sb.append(levels[k]);
                }
            }
            String s = sb.toString();
            if (!s.isEmpty() && (!filter || Topics.checkFilter(s) == null)) {
                return s;
            }
        }
    }
}
