package dev.tern.broker.routing;

import java.util.Arrays;

/**
 * The levels of one topic name or filter, found once: where each level starts, its length, its hash
 * and up to sixteen of its characters packed into two longs. The trie compares levels by these
 * numbers instead of by String, so matching a topic allocates nothing and, for levels of up to
 * sixteen Latin-1 characters (most of them), reads no character data of the trie's nodes.
 *
 * <p>Mutable and reused: one instance per thread (see {@link SubscriptionTrie}); not thread-safe.
 */
final class ParsedTopic {
    /** Levels of up to this many Latin-1 characters are held entirely in {@link #p0}/{@link #p1}. */
    static final int INLINE_CHARS = 16;
    static final int MAX_SHAPE_LENGTH = 0x7FFE;
    /** The shape of the root and of removed entries: equal to no level's. */
    static final char NO_LEVEL = 0xFFFF;

    String topic = "";
    int count;
    int[] start = new int[8];
    int[] length = new int[8];
    /**
     * The length and whether the level is inline, in sixteen bits as a node stores it: the length
     * shifted left by one, the low bit set if the level is not inline (then the length is capped at
     * {@value #MAX_SHAPE_LENGTH}, since the node compares the text anyway). 0xFFFF is no level.
     */
    int[] shape = new int[8];
    int[] hash = new int[8];
    long[] p0 = new long[8];
    long[] p1 = new long[8];
    /** True while a match uses this instance, so that a re-entrant match takes a fresh one. */
    boolean inUse;

    /** Parses a topic name or filter; empty levels count ("a//b" has three, "" has one). */
    ParsedTopic parse(String t) {
        topic = t;
        int n = 0;
        int from = 0;
        int len = t.length();
        while (true) {
            int end = t.indexOf('/', from);
            if (end < 0) {
                end = len;
            }
            if (n == start.length) {
                grow();
            }
            level(n, t, from, end);
            n++;
            if (end == len) {
                break;
            }
            from = end + 1;
        }
        count = n;
        return this;
    }

    // Three loops without branches inside: the first eight characters into p0, the next eight into
    // p1, the rest (only of levels longer than sixteen) into a polynomial hash.
    private void level(int n, String t, int from, int end) {
        int length = end - from;
        long a = 0;
        long b = 0;
        long tail = 0;
        int chars = 0;
        int stop = Math.min(end, from + 8);
        for (int k = from, shift = 0; k < stop; k++, shift += 8) {
            char c = t.charAt(k);
            chars |= c;
            a |= (long) (c & 0xFF) << shift;
        }
        stop = Math.min(end, from + INLINE_CHARS);
        for (int k = from + 8, shift = 0; k < stop; k++, shift += 8) {
            char c = t.charAt(k);
            chars |= c;
            b |= (long) (c & 0xFF) << shift;
        }
        for (int k = from + INLINE_CHARS; k < end; k++) {
            char c = t.charAt(k);
            chars |= c;
            tail = 31 * tail + c;
        }
        boolean inline = chars <= 0xFF && length <= INLINE_CHARS;
        start[n] = from;
        this.length[n] = length;
        shape[n] = inline ? length << 1 : Math.min(length, MAX_SHAPE_LENGTH) << 1 | 1;
        hash[n] = hash(a, b, tail, length);
        p0[n] = a;
        p1[n] = b;
    }

    /**
     * Mixes the packed characters, the hash of the rest and the length (Murmur3's 64-bit finaliser),
     * since tables index by the low bits. Levels that differ only in the high bytes of characters in
     * their first sixteen share a hash; the trie tells them apart by their text.
     */
    private static int hash(long a, long b, long tail, int length) {
        long x = a * 0x9E3779B97F4A7C15L + Long.rotateLeft(b * 0xC2B2AE3D27D4EB4FL, 31)
                + tail * 0x165667B19E3779F9L + length;
        x ^= x >>> 33;
        x *= 0xFF51AFD7ED558CCDL;
        x ^= x >>> 33;
        x *= 0xC4CEB9FE1A85EC53L;
        x ^= x >>> 33;
        return (int) x;
    }

    private void grow() {
        int n = start.length * 2;
        start = Arrays.copyOf(start, n);
        length = Arrays.copyOf(length, n);
        shape = Arrays.copyOf(shape, n);
        hash = Arrays.copyOf(hash, n);
        p0 = Arrays.copyOf(p0, n);
        p1 = Arrays.copyOf(p1, n);
    }

    /**
     * One of sixteen bits chosen by the level's hash (its top four bits; tables index by the low
     * ones): a node keeps the union of its children's bits, so most levels it has no child for are
     * turned away without reading a child or a table.
     */
    static char bit(int hash) {
        return (char) (1 << (hash >>> 28));
    }

    boolean inline(int i) {
        return (shape[i] & 1) == 0;
    }

    /** True if level {@code i} is exactly the one character {@code c} ("+" or "#"). */
    boolean isChar(int i, char c) {
        return shape[i] == 2 && p0[i] == c;
    }

    /** The text of level {@code i}. */
    String text(int i) {
        return topic.substring(start[i], start[i] + length[i]);
    }

    /** True if the topic starts with '$' (MQTT-4.7.2-1). */
    boolean dollar() {
        return !topic.isEmpty() && topic.charAt(0) == '$';
    }
}
