package dev.tern.jmh;

import dev.tern.codec.DecodeResult;
import dev.tern.codec.MqttPacketDecoder;
import dev.tern.codec.MqttPacketEncoder;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.packet.Connect;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.PubAck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
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
 * Decoding and encoding CONNECT (client id, user name, password; in 5.0 with session expiry, receive
 * maximum and topic alias maximum) and PUBACK (in 5.0 with reason code 0 and no properties, its
 * common form).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ControlPacketCodecBenchmark {
    @Param({"MQTT_3_1_1", "MQTT_5"})
    public String version;

    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private MqttVersion mqttVersion;
    private MqttPacketDecoder decoder;
    private Connect connect;
    private PubAck pubAck;
    private ByteBuf connectWire;
    private ByteBuf pubAckWire;

    @Setup
    public void setUp() {
        mqttVersion = MqttVersion.valueOf(version);
        decoder = new MqttPacketDecoder(MqttPacketDecoder.MAX_PACKET_SIZE, alloc);
        MqttProperties props = mqttVersion.isV5()
                ? MqttProperties.builder().sessionExpiryInterval(3600L).receiveMaximum(100).topicAliasMaximum(16)
                        .build()
                : MqttProperties.EMPTY;
        connect = new Connect(mqttVersion, "sensor-004711", false, 60, "fleet-user",
                "correct horse battery staple".getBytes(StandardCharsets.UTF_8), null, props);
        pubAck = new PubAck(4711);
        connectWire = wire(connect);
        pubAckWire = wire(pubAck);
    }

    private ByteBuf wire(MqttPacket p) {
        ByteBuf encoded = MqttPacketEncoder.encode(p, mqttVersion, alloc);
        ByteBuf w = alloc.directBuffer(encoded.readableBytes()).writeBytes(encoded);
        encoded.release();
        MqttPacket back = ((DecodeResult.Decoded) decoder.decode(w, mqttVersion)).packet();
        if (!back.equals(p)) {
            throw new IllegalStateException("round trip changed the packet: " + back);
        }
        return w;
    }

    @TearDown
    public void tearDown() {
        connectWire.release();
        pubAckWire.release();
    }

    @Benchmark
    public Object decodeConnect() {
        connectWire.readerIndex(0);
        return decoder.decode(connectWire, null);
    }

    @Benchmark
    public int encodeConnect() {
        ByteBuf out = MqttPacketEncoder.encode(connect, mqttVersion, alloc);
        int n = out.readableBytes();
        out.release();
        return n;
    }

    @Benchmark
    public Object decodePubAck() {
        pubAckWire.readerIndex(0);
        return decoder.decode(pubAckWire, mqttVersion);
    }

    @Benchmark
    public int encodePubAck() {
        ByteBuf out = MqttPacketEncoder.encode(pubAck, mqttVersion, alloc);
        int n = out.readableBytes();
        out.release();
        return n;
    }
}
