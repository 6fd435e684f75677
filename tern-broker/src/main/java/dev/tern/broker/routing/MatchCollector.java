package dev.tern.broker.routing;

import dev.tern.codec.QoS;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Merges the subscriptions that one publish matches into one {@link Match} per subscriber (highest
 * QoS, Retain As Published if any asks for it, every subscription identifier), leaving out No Local
 * subscriptions of the publisher. Reused by one thread, one publish at a time:
 * {@link #begin}, the trie's calls of {@link #accept}, {@link #merge}, then {@link #end}.
 *
 * <p>Why the trie's subscriptions are only collected first: in a large trie each subscription and
 * each subscriber is a cache miss. {@link #merge} reads them in tight passes (every subscription,
 * then, above eight of them, every subscriber's header for its identity hash) before the
 * per-subscriber work, so the misses of a fan-out overlap instead of coming one after another
 * inside it. A few subscriptions are merged by comparing references, which reads no subscriber.
 */
final class MatchCollector implements Consumer<Subscription> {
    private static final int POOL_MAX = 1024;
    /** Up to this many subscriptions are merged by comparing references, above by identity hash. */
    private static final int LINEAR_MAX = 8;

    private Subscription[] found = new Subscription[16];
    private Subscriber[] subscribers = new Subscriber[16];
    private int[] hashes = new int[16];
    private int count;
    /** Open addressing by identity hash, linear probing; only the slots of {@link #matches} are set. */
    private Match[] table = new Match[32];
    private final List<Match> matches = new ArrayList<>();
    private final List<Match> pool = new ArrayList<>();
    private String publisherId;

    /** One subscriber's merged subscriptions. */
    static final class Match {
        Subscriber subscriber;
        QoS maxQos;
        boolean retainAsPublished;
        final List<Integer> subscriptionIds = new ArrayList<>(1);
        /** Its slot in the hash table; -1 if merged without the table. */
        int slot;
    }

    void begin(String publisherId) {
        this.publisherId = publisherId;
    }

    /** Collects one matching subscription; reads nothing of it. */
    @Override
    public void accept(Subscription s) {
        if (count == found.length) {
            found = Arrays.copyOf(found, count * 2);
        }
        found[count++] = s;
    }

    /** Merges what was collected; then {@link #size} and {@link #get} give one match per subscriber. */
    void merge() {
        int n = count;
        if (subscribers.length < n) {
            subscribers = new Subscriber[found.length];
            hashes = new int[found.length];
        }
        Subscription[] f = found;
        Subscriber[] who = subscribers;
        for (int i = 0; i < n; i++) {
            who[i] = f[i].subscriber();
        }
        if (n <= LINEAR_MAX) {
            mergeByScan(n);
        } else {
            mergeByHash(n);
        }
    }

    // A few subscriptions (most publishes): compare references, no identity hash (a read of each
    // subscriber's header, a cache miss in a large trie) and no table.
    private void mergeByScan(int n) {
        Subscription[] f = found;
        Subscriber[] who = subscribers;
        for (int i = 0; i < n; i++) {
            Subscription s = f[i];
            Subscriber subscriber = who[i];
            if (excluded(s, subscriber)) {
                continue;
            }
            Match m = null;
            for (int j = 0, size = matches.size(); j < size; j++) {
                Match candidate = matches.get(j);
                if (candidate.subscriber == subscriber) {
                    m = candidate;
                    break;
                }
            }
            add(m, s, subscriber, -1);
        }
    }

    private void mergeByHash(int n) {
        Subscription[] f = found;
        Subscriber[] who = subscribers;
        int[] h = hashes;
        for (int i = 0; i < n; i++) {
            h[i] = System.identityHashCode(who[i]);
        }
        if (table.length < 2 * n) {
            table = new Match[Integer.highestOneBit(2 * n - 1) << 1];
        }
        Match[] t = table;
        int mask = t.length - 1;
        for (int i = 0; i < n; i++) {
            Subscription s = f[i];
            Subscriber subscriber = who[i];
            if (excluded(s, subscriber)) {
                continue;
            }
            int k = h[i] & mask;
            Match m;
            while ((m = t[k]) != null && m.subscriber != subscriber) {
                k = (k + 1) & mask;
            }
            if (m == null) {
                t[k] = add(null, s, subscriber, k);
            } else {
                add(m, s, subscriber, k);
            }
        }
    }

    private boolean excluded(Subscription s, Subscriber subscriber) {
        // MQTT-3.8.3-3: not to the publisher's own No Local subscription
        return s.noLocal() && publisherId != null && publisherId.equals(subscriber.clientId());
    }

    /** Adds a subscription to its subscriber's match {@code m}, or to a new one (m null) in table slot {@code slot}. */
    private Match add(Match m, Subscription s, Subscriber subscriber, int slot) {
        if (m == null) {
            m = pool.isEmpty() ? new Match() : pool.remove(pool.size() - 1);
            m.subscriber = subscriber;
            m.maxQos = s.qos();
            m.retainAsPublished = s.retainAsPublished();
            m.slot = slot;
            matches.add(m);
        } else {
            m.maxQos = QoS.max(m.maxQos, s.qos());
            m.retainAsPublished |= s.retainAsPublished();
        }
        if (s.subscriptionIdentifier() != 0) {
            m.subscriptionIds.add(s.subscriptionIdentifier());
        }
        return m;
    }

    int size() {
        return matches.size();
    }

    Match get(int i) {
        return matches.get(i);
    }

    /** Forgets this publish (and drops the references it held). */
    void end() {
        for (Match m : matches) {
            if (m.slot >= 0) {
                table[m.slot] = null;
            }
            m.subscriber = null;
            m.subscriptionIds.clear();
            if (pool.size() < POOL_MAX) {
                pool.add(m);
            }
        }
        matches.clear();
        Arrays.fill(found, 0, count, null);
        Arrays.fill(subscribers, 0, count, null);
        count = 0;
        publisherId = null;
    }
}
