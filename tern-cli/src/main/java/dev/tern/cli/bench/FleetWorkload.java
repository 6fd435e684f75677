package dev.tern.cli.bench;

import java.util.SplittableRandom;

/**
 * A deterministic subscription and publish workload shaped like a device fleet, shared by
 * {@code tern bench fleet} and the routing micro-benchmarks, so that both measure the same trie.
 *
 * <p>Every client holds ten subscriptions, five exact and five with wildcards ({@code +} in the
 * middle and at the start, {@code #} at the end), over topics three to five levels deep. Ten clients
 * share a site, a thousand a tenant, so a publish reaches on average 2.7 subscriptions whatever the
 * number of clients: a run compares the cost of finding subscriptions, not of a growing fan-out.
 *
 * <p>Fan-out per published topic kind (see {@link #topic}): kinds 0–4, 7 and 8 reach one
 * subscription of the publishing client (three of them through a wildcard), kinds 5 and 6 reach the
 * ten clients of a site (through {@code rooms/+/alarm} and {@code energy/#}), kind 9 none:
 * (7 × 1 + 2 × 10 + 0) / 10 = 2.7 subscriptions per publish.
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
public final class FleetWorkload {
    /** Subscriptions of each client. */
    public static final int SUBSCRIPTIONS_PER_CLIENT = 10;
    /** Kinds of published topics, drawn uniformly; see {@link #topic}. */
    public static final int TOPIC_KINDS = 10;
    private static final int CLIENTS_PER_SITE = 10;
    private static final int CLIENTS_PER_TENANT = 1000;

    private FleetWorkload() {}

    /** The client id of fleet client {@code client}. */
    public static String clientId(int client) {
        return "sensor-" + pad(client, 6);
    }

    /** Filter number {@code k} (0..9) of a client. */
    public static String filter(int client, int k) {
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

    /** The granted QoS the workload asks for with filter {@code k} of a client (0, 1 and 2 mixed). */
    public static int qos(int client, int k) {
        return (client + k) % 3;
    }

    /** Topic of kind {@code k} (0..9) published for a client; kinds 5 and 6 reach the ten clients of a site, 9 none. */
    public static String topic(int client, int k) {
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

    /** {@code count} topics drawn uniformly over the first {@code clients} clients and the ten kinds. */
    public static String[] topics(int clients, int count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        String[] out = new String[count];
        for (int i = 0; i < count; i++) {
            out[i] = topic(r.nextInt(clients), r.nextInt(TOPIC_KINDS));
        }
        return out;
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
}
