package dev.tern.cli.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark scenarios. Each one turns the options into the list of connections to open and says
 * how many copies of each published message the subscribers should receive together. Adding a
 * scenario is adding a constant here.
 */
enum Scenario {
    /** Connections only: open {@code -c} connections and keep them idle. */
    CONN("conn", "-c idle connections (connect rate, connect latency, memory per connection)") {
        @Override
        List<ClientSpec> clients(BenchOptions o) {
            return specs(o, Role.IDLE, o.clientsOr(10), "");
        }
    },
    /** Publishers only: {@code -c} clients publishing to {@code -t} (default bench/%i). */
    PUB("pub", "-c publishers to -t (default bench/%i); no subscribers") {
        @Override
        List<ClientSpec> clients(BenchOptions o) {
            return specs(o, Role.PUBLISHER, o.clientsOr(10), o.topicOr("bench/%i"));
        }
    },
    /** Subscribers only: {@code -s} clients subscribed to {@code -t} (default bench/#), e.g. for another process's pub. */
    SUB("sub", "-s subscribers to -t (default bench/#); publishers come from elsewhere") {
        @Override
        List<ClientSpec> clients(BenchOptions o) {
            return specs(o, Role.SUBSCRIBER, o.subscribersOr(1), o.topicOr("bench/#"));
        }
    },
    /** Fan-in: {@code -c} publishers to bench/%i, one (or {@code -s}) subscriber to bench/#. */
    FAN_IN("fan-in", "-c publishers to bench/%i -> -s (default 1) subscribers to bench/#") {
        @Override
        List<ClientSpec> clients(BenchOptions o) {
            List<ClientSpec> l = specs(o, Role.SUBSCRIBER, o.subscribersOr(1), o.filterOr("bench/#"));
            l.addAll(specs(o, Role.PUBLISHER, o.clientsOr(10), o.topicOr("bench/%i")));
            return l;
        }

        @Override
        int copies(BenchOptions o) {
            return o.subscribersOr(1);
        }
    },
    /** Fan-out: one (or {@code -c}) publisher to bench/fan-out, {@code -s} subscribers to it. */
    FAN_OUT("fan-out", "-c (default 1) publishers to bench/fan-out -> -s subscribers to it") {
        @Override
        List<ClientSpec> clients(BenchOptions o) {
            List<ClientSpec> l = specs(o, Role.SUBSCRIBER, o.subscribersOr(100), o.filterOr("bench/fan-out"));
            l.addAll(specs(o, Role.PUBLISHER, o.clientsOr(1), o.topicOr("bench/fan-out")));
            return l;
        }

        @Override
        int copies(BenchOptions o) {
            return o.subscribersOr(100);
        }
    },
    /** Point-to-point pairs: publisher i to bench/pair/i, subscriber i to bench/pair/i. */
    PAIRS("pairs", "-c pairs: publisher i -> bench/pair/i -> subscriber i") {
        @Override
        List<ClientSpec> clients(BenchOptions o) {
            List<ClientSpec> l = specs(o, Role.SUBSCRIBER, o.clientsOr(10), o.filterOr("bench/pair/%i"));
            l.addAll(specs(o, Role.PUBLISHER, o.clientsOr(10), o.topicOr("bench/pair/%i")));
            return l;
        }
    },
    /**
     * Routing: {@code --fleet} offline persistent sessions hold ten subscriptions each (see
     * {@link FleetWorkload}); {@code -c} publishers spread over the fleet's topics at QoS {@code -q},
     * one (or {@code -s}) subscriber to {@code #} counts each message once. Comparing {@code --fleet 10}
     * with {@code --fleet 100000} measures what 1,000,000 subscriptions cost the publish throughput.
     */
    FLEET("fleet", "--fleet (default 10) offline sessions with ten filters each; -c publishers to their topics -> -s (default 1) subscribers to #") {
        @Override
        List<ClientSpec> clients(BenchOptions o) {
            List<ClientSpec> l = specs(o, Role.SUBSCRIBER, o.subscribersOr(1), o.filterOr("#"));
            l.addAll(specs(o, Role.PUBLISHER, o.clientsOr(10), o.topicOr(ClientSpec.FLEET_TOPICS)));
            return l;
        }

        @Override
        int copies(BenchOptions o) {
            return o.subscribersOr(1);
        }
    },
    /** Shared-subscription fan-in: publishers to bench/%i, {@code -s} members of $share/bench/bench/#. */
    SHARED("shared", "-c publishers to bench/%i -> -s (default 2) members of $share/bench/bench/#") {
        @Override
        List<ClientSpec> clients(BenchOptions o) {
            List<ClientSpec> l = specs(o, Role.SUBSCRIBER, o.subscribersOr(2), o.filterOr("$share/bench/bench/#"));
            l.addAll(specs(o, Role.PUBLISHER, o.clientsOr(10), o.topicOr("bench/%i")));
            return l;
        }
    };

    private final String label;
    private final String description;

    Scenario(String label, String description) {
        this.label = label;
        this.description = description;
    }

    /** The name on the command line. */
    String label() {
        return label;
    }

    String description() {
        return description;
    }

    /** The connections to open, subscribers first (so that they are in place before publishing starts). */
    abstract List<ClientSpec> clients(BenchOptions o);

    /** How many subscribers receive each published message (0: the scenario has none of its own). */
    int copies(BenchOptions o) {
        return this == PUB || this == CONN || this == SUB ? 0 : 1;
    }

    static Scenario of(String name) {
        for (Scenario s : values()) {
            if (s.label.equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scenario '" + name + "'");
    }

    private static List<ClientSpec> specs(BenchOptions o, Role role, int n, String pattern) {
        List<ClientSpec> l = new ArrayList<>(n);
        String kind = switch (role) {
            case PUBLISHER -> "p";
            case SUBSCRIBER -> "s";
            case IDLE -> "c";
        };
        for (int i = 0; i < n; i++) {
            l.add(new ClientSpec(role, i, o.idPrefix + kind + i, pattern.replace("%i", Integer.toString(i))));
        }
        return l;
    }
}
