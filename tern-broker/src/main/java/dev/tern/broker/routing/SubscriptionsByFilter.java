package dev.tern.broker.routing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One subscriber's subscriptions by topic filter, as a session holds them: an open-addressing table
 * (linear probing) of the {@link Subscription}s themselves, keyed by their filter. A broker holds one
 * per session, so it is built for the many small ones: ten subscriptions take one 16-slot array
 * (80 bytes) where a {@code HashMap} takes about 450 bytes of table, entries and views.
 *
 * <p>Not thread-safe: its session changes and reads it on its owner loop only.
 */
public final class SubscriptionsByFilter {
    private static final Subscription[] EMPTY = {};
    private static final int MIN_CAPACITY = 2;

    /** Empty, or a power-of-two number of slots of which at most three quarters are used. */
    private Subscription[] table = EMPTY;
    private int size;

    /** The number of subscriptions. */
    public int size() {
        return size;
    }

    /** The subscription to a filter, or null. */
    public @Nullable Subscription get(String filter) {
        int k = indexOf(filter);
        return k < 0 ? null : table[k];
    }

    /**
     * Adds a subscription, replacing the one to the same filter.
     *
     * @return the replaced subscription, or null
     */
    public @Nullable Subscription put(Subscription s) {
        int k = indexOf(s.filter());
        if (k >= 0) {
            Subscription previous = table[k];
            table[k] = s;
            return previous;
        }
        if ((size + 1) * 4 > table.length * 3) {
            resize(Math.max(MIN_CAPACITY, table.length * 2));
        }
        insert(table, s);
        size++;
        return null;
    }

    /**
     * Removes the subscription to a filter.
     *
     * @return the removed subscription, or null if there was none
     */
    public @Nullable Subscription remove(String filter) {
        int k = indexOf(filter);
        if (k < 0) {
            return null;
        }
        Subscription removed = table[k];
        table[k] = null;
        size--;
        // Backward-shift deletion: move later entries of the probe run into the gap so that every
        // entry stays reachable from its home slot without tombstones.
        int mask = table.length - 1;
        for (int gap = k, i = (k + 1) & mask; table[i] != null; i = (i + 1) & mask) {
            int home = home(table[i].filter(), mask);
            if (((i - home) & mask) >= ((i - gap) & mask)) {
                table[gap] = table[i];
                table[i] = null;
                gap = i;
            }
        }
        if (size == 0) {
            table = EMPTY;
        } else if (table.length > MIN_CAPACITY * 4 && size * 8 <= table.length) {
            resize(table.length / 4);
        }
        return removed;
    }

    /** Removes every subscription. */
    public void clear() {
        table = EMPTY;
        size = 0;
    }

    /** Calls the action with each subscription; the action must not change this set. */
    public void forEach(Consumer<Subscription> action) {
        for (Subscription s : table) {
            if (s != null) {
                action.accept(s);
            }
        }
    }

    /** A copy of the subscriptions, in no particular order. */
    public List<Subscription> toList() {
        List<Subscription> out = new ArrayList<>(size);
        forEach(out::add);
        return out;
    }

    /** The filters, sorted. */
    public List<String> sortedFilters() {
        String[] filters = new String[size];
        int n = 0;
        for (Subscription s : table) {
            if (s != null) {
                filters[n++] = s.filter();
            }
        }
        Arrays.sort(filters);
        return List.of(filters);
    }

    private int indexOf(String filter) {
        Subscription[] t = table;
        if (t.length == 0) {
            return -1;
        }
        int mask = t.length - 1;
        for (int i = home(filter, mask); t[i] != null; i = (i + 1) & mask) {
            if (t[i].filter().equals(filter)) {
                return i;
            }
        }
        return -1;
    }

    private static int home(String filter, int mask) {
        int h = filter.hashCode();
        return (h ^ (h >>> 16)) & mask;
    }

    private void resize(int capacity) {
        Subscription[] bigger = new Subscription[capacity];
        for (Subscription s : table) {
            if (s != null) {
                insert(bigger, s);
            }
        }
        table = bigger;
    }

    private static void insert(Subscription[] t, Subscription s) {
        int mask = t.length - 1;
        int i = home(s.filter(), mask);
        while (t[i] != null) {
            i = (i + 1) & mask;
        }
        t[i] = s;
    }
}
