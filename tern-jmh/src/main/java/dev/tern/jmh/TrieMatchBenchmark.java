package dev.tern.jmh;

import dev.tern.broker.routing.Subscription;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Matching one published topic against the trie, with 100 to 1,000,000 subscriptions of the
 * {@link RoutingWorkload}. One operation is one match of a fresh topic string; the sink reads each
 * subscription's QoS, as the router does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TrieMatchBenchmark {
    /** Number of subscriptions; one client per ten. */
    @Param({"100", "10000", "1000000"})
    public int subscriptions;

    /** {@code tern}: the trie as built; {@code baseline}: the implementation before the performance work. */
    @Param({"tern"})
    public String impl;

    /** Topics published, cycled through; more than the caches hold, so that every match walks cold nodes. */
    private static final int POOL = 1 << 18;

    private TrieBenchmarkSupport.Trie trie;
    private RoutingWorkload.TopicPool topics;
    private final CountingSink sink = new CountingSink();
    private int next;

    /** Counts matches and reads the granted QoS of each, like the router's collector. */
    static final class CountingSink implements Consumer<Subscription> {
        int matches;
        int qosSum;

        @Override
        public void accept(Subscription s) {
            matches++;
            qosSum += s.qos().value();
        }
    }

    @Setup
    public void setUp() {
        int clients = RoutingWorkload.clientsFor(subscriptions);
        trie = TrieBenchmarkSupport.create(impl);
        for (Subscription s : RoutingWorkload.subscriptions(clients)) {
            trie.add(s);
        }
        if (trie.size() != (long) clients * RoutingWorkload.SUBSCRIPTIONS_PER_CLIENT) {
            throw new IllegalStateException("trie holds " + trie.size() + " subscriptions");
        }
        topics = new RoutingWorkload.TopicPool(clients, POOL, 42);
        // Check the workload's promise (2.7 matches per publish on average) before measuring.
        CountingSink check = new CountingSink();
        for (int i = 0; i < POOL; i++) {
            trie.match(topics.topic(i), check);
        }
        double perPublish = (double) check.matches / POOL;
        if (perPublish < 2.5 || perPublish > 2.9) {
            throw new IllegalStateException("expected about 2.7 matches per publish, saw " + perPublish);
        }
    }

    @Benchmark
    public int match() {
        int i = next;
        next = (i + 1) & (POOL - 1);
        CountingSink s = sink;
        int before = s.matches;
        trie.match(topics.topic(i), s);
        return s.matches - before + s.qosSum;
    }
}
