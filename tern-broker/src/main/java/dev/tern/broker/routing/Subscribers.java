package dev.tern.broker.routing;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The subscriptions of one trie node, one per subscriber (by {@link Subscriber#equals}), in the
 * smallest form that fits: {@code null}, one {@link Subscription}, an array of up to
 * {@value #ARRAY_MAX} (copied on every change, so readers iterate a snapshot), or, for filters that
 * many subscribers share, a {@link ConcurrentHashMap} changed in place. Changes run under the trie's
 * write lock and return the value the node must store.
 */
final class Subscribers {
    private Subscribers() {}

    /** Largest array; beyond it a map, so that subscribing the n-th subscriber does not copy n entries. */
    static final int ARRAY_MAX = 32;
    /** A map that shrinks to this size becomes an array again. */
    private static final int MAP_MIN = 16;

    /** Calls the sink with each subscription of the set. */
    @SuppressWarnings("unchecked")
    static void forEach(@Nullable Object set, Consumer<Subscription> sink) {
        if (set == null) {
            return;
        }
        if (set instanceof Subscription one) {
            sink.accept(one);
        } else if (set instanceof Subscription[] array) {
            for (Subscription s : array) {
                sink.accept(s);
            }
        } else {
            for (Subscription s : ((ConcurrentHashMap<Subscriber, Subscription>) set).values()) {
                sink.accept(s);
            }
        }
    }

    /** The subscriber's subscription in the set, or null. */
    @SuppressWarnings("unchecked")
    static @Nullable Subscription find(@Nullable Object set, Subscriber subscriber) {
        if (set == null) {
            return null;
        }
        if (set instanceof Subscription one) {
            return one.subscriber().equals(subscriber) ? one : null;
        }
        if (set instanceof Subscription[] array) {
            int i = indexOf(array, subscriber);
            return i < 0 ? null : array[i];
        }
        return ((ConcurrentHashMap<Subscriber, Subscription>) set).get(subscriber);
    }

    /** The set plus a subscription of a subscriber that is not in it yet. */
    @SuppressWarnings("unchecked")
    static Object with(@Nullable Object set, Subscription s) {
        if (set == null) {
            return s;
        }
        if (set instanceof Subscription one) {
            return new Subscription[] {one, s};
        }
        if (set instanceof Subscription[] array) {
            if (array.length < ARRAY_MAX) {
                Subscription[] copy = Arrays.copyOf(array, array.length + 1);
                copy[array.length] = s;
                return copy;
            }
            ConcurrentHashMap<Subscriber, Subscription> map = new ConcurrentHashMap<>(array.length * 4);
            for (Subscription x : array) {
                map.put(x.subscriber(), x);
            }
            map.put(s.subscriber(), s);
            return map;
        }
        ((ConcurrentHashMap<Subscriber, Subscription>) set).put(s.subscriber(), s);
        return set;
    }

    /** The set with {@code previous} (in it) replaced by {@code s} of the same subscriber. */
    @SuppressWarnings("unchecked")
    static Object replace(Object set, Subscription previous, Subscription s) {
        if (set instanceof Subscription) {
            return s;
        }
        if (set instanceof Subscription[] array) {
            Subscription[] copy = array.clone();
            copy[indexOf(array, previous.subscriber())] = s;
            return copy;
        }
        ((ConcurrentHashMap<Subscriber, Subscription>) set).put(s.subscriber(), s);
        return set;
    }

    /** The set without {@code removed} (in it). */
    @SuppressWarnings("unchecked")
    static @Nullable Object without(Object set, Subscription removed) {
        if (set instanceof Subscription) {
            return null;
        }
        if (set instanceof Subscription[] array) {
            int i = indexOf(array, removed.subscriber());
            if (array.length == 2) {
                return array[1 - i];
            }
            Subscription[] copy = new Subscription[array.length - 1];
            System.arraycopy(array, 0, copy, 0, i);
            System.arraycopy(array, i + 1, copy, i, array.length - i - 1);
            return copy;
        }
        ConcurrentHashMap<Subscriber, Subscription> map = (ConcurrentHashMap<Subscriber, Subscription>) set;
        map.remove(removed.subscriber());
        if (map.size() > MAP_MIN) {
            return map;
        }
        // Readers still iterating the map see it as it is now; it is not changed again.
        return map.values().toArray(new Subscription[0]);
    }

    private static int indexOf(Subscription[] array, Subscriber subscriber) {
        for (int i = 0; i < array.length; i++) {
            if (array[i].subscriber().equals(subscriber)) {
                return i;
            }
        }
        return -1;
    }
}
