package dev.tern.broker.routing;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Subscriptions indexed by topic filter level, for matching topic names against all filters at once.
 *
 * <p>Reads ({@link #match}) take no lock and allocate nothing: publishers on every event loop match
 * in parallel. Writes (subscribe, unsubscribe) are serialised by one lock, which lets them prune
 * empty nodes and resize tables in place; they are rare next to publishes. Every change a writer
 * makes is one reference store with release semantics, and every structure a reader can reach is
 * either immutable or changed only that way, so a reader sees each node's subscriptions and
 * children as they were before or after a write, never half of one.
 *
 * <p>Layout (see docs/architecture.md, "Routing"): one {@link Node} per filter level, small and
 * flat. A node's level is held as numbers (hash, length, up to sixteen characters packed in two
 * longs), so comparing a topic's level with it reads no string; the {@code +} child and the
 * subscriptions of {@code <level>/#} are fields of their own, so wildcards cost no lookup; children
 * are one node or an open-addressing table; a node's subscriptions are one {@link Subscription}, a
 * small array, or a map when many subscribers share a filter.
 */
public final class SubscriptionTrie {
    /** Per thread; reused by every trie, since a parse depends only on the topic. */
    private static final ThreadLocal<ParsedTopic> PARSED = ThreadLocal.withInitial(ParsedTopic::new);

    private final Node root = new Node();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ParsedTopic writerParse = new ParsedTopic(); // under writeLock
    private final AtomicLong size = new AtomicLong();

    /**
     * Adds a subscription, replacing the subscriber's existing one for the same filter.
     *
     * @return the replaced subscription, or null if there was none
     */
    public @Nullable Subscription add(Subscription subscription) {
        writeLock.lock();
        try {
            ParsedTopic f = writerParse.parse(subscription.filter());
            boolean multiLevel = f.isChar(f.count - 1, '#');
            int levels = multiLevel ? f.count - 1 : f.count;
            Node node = root;
            for (int i = 0; i < levels; i++) {
                node = f.isChar(i, '+') ? node.plusOrCreate() : node.childOrCreate(f, i);
            }
            Subscription previous = node.put(subscription, multiLevel);
            if (previous == null) {
                size.incrementAndGet();
            }
            return previous;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Removes a subscriber's subscription to a filter.
     *
     * @return the removed subscription, or null if there was none
     */
    public @Nullable Subscription remove(Subscriber subscriber, String filter) {
        writeLock.lock();
        try {
            ParsedTopic f = writerParse.parse(filter);
            boolean multiLevel = f.isChar(f.count - 1, '#');
            int levels = multiLevel ? f.count - 1 : f.count;
            Node[] path = new Node[levels + 1];
            Node node = root;
            path[0] = node;
            for (int i = 0; i < levels; i++) {
                node = f.isChar(i, '+') ? node.plus : Children.find(node.children, f, i);
                if (node == null) {
                    return null;
                }
                path[i + 1] = node;
            }
            Subscription removed = node.take(subscriber, multiLevel);
            if (removed != null) {
                size.decrementAndGet();
                prune(path, levels, f);
            }
            return removed;
        } finally {
            writeLock.unlock();
        }
    }

    // Under writeLock: unlinks the empty nodes at the end of the path, deepest first.
    private static void prune(Node[] path, int levels, ParsedTopic f) {
        for (int d = levels; d > 0 && path[d].isEmpty(); d--) {
            Node parent = path[d - 1];
            if (f.isChar(d - 1, '+')) {
                parent.plus = null;
            } else {
                parent.children = Children.remove(parent.children, path[d]);
                parent.childBits = Children.bits(parent.children, parent.childBits); // after
            }
        }
    }

    /**
     * Calls {@code sink} with every subscription whose filter matches the topic name. Filters that
     * start with a wildcard do not match topics starting with '$' (MQTT-4.7.2-1).
     */
    public void match(String topicName, Consumer<Subscription> sink) {
        ParsedTopic t = PARSED.get();
        if (t.inUse) {
            t = new ParsedTopic(); // a sink that matches again, on the same thread
        }
        t.inUse = true;
        try {
            t.parse(topicName);
            match(root, t, 0, t.dollar(), sink);
        } finally {
            t.inUse = false;
        }
    }

    // Follows the exact level in a loop and branches into '+' by recursion: at most one frame per
    // '+' on the way, however deep the topic.
    private static void match(Node start, ParsedTopic t, int level, boolean dollar, Consumer<Subscription> sink) {
        Node node = start;
        int i = level;
        int count = t.count;
        while (true) {
            boolean wildcards = i != 0 || !dollar;
            if (wildcards) {
                Subscribers.forEach(node.hashSubscriptions, sink); // "x/#" matches "x" and below it
            }
            if (i == count) {
                Subscribers.forEach(node.subscriptions, sink);
                return;
            }
            if (wildcards) {
                Node plus = node.plus;
                if (plus != null) {
                    match(plus, t, i + 1, dollar, sink);
                }
            }
            if ((node.childBits & ParsedTopic.bit(t.hash[i])) == 0) {
                return; // no child can have this level
            }
            node = Children.find(node.children, t, i);
            if (node == null) {
                return;
            }
            i++;
        }
    }

    /** Number of subscriptions. */
    public long size() {
        return size.get();
    }

    /** Number of nodes, the root included (for tests and footprint statistics). */
    int nodeCount() {
        writeLock.lock();
        try {
            return count(root);
        } finally {
            writeLock.unlock();
        }
    }

    private static int count(Node node) {
        int n = 1;
        Node plus = node.plus;
        if (plus != null) {
            n += count(plus);
        }
        Object children = node.children;
        if (children instanceof Node child) {
            n += count(child);
        } else if (children instanceof Object[] table) {
            for (Object e : table) {
                if (e instanceof Node child && child != Children.TOMBSTONE) {
                    n += count(child);
                }
            }
        }
        return n;
    }

    /**
     * One filter level. Written only under the trie's write lock; read by any thread. 56 bytes with
     * compressed references.
     */
    static final class Node {
        /** The level's text when it is not inline (longer than 16 characters or not Latin-1), else null. */
        final @Nullable String text;
        final long p0;
        final long p1;
        final int hash;
        /** As {@link ParsedTopic#shape}; {@link ParsedTopic#NO_LEVEL} for the root and {@link Children#TOMBSTONE}. */
        final char shape;
        /**
         * The union of {@link ParsedTopic#bit} of the children's hashes; may have extra bits (it is
         * recomputed only while the node has at most {@link Children#EXACT_BITS_MAX} children), never
         * lacks one of a child a reader can reach.
         */
        volatile char childBits;
        /** The "+" child. */
        volatile @Nullable Node plus;
        /** null, one Node, or an open-addressing table (see {@link Children}). */
        volatile @Nullable Object children;
        /** Subscriptions whose filter ends at this level (see {@link Subscribers}). */
        volatile @Nullable Object subscriptions;
        /** Subscriptions whose filter is this level followed by "/#". */
        volatile @Nullable Object hashSubscriptions;

        /** The root, or a placeholder that equals no level. */
        Node() {
            text = null;
            p0 = 0;
            p1 = 0;
            shape = ParsedTopic.NO_LEVEL;
            hash = 0;
        }

        /** The node of level {@code i} of a parsed filter. */
        Node(ParsedTopic f, int i) {
            text = f.inline(i) ? null : f.text(i);
            p0 = f.p0[i];
            p1 = f.p1[i];
            shape = (char) f.shape[i];
            hash = f.hash[i];
        }

        /** True if this node's level is level {@code i} of the parsed topic. */
        boolean is(ParsedTopic t, int i) {
            return hash == t.hash[i] && shape == t.shape[i] && p0 == t.p0[i] && p1 == t.p1[i]
                    && (text == null
                        || t.length[i] == text.length() && t.topic.regionMatches(t.start[i], text, 0, text.length()));
        }

        // Under the write lock.
        Node plusOrCreate() {
            Node p = plus;
            if (p == null) {
                p = new Node();
                plus = p;
            }
            return p;
        }

        // Under the write lock.
        Node childOrCreate(ParsedTopic f, int i) {
            Object c = children;
            Node child = Children.find(c, f, i);
            if (child == null) {
                child = new Node(f, i);
                childBits |= ParsedTopic.bit(child.hash); // before the child is reachable
                Object updated = Children.insert(c, child);
                if (updated != c) {
                    children = updated;
                }
            }
            return child;
        }

        // Under the write lock.
        @Nullable Subscription put(Subscription s, boolean multiLevel) {
            Object set = multiLevel ? hashSubscriptions : subscriptions;
            Subscription previous = Subscribers.find(set, s.subscriber());
            Object updated = previous == null ? Subscribers.with(set, s) : Subscribers.replace(set, previous, s);
            store(multiLevel, set, updated);
            return previous;
        }

        // Under the write lock.
        @Nullable Subscription take(Subscriber subscriber, boolean multiLevel) {
            Object set = multiLevel ? hashSubscriptions : subscriptions;
            Subscription removed = Subscribers.find(set, subscriber);
            if (removed != null) {
                store(multiLevel, set, Subscribers.without(set, removed));
            }
            return removed;
        }

        private void store(boolean multiLevel, @Nullable Object before, @Nullable Object after) {
            if (after == before) {
                return; // changed in place (a map)
            }
            if (multiLevel) {
                hashSubscriptions = after;
            } else {
                subscriptions = after;
            }
        }

        boolean isEmpty() {
            return subscriptions == null && hashSubscriptions == null && plus == null && children == null;
        }
    }
}
