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

    String topic = "";
    int count;
    int[] start = new int[8];
    /** Length in characters, shifted left by one; the low bit is set if the level is not inline. */
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

    private void level(int n, String t, int from, int end) {
        int length = end - from;
        int h = length;
        long a = 0;
        long b = 0;
        int wide = 0;
        for (int k = from; k < end; k++) {
            char c = t.charAt(k);
            h = 31 * h + c;
            wide |= c & 0xFF00;
            int at = k - from;
            if (at < 8) {
                a |= (long) (c & 0xFF) << (at << 3);
            } else if (at < INLINE_CHARS) {
                b |= (long) (c & 0xFF) << ((at - 8) << 3);
            }
        }
        boolean inline = wide == 0 && length <= INLINE_CHARS;
        start[n] = from;
        shape[n] = length << 1 | (inline ? 0 : 1);
        hash[n] = mix(h);
        p0[n] = a;
        p1[n] = b;
    }

    /** Murmur3's finaliser: spreads the polynomial hash over all bits, since tables use the low ones. */
    private static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return h;
    }

    private void grow() {
        int n = start.length * 2;
        start = Arrays.copyOf(start, n);
        shape = Arrays.copyOf(shape, n);
        hash = Arrays.copyOf(hash, n);
        p0 = Arrays.copyOf(p0, n);
        p1 = Arrays.copyOf(p1, n);
    }

    int length(int i) {
        return shape[i] >>> 1;
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
        return topic.substring(start[i], start[i] + length(i));
    }

    /** True if the topic starts with '$' (MQTT-4.7.2-1). */
    boolean dollar() {
        return !topic.isEmpty() && topic.charAt(0) == '$';
    }
}
