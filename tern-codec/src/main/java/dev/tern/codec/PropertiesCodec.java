package dev.tern.codec;

import io.netty.buffer.ByteBuf;

/**
 * MQTT 5.0 property blocks (section 2.2.2) on their own, outside a packet: the wire encoding of a
 * packet's or a will's properties with its length prefix. The broker's durable store keeps message
 * and will properties in this form, so that the stored format is the protocol's own: complete for
 * every property and stable across versions of Tern.
 */
public final class PropertiesCodec {
    private PropertiesCodec() {}

    /** Size in bytes of the encoded block, length prefix included. */
    public static int encodedSize(MqttProperties properties) {
        return PropertiesEncoder.blockSize(PropertiesEncoder.contentSize(properties));
    }

    /** Writes the block (length prefix and properties in identifier order). */
    public static void write(ByteBuf out, MqttProperties properties) {
        PropertiesEncoder.write(out, properties, PropertiesEncoder.contentSize(properties));
    }

    /**
     * Reads one block as it appears in a packet of the given type, with every check of the decoder:
     * known identifiers, properties allowed in that packet, no forbidden repetition, valid values.
     *
     * @param in      positioned at the block's length prefix; advanced past the block
     * @param context the packet type whose rules apply (e.g. {@link PacketType#PUBLISH})
     * @throws IllegalArgumentException naming the broken rule if the block is malformed
     */
    public static MqttProperties read(ByteBuf in, PacketType context) {
        return read(in, context, false);
    }

    /** Reads the will properties of a CONNECT (section 3.1.3.2); see {@link #read(ByteBuf, PacketType)}. */
    public static MqttProperties readWill(ByteBuf in) {
        return read(in, PacketType.CONNECT, true);
    }

    private static MqttProperties read(ByteBuf in, PacketType context, boolean will) {
        try {
            return PropertiesDecoder.read(new BodyReader(in, context), will);
        } catch (BodyReader.MalformedException e) {
            throw new IllegalArgumentException("malformed properties: " + e.decodeError().message(), e);
        }
    }
}
