package dev.tern.broker.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.codec.QoS;
import dev.tern.codec.Topics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SubscriptionTrieTest {
    private final SubscriptionTrie trie = new SubscriptionTrie();
    private final NamedSubscriber alice = new NamedSubscriber("alice");
    private final NamedSubscriber bob = new NamedSubscriber("bob");

    /** A subscriber that only has a name; the trie never delivers. */
    record NamedSubscriber(String clientId) implements Subscriber {
        @Override
        public void deliver(Delivery delivery) {
            throw new AssertionError("the trie must not deliver");
        }
    }

    private void sub(String filter) {
        trie.add(Subscription.of(alice, filter, QoS.AT_MOST_ONCE));
    }

    private List<Subscription> match(String topic) {
        List<Subscription> out = new ArrayList<>();
        trie.match(topic, out::add);
        return out;
    }

    /** The filters of alice's subscriptions that match the topic. */
    private Set<String> matchingFilters(String topic) {
        Set<String> filters = new HashSet<>();
        for (Subscription s : match(topic)) {
            assertThat(filters.add(s.filter())).as("filter %s reported twice for %s", s.filter(), topic).isTrue();
        }
        return filters;
    }

    @Test
    void exactFilterMatchesOnlyItsTopic() {
        sub("a/b");
        assertThat(matchingFilters("a/b")).containsExactly("a/b");
        for (String other : List.of("a", "a/b/c", "a/bc", "A/b", "b", "/a/b", "a/b/")) {
            assertThat(matchingFilters(other)).as(other).isEmpty();
        }
    }

    @Test
    @DisplayName("'+' matches exactly one level, including an empty one [MQTT-4.7.1-3]")
    void plusMatchesOneLevel() {
        sub("a/+");
        sub("+");
        sub("+/+");
        assertThat(matchingFilters("a/b")).containsExactlyInAnyOrder("a/+", "+/+");
        assertThat(matchingFilters("a/")).containsExactlyInAnyOrder("a/+", "+/+");
        assertThat(matchingFilters("a")).containsExactly("+");
        assertThat(matchingFilters("/a")).containsExactly("+/+");
        assertThat(matchingFilters("a/b/c")).isEmpty();
        assertThat(matchingFilters("b/c")).containsExactly("+/+");
    }

    @Test
    @DisplayName("'#' matches the parent level and any number of levels below [MQTT-4.7.1-2]")
    void hashMatchesParentAndEverythingBelow() {
        sub("a/#");
        assertThat(matchingFilters("a")).containsExactly("a/#");
        assertThat(matchingFilters("a/b")).containsExactly("a/#");
        assertThat(matchingFilters("a/b/c/d")).containsExactly("a/#");
        assertThat(matchingFilters("a/")).containsExactly("a/#");
        assertThat(matchingFilters("ab")).isEmpty();
        assertThat(matchingFilters("b/a")).isEmpty();
        sub("#");
        assertThat(matchingFilters("x/y/z")).containsExactly("#");
        assertThat(matchingFilters("/")).containsExactly("#");
        assertThat(matchingFilters("a/b")).containsExactlyInAnyOrder("#", "a/#");
        sub("a/+/#");
        assertThat(matchingFilters("a/b")).containsExactlyInAnyOrder("#", "a/#", "a/+/#");
        assertThat(matchingFilters("a")).containsExactlyInAnyOrder("#", "a/#");
    }

    @Test
    @DisplayName("Empty topic levels are levels of their own")
    void emptyLevelsAreDistinctLevels() {
        sub("a//b");
        sub("/a");
        sub("a/");
        sub("a/+/b");
        sub("+/a");
        assertThat(matchingFilters("a//b")).containsExactlyInAnyOrder("a//b", "a/+/b");
        assertThat(matchingFilters("a/b")).isEmpty();
        assertThat(matchingFilters("/a")).containsExactlyInAnyOrder("/a", "+/a");
        assertThat(matchingFilters("a")).isEmpty();
        assertThat(matchingFilters("a/")).containsExactly("a/");
        assertThat(matchingFilters("a/x/b")).containsExactly("a/+/b");
        assertThat(matchingFilters("//")).isEmpty();
    }

    @Test
    @DisplayName("Filters starting with a wildcard do not match topics starting with '$' [MQTT-4.7.2-1]")
    void dollarTopicsAreNotMatchedByLeadingWildcards() {
        for (String f : List.of("#", "+", "+/+", "+/info", "+/#", "$SYS/#", "$SYS/+", "$SYS/info", "a/+", "a/#")) {
            sub(f);
        }
        assertThat(matchingFilters("$SYS/info")).containsExactlyInAnyOrder("$SYS/#", "$SYS/+", "$SYS/info");
        assertThat(matchingFilters("$SYS")).containsExactly("$SYS/#");
        assertThat(matchingFilters("$SYS/a/b")).containsExactly("$SYS/#");
        assertThat(matchingFilters("$other/info")).isEmpty();
        // Only the first level counts: a '$' further down is an ordinary character.
        assertThat(matchingFilters("a/$x")).containsExactlyInAnyOrder("#", "+/+", "a/+", "a/#", "+/#");
        assertThat(matchingFilters("SYS/info")).containsExactlyInAnyOrder("#", "+/+", "+/info", "+/#");
    }

    @Test
    void reAddingReplacesTheSubscribersSubscription() {
        assertThat(trie.add(Subscription.of(alice, "a/+", QoS.AT_MOST_ONCE))).isNull();
        Subscription previous = trie.add(new Subscription(alice, "a/+", QoS.EXACTLY_ONCE, true, true, 2, 7));
        assertThat(previous).isNotNull();
        assertThat(previous.qos()).isEqualTo(QoS.AT_MOST_ONCE);
        assertThat(trie.size()).isEqualTo(1);
        List<Subscription> found = match("a/b");
        assertThat(found).hasSize(1);
        assertThat(found.get(0).qos()).isEqualTo(QoS.EXACTLY_ONCE);
        assertThat(found.get(0).subscriptionIdentifier()).isEqualTo(7);
        // Another subscriber on the same filter is a separate subscription.
        assertThat(trie.add(Subscription.of(bob, "a/+", QoS.AT_LEAST_ONCE))).isNull();
        assertThat(trie.size()).isEqualTo(2);
        assertThat(match("a/b")).extracting(Subscription::subscriber).containsExactlyInAnyOrder(alice, bob);
    }

    @Test
    void removeForgetsTheSubscriptionAndPrunesEmptyNodes() {
        List<String> filters = List.of("a/b/c", "a/b", "a/+/c", "#", "a/#", "a//b", "/", "$SYS/#");
        filters.forEach(this::sub);
        trie.add(Subscription.of(bob, "a/b", QoS.AT_LEAST_ONCE));
        assertThat(trie.size()).isEqualTo(filters.size() + 1);

        assertThat(trie.remove(alice, "x/y")).isNull();
        assertThat(trie.remove(alice, "a/b/c/d")).isNull();
        assertThat(trie.remove(bob, "a/b/c")).isNull();
        assertThat(trie.size()).isEqualTo(filters.size() + 1);

        // Removing a filter whose node has children keeps the children reachable, and vice versa.
        assertThat(trie.remove(alice, "a/b")).isNotNull();
        assertThat(matchingFilters("a/b/c")).containsExactlyInAnyOrder("a/b/c", "a/+/c", "#", "a/#");
        assertThat(match("a/b")).extracting(s -> s.subscriber().clientId()).containsExactlyInAnyOrder("alice",
                "alice", "bob"); // "#" and "a/#" of alice, "a/b" of bob
        assertThat(trie.remove(alice, "a/b/c")).isNotNull();
        assertThat(matchingFilters("a/b/c")).containsExactlyInAnyOrder("a/+/c", "#", "a/#");
        assertThat(trie.remove(alice, "a/b/c")).as("second remove").isNull();

        for (String f : filters) {
            trie.remove(alice, f);
        }
        assertThat(trie.remove(bob, "a/b")).isNotNull();
        assertThat(trie.size()).isZero();
        for (String topic : List.of("a/b/c", "a/b", "a", "a//b", "/", "$SYS/x")) {
            assertThat(match(topic)).as(topic).isEmpty();
        }

        // The pruned paths can be used again.
        sub("a/b/c");
        sub("a/#");
        assertThat(trie.size()).isEqualTo(2);
        assertThat(matchingFilters("a/b/c")).containsExactlyInAnyOrder("a/b/c", "a/#");
        trie.remove(alice, "a/b/c");
        trie.remove(alice, "a/#");
        assertThat(trie.size()).isZero();
    }

    @Test
    void manySubscribersOnOneFilter() {
        int n = 1000;
        List<NamedSubscriber> subs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            NamedSubscriber s = new NamedSubscriber("c" + i);
            subs.add(s);
            trie.add(Subscription.of(s, "x/+", QoS.of(i % 3)));
        }
        assertThat(trie.size()).isEqualTo(n);
        List<Subscription> found = match("x/y");
        assertThat(found).hasSize(n);
        assertThat(found).extracting(Subscription::subscriber).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(subs);
        for (int i = 0; i < n; i += 2) {
            assertThat(trie.remove(subs.get(i), "x/+")).isNotNull();
        }
        assertThat(trie.size()).isEqualTo(n / 2);
        assertThat(match("x/y")).extracting(s -> s.subscriber().clientId())
                .allMatch(id -> Integer.parseInt(id.substring(1)) % 2 == 1).hasSize(n / 2);
    }

    // ---- Randomized comparison with the reference matcher ----------------------------------

    private static final String[] TOPIC_LEVELS = {"a", "b", "$a", "", "ab"};

    private static String randomTopic(Random r) {
        while (true) {
            int n = 1 + r.nextInt(5);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    sb.append('/');
                }
                sb.append(TOPIC_LEVELS[r.nextInt(TOPIC_LEVELS.length)]);
            }
            if (!sb.isEmpty()) {
                return sb.toString();
            }
        }
    }

    private static String randomFilter(Random r) {
        while (true) {
            int n = 1 + r.nextInt(4);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    sb.append('/');
                }
                int k = r.nextInt(TOPIC_LEVELS.length + 2);
                if (i == n - 1 && k == TOPIC_LEVELS.length + 1) {
                    sb.append('#');
                } else if (k >= TOPIC_LEVELS.length) {
                    sb.append('+');
                } else {
                    sb.append(TOPIC_LEVELS[k]);
                }
            }
            String f = sb.toString();
            if (Topics.checkFilter(f) == null) {
                return f;
            }
        }
    }

    @Test
    @DisplayName("Randomized: match agrees with Topics.matches for every filter and topic [MQTT-4.7]")
    void randomizedMatchAgreesWithReferenceMatcher() {
        for (long seed = 1; seed <= 5; seed++) {
            Random r = new Random(seed);
            SubscriptionTrie t = new SubscriptionTrie();
            Set<String> filters = new HashSet<>();
            for (int i = 0; i < 150; i++) {
                filters.add(randomFilter(r));
            }
            for (String f : filters) {
                t.add(Subscription.of(new NamedSubscriber(f), f, QoS.AT_MOST_ONCE));
            }
            assertThat(t.size()).isEqualTo(filters.size());
            compare(t, filters, r, seed);
            // Remove about a third, then compare again (exercises pruning).
            Set<String> kept = new HashSet<>();
            for (String f : filters) {
                if (r.nextInt(3) == 0) {
                    assertThat(t.remove(new NamedSubscriber(f), f)).isNotNull();
                } else {
                    kept.add(f);
                }
            }
            assertThat(t.size()).isEqualTo(kept.size());
            compare(t, kept, r, seed);
        }
    }

    private static void compare(SubscriptionTrie t, Set<String> filters, Random r, long seed) {
        for (int i = 0; i < 1500; i++) {
            String topic = randomTopic(r);
            Set<String> expected = new HashSet<>();
            for (String f : filters) {
                if (Topics.matches(f, topic)) {
                    expected.add(f);
                }
            }
            List<String> actual = new ArrayList<>();
            t.match(topic, s -> actual.add(s.filter()));
            assertThat(actual).as("seed %d, topic '%s'", seed, topic).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    // ---- Concurrency -----------------------------------------------------------------------

    @Test
    void concurrentWritersAndMatchersSeeAConsistentTrie() throws Exception {
        String[] pool = {"a", "a/b", "a/+", "a/#", "#", "+/b", "a/b/c", "a/+/c", "b/#", "+", "a//b", "$SYS/#",
                "a/b/+", "b", "b/+/+", "+/+/c"};
        String[] topics = {"a", "a/b", "a/b/c", "b", "b/x", "b/x/c", "a//b", "$SYS/x", "x/b", "a/c/c"};
        // Stable subscriptions are never touched; every concurrent match must find them.
        NamedSubscriber stable = new NamedSubscriber("stable");
        for (String f : pool) {
            trie.add(Subscription.of(stable, f, QoS.AT_LEAST_ONCE));
        }
        int writers = 3;
        int matchers = 2;
        int opsPerWriter = 4000;
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger writersLeft = new AtomicInteger(writers);
        CountDownLatch start = new CountDownLatch(1);
        List<Map<String, Subscription>> finalState = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            Map<String, Subscription> state = new HashMap<>(); // "subscriber filter" -> subscription
            finalState.add(state);
            long seed = 100 + w;
            List<NamedSubscriber> mine = List.of(new NamedSubscriber("w" + w + "a"),
                    new NamedSubscriber("w" + w + "b"));
            threads.add(new Thread(() -> {
                try {
                    start.await();
                    Random r = new Random(seed);
                    for (int i = 0; i < opsPerWriter; i++) {
                        NamedSubscriber s = mine.get(r.nextInt(mine.size()));
                        String f = pool[r.nextInt(pool.length)];
                        String key = s.clientId() + " " + f;
                        if (r.nextBoolean()) {
                            Subscription sub = Subscription.of(s, f, QoS.of(r.nextInt(3)));
                            Subscription prev = trie.add(sub);
                            assertThat(prev).isEqualTo(state.put(key, sub));
                        } else {
                            Subscription removed = trie.remove(s, f);
                            assertThat(removed).isEqualTo(state.remove(key));
                        }
                    }
                } catch (Throwable t) {
                    failures.add(t);
                } finally {
                    if (writersLeft.decrementAndGet() == 0) {
                        writing.set(false);
                    }
                }
            }, "trie-writer-" + w));
        }
        AtomicInteger matches = new AtomicInteger();
        for (int m = 0; m < matchers; m++) {
            long seed = 200 + m;
            threads.add(new Thread(() -> {
                try {
                    start.await();
                    Random r = new Random(seed);
                    // Bounded: stops when the writers are done or after a generous number of rounds.
                    for (int i = 0; writing.get() && i < 2_000_000; i++) {
                        String topic = topics[r.nextInt(topics.length)];
                        List<Subscription> found = new ArrayList<>();
                        trie.match(topic, found::add);
                        int stableFound = 0;
                        for (Subscription s : found) {
                            if (!Topics.matches(s.filter(), topic)) {
                                throw new AssertionError(s.filter() + " reported for " + topic);
                            }
                            if (s.subscriber() == stable) {
                                stableFound++;
                            }
                        }
                        long stableExpected = Arrays.stream(pool).filter(f -> Topics.matches(f, topic)).count();
                        if (stableFound != stableExpected) {
                            throw new AssertionError("stable subscriptions for " + topic + ": " + stableFound
                                    + " found, " + stableExpected + " expected");
                        }
                        matches.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }, "trie-matcher-" + m));
        }
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(t.isAlive()).as(t.getName() + " finished").isFalse();
        }
        assertThat(failures).isEmpty();
        assertThat(matches.get()).isPositive();

        // Final state: exactly the writers' last view, plus the stable subscriptions.
        Set<Subscription> expectedAll = new HashSet<>();
        finalState.forEach(s -> expectedAll.addAll(s.values()));
        assertThat(trie.size()).isEqualTo(expectedAll.size() + pool.length);
        for (String topic : topics) {
            List<Subscription> found = new ArrayList<>();
            trie.match(topic, found::add);
            List<Subscription> expected = new ArrayList<>();
            for (Subscription s : expectedAll) {
                if (Topics.matches(s.filter(), topic)) {
                    expected.add(s);
                }
            }
            for (String f : pool) {
                if (Topics.matches(f, topic)) {
                    expected.add(Subscription.of(stable, f, QoS.AT_LEAST_ONCE));
                }
            }
            assertThat(found).as(topic).containsExactlyInAnyOrderElementsOf(expected);
        }
    }
}
