/**
 * MQTT wire format for protocol levels 3 (MQTT 3.1), 4 (MQTT 3.1.1) and 5 (MQTT 5.0).
 *
 * <p>{@link dev.tern.codec.MqttPacketDecoder} turns bytes into immutable {@link dev.tern.codec.packet.MqttPacket}
 * records or into a {@link dev.tern.codec.DecodeError} value that names the broken rule;
 * {@link dev.tern.codec.MqttPacketEncoder} turns packets back into bytes. The codec has no
 * knowledge of sessions or routing and depends on {@code netty-buffer} only.
 */
@NullMarked
package dev.tern.codec;

import org.jspecify.annotations.NullMarked;
