package dev.tern.jmh;

import dev.tern.broker.routing.Delivery;
import dev.tern.broker.routing.Subscriber;
import dev.tern.broker.routing.Subscription;
import dev.tern.codec.QoS;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A deterministic subscription and publish workload shaped like a device fleet: every client holds
 * ten subscriptions, five exact and five with wildcards ({@code +} in the middle and at the start,
 * {@code #} at the end), over topics three to five levels deep. Ten clients share a site, a thousand
 * a tenant, so a publish reaches on average 2.7 subscriptions whatever the number of clients: the
 * benchmarks compare the cost of finding subscriptions, not of a growing fan-out.
 *
 * <p>Fan-out per published topic kind (see {@link #topic}): kinds 0–4, 7 and 8 reach one
 * subscription of the publishing client (three of them through a wildcard), kinds 5 and 6 reach
 * the ten clients of a site (through {@code rooms/+/alarm} and {@code energy/#}), kind 9 none:
 * (7 × 1 + 2 × 10 + 0) / 10 = 2.7 deliveries per publish.
 *
 * <p>Filters of client {@code i} ({@code id = "sensor-%06d"}, site {@code i/10}, room {@code i%10},
 * tenant {@code i/1000}):
 * <pre>
 *   devices/{id}/cmd                      devices/{id}/config/set
 *   devices/{id}/ota/+                    devices/{id}/rpc/#
 *   sites/{site}/rooms/{room}/temperature sites/{site}/rooms/{room}/humidity
 *   sites/{site}/rooms/+/alarm            sites/{site}/energy/#
 *   tenants/{tenant}/devices/{id}/events  +/{id}/presence
 * </pre>
 */
final class RoutingWorkload {
    static final int SUBSCRIPTIONS_PER_CLIENT = 10;
    static final int CLIENTS_PER_SITE = 10;
    static final int CLIENTS_PER_TENANT = 1000;
    /** Kinds of published topics, drawn uniformly; see {@link #topic}. */
    static final int TOPIC_KINDS = 10;

    private RoutingWorkload() {}

    /** A subscriber with a name only; the trie never delivers to it. */
    record BenchSubscriber(String clientId) implements Subscriber {
        @Override
        public void deliver(Delivery delivery) {
            delivery.release();
        }
    }

    static String clientId(int client) {
        return "sensor-" + pad(client, 6);
    }

    private static String site(int client) {
        return "site-" + pad(client / CLIENTS_PER_SITE, 5);
    }

    private static String room(int client) {
        return "room-" + client % CLIENTS_PER_SITE;
    }

    private static String tenant(int client) {
        return "tenant-" + pad(client / CLIENTS_PER_TENANT, 3);
    }

    private static String pad(int n, int width) {
        String s = Integer.toString(n);
        return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }

    /** Filter number {@code k} (0..9) of a client. */
    static String filter(int client, int k) {
        String id = clientId(client);
        return switch (k) {
            case 0 -> "devices/" + id + "/cmd";
            case 1 -> "devices/" + id + "/config/set";
            case 2 -> "devices/" + id + "/ota/+";
            case 3 -> "devices/" + id + "/rpc/#";
            case 4 -> "sites/" + site(client) + "/rooms/" + room(client) + "/temperature";
            case 5 -> "sites/" + site(client) + "/rooms/" + room(client) + "/humidity";
            case 6 -> "sites/" + site(client) + "/rooms/+/alarm";
            case 7 -> "sites/" + site(client) + "/energy/#";
            case 8 -> "tenants/" + tenant(client) + "/devices/" + id + "/events";
            case 9 -> "+/" + id + "/presence";
            default -> throw new IllegalArgumentException("filter " + k);
        };
    }

    /** Topic of kind {@code k} (0..9) published for a client; kinds 5 and 6 reach the ten clients of a site, 9 none. */
    static String topic(int client, int k) {
        String id = clientId(client);
        return switch (k) {
            case 0 -> "devices/" + id + "/cmd";
            case 1 -> "devices/" + id + "/config/set";
            case 2 -> "devices/" + id + "/ota/progress";
            case 3 -> "devices/" + id + "/rpc/request/17";
            case 4 -> "sites/" + site(client) + "/rooms/" + room(client) + "/temperature";
            case 5 -> "sites/" + site(client) + "/rooms/" + room(client) + "/alarm";
            case 6 -> "sites/" + site(client) + "/energy/meter/total";
            case 7 -> "tenants/" + tenant(client) + "/devices/" + id + "/events";
            case 8 -> "devices/" + id + "/presence";
            case 9 -> "devices/" + id + "/telemetry";
            default -> throw new IllegalArgumentException("topic " + k);
        };
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
                out.add(Subscription.of(s, filter(c, k), QoS.of((c + k) % 3)));
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
            SplittableRandom r = new SplittableRandom(seed);
            offsets = new int[size];
            lengths = new int[size];
            List<byte[]> topics = new ArrayList<>(size);
            int total = 0;
            for (int i = 0; i < size; i++) {
                byte[] t = RoutingWorkload.topic(r.nextInt(clients), r.nextInt(TOPIC_KINDS)).getBytes(StandardCharsets.UTF_8);
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
