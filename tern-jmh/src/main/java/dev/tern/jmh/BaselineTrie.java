package dev.tern.jmh;

import dev.tern.broker.routing.Subscriber;
import dev.tern.broker.routing.Subscription;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The subscription trie as it was before the performance work (Tern at commit 75fbea6): a
 * {@code ConcurrentHashMap} of children and one of subscriptions per node, topics split into a
 * {@code String[]} per match. Kept, unchanged but for its name, only so that the benchmarks can
 * measure before and after side by side in one run on a loaded machine.
 */
final class BaselineTrie implements TrieBenchmarkSupport.Trie {
    private final Node root = new Node(null, "");
    private final ReentrantLock writeLock = new ReentrantLock();
    private final AtomicLong size = new AtomicLong();

    /**
     * Adds a subscription, replacing the subscriber's existing one for the same filter.
     *
     * @return the replaced subscription, or null if there was none
     */
    @Override
    public @Nullable Subscription add(Subscription subscription) {
        String[] levels = split(subscription.filter());
        writeLock.lock();
        try {
            Node node = root;
            for (String level : levels) {
                node = node.childOrCreate(level);
            }
            Subscription previous = node.subscriptionsOrCreate().put(subscription.subscriber(), subscription);
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
    @Override
    public @Nullable Subscription remove(Subscriber subscriber, String filter) {
        String[] levels = split(filter);
        writeLock.lock();
        try {
            Node node = root;
            for (String level : levels) {
                node = node.child(level);
                if (node == null) {
                    return null;
                }
            }
            Map<Subscriber, Subscription> subs = node.subscriptions;
            Subscription removed = subs == null ? null : subs.remove(subscriber);
            if (removed != null) {
                size.decrementAndGet();
                prune(node);
            }
            return removed;
        } finally {
            writeLock.unlock();
        }
    }

    private static void prune(Node node) {
        while (node.parent != null && node.isEmpty()) {
            node.parent.children.remove(node.level, node);
            node = node.parent;
        }
    }

    /**
     * Calls {@code sink} with every subscription whose filter matches the topic name. Filters that
     * start with a wildcard do not match topics starting with '$' (MQTT-4.7.2-1).
     */
    @Override
    public void match(String topicName, Consumer<Subscription> sink) {
        String[] levels = split(topicName);
        match(root, levels, 0, !topicName.isEmpty() && topicName.charAt(0) == '$', sink);
    }

    private static void match(Node node, String[] levels, int index, boolean dollarTopic,
                              Consumer<Subscription> sink) {
        boolean wildcardsAllowed = !(index == 0 && dollarTopic);
        if (wildcardsAllowed) {
            Node hash = node.child("#");
            if (hash != null) {
                hash.forEachSubscription(sink);
            }
        }
        if (index == levels.length) {
            node.forEachSubscription(sink);
            return;
        }
        if (wildcardsAllowed) {
            Node plus = node.child("+");
            if (plus != null) {
                match(plus, levels, index + 1, dollarTopic, sink);
            }
        }
        Node exact = node.child(levels[index]);
        if (exact != null) {
            match(exact, levels, index + 1, dollarTopic, sink);
        }
    }

    /** Number of subscriptions. */
    @Override
    public long size() {
        return size.get();
    }

    private static String[] split(String topic) {
        int count = 1;
        for (int i = 0; i < topic.length(); i++) {
            if (topic.charAt(i) == '/') {
                count++;
            }
        }
        String[] levels = new String[count];
        int start = 0;
        int n = 0;
        for (int i = 0; i < topic.length(); i++) {
            if (topic.charAt(i) == '/') {
                levels[n++] = topic.substring(start, i);
                start = i + 1;
            }
        }
        levels[n] = topic.substring(start);
        return levels;
    }

    /** One topic level. Maps are created on first use to keep leaf nodes small. */
    private static final class Node {
        final @Nullable Node parent;
        final String level;
        volatile @Nullable ConcurrentHashMap<String, Node> children;
        volatile @Nullable ConcurrentHashMap<Subscriber, Subscription> subscriptions;

        Node(@Nullable Node parent, String level) {
            this.parent = parent;
            this.level = level;
        }

        @Nullable Node child(String level) {
            ConcurrentHashMap<String, Node> c = children;
            return c == null ? null : c.get(level);
        }

        // Write lock held.
        Node childOrCreate(String level) {
            ConcurrentHashMap<String, Node> c = children;
            if (c == null) {
                c = new ConcurrentHashMap<>(4);
                children = c;
            }
            return c.computeIfAbsent(level, l -> new Node(this, l));
        }

        // Write lock held.
        ConcurrentHashMap<Subscriber, Subscription> subscriptionsOrCreate() {
            ConcurrentHashMap<Subscriber, Subscription> s = subscriptions;
            if (s == null) {
                s = new ConcurrentHashMap<>(4);
                subscriptions = s;
            }
            return s;
        }

        void forEachSubscription(Consumer<Subscription> sink) {
            ConcurrentHashMap<Subscriber, Subscription> s = subscriptions;
            if (s != null) {
                for (Subscription sub : s.values()) {
                    sink.accept(sub);
                }
            }
        }

        boolean isEmpty() {
            ConcurrentHashMap<Subscriber, Subscription> s = subscriptions;
            ConcurrentHashMap<String, Node> c = children;
            return (s == null || s.isEmpty()) && (c == null || c.isEmpty());
        }
    }
}
