package dev.tern.broker.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.codec.QoS;
import dev.tern.codec.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The trie's node layout: levels compared by packed characters and hashes (short, long, non-Latin-1
 * and colliding levels), child tables that grow and shrink, subscription sets that change form, and
 * a randomised comparison with a brute-force matcher over all of it.
 */
class SubscriptionTrieLayoutTest {
    private final SubscriptionTrie trie = new SubscriptionTrie();

    record Named(String clientId) implements Subscriber {
        @Override
        public void deliver(Delivery delivery) {
            throw new AssertionError("the trie must not deliver");
        }
    }

    private static final String P16 = "abcdefghijklmnop"; // exactly the inline limit

    /** Brute force: every (subscriber, filter) of the model whose filter matches. */
    private static List<Subscription> expected(Map<String, Subscription> model, String topic) {
        List<Subscription> out = new ArrayList<>();
        for (Subscription s : model.values()) {
            if (Topics.matches(s.filter(), topic)) {
                out.add(s);
            }
        }
        return out;
    }

    private List<Subscription> match(SubscriptionTrie t, String topic) {
        List<Subscription> out = new ArrayList<>();
        t.match(topic, out::add);
        return out;
    }

    private void assertMatches(SubscriptionTrie t, Map<String, Subscription> model, String topic) {
        assertThat(match(t, topic)).as("topic '%s'", topic).containsExactlyInAnyOrderElementsOf(expected(model, topic));
    }

    @Test
    @DisplayName("Levels that share a hash, a length or the first sixteen characters are still told apart")
    void collidingLevelsAreDistinguished() {
        // After a common sixteen-character prefix, "Aa" and "BB" share the whole hash (the polynomial of
        // the rest collides); "\u0141a" and "A\u0161" share packed low bytes and hash. Only the text differs.
        List<String> levels = List.of("Aa", "BB", P16 + "Aa", P16 + "BB", P16, P16 + "A", "abcdefgh", "abcdefghi",
                "A", "\u0141", "\u0141a", "A\u0161", "", "ü", "温度", "😀", P16.substring(0, 15) + "ł");
        Map<String, Subscription> model = new HashMap<>();
        for (String l : levels) {
            for (String f : List.of(l, "x/" + l, l + "/y", "x/" + l + "/#", "+/" + l)) {
                Subscription s = Subscription.of(new Named(f), f, QoS.AT_MOST_ONCE);
                trie.add(s);
                model.put(f, s);
            }
        }
        for (String l : levels) {
            for (String topic : List.of(l, "x/" + l, l + "/y", "x/" + l + "/z", "q/" + l)) {
                assertMatches(trie, model, topic);
            }
        }
        assertThat(match(trie, "Aa")).extracting(Subscription::filter).containsExactly("Aa");
        // Levels too long for the length a node packs: equal up to the shorter one's end.
        String longer = "x".repeat(40_001);
        Subscription shorter = Subscription.of(new Named("long"), longer.substring(1) + "/z", QoS.AT_MOST_ONCE);
        trie.add(shorter);
        assertThat(match(trie, longer + "/z")).isEmpty();
        assertThat(match(trie, longer.substring(1) + "/z")).containsExactly(shorter);
        assertThat(match(trie, P16 + "BB")).extracting(Subscription::filter).containsExactly(P16 + "BB");
    }

    @Test
    @DisplayName("A node with thousands of children grows its table, shrinks it, and prunes to nothing")
    void childTablesGrowShrinkAndPrune() {
        Named s = new Named("s");
        Map<String, Subscription> model = new HashMap<>();
        int n = 3000;
        for (int i = 0; i < n; i++) {
            String f = "fleet/" + i + (i % 3 == 0 ? "/+" : "/cmd");
            Subscription sub = Subscription.of(s, f, QoS.AT_LEAST_ONCE);
            assertThat(trie.add(sub)).isNull();
            model.put(f, sub);
        }
        assertThat(trie.size()).isEqualTo(n);
        for (int i = 0; i < n; i += 97) {
            assertMatches(trie, model, "fleet/" + i + "/cmd");
        }
        // Remove in an order that leaves tombstones everywhere, checking along the way.
        Random r = new Random(3);
        List<String> filters = new ArrayList<>(model.keySet());
        java.util.Collections.shuffle(filters, r);
        for (int k = 0; k < filters.size(); k++) {
            String f = filters.get(k);
            assertThat(trie.remove(s, f)).isEqualTo(model.remove(f));
            if (k % 250 == 0) {
                for (int probe = 0; probe < 20; probe++) {
                    assertMatches(trie, model, "fleet/" + r.nextInt(n) + "/cmd");
                }
            }
        }
        assertThat(trie.size()).isZero();
        assertThat(trie.nodeCount()).as("nodes left after removing everything").isEqualTo(1);
    }

    @Test
    @DisplayName("Subscribers of one filter move from one to an array to a map and back, keeping each one once")
    void subscriptionSetsChangeForm() {
        Map<String, Subscription> model = new HashMap<>();
        List<Named> subs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            subs.add(new Named("c" + i));
        }
        for (String f : List.of("a/b", "a/#")) {
            for (int i = 0; i < subs.size(); i++) {
                Subscription s = Subscription.of(subs.get(i), f, QoS.AT_MOST_ONCE);
                trie.add(s);
                model.put(subs.get(i).clientId() + " " + f, s);
                assertMatches(trie, model, "a/b");
            }
            // Re-subscribing replaces in every form.
            for (int i = 0; i < subs.size(); i += 3) {
                Subscription s = Subscription.of(subs.get(i), f, QoS.EXACTLY_ONCE);
                assertThat(trie.add(s)).isEqualTo(model.put(subs.get(i).clientId() + " " + f, s));
            }
            assertMatches(trie, model, "a/b");
        }
        for (String f : List.of("a/#", "a/b")) {
            for (int i = subs.size() - 1; i >= 0; i--) {
                assertThat(trie.remove(subs.get(i), f)).isEqualTo(model.remove(subs.get(i).clientId() + " " + f));
                assertMatches(trie, model, "a/b");
                assertMatches(trie, model, "a");
            }
        }
        assertThat(trie.size()).isZero();
        assertThat(trie.nodeCount()).isEqualTo(1);
    }

    @Test
    @DisplayName("A sink that matches again on the same thread gets its own results")
    void reentrantMatch() {
        trie.add(Subscription.of(new Named("x"), "a/+", QoS.AT_MOST_ONCE));
        trie.add(Subscription.of(new Named("y"), "b/#", QoS.AT_MOST_ONCE));
        List<String> inner = new ArrayList<>();
        List<String> outer = new ArrayList<>();
        trie.match("a/1", s -> {
            outer.add(s.filter());
            trie.match("b/c/d", t -> inner.add(t.filter()));
        });
        assertThat(outer).containsExactly("a/+");
        assertThat(inner).containsExactly("b/#");
    }

    // ---- Randomised comparison with a brute-force matcher ------------------------------------

    private static final String[] LEVELS = {"a", "b", "$a", "", "Aa", "BB", P16, P16 + "Aa", P16 + "BB", "ü", "\u0141",
        "A", "abcdefgh", "abcdefghi"};
    private static final RandomTopics TOPICS = new RandomTopics(5, LEVELS);

    @Test
    @DisplayName("Randomised: after every change, match agrees with a brute-force matcher [MQTT-4.7.1, MQTT-4.7.2-1]")
    void randomisedAgainstBruteForce() {
        List<Named> subscribers = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            subscribers.add(new Named("s" + i));
        }
        for (long seed = 1; seed <= 3; seed++) {
            Random r = new Random(seed);
            SubscriptionTrie t = new SubscriptionTrie();
            Map<String, Subscription> model = new HashMap<>(); // "client filter" -> subscription
            for (int op = 0; op < 2000; op++) {
                Named who = subscribers.get(r.nextInt(subscribers.size()));
                String f = TOPICS.filter(r);
                String key = who.clientId() + " " + f;
                if (r.nextInt(3) > 0) {
                    Subscription s = Subscription.of(who, f, QoS.of(r.nextInt(3)));
                    assertThat(t.add(s)).as("add %s", key).isEqualTo(model.put(key, s));
                } else {
                    // Removing by an equal, not identical, subscriber: subscribers are compared by equals.
                    assertThat(t.remove(new Named(who.clientId()), f)).as("remove %s", key)
                            .isEqualTo(model.remove(key));
                }
                assertThat(t.size()).isEqualTo(model.size());
                if (op % 10 == 0) {
                    for (int q = 0; q < 5; q++) {
                        assertMatches(t, model, TOPICS.topic(r));
                    }
                }
            }
            for (int q = 0; q < 1000; q++) {
                assertMatches(t, model, TOPICS.topic(r));
            }
            // Take everything out in random order, checking as tables shrink and nodes lose children.
            List<String> keys = new ArrayList<>(model.keySet());
            java.util.Collections.shuffle(keys, r);
            for (int k = 0; k < keys.size(); k++) {
                Subscription s = model.remove(keys.get(k));
                assertThat(t.remove(s.subscriber(), s.filter())).isEqualTo(s);
                if (k % 4 == 0) {
                    for (int q = 0; q < 4; q++) {
                        assertMatches(t, model, TOPICS.topic(r));
                    }
                }
            }
            assertThat(t.size()).isZero();
            assertThat(t.nodeCount()).as("seed %d: nodes left", seed).isEqualTo(1);
        }
    }

    // ---- Concurrency under table resizes -----------------------------------------------------

    @Test
    @DisplayName("Matchers always find stable subscriptions while writers grow and shrink the same tables")
    void matchersSeeStableSubscriptionsThroughResizes() throws Exception {
        Named stable = new Named("stable");
        int stableCount = 64;
        for (int i = 0; i < stableCount; i++) {
            trie.add(Subscription.of(stable, "t/" + i + "/v", QoS.AT_MOST_ONCE));
            trie.add(Subscription.of(stable, "+/" + i + "/#", QoS.AT_MOST_ONCE));
        }
        int writers = 2;
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger writersLeft = new AtomicInteger(writers);
        AtomicInteger rounds = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            Named mine = new Named("w" + w);
            int base = 1000 + w * 10_000;
            threads.add(new Thread(() -> {
                try {
                    start.await();
                    // Fill siblings of the stable nodes until the tables grow, then empty them so they shrink.
                    for (int round = 0; round < 6; round++) {
                        for (int i = 0; i < 2000; i++) {
                            trie.add(Subscription.of(mine, "t/" + (base + i) + "/v", QoS.AT_LEAST_ONCE));
                        }
                        for (int i = 0; i < 2000; i++) {
                            trie.remove(mine, "t/" + (base + i) + "/v");
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
        for (int m = 0; m < 2; m++) {
            long seed = m;
            threads.add(new Thread(() -> {
                try {
                    start.await();
                    Random r = new Random(seed);
                    for (int i = 0; writing.get() && i < 5_000_000; i++) {
                        int k = r.nextInt(stableCount);
                        int[] found = new int[1];
                        trie.match("t/" + k + "/v", s -> {
                            if (s.subscriber() == stable) {
                                found[0]++;
                            }
                        });
                        if (found[0] != 2) {
                            throw new AssertionError("t/" + k + "/v: " + found[0] + " stable subscriptions, expected 2");
                        }
                        rounds.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }, "trie-matcher-" + m));
        }
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(t.isAlive()).as(t.getName() + " finished").isFalse();
        }
        assertThat(failures).isEmpty();
        assertThat(rounds.get()).isPositive();
        assertThat(trie.size()).isEqualTo(2L * stableCount);
    }
}
