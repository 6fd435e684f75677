package dev.tern.jmh;

import dev.tern.broker.routing.Message;
import dev.tern.broker.routing.RetainedStore;
import dev.tern.broker.routing.Router;
import dev.tern.broker.routing.Subscription;
import dev.tern.broker.routing.SubscriptionTrie;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.QoS;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@link Router#publish} of one QoS 1 message with a 64-byte payload over the {@link RoutingWorkload}:
 * the trie match plus what the router does per recipient (merge overlapping subscriptions, reduce
 * the QoS, one {@code Delivery} each). The subscribers release their delivery at once, so session
 * queues and the network are not part of it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RouterPublishBenchmark {
    @Param({"100", "10000", "1000000"})
    public int subscriptions;

    private static final int POOL = 1 << 18;

    private Router router;
    private RoutingWorkload.TopicPool topics;
    private ByteBuf payload;
    private int next;

    @Setup
    public void setUp() {
        int clients = RoutingWorkload.clientsFor(subscriptions);
        SubscriptionTrie trie = new SubscriptionTrie();
        for (Subscription s : RoutingWorkload.subscriptions(clients)) {
            trie.add(s);
        }
        router = new Router(trie, new RetainedStore(), false);
        topics = new RoutingWorkload.TopicPool(clients, POOL, 42);
        payload = Unpooled.wrappedBuffer(new byte[64]);
    }

    @TearDown
    public void tearDown() {
        payload.release();
    }

    @Benchmark
    public int publish() {
        int i = next;
        next = (i + 1) & (POOL - 1);
        Message m = new Message(topics.topic(i), payload.retain(), QoS.AT_LEAST_ONCE, false, MqttProperties.EMPTY,
                "publisher");
        int n = router.publish(m);
        m.release();
        return n;
    }
}
