package dev.tern.jmh;

import dev.tern.broker.routing.Delivery;
import dev.tern.cli.bench.FleetWorkload;
import dev.tern.broker.routing.Subscriber;
import dev.tern.broker.routing.Subscription;
import dev.tern.codec.QoS;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The device-fleet workload of {@link FleetWorkload} (the same filters and topics {@code tern bench
 * fleet} uses against a running broker) as subscriptions and a topic pool for the routing
 * benchmarks: 2.7 deliveries per publish whatever the number of clients.
 */
final class RoutingWorkload {
    static final int SUBSCRIPTIONS_PER_CLIENT = FleetWorkload.SUBSCRIPTIONS_PER_CLIENT;

    private RoutingWorkload() {}

    /** A subscriber with a name only; the trie never delivers to it. */
    record BenchSubscriber(String clientId) implements Subscriber {
        @Override
        public void deliver(Delivery delivery) {
            delivery.release();
        }
    }

    static String clientId(int client) {
        return FleetWorkload.clientId(client);
    }

    /** Filter number {@code k} (0..9) of a client. */
    static String filter(int client, int k) {
        return FleetWorkload.filter(client, k);
    }

    /** The number of clients that hold {@code subscriptions} subscriptions (at least one). */
    static int clientsFor(int subscriptions) {
        return Math.max(1, subscriptions / SUBSCRIPTIONS_PER_CLIENT);
    }

    /** Every subscription of the first {@code clients} clients, client by client, QoS varying. */
    static List<Subscription> subscriptions(int clients) {
        List<Subscription> out = new ArrayList<>(clients * SUBSCRIPTIONS_PER_CLIENT);
        for (int c = 0; c < clients; c++) {
            BenchSubscriber s = new BenchSubscriber(clientId(c));
            for (int k = 0; k < SUBSCRIPTIONS_PER_CLIENT; k++) {
                out.add(Subscription.of(s, filter(c, k), QoS.of(FleetWorkload.qos(c, k))));
            }
        }
        return out;
    }

    /**
     * Published topics as UTF-8 bytes, drawn uniformly over clients and kinds. The benchmarks turn
     * each into a fresh String per operation, as the decoder does, so that the topic is in the cache
     * and the trie is not.
     */
    static final class TopicPool {
        final byte[] bytes;
        final int[] offsets;
        final int[] lengths;

        TopicPool(int clients, int size, long seed) {
            String[] drawn = FleetWorkload.topics(clients, size, seed);
            offsets = new int[size];
            lengths = new int[size];
            List<byte[]> topics = new ArrayList<>(size);
            int total = 0;
            for (int i = 0; i < size; i++) {
                byte[] t = drawn[i].getBytes(StandardCharsets.UTF_8);
                topics.add(t);
                offsets[i] = total;
                lengths[i] = t.length;
                total += t.length;
            }
            bytes = new byte[total];
            for (int i = 0; i < size; i++) {
                System.arraycopy(topics.get(i), 0, bytes, offsets[i], lengths[i]);
            }
        }

        String topic(int i) {
            return new String(bytes, offsets[i], lengths[i], StandardCharsets.UTF_8);
        }
    }
}
