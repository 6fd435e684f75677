package dev.tern.jmh;

import dev.tern.broker.routing.Subscription;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Retained heap of the subscription trie, measured as heap in use after full collections: first with
 * the workload's subscriptions alone (the Subscription records, their filter strings and one
 * subscriber object per client, which a broker holds in its sessions anyway), then with the same
 * subscriptions in a trie. The difference is what the trie itself costs.
 *
 * <p>Usage: {@code TrieFootprint [--impl=tern|baseline] [N...]} (default 100 10000 100000 1000000). Run it with a fixed heap
 * and one collector, e.g. {@code -Xmx1g -XX:+UseSerialGC}, so that "used after GC" is exact; with
 * {@code -Xmx300m} it also shows whether a million subscriptions fit in 300 MB.
 */
public final class TrieFootprint {
    private TrieFootprint() {}

    public static void main(String[] args) {
        List<Integer> sizes = new ArrayList<>();
        String impl = "tern";
        for (String a : args) {
            if (a.startsWith("--impl=")) {
                impl = a.substring("--impl=".length());
            } else {
                sizes.add(Integer.parseInt(a));
            }
        }
        if (sizes.isEmpty()) {
            sizes = List.of(100, 10_000, 100_000, 1_000_000);
        }
        System.out.println("trie: " + impl);
        System.out.printf(Locale.ROOT, "%-12s %14s %14s %14s %14s%n", "subscriptions", "subs MB", "trie MB",
                "trie B/sub", "total B/sub");
        for (int n : sizes) {
            measure(n, impl);
        }
    }

    private static void measure(int n, String impl) {
        long empty = usedAfterGc();
        List<Subscription> subs = RoutingWorkload.subscriptions(RoutingWorkload.clientsFor(n));
        long withSubs = usedAfterGc();
        TrieBenchmarkSupport.Trie trie = TrieBenchmarkSupport.create(impl);
        for (Subscription s : subs) {
            trie.add(s);
        }
        long withTrie = usedAfterGc();
        if (trie.size() != subs.size()) {
            throw new IllegalStateException("trie holds " + trie.size() + " of " + subs.size());
        }
        long subsBytes = withSubs - empty;
        long trieBytes = withTrie - withSubs;
        System.out.printf(Locale.ROOT, "%-12d %14.1f %14.1f %14.1f %14.1f%n", subs.size(), subsBytes / 1e6,
                trieBytes / 1e6, (double) trieBytes / subs.size(), (double) (withTrie - empty) / subs.size());
        // Keep both reachable until measured.
        if (trie.size() < 0 || subs.isEmpty()) {
            System.out.println(trie);
        }
    }

    private static long usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        // Several rounds: the last may still free what an earlier one only found unreachable.
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
