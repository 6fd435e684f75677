package dev.tern.jmh;

import dev.tern.codec.DecodeResult;
import dev.tern.codec.MqttPacketDecoder;
import dev.tern.codec.MqttPacketEncoder;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.Publish;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
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
 * Decoding and encoding one PUBLISH with a 64-byte payload and a 41-character topic, at QoS 0 and 1,
 * in MQTT 3.1.1 and in 5.0 with three properties (message expiry, content type, one user property).
 * Buffers come from Netty's default allocator (the adaptive one in Netty 4.2), as on a broker's channel.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PublishCodecBenchmark {
    @Param({"MQTT_3_1_1", "MQTT_5"})
    public String version;

    @Param({"0", "1"})
    public int qos;

    static final String TOPIC = "sites/site-00042/rooms/room-3/temperature";

    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private MqttVersion mqttVersion;
    private MqttPacketDecoder decoder;
    private Publish publish;
    private ByteBuf wire;

    static MqttProperties publishProperties() {
        return MqttProperties.builder().messageExpiryInterval(3600L).contentType("application/json")
                .addUserProperty("unit", "celsius").build();
    }

    @Setup
    public void setUp() {
        mqttVersion = MqttVersion.valueOf(version);
        decoder = new MqttPacketDecoder(MqttPacketDecoder.MAX_PACKET_SIZE, alloc);
        byte[] payload = new byte[64];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) ('a' + i % 26);
        }
        ByteBuf p = alloc.directBuffer(64).writeBytes(payload);
        publish = new Publish(TOPIC, QoS.of(qos), false, false, qos == 0 ? 0 : 4711,
                mqttVersion.isV5() ? publishProperties() : MqttProperties.EMPTY, p);
        ByteBuf encoded = MqttPacketEncoder.encode(publish, mqttVersion, alloc);
        wire = alloc.directBuffer(encoded.readableBytes()).writeBytes(encoded);
        encoded.release();
        // The bytes must decode back to the same packet, or the benchmark measures an error path.
        Publish back = (Publish) ((DecodeResult.Decoded) decoder.decode(wire, mqttVersion)).packet();
        if (!back.equals(publish)) {
            throw new IllegalStateException("round trip changed the packet: " + back);
        }
        back.release();
    }

    @TearDown
    public void tearDown() {
        publish.release();
        wire.release();
    }

    /** Fixed header, topic (UTF-8 validated), packet id, properties, and the payload copy out of the read buffer. */
    @Benchmark
    public Object decode() {
        wire.readerIndex(0);
        DecodeResult r = decoder.decode(wire, mqttVersion);
        ((Publish) ((DecodeResult.Decoded) r).packet()).release();
        return r;
    }

    /** The header the broker writes before each recipient's shared payload. */
    @Benchmark
    public int encodeHeader() {
        ByteBuf header = MqttPacketEncoder.encodePublishHeader(publish, mqttVersion, alloc);
        int n = header.readableBytes();
        header.release();
        return n;
    }

    /** The whole packet: header plus a retained duplicate of the payload in a composite. */
    @Benchmark
    public int encode() {
        ByteBuf out = MqttPacketEncoder.encode(publish, mqttVersion, alloc);
        int n = out.readableBytes();
        out.release();
        return n;
    }
}
