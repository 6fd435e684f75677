package dev.tern.broker.store;

import dev.tern.broker.routing.Message;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.PacketType;
import dev.tern.codec.PropertiesCodec;
import dev.tern.codec.QoS;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Value layout of the durable store (format 1). Every value starts with a tag byte naming its kind,
 * so that a value of the wrong kind (damage, or another program's data) is recognised. MQTT 5.0
 * properties are kept in their wire encoding (length-prefixed property block).
 *
 * <pre>
 * session       'S' level8 expiry32 disconnectedAt64 sessionKey64
 * subscription  'U' options8 (qos | noLocal&lt;&lt;2 | retainAsPublished&lt;&lt;3 | retainHandling&lt;&lt;4) subscriptionId:varint
 * inbound QoS 2 'I'
 * will          'W' flags8 (qos | retain&lt;&lt;2) publishAt64 topic:str16 properties payload...
 * queue entry   'Q' state8 (0 queued, 1 released) flags8 (qos | retain&lt;&lt;2 | inline&lt;&lt;3) messageId64
 *               count:varint id:varint... [if inline, a message queued for one session only: expiresAt64 message record]
 * message       'M' flags8 (qos | retain&lt;&lt;2 | hasPublisher&lt;&lt;3) receivedAt64 topic:str16 [publisher:str16] properties payload...
 * refs          'R' count32 expiresAt64
 * queue summary 'H' entries64 firstSeq64 nextSeq64   (firstSeq: no entry is before it)
 * </pre>
 */
final class RecordCodec {
    static final byte TAG_SESSION = 'S';
    static final byte TAG_SUBSCRIPTION = 'U';
    static final byte TAG_INBOUND = 'I';
    static final byte TAG_WILL = 'W';
    static final byte TAG_ENTRY = 'Q';
    static final byte TAG_MESSAGE = 'M';
    static final byte TAG_REFS = 'R';
    static final byte TAG_SUMMARY = 'H';

    static final byte[] INBOUND_VALUE = {TAG_INBOUND};

    private RecordCodec() {}

    // ---- sessions ----------------------------------------------------------------------------

    static byte[] session(SessionRecord s) {
        ByteBuf b = Unpooled.buffer(22);
        b.writeByte(TAG_SESSION);
        b.writeByte(s.version().level());
        b.writeInt((int) s.expiryIntervalSeconds());
        b.writeLong(s.disconnectedAtMillis());
        b.writeLong(s.sessionKey());
        return bytes(b);
    }

    static SessionRecord session(String clientId, byte[] value) {
        ByteBuf b = open(value, TAG_SESSION, "session of " + clientId);
        try {
            int level = b.readUnsignedByte();
            MqttVersion version = switch (level) {
                case 3 -> MqttVersion.MQTT_3_1;
                case 4 -> MqttVersion.MQTT_3_1_1;
                case 5 -> MqttVersion.MQTT_5;
                default -> throw new CorruptRecordException("session of " + clientId + ": protocol level " + level);
            };
            long expiry = b.readUnsignedInt();
            long disconnectedAt = b.readLong();
            long key = b.readLong();
            end(b, "session of " + clientId);
            return new SessionRecord(clientId, key, version, expiry, disconnectedAt);
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw truncated("session of " + clientId, e);
        }
    }

    static byte[] subscription(SubscriptionRecord s) {
        ByteBuf b = Unpooled.buffer(8);
        b.writeByte(TAG_SUBSCRIPTION);
        b.writeByte(s.qos().value() | (s.noLocal() ? 4 : 0) | (s.retainAsPublished() ? 8 : 0)
                | (s.retainHandling() << 4));
        writeVarInt(b, s.subscriptionIdentifier());
        return bytes(b);
    }

    static SubscriptionRecord subscription(String what, String filter, byte[] value) {
        ByteBuf b = open(value, TAG_SUBSCRIPTION, what);
        try {
            int options = b.readUnsignedByte();
            int id = readVarInt(b, what);
            end(b, what);
            if ((options & 3) == 3 || (options >>> 4) > 2) {
                throw new CorruptRecordException(what + ": invalid options 0x" + Integer.toHexString(options));
            }
            return new SubscriptionRecord(filter, QoS.of(options & 3), (options & 4) != 0, (options & 8) != 0,
                    (options >>> 4) & 3, id);
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw truncated(what, e);
        }
    }

    static void inbound(String what, byte[] value) {
        ByteBuf b = open(value, TAG_INBOUND, what);
        end(b, what);
    }

    static byte[] will(WillRecord w) {
        ByteBuf b = Unpooled.buffer(16 + w.topic().length() + w.payload().length);
        b.writeByte(TAG_WILL);
        b.writeByte(w.qos().value() | (w.retain() ? 4 : 0));
        b.writeLong(w.publishAtMillis());
        writeString(b, w.topic());
        PropertiesCodec.write(b, w.properties());
        b.writeBytes(w.payload());
        return bytes(b);
    }

    static WillRecord will(String what, byte[] value) {
        ByteBuf b = open(value, TAG_WILL, what);
        try {
            int flags = b.readUnsignedByte();
            long publishAt = b.readLong();
            String topic = readString(b);
            MqttProperties props = PropertiesCodec.readWill(b);
            byte[] payload = new byte[b.readableBytes()];
            b.readBytes(payload);
            return new WillRecord(topic, payload, qos(flags, what), (flags & 4) != 0, props, publishAt);
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw truncated(what, e);
        }
    }

    // ---- queues ------------------------------------------------------------------------------

    /**
     * A decoded queue entry. A message queued for one session only is stored inside its entry
     * ({@code inlineMessage}); one queued for several is stored once under {@code messageId}, with a
     * reference count. Released entries have neither.
     */
    record Entry(boolean released, QoS qos, boolean retain, long messageId, List<Integer> subscriptionIds,
                 long inlineExpiresAt, byte @Nullable [] inlineMessage) {}

    static byte[] entry(boolean released, QoS qos, boolean retain, long messageId, List<Integer> ids,
                        long inlineExpiresAt, byte @Nullable [] inlineMessage) {
        ByteBuf b = Unpooled.buffer(20 + 4 * ids.size() + (inlineMessage == null ? 0 : inlineMessage.length));
        b.writeByte(TAG_ENTRY);
        b.writeByte(released ? 1 : 0);
        b.writeByte(qos.value() | (retain ? 4 : 0) | (inlineMessage != null ? 8 : 0));
        b.writeLong(messageId);
        writeVarInt(b, ids.size());
        for (int id : ids) {
            writeVarInt(b, id);
        }
        if (inlineMessage != null) {
            b.writeLong(inlineExpiresAt);
            b.writeBytes(inlineMessage);
        }
        return bytes(b);
    }

    static Entry entry(String what, byte[] value) {
        ByteBuf b = open(value, TAG_ENTRY, what);
        try {
            int state = b.readUnsignedByte();
            if (state > 1) {
                throw new CorruptRecordException(what + ": state " + state);
            }
            int flags = b.readUnsignedByte();
            long messageId = b.readLong();
            int n = readVarInt(b, what);
            if (n > b.readableBytes()) {
                throw new CorruptRecordException(what + ": " + n + " subscription identifiers in "
                        + b.readableBytes() + " bytes");
            }
            List<Integer> ids = n == 0 ? List.of() : new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ids.add(readVarInt(b, what));
            }
            byte[] inline = null;
            long expiresAt = Long.MAX_VALUE;
            if ((flags & 8) != 0) {
                expiresAt = b.readLong();
                inline = new byte[b.readableBytes()];
                b.readBytes(inline);
                if (inline.length == 0 || inline[0] != TAG_MESSAGE) {
                    throw new CorruptRecordException(what + ": the message inside is not a message record");
                }
            } else {
                end(b, what);
            }
            if (state == 1 && (inline != null || messageId != 0)) {
                throw new CorruptRecordException(what + ": released, yet it holds a message");
            }
            return new Entry(state == 1, qos(flags, what), (flags & 4) != 0, messageId, ids, expiresAt, inline);
        } catch (IndexOutOfBoundsException e) {
            throw truncated(what, e);
        }
    }

    static byte[] released(Entry e) {
        return entry(true, e.qos(), e.retain(), 0, e.subscriptionIds(), Long.MAX_VALUE, null);
    }

    /** A shared message's reference count, and when it expires (for its expiry record). */
    record Refs(long count, long expiresAt) {}

    static byte[] refs(long count, long expiresAt) {
        ByteBuf b = Unpooled.buffer(13);
        b.writeByte(TAG_REFS);
        b.writeInt((int) count);
        b.writeLong(expiresAt);
        return bytes(b);
    }

    static Refs refs(String what, byte[] value) {
        ByteBuf b = open(value, TAG_REFS, what);
        try {
            long n = b.readUnsignedInt();
            long expiresAt = b.readLong();
            end(b, what);
            return new Refs(n, expiresAt);
        } catch (IndexOutOfBoundsException e) {
            throw truncated(what, e);
        }
    }

    static byte[] summary(long entries, long firstSeq, long nextSeq) {
        ByteBuf b = Unpooled.buffer(25);
        b.writeByte(TAG_SUMMARY);
        b.writeLong(entries);
        b.writeLong(firstSeq);
        b.writeLong(nextSeq);
        return bytes(b);
    }

    static QueueSummary summary(String what, byte[] value) {
        ByteBuf b = open(value, TAG_SUMMARY, what);
        try {
            QueueSummary q = new QueueSummary(b.readLong(), b.readLong(), b.readLong());
            end(b, what);
            if (q.entries() < 0 || q.nextSeq() < 0) {
                throw new CorruptRecordException(what + ": " + q);
            }
            return q;
        } catch (IndexOutOfBoundsException e) {
            throw truncated(what, e);
        }
    }

    // ---- messages ----------------------------------------------------------------------------

    static byte[] message(Message m, long receivedAtMillis) {
        String publisher = m.publisherId();
        int size = 1 + 1 + 8 + 2 + ByteBufUtil.utf8MaxBytes(m.topic())
                + (publisher == null ? 0 : 2 + ByteBufUtil.utf8MaxBytes(publisher))
                + PropertiesCodec.encodedSize(m.properties()) + m.payloadSize();
        ByteBuf b = Unpooled.buffer(size);
        b.writeByte(TAG_MESSAGE);
        b.writeByte(m.qos().value() | (m.retain() ? 4 : 0) | (publisher != null ? 8 : 0));
        b.writeLong(receivedAtMillis);
        writeString(b, m.topic());
        if (publisher != null) {
            writeString(b, publisher);
        }
        PropertiesCodec.write(b, m.properties());
        ByteBuf payload = m.payload();
        b.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
        return bytes(b);
    }

    /** A decoded message before it becomes a {@link Message}. */
    record StoredMessage(String topic, QoS qos, boolean retain, @Nullable String publisherId, long receivedAtMillis,
                         MqttProperties properties, int payloadOffset, byte[] record) {
        int payloadSize() {
            return record.length - payloadOffset;
        }

        /**
         * When the message expires (MQTT 5.0 Message Expiry Interval), or {@link Long#MAX_VALUE}.
         */
        long expiresAtMillis() {
            return expiresAt(receivedAtMillis, properties);
        }

        /**
         * The message as the broker routes it, with a payload copied into a pooled buffer and the Message
         * Expiry Interval lowered by the time already spent (MQTT-3.3.2-6); null if it has expired.
         */
        @Nullable Message toMessage(long nowMillis, ByteBufAllocator alloc) {
            MqttProperties props = properties;
            Long interval = props.messageExpiryInterval();
            if (interval != null) {
                long remainingMillis = receivedAtMillis + interval * 1000 - nowMillis;
                if (remainingMillis <= 0) {
                    return null;
                }
                long remaining = Math.max(1, (remainingMillis + 999) / 1000);
                if (remaining != interval) {
                    props = props.toBuilder().messageExpiryInterval(remaining).build();
                }
            }
            ByteBuf payload = alloc.buffer(payloadSize());
            payload.writeBytes(record, payloadOffset, payloadSize());
            return new Message(topic, payload, qos, retain, props, publisherId);
        }
    }

    static long expiresAt(long receivedAtMillis, MqttProperties p) {
        Long interval = p.messageExpiryInterval();
        return interval == null ? Long.MAX_VALUE : receivedAtMillis + interval * 1000;
    }

    static StoredMessage message(String what, byte[] value) {
        ByteBuf b = open(value, TAG_MESSAGE, what);
        try {
            int flags = b.readUnsignedByte();
            long receivedAt = b.readLong();
            String topic = readString(b);
            String publisher = (flags & 8) != 0 ? readString(b) : null;
            MqttProperties props = PropertiesCodec.read(b, PacketType.PUBLISH);
            // open() skipped the tag byte, so the payload starts one byte further into the value.
            return new StoredMessage(topic, qos(flags, what), (flags & 4) != 0, publisher, receivedAt, props,
                    1 + b.readerIndex(), value);
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw truncated(what, e);
        }
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static ByteBuf open(byte[] value, byte tag, String what) {
        if (value.length == 0) {
            throw new CorruptRecordException(what + ": empty value");
        }
        if (value[0] != tag) {
            throw new CorruptRecordException(what + ": value of kind 0x" + Integer.toHexString(value[0] & 0xFF)
                    + " where '" + (char) tag + "' belongs");
        }
        return Unpooled.wrappedBuffer(value, 1, value.length - 1);
    }

    private static void end(ByteBuf b, String what) {
        if (b.isReadable()) {
            throw new CorruptRecordException(what + ": " + b.readableBytes() + " unexpected trailing bytes");
        }
    }

    private static CorruptRecordException truncated(String what, RuntimeException e) {
        if (e instanceof CorruptRecordException c) {
            return c;
        }
        return new CorruptRecordException(what + ": " + (e instanceof IndexOutOfBoundsException ? "truncated value"
                : e.getMessage()), e);
    }

    private static QoS qos(int flags, String what) {
        int q = flags & 3;
        if (q == 3) {
            throw new CorruptRecordException(what + ": QoS 3");
        }
        return QoS.of(q);
    }

    private static byte[] bytes(ByteBuf b) {
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }

    private static void writeString(ByteBuf b, String s) {
        int lengthIndex = b.writerIndex();
        b.writeShort(0);
        int n = b.writeCharSequence(s, StandardCharsets.UTF_8);
        if (n > 0xFFFF) {
            throw new IllegalArgumentException("string longer than 65535 bytes");
        }
        b.setShort(lengthIndex, n);
    }

    private static String readString(ByteBuf b) {
        int n = b.readUnsignedShort();
        if (n > b.readableBytes()) {
            throw new IndexOutOfBoundsException("string of " + n + " bytes");
        }
        String s = b.toString(b.readerIndex(), n, StandardCharsets.UTF_8);
        b.skipBytes(n);
        return s;
    }

    static void writeVarInt(ByteBuf b, int v) {
        do {
            int digit = v & 0x7F;
            v >>>= 7;
            b.writeByte(v > 0 ? digit | 0x80 : digit);
        } while (v > 0);
    }

    static int readVarInt(ByteBuf b, String what) {
        int value = 0;
        for (int shift = 0; shift < 28; shift += 7) {
            int digit = b.readUnsignedByte();
            value |= (digit & 0x7F) << shift;
            if ((digit & 0x80) == 0) {
                return value;
            }
        }
        throw new CorruptRecordException(what + ": variable byte integer longer than 4 bytes");
    }
}
