package dev.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.codec.DecodeResult;
import dev.tern.codec.MqttPacketDecoder;
import dev.tern.codec.MqttPacketEncoder;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.packet.ConnAck;
import dev.tern.codec.packet.Connect;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.PubAck;
import dev.tern.codec.packet.Publish;
import dev.tern.codec.packet.SubAck;
import dev.tern.codec.packet.Subscribe;
import dev.tern.codec.packet.TopicSubscription;
import dev.tern.testkit.ExternalCommand;
import dev.tern.testkit.FreePort;
import dev.tern.testkit.RawClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tern as a process whose disk "fills up": its file-size limit (RLIMIT_FSIZE) is lowered to 0 with
 * {@code prlimit} while it runs, so that the kernel refuses every write that extends a file (EFBIG; the
 * launcher ignores SIGXFSZ as a full disk's ENOSPC would not signal either), and raised again later. A
 * small loop-mounted or size-limited file system would be closer, but needs root privileges this
 * environment does not give. MQTT 5.0 publishers to persistent sessions must get 0x97, QoS 0 and clean
 * sessions must keep working, and everything acknowledged must arrive once space returns.
 */
class BrokerDiskFullIT {
    private static final UnpooledByteBufAllocator HEAP = new UnpooledByteBufAllocator(false);

    @TempDir
    Path dir;

    /** A minimal MQTT 5.0 client over a raw socket. */
    static final class Client implements AutoCloseable {
        final RawClient raw;
        final MqttPacketDecoder decoder = new MqttPacketDecoder(MqttPacketDecoder.MAX_PACKET_SIZE, HEAP);

        Client(int port, String id, long sessionExpiry) throws IOException {
            raw = RawClient.connect(port);
            send(new Connect(MqttVersion.MQTT_5, id, true, 60, null, null, null, sessionExpiry == 0
                    ? MqttProperties.EMPTY : MqttProperties.builder().sessionExpiryInterval(sessionExpiry).build()));
            assertThat(((ConnAck) receive(Duration.ofSeconds(10))).reasonCode()).isZero();
        }

        void send(MqttPacket p) throws IOException {
            ByteBuf b = MqttPacketEncoder.encode(p, MqttVersion.MQTT_5, HEAP);
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            b.release();
            raw.send(bytes);
        }

        MqttPacket receive(Duration timeout) throws IOException {
            DecodeResult r = decoder.decode(Unpooled.wrappedBuffer(raw.readPacket(timeout)), MqttVersion.MQTT_5);
            return ((DecodeResult.Decoded) r).packet();
        }

        void subscribe(String filter, QoS qos) throws IOException {
            send(new Subscribe(1, List.of(new TopicSubscription(filter, qos)), MqttProperties.EMPTY));
            assertThat(receive(Duration.ofSeconds(10))).isInstanceOf(SubAck.class);
        }

        void publish(String topic, String payload, QoS qos, int id) throws IOException {
            send(new Publish(topic, qos, false, false, id, MqttProperties.EMPTY,
                    Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8)));
        }

        @Override
        public void close() throws IOException {
            raw.close();
        }
    }

    @Test
    @DisplayName("disk full (writes refused by the kernel): 0x97 for persistent sessions, QoS 0 and clean sessions"
            + " served, recovery when space returns, nothing acknowledged lost")
    void diskFull() throws Exception {
        Assumptions.assumeTrue(ExternalCommand.isAvailable("prlimit"), "prlimit (util-linux) is not installed");
        int port = FreePort.find();
        Path conf = dir.resolve("tern.conf");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence true\n"
                + "persistence_location " + dir.resolve("store") + "\nsys_interval 0\nlog_dest stdout\n");
        String java = ProcessHandle.current().info().command().orElse("java");
        // Output through a pipe into the test's files is written by ExternalCommand, not by the broker.
        String cmd = "trap '' XFSZ; exec '" + java + "' -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED -cp '"
                + System.getProperty("java.class.path") + "' dev.tern.cli.Main broker -c '" + conf + "' | cat";
        try (ExternalCommand broker = ExternalCommand.start(List.of("bash", "-c", cmd), dir)) {
            awaitPort(port);
            long brokerPid = javaChild(broker.pid());
            try (Client durable = new Client(port, "durable", 3600);
                 Client clean = new Client(port, "clean", 0);
                 Client pub = new Client(port, "pub", 0)) {
                durable.subscribe("d/#", QoS.AT_LEAST_ONCE);
                clean.subscribe("c/#", QoS.AT_LEAST_ONCE);
                Set<String> acked = new HashSet<>();
                Map<Integer, String> sent = new HashMap<>();
                pub.publish("d/0", "before", QoS.AT_LEAST_ONCE, 1);
                assertThat(((PubAck) pub.receive(Duration.ofSeconds(10))).reasonCode()).isZero();
                acked.add("before");

                assertThat(prlimit(brokerPid, "0:unlimited")).isZero();
                int id = 2;
                boolean refused = false;
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!refused && System.nanoTime() < deadline) {
                    sent.put(id, "full-" + id);
                    pub.publish("d/x", "full-" + id, QoS.AT_LEAST_ONCE, id++);
                    // A write already under way when the limit fell may hang inside RocksDB: its PUBACK waits.
                    for (MqttPacket p : drain(pub, Duration.ofMillis(500))) {
                        PubAck a = (PubAck) p;
                        if (a.reasonCode() == ReasonCodes.QUOTA_EXCEEDED) {
                            refused = true;
                        } else if (a.reasonCode() < 0x80) {
                            acked.add(sent.get(a.packetId()));
                        }
                    }
                }
                assertThat(refused).as("a PUBACK with 0x97 while the disk is full").isTrue();
                // Clean sessions and QoS 0 are not affected.
                pub.publish("c/1", "clean", QoS.AT_LEAST_ONCE, 60_000);
                List<MqttPacket> acks = drain(pub, Duration.ofSeconds(2));
                assertThat(acks).anySatisfy(p -> assertThat(((PubAck) p).packetId()).isEqualTo(60_000));
                acks.stream().map(p -> (PubAck) p).filter(a -> a.packetId() != 60_000 && a.reasonCode() < 0x80)
                        .forEach(a -> acked.add(sent.get(a.packetId())));
                assertThat(((Publish) clean.receive(Duration.ofSeconds(10))).topic()).isEqualTo("c/1");
                pub.publish("d/q0", "qos0", QoS.AT_MOST_ONCE, 0);

                assertThat(prlimit(brokerPid, "unlimited:unlimited")).isZero();
                boolean recovered = false;
                deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!recovered && System.nanoTime() < deadline) {
                    sent.put(id, "after-" + id);
                    pub.publish("d/y", "after-" + id, QoS.AT_LEAST_ONCE, id++);
                    for (MqttPacket p : drain(pub, Duration.ofMillis(500))) {
                        PubAck a = (PubAck) p;
                        if (a.reasonCode() < 0x80) {
                            acked.add(sent.get(a.packetId()));
                            recovered |= sent.get(a.packetId()).startsWith("after-");
                        }
                    }
                }
                assertThat(recovered).as("a successful PUBACK once space returned").isTrue();
                assertThat(broker.stdout()).contains("Refusing new QoS 1/2 work for persistent sessions");
                // Everything acknowledged reaches the persistent subscriber.
                Set<String> got = new HashSet<>();
                deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (System.nanoTime() < deadline) {
                    try {
                        MqttPacket p = durable.receive(Duration.ofSeconds(2));
                        if (p instanceof Publish pp) {
                            got.add(pp.payload().toString(StandardCharsets.UTF_8));
                            if (pp.packetId() != 0) {
                                durable.send(new PubAck(pp.packetId()));
                            }
                        }
                    } catch (SocketTimeoutException e) {
                        break;
                    }
                }
                assertThat(got).contains("before", "qos0");
                assertThat(got).as("every message acknowledged, before, during and after").containsAll(acked);
            } finally {
                // Closing the command kills bash only; java, its child, would outlive the test.
                ProcessHandle.of(brokerPid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    private static List<MqttPacket> drain(Client c, Duration wait) throws IOException {
        List<MqttPacket> out = new ArrayList<>();
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                out.add(c.receive(Duration.ofMillis(Math.max(1, (deadline - System.nanoTime()) / 1_000_000))));
            } catch (SocketTimeoutException e) {
                break;
            }
        }
        return out;
    }

    /** The pid of the java process bash started (bash runs java | cat, so java is a child). */
    private static long javaChild(long bashPid) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            var child = ProcessHandle.of(bashPid).flatMap(h -> h.children().filter(c -> c.info().command()
                    .map(s -> s.endsWith("java")).orElse(false)).findFirst());
            if (child.isPresent()) {
                return child.get().pid();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no java process under " + bashPid);
    }

    private static int prlimit(long pid, String fsize) throws Exception {
        try (ExternalCommand c = ExternalCommand.start("prlimit", "--pid", String.valueOf(pid), "--fsize=" + fsize)) {
            return c.waitFor(Duration.ofSeconds(10));
        }
    }

    private static void awaitPort(int port) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the broker did not listen on " + port);
    }
}
