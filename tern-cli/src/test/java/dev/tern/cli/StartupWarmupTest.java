package dev.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.cli.StartupWarmup.WarmupPackets;
import dev.tern.codec.DecodeResult;
import dev.tern.codec.MqttPacketDecoder;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.packet.Connect;
import dev.tern.codec.packet.Disconnect;
import dev.tern.codec.packet.MqttPacket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The start-up warm-up: its clients' exchanges, its limits, and that it leaves nothing open. */
class StartupWarmupTest {

    @Test
    @DisplayName("every client connects and gets its CONNACK (a refused or broken exchange would throw)")
    void runsEveryClientThroughTheThrowawayBroker() throws IOException {
        StartupWarmup.Result r = new StartupWarmup(250, Duration.ofSeconds(60), 0).run(() -> false);

        assertThat(r.connections()).isEqualTo(250);
        assertThat(r.end()).isEqualTo(StartupWarmup.End.DONE);
    }

    @Test
    @DisplayName("the throwaway broker no longer listens once the warm-up returns")
    void closesItsBroker() throws IOException {
        StartupWarmup.Result r = new StartupWarmup(10, Duration.ofSeconds(60), 1).run(() -> false);

        assertThat(r.port()).isPositive();
        assertThatThrownBy(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", r.port()), 2_000);
            }
        }).isInstanceOf(ConnectException.class);
    }

    @Test
    @DisplayName("a stop request ends the warm-up after the current batch")
    void stopsWhenAsked() throws IOException {
        AtomicInteger asked = new AtomicInteger();
        StartupWarmup.Result r = new StartupWarmup(1_000, Duration.ofSeconds(60), 0)
                .run(() -> asked.incrementAndGet() > 1);

        assertThat(r.connections()).isEqualTo(100); // one batch
        assertThat(r.end()).isEqualTo(StartupWarmup.End.STOP_REQUESTED);
    }

    @Test
    @DisplayName("an exhausted time budget ends the warm-up before the next batch")
    void stopsAtItsBudget() throws IOException {
        StartupWarmup.Result r = new StartupWarmup(1_000, Duration.ZERO, 0).run(() -> false);

        assertThat(r.connections()).isZero();
        assertThat(r.end()).isEqualTo(StartupWarmup.End.TIME_BUDGET);
    }

    @Test
    void refusesANegativeCount() {
        assertThatThrownBy(() -> new StartupWarmup(-1, Duration.ofSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("the hand-encoded packets are what Tern's own decoder reads")
    void packetsDecode() {
        Connect v4 = (Connect) decode(WarmupPackets.connect("c-1", 4), null);
        assertThat(v4.version()).isEqualTo(MqttVersion.MQTT_3_1_1);
        assertThat(v4.clientId()).isEqualTo("c-1");
        assertThat(v4.cleanStart()).isTrue();
        assertThat(v4.keepAliveSeconds()).isEqualTo(60);
        assertThat(((Connect) decode(WarmupPackets.connect("c-2", 5), null)).version()).isEqualTo(MqttVersion.MQTT_5);

        assertThat(decode(WarmupPackets.DISCONNECT, MqttVersion.MQTT_3_1_1)).isInstanceOf(Disconnect.class);
        assertThat(decode(WarmupPackets.DISCONNECT, MqttVersion.MQTT_5)).isInstanceOf(Disconnect.class);
    }

    @Test
    @DisplayName("a packet read back gives its type, flags and body; a cut one is an EOFException")
    void readsAPacketBack() throws IOException {
        byte[] connack = {0x20, 3, 0, 0, 0}; // MQTT 5.0 CONNACK, no properties
        StartupWarmup.Packet p = WarmupPackets.read(new ByteArrayInputStream(connack));

        assertThat(p.type()).isEqualTo(WarmupPackets.CONNACK);
        assertThat(p.flags()).isZero();
        assertThat(p.body()).containsExactly(0, 0, 0);
        assertThatThrownBy(() -> WarmupPackets.read(new ByteArrayInputStream(connack, 0, 4)))
                .isInstanceOf(java.io.EOFException.class);
        byte[] longer = WarmupPackets.connect("x".repeat(200), 4); // a two-byte remaining length
        assertThat(WarmupPackets.read(new ByteArrayInputStream(longer)).body()).hasSize(longer.length - 3);
    }

    private static MqttPacket decode(byte[] bytes, MqttVersion version) {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        DecodeResult result = new MqttPacketDecoder(1 << 16, UnpooledByteBufAllocator.DEFAULT).decode(in, version);
        assertThat(result).isInstanceOf(DecodeResult.Decoded.class);
        assertThat(in.readableBytes()).isZero();
        return ((DecodeResult.Decoded) result).packet();
    }
}
