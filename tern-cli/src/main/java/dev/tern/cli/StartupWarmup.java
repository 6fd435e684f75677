package dev.tern.cli;

import dev.tern.broker.TernBroker;
import dev.tern.broker.config.BrokerConfig;
import dev.tern.broker.config.ListenerConfig;
import dev.tern.broker.config.PersistenceSettings;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Connects MQTT clients to a throwaway broker in this JVM before the real listeners open, so that
 * the first burst of real clients (typically everyone reconnecting after a restart) finds the
 * connection path compiled rather than interpreted.
 *
 * <p>A fresh JVM spends its first connect storm in the interpreter and in the JIT: measured on two
 * cores, 19,000 clients took about 4.5 s into a fresh broker and 2.6 s into a warm one. The throwaway
 * broker is in memory, anonymous, without {@code $SYS} and on its own loopback port; the real broker
 * shares nothing with it but the compiled code. The clients are plain JDK sockets, so that no Netty
 * client code runs on the broker's classes and skews their profiles. They only connect and
 * disconnect: a warm-up that also subscribed and published (a third of the clients, QoS 0 and 1)
 * left 5.7% less saturated fan-in throughput on the mean of seven alternating rounds (inside the
 * runs' noise, but in the wrong direction): C2 compiled the publish path with its profile rather
 * than the real traffic's, and a connect storm does not need it.
 */
final class StartupWarmup {
    /** Clients one batch holds open at the same time: enough for the event loops to see bursts. */
    private static final int BATCH = 100;
    private static final int SOCKET_TIMEOUT_MILLIS = 5_000;

    /**
     * What a warm-up did.
     *
     * @param connections clients that connected
     * @param elapsed     from start to the throwaway broker closed
     * @param end         why it ended
     * @param port        the loopback port the throwaway broker had
     */
    record Result(int connections, Duration elapsed, End end, int port) {}

    /** Why a warm-up ended. */
    enum End { DONE, TIME_BUDGET, STOP_REQUESTED }

    private final int clients;
    private final Duration budget;
    private final int eventLoopThreads;

    /**
     * @param clients          how many clients connect in all
     * @param budget           the warm-up stops after its current batch once this much time has passed
     * @param eventLoopThreads as configured for the real broker (0: one per core)
     */
    StartupWarmup(int clients, Duration budget, int eventLoopThreads) {
        if (clients < 0) {
            throw new IllegalArgumentException("clients must be >= 0");
        }
        this.clients = clients;
        this.budget = budget;
        this.eventLoopThreads = eventLoopThreads;
    }

    /**
     * Starts the throwaway broker, runs the clients through it and closes it.
     *
     * @param stop checked between batches: true ends the warm-up early (e.g. SIGTERM during start-up)
     * @throws IOException if the throwaway broker cannot listen or a client's exchange fails
     */
    Result run(BooleanSupplier stop) throws IOException {
        long start = System.nanoTime();
        long deadline = start + budget.toNanos();
        BrokerConfig config = BrokerConfig.builder()
                .listener(ListenerConfig.mqtt(0, "127.0.0.1"))
                .allowAnonymous(true)
                .persistence(PersistenceSettings.DEFAULT.withEnabled(false))
                .sysInterval(Duration.ZERO)
                .connectionMessages(false)
                .eventLoopThreads(eventLoopThreads)
                .build();
        int connections = 0;
        int port;
        End end = End.DONE;
        TernBroker broker;
        try {
            broker = TernBroker.builder().config(config).build().start();
        } catch (BindException e) {
            throw new IOException("warm-up broker cannot listen: " + e.getMessage(), e);
        }
        try (broker) {
            port = broker.port();
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            while (connections < clients) {
                if (stop.getAsBoolean()) {
                    end = End.STOP_REQUESTED;
                    break;
                }
                if (System.nanoTime() - deadline > 0) {
                    end = End.TIME_BUDGET;
                    break;
                }
                int n = Math.min(BATCH, clients - connections);
                batch(address, connections, n);
                connections += n;
            }
        }
        return new Result(connections, Duration.ofNanos(System.nanoTime() - start), end, port);
    }

    /**
     * Connects {@code n} clients at once and ends them, half with DISCONNECT and half by closing the
     * socket (each way in both protocol versions).
     */
    private static void batch(InetSocketAddress address, int first, int n) throws IOException {
        Socket[] sockets = new Socket[n];
        try {
            for (int i = 0; i < n; i++) {
                Socket s = new Socket();
                sockets[i] = s;
                s.setTcpNoDelay(true);
                s.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
                s.connect(address, SOCKET_TIMEOUT_MILLIS);
                int id = first + i;
                s.getOutputStream().write(WarmupPackets.connect("tern-warmup-" + id, version(id)));
            }
            for (int i = 0; i < n; i++) {
                expect(sockets[i].getInputStream(), WarmupPackets.CONNACK, first + i);
            }
            for (int i = 0; i < n; i++) {
                if ((first + i) / 2 % 2 == 0) {
                    sockets[i].getOutputStream().write(WarmupPackets.DISCONNECT);
                }
            }
        } finally {
            for (Socket s : sockets) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }

    /** MQTT 3.1.1 and 5.0 alternately: both paths get compiled. */
    private static int version(int id) {
        return id % 2 == 0 ? 4 : 5;
    }

    private static void expect(InputStream in, int type, int id) throws IOException {
        Packet p = WarmupPackets.read(in);
        if (p.type() != type) {
            throw new IOException("warm-up client " + id + ": expected packet type " + type + ", got " + p.type());
        }
    }

    /** One MQTT packet as read: type, the fixed header's flags and the bytes after the length. */
    record Packet(int type, int flags, byte[] body) {}

    /** The few packets the warm-up clients send, encoded by hand so that no broker code encodes them. */
    static final class WarmupPackets {
        static final int CONNACK = 2;
        static final byte[] DISCONNECT = {(byte) 0xE0, 0};

        private WarmupPackets() {}

        static byte[] connect(String clientId, int version) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            string(body, "MQTT");
            body.write(version);
            body.write(0x02); // clean session / clean start
            body.write(0);
            body.write(60); // keep alive, seconds
            if (version == 5) {
                body.write(0); // no properties
            }
            string(body, clientId);
            return packet(0x10, body);
        }

        static Packet read(InputStream in) throws IOException {
            int header = in.read();
            if (header < 0) {
                throw new EOFException("warm-up broker closed the connection");
            }
            int length = 0;
            for (int shift = 0; ; shift += 7) {
                int b = in.read();
                if (b < 0 || shift > 21) {
                    throw new EOFException("bad remaining length from warm-up broker");
                }
                length |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    break;
                }
            }
            byte[] body = in.readNBytes(length);
            if (body.length < length) {
                throw new EOFException("warm-up broker closed the connection inside a packet");
            }
            return new Packet(header >> 4, header & 0x0F, body);
        }

        private static void string(ByteArrayOutputStream out, String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            out.write(utf8.length >> 8);
            out.write(utf8.length);
            out.writeBytes(utf8);
        }

        private static byte[] packet(int firstByte, ByteArrayOutputStream body) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(body.size() + 5);
            out.write(firstByte);
            int length = body.size();
            do {
                int b = length & 0x7F;
                length >>>= 7;
                out.write(length > 0 ? b | 0x80 : b);
            } while (length > 0);
            out.writeBytes(body.toByteArray());
            return out.toByteArray();
        }
    }
}
