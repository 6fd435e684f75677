package dev.tern.jmh;

import dev.tern.broker.routing.Subscription;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Subscribing and unsubscribing: building a trie of N subscriptions from empty, emptying a full one,
 * and the steady-state churn of one unsubscribe plus one subscribe in a full trie.
 */
public class TrieWriteBenchmark {

    /** A fresh, empty trie per invocation and the subscriptions to put in it. */
    @State(Scope.Thread)
    public static class Empty {
        @Param({"100", "10000", "1000000"})
        public int subscriptions;
        @Param({"tern"})
        public String impl;
        List<Subscription> all;
        TrieBenchmarkSupport.Trie trie;

        @Setup(Level.Trial)
        public void prepare() {
            all = RoutingWorkload.subscriptions(RoutingWorkload.clientsFor(subscriptions));
        }

        @Setup(Level.Invocation)
        public void emptyTrie() {
            trie = TrieBenchmarkSupport.create(impl);
        }
    }

    /** A full trie per invocation. */
    @State(Scope.Thread)
    public static class Full {
        @Param({"100", "10000", "1000000"})
        public int subscriptions;
        @Param({"tern"})
        public String impl;
        List<Subscription> all;
        TrieBenchmarkSupport.Trie trie;

        @Setup(Level.Trial)
        public void prepare() {
            all = RoutingWorkload.subscriptions(RoutingWorkload.clientsFor(subscriptions));
        }

        @Setup(Level.Invocation)
        public void fill() {
            trie = TrieBenchmarkSupport.create(impl);
            all.forEach(trie::add);
        }
    }

    /** One full trie for the whole trial; churn takes one subscription out and puts it back. */
    @State(Scope.Thread)
    public static class Steady {
        @Param({"100", "10000", "1000000"})
        public int subscriptions;
        @Param({"tern"})
        public String impl;
        Subscription[] all;
        TrieBenchmarkSupport.Trie trie;
        int next;

        @Setup(Level.Trial)
        public void fill() {
            List<Subscription> list = RoutingWorkload.subscriptions(RoutingWorkload.clientsFor(subscriptions));
            // A stride through the list so that consecutive operations touch different clients' nodes.
            all = new Subscription[list.size()];
            int stride = 7919; // prime, coprime with every size used here
            for (int i = 0; i < all.length; i++) {
                all[i] = list.get((int) ((long) i * stride % all.length));
            }
            trie = TrieBenchmarkSupport.create(impl);
            list.forEach(trie::add);
        }
    }

    /** Inserts N subscriptions into an empty trie; divide the time by N for one insert. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public long insertAll(Empty s) {
        for (Subscription sub : s.all) {
            s.trie.add(sub);
        }
        return s.trie.size();
    }

    /** Removes every subscription of a full trie of N (pruning every node); divide by N for one remove. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public long removeAll(Full s) {
        for (Subscription sub : s.all) {
            s.trie.remove(sub.subscriber(), sub.filter());
        }
        return s.trie.size();
    }

    /** One unsubscribe and one subscribe of the same subscription in a full trie of N. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Object churn(Steady s) {
        int i = s.next;
        s.next = i + 1 == s.all.length ? 0 : i + 1;
        Subscription sub = s.all[i];
        s.trie.remove(sub.subscriber(), sub.filter());
        return s.trie.add(sub) == null ? sub : s;
    }
}
