package dev.tern.cli.bench;

import dev.tern.codec.MqttPacketEncoder;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.Publish;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;

/**
 * A publisher's PUBLISH packets, pre-encoded once per topic into one direct buffer and used in turn:
 * sending copies one of them and fills in only the packet id and the payload's header. One topic for
 * the ordinary scenarios; many for {@code fleet}, whose publishers spread over the fleet's topics.
 */
// event loop only
final class PublishTemplates {
    private final ByteBuf bytes;
    private final int[] start;
    private final int[] length;
    /** Offset of the packet id within a packet; -1 at QoS 0. */
    private final int[] idOffset;
    private final int size;
    private int next;

    PublishTemplates(String[] topics, QoS qos, int payloadSize, MqttVersion version) {
        size = payloadSize;
        start = new int[topics.length];
        length = new int[topics.length];
        idOffset = new int[topics.length];
        ByteBuf all = Unpooled.buffer();
        ByteBuf payload = Unpooled.wrappedBuffer(new byte[payloadSize]);
        try {
            for (int i = 0; i < topics.length; i++) {
                Publish p = new Publish(topics[i], qos, false, false, qos == QoS.AT_MOST_ONCE ? 0 : 1,
                        MqttProperties.EMPTY, payload.retainedDuplicate());
                ByteBuf encoded = MqttPacketEncoder.encode(p, version, UnpooledByteBufAllocator.DEFAULT);
                p.release();
                start[i] = all.writerIndex();
                length[i] = encoded.readableBytes();
                idOffset[i] = qos == QoS.AT_MOST_ONCE ? -1 : fixedHeaderLength(encoded) + 2 + topicLength(encoded);
                all.writeBytes(encoded);
                encoded.release();
            }
            bytes = Unpooled.directBuffer(all.readableBytes()).writeBytes(all);
        } finally {
            payload.release();
            all.release();
        }
    }

    private static int fixedHeaderLength(ByteBuf packet) {
        int header = 1;
        while ((packet.getUnsignedByte(packet.readerIndex() + header) & 0x80) != 0) {
            header++;
        }
        return header + 1; // the last byte of the remaining length
    }

    private static int topicLength(ByteBuf packet) {
        return packet.getUnsignedShort(packet.readerIndex() + fixedHeaderLength(packet));
    }

    /** True if the packets carry a packet id (QoS 1 and 2). */
    boolean hasPacketId() {
        return idOffset[0] >= 0;
    }

    /**
     * Writes the next packet into {@code out}, all but the payload's {@link BenchConnection#HEADER}
     * bytes, which the caller writes next, and the zeros after them.
     *
     * @return the offset of the packet id within what was written, or -1 at QoS 0
     */
    int writeNextUpToPayload(ByteBuf out) {
        int i = next;
        next = i + 1 == start.length ? 0 : i + 1;
        out.writeBytes(bytes, start[i], length[i] - size);
        return idOffset[i];
    }

    /** Size of the next packet, for allocating its buffer. */
    int nextLength() {
        return length[next];
    }

    /** Payload bytes after the header, zeros. */
    int payloadTail() {
        return size - BenchConnection.HEADER;
    }

    void release() {
        bytes.release();
    }
}
