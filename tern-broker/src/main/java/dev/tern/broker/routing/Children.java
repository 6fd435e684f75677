package dev.tern.broker.routing;

import dev.tern.broker.routing.SubscriptionTrie.Node;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;

/**
 * The children of a trie node by level: {@code null}, a single {@link Node}, or an open-addressing
 * table with linear probing, an {@code Object[]} of a power-of-two capacity plus one last slot that
 * holds its {@link Counts}. Lookups ({@link #find}) run on any thread without a lock; changes run
 * under the trie's write lock.
 *
 * <p>A table is changed in place, one slot at a time with a release store, and a reader probing it
 * sees each slot before or after a change: an insert fills an empty slot or a tombstone, a removal
 * leaves a tombstone (moving entries back, as deletion in linear probing usually does, could hide an
 * entry from a reader passing by). Tombstones count as used, so a table always has empty slots and a
 * probe always ends. A full or mostly dead table is replaced by a fresh copy, published through the
 * node's field; the old one is never changed again, so a reader still in it finishes consistently.
 */
final class Children {
    private Children() {}

    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Object[].class);

    /** Marks a removed entry; matches no level. */
    static final Node TOMBSTONE = new Node();

    private static final int MIN_CAPACITY = 4;

    /** Up to this many children a node's {@code childBits} are recomputed exactly when one leaves. */
    static final int EXACT_BITS_MAX = 16;

    /** Entries and used slots (entries plus tombstones) of one table; read and written under the write lock. */
    static final class Counts {
        int live;
        int used;
    }

    /** The child for level {@code i} of a parsed topic, or null. */
    static @Nullable Node find(@Nullable Object children, ParsedTopic t, int i) {
        if (children == null) {
            return null;
        }
        if (children instanceof Node single) {
            return single.is(t, i) ? single : null;
        }
        Object[] table = (Object[]) children;
        int mask = table.length - 2;
        for (int k = t.hash[i] & mask, probes = 0; probes <= mask; k = (k + 1) & mask, probes++) {
            Object e = SLOTS.getAcquire(table, k);
            if (e == null) {
                return null;
            }
            Node n = (Node) e;
            if (n.is(t, i)) {
                return n;
            }
        }
        return null;
    }

    /**
     * Adds a child whose level is not present yet. Under the write lock.
     *
     * @return the children to store in the node: the same table if changed in place, else a new value
     */
    static Object insert(@Nullable Object children, Node child) {
        if (children == null) {
            return child;
        }
        if (children instanceof Node single) {
            Object[] table = newTable(MIN_CAPACITY);
            put(table, single);
            put(table, child);
            return table;
        }
        Object[] table = (Object[]) children;
        Counts counts = counts(table);
        int capacity = table.length - 1;
        if ((counts.used + 1) * 4 > capacity * 3) {
            Object[] bigger = rebuild(table, counts.live + 1);
            put(bigger, child);
            return bigger;
        }
        int mask = capacity - 1;
        for (int k = child.hash & mask; ; k = (k + 1) & mask) {
            Object e = table[k];
            if (e == null || e == TOMBSTONE) {
                counts.live++;
                if (e == null) {
                    counts.used++;
                }
                SLOTS.setRelease(table, k, child);
                return table;
            }
        }
    }

    /**
     * Removes a child (present, by identity). Under the write lock.
     *
     * @return the children to store in the node (the same table if changed in place)
     */
    static @Nullable Object remove(@Nullable Object children, Node child) {
        if (children == child) {
            return null;
        }
        if (!(children instanceof Object[] table)) {
            return children;
        }
        int mask = table.length - 2;
        Counts counts = counts(table);
        for (int k = child.hash & mask, probes = 0; probes <= mask; k = (k + 1) & mask, probes++) {
            Object e = table[k];
            if (e == null) {
                return table; // not here
            }
            if (e == child) {
                SLOTS.setRelease(table, k, TOMBSTONE);
                counts.live--;
                break;
            }
        }
        if (counts.live == 1) {
            for (int k = 0; k <= mask; k++) {
                if (table[k] != null && table[k] != TOMBSTONE) {
                    return table[k];
                }
            }
        }
        int capacity = mask + 1;
        if (capacity > MIN_CAPACITY && counts.live * 8 <= capacity) {
            return rebuild(table, counts.live);
        }
        return table;
    }

    /**
     * The child bits of a node after a removal: exactly the union of the children's, or
     * {@code current} when the node still has more than {@link #EXACT_BITS_MAX} children (where
     * nearly every bit is set anyway, and recomputing would scan a large table).
     */
    static char bits(@Nullable Object children, char current) {
        if (children == null) {
            return 0;
        }
        if (children instanceof Node single) {
            return ParsedTopic.bit(single.hash);
        }
        Object[] table = (Object[]) children;
        if (counts(table).live > EXACT_BITS_MAX) {
            return current;
        }
        int bits = 0;
        for (int k = 0; k < table.length - 1; k++) {
            if (table[k] instanceof Node n && n != TOMBSTONE) {
                bits |= ParsedTopic.bit(n.hash);
            }
        }
        return (char) bits;
    }

    private static Counts counts(Object[] table) {
        return (Counts) table[table.length - 1];
    }

    private static Object[] newTable(int capacity) {
        Object[] table = new Object[capacity + 1];
        table[capacity] = new Counts();
        return table;
    }

    /** A fresh table for {@code entries} entries and more, with the live entries of {@code old}. */
    private static Object[] rebuild(Object[] old, int entries) {
        int capacity = MIN_CAPACITY;
        while (capacity < entries * 2) {
            capacity <<= 1;
        }
        Object[] table = newTable(capacity);
        for (int k = 0; k < old.length - 1; k++) {
            Object e = old[k];
            if (e != null && e != TOMBSTONE) {
                put(table, (Node) e);
            }
        }
        return table;
    }

    // Into a table not yet visible to readers.
    private static void put(Object[] table, Node child) {
        int mask = table.length - 2;
        int k = child.hash & mask;
        while (table[k] != null) {
            k = (k + 1) & mask;
        }
        table[k] = child;
        Counts counts = counts(table);
        counts.live++;
        counts.used++;
    }
}
