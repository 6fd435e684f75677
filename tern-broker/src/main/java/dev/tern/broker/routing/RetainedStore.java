package dev.tern.broker.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jspecify.annotations.Nullable;

/**
 * The retained message of every topic, in a tree of topic levels so that a new subscription's filter
 * finds its messages without scanning all topics.
 *
 * <p>A read-write lock guards the tree: a reader must take its own reference to a message before a
 * concurrent replacement can release the store's reference. Updates happen only for retained
 * publishes and lookups only on SUBSCRIBE, so neither is on the common publish path.
 */
public final class RetainedStore {
    private final Node root = new Node(null, "");
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private int count;
    private long bytes;
    /** Retained messages with a Message Expiry Interval; the sweep does nothing while there are none. */
    private int expiring;

    /**
     * Stores a retained message, replacing the topic's previous one, or deletes the topic's retained
     * message if the payload is empty (MQTT-3.3.1-10, MQTT-3.3.1-11). Takes its own reference.
     */
    public void update(Message message) {
        String[] levels = TopicLevels.split(message.topic());
        boolean delete = message.payloadSize() == 0;
        Message previous;
        lock.writeLock().lock();
        try {
            Node node = root;
            for (String level : levels) {
                Node next = node.children.get(level);
                if (next == null) {
                    if (delete) {
                        return;
                    }
                    next = new Node(node, level);
                    node.children.put(level, next);
                }
                node = next;
            }
            previous = node.message;
            node.message = delete ? null : message.retainRef();
            bytes += (delete ? 0 : message.payloadSize()) - (previous == null ? 0 : previous.payloadSize());
            expiring += (!delete && message.expires() ? 1 : 0) - (previous != null && previous.expires() ? 1 : 0);
            if (previous == null && !delete) {
                count++;
            } else if (previous != null && delete) {
                count--;
                prune(node);
            }
        } finally {
            lock.writeLock().unlock();
        }
        if (previous != null) {
            previous.release();
        }
    }

    private static void prune(Node node) {
        while (node.parent != null && node.message == null && node.children.isEmpty()) {
            node.parent.children.remove(node.level);
            node = node.parent;
        }
    }

    /**
     * The retained messages whose topics match a filter, each with a reference the caller must
     * release. Filters starting with a wildcard do not match topics starting with '$' (MQTT-4.7.2-1).
     * Expired messages (MQTT 5.0 Message Expiry Interval) are not returned, and are removed.
     */
    public List<Message> match(String filter) {
        String[] levels = TopicLevels.split(filter);
        List<Message> out = new ArrayList<>();
        boolean anyExpiring;
        lock.readLock().lock();
        try {
            match(root, levels, 0, out);
            anyExpiring = expiring > 0;
        } finally {
            lock.readLock().unlock();
        }
        if (anyExpiring) {
            long now = System.nanoTime();
            List<Message> expired = null;
            for (int i = out.size() - 1; i >= 0; i--) {
                if (out.get(i).isExpired(now)) {
                    if (expired == null) {
                        expired = new ArrayList<>();
                    }
                    expired.add(out.remove(i));
                }
            }
            if (expired != null) {
                for (Message m : expired) {
                    removeIfCurrent(m);
                    m.release();
                }
            }
        }
        return out;
    }

    /** Removes a topic's retained message if it is still this one (not replaced meanwhile). */
    private void removeIfCurrent(Message m) {
        String[] levels = TopicLevels.split(m.topic());
        Message removed = null;
        lock.writeLock().lock();
        try {
            Node node = root;
            for (String level : levels) {
                node = node.children.get(level);
                if (node == null) {
                    return;
                }
            }
            if (node.message == m) {
                removed = m;
                node.message = null;
                count--;
                bytes -= m.payloadSize();
                expiring--;
                prune(node);
            }
        } finally {
            lock.writeLock().unlock();
        }
        if (removed != null) {
            removed.release();
        }
    }

    /**
     * Removes every retained message whose expiry interval has passed (MQTT-3.3.2-5). Returns at once
     * when no retained message has an expiry interval.
     *
     * @return the number removed
     */
    public int removeExpired() {
        List<Message> expired = new ArrayList<>();
        lock.writeLock().lock();
        try {
            if (expiring == 0) {
                return 0;
            }
            removeExpired(root, System.nanoTime(), expired);
        } finally {
            lock.writeLock().unlock();
        }
        expired.forEach(Message::release);
        return expired.size();
    }

    // Write lock held. Prunes bottom-up: children first, then this node if it became empty.
    private void removeExpired(Node node, long now, List<Message> out) {
        for (Node child : new ArrayList<>(node.children.values())) {
            removeExpired(child, now, out);
        }
        Message m = node.message;
        if (m != null && m.isExpired(now)) {
            node.message = null;
            count--;
            bytes -= m.payloadSize();
            expiring--;
            out.add(m);
        }
        if (node.parent != null && node.message == null && node.children.isEmpty()) {
            node.parent.children.remove(node.level);
        }
    }

    private static void match(Node node, String[] levels, int index, List<Message> out) {
        if (index == levels.length) {
            add(node, out);
            return;
        }
        String level = levels[index];
        if (level.equals("#")) {
            // "a/#" matches "a" itself and everything below it.
            addSubtree(node, index == 0, out);
        } else if (level.equals("+")) {
            for (Node child : node.children.values()) {
                if (index == 0 && child.level.startsWith("$")) {
                    continue;
                }
                match(child, levels, index + 1, out);
            }
        } else {
            Node child = node.children.get(level);
            if (child != null) {
                match(child, levels, index + 1, out);
            }
        }
    }

    private static void addSubtree(Node node, boolean skipDollarChildren, List<Message> out) {
        add(node, out);
        for (Node child : node.children.values()) {
            if (skipDollarChildren && child.level.startsWith("$")) {
                continue;
            }
            addSubtree(child, false, out);
        }
    }

    private static void add(Node node, List<Message> out) {
        Message m = node.message;
        if (m != null) {
            out.add(m.retainRef());
        }
    }

    /** The retained message of one topic, with a reference the caller must release, or null. */
    public @Nullable Message get(String topic) {
        // A topic name has no wildcards, so matching it as a filter finds exactly that topic.
        List<Message> found = match(topic);
        return found.isEmpty() ? null : found.get(0);
    }

    /** Number of topics with a retained message. */
    public int size() {
        lock.readLock().lock();
        try {
            return count;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Payload bytes of all retained messages. */
    public long bytes() {
        lock.readLock().lock();
        try {
            return bytes;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Removes and releases every retained message. */
    public void clear() {
        List<Message> all = new ArrayList<>();
        lock.writeLock().lock();
        try {
            collect(root, all);
            root.children.clear();
            root.message = null;
            count = 0;
            bytes = 0;
            expiring = 0;
        } finally {
            lock.writeLock().unlock();
        }
        all.forEach(Message::release);
    }

    private static void collect(Node node, List<Message> out) {
        if (node.message != null) {
            out.add(node.message);
        }
        for (Node child : node.children.values()) {
            collect(child, out);
        }
    }

    private static final class Node {
        final @Nullable Node parent;
        final String level;
        final Map<String, Node> children = new HashMap<>(4);
        @Nullable Message message;

        Node(@Nullable Node parent, String level) {
            this.parent = parent;
            this.level = level;
        }
    }
}
