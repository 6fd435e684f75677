package dev.tern.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.codec.DecodeResult;
import dev.tern.codec.MqttPacketDecoder;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.Publish;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PublishTemplatesTest {
    @ParameterizedTest
    @CsvSource({"0,MQTT_3_1_1", "1,MQTT_3_1_1", "2,MQTT_5"})
    void takesTheTopicsInTurnAndPlacesThePacketIdAndPayload(int qos, MqttVersion version) {
        String[] topics = {"a/b", "devices/sensor-000001/cmd", "x"};
        PublishTemplates t = new PublishTemplates(topics, QoS.of(qos), 40, version);
        try {
            for (int i = 0; i < 7; i++) {
                ByteBuf b = Unpooled.buffer();
                int idOffset = t.writeNextUpToPayload(b);
                b.writeLong(1234L).writeInt(5).writeInt(i).writeZero(t.payloadTail());
                if (qos > 0) {
                    b.setShort(idOffset, 300 + i);
                } else {
                    assertThat(idOffset).isEqualTo(-1);
                }
                DecodeResult r = new MqttPacketDecoder(MqttPacketDecoder.MAX_PACKET_SIZE,
                        UnpooledByteBufAllocator.DEFAULT).decode(b, version);
                assertThat(r).isInstanceOf(DecodeResult.Decoded.class);
                Publish p = (Publish) ((DecodeResult.Decoded) r).packet();
                assertThat(p.topic()).isEqualTo(topics[i % 3]);
                assertThat(p.qos()).isEqualTo(QoS.of(qos));
                assertThat(p.payload().readableBytes()).isEqualTo(40);
                assertThat(p.payload().getInt(p.payload().readerIndex() + 12)).isEqualTo(i);
                if (qos > 0) {
                    assertThat(p.packetId()).isEqualTo(300 + i);
                }
                assertThat(b.readableBytes()).isZero();
                p.release();
                b.release();
            }
        } finally {
            t.release();
        }
    }
}
