package dev.tern.jmh;

import dev.tern.broker.TernBroker;
import dev.tern.broker.config.BrokerConfig;
import dev.tern.broker.config.ListenerConfig;
import dev.tern.broker.config.PersistenceSettings;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Heap a whole broker holds for offline sessions and their subscriptions: starts a {@link TernBroker}
 * in this process (loopback, an ephemeral port, persistence off), then connects N clients of the
 * {@link RoutingWorkload} over TCP one after the other on a few threads. Each connects with MQTT
 * 3.1.1 and clean session 0, subscribes to its ten filters in one SUBSCRIBE, waits for the SUBACK
 * and disconnects, so the broker keeps its session (MQTT 3.1.1 sessions never expire unless
 * {@code persistent_client_expiration} is set) and nothing else: no connection, no channel. Reports
 * the heap in use after full collections before and after.
 *
 * <p>Usage: {@code BrokerFootprint [--hold] [CLIENTS]} (default 100000, ten subscriptions each;
 * {@code --hold} keeps the broker running after the report until Enter, for a class histogram). Run it with
 * a fixed heap and the serial collector (as {@code bench/jmh broker-footprint} does) so that "used
 * after GC" is exact. Connections close as they finish, so the process stays far below its file
 * descriptor limit; the client sockets bind to 64 loopback addresses in turn so that 100,000
 * connections in quick succession do not run out of ephemeral ports.
 */
public final class BrokerFootprint {
    private static final int THREADS = 4;
    private static final int SOURCE_ADDRESSES = 64;

    private BrokerFootprint() {}

    public static void main(String[] args) throws Exception {
        int clients = 100_000;
        boolean hold = false;
        for (String a : args) {
            if (a.equals("--hold")) {
                hold = true;
            } else {
                clients = Integer.parseInt(a);
            }
        }
        long before = usedAfterGc();
        BrokerConfig config = BrokerConfig.builder().sysInterval(Duration.ZERO).allowAnonymous(true)
                .persistence(PersistenceSettings.DEFAULT.withEnabled(false))
                .listener(ListenerConfig.mqtt(0, "127.0.0.1")).build();
        try (TernBroker broker = TernBroker.builder().config(config).build().start()) {
            long empty = usedAfterGc();
            long started = System.nanoTime();
            connectAll(broker.port(), clients);
            double seconds = (System.nanoTime() - started) / 1e9;
            long full = usedAfterGc();
            long subscriptions = broker.subscriptionCount();
            if (broker.sessionCount() != clients || subscriptions != (long) clients * RoutingWorkload.SUBSCRIPTIONS_PER_CLIENT) {
                throw new IllegalStateException("broker holds " + broker.sessionCount() + " sessions and "
                        + subscriptions + " subscriptions, expected " + clients + " and "
                        + clients * RoutingWorkload.SUBSCRIPTIONS_PER_CLIENT);
            }
            long held = full - empty;
            System.out.printf(Locale.ROOT, "sessions %d, subscriptions %d, set up in %.1f s%n", clients, subscriptions,
                    seconds);
            System.out.printf(Locale.ROOT, "heap after GC: JVM %.1f MB, empty broker %.1f MB, with sessions %.1f MB%n",
                    before / 1e6, empty / 1e6, full / 1e6);
            System.out.printf(Locale.ROOT, "held for the sessions: %.1f MB, %.0f B per session, %.0f B per subscription%n",
                    held / 1e6, (double) held / clients, (double) held / subscriptions);
            if (hold) {
                System.out.println("holding the sessions for inspection (jcmd " + ProcessHandle.current().pid()
                        + " GC.class_histogram); press Enter to stop");
                System.in.read();
            }
        }
    }

    private static void connectAll(int port, int clients) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Thread thread = new Thread(() -> {
                try {
                    for (int c = next.getAndIncrement(); c < clients && failure.get() == null; c = next.getAndIncrement()) {
                        session(port, c);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "footprint-client-" + t);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("setting up the sessions failed", failure.get());
        }
    }

    private static void session(int port, int client) throws IOException {
        try (Socket socket = new Socket()) {
            byte[] source = {127, 0, 1, (byte) (1 + client % SOURCE_ADDRESSES)};
            socket.bind(new InetSocketAddress(InetAddress.getByAddress(source), 0));
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 30_000);
            OutputStream out = socket.getOutputStream();
            out.write(connect(RoutingWorkload.clientId(client)));
            out.write(subscribe(client));
            out.write(new byte[] {(byte) 0xE0, 0}); // DISCONNECT
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] connack = new byte[4];
            in.readFully(connack);
            if (connack[0] != 0x20 || connack[3] != 0) {
                throw new IOException(RoutingWorkload.clientId(client) + ": CONNACK refused: " + connack[3]);
            }
            byte[] suback = new byte[4 + RoutingWorkload.SUBSCRIPTIONS_PER_CLIENT];
            in.readFully(suback);
            for (int k = 0; k < RoutingWorkload.SUBSCRIPTIONS_PER_CLIENT; k++) {
                if ((suback[4 + k] & 0x80) != 0) {
                    throw new IOException(RoutingWorkload.clientId(client) + ": SUBACK refused filter " + k);
                }
            }
            // The broker closes the connection after DISCONNECT; wait for it so that the session is offline.
            if (in.read() != -1) {
                throw new IOException(RoutingWorkload.clientId(client) + ": unexpected bytes after SUBACK");
            }
        }
    }

    private static byte[] connect(String clientId) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        string(body, "MQTT");
        body.write(4); // MQTT 3.1.1
        body.write(0); // clean session 0: the session outlives the connection
        body.write(0);
        body.write(60); // keep alive
        string(body, clientId);
        return packet(0x10, body.toByteArray());
    }

    private static byte[] subscribe(int client) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(0);
        body.write(1); // packet id
        for (int k = 0; k < RoutingWorkload.SUBSCRIPTIONS_PER_CLIENT; k++) {
            string(body, RoutingWorkload.filter(client, k));
            body.write((client + k) % 3);
        }
        return packet(0x82, body.toByteArray());
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b.length >> 8);
        out.write(b.length & 0xFF);
        out.write(b, 0, b.length);
    }

    private static byte[] packet(int type, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(type);
        int n = body.length;
        do {
            int digit = n & 0x7F;
            n >>>= 7;
            out.write(n > 0 ? digit | 0x80 : digit);
        } while (n > 0);
        out.write(body, 0, body.length);
        return out.toByteArray();
    }

    private static long usedAfterGc() {
        var memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
