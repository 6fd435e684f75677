package dev.tern.broker.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Key layout of the durable store (format 1). Numbers are big-endian so that byte order is numeric
 * order; strings are prefixed with their 16-bit length so that no client id's keys are a prefix of
 * another's.
 *
 * <pre>
 * meta      ASCII name                                        format version, id high-water marks
 * sessions  len16 clientId 0x00                               session record
 *           len16 clientId 0x01 filter                        subscription
 *           len16 clientId 0x02 packetId16                    inbound QoS 2 packet id
 *           len16 clientId 0x03                               will
 * queues    sessionKey64 seq64                                queue entry
 *           sessionKey64 0xFFFFFFFFFFFFFFFF                   queue summary (entries, first and next seq)
 * messages  messageId64                                       message (topic, properties, payload)
 * refs      messageId64                                       number of queue entries using the message
 * retained  topic                                             retained message
 * expiry    expiresAtMillis64 0x00 messageId64                when a stored message expires
 *           expiresAtMillis64 0x01 topic                      when a retained message expires
 *           expiresAtMillis64 0x02 sessionKey64 seq64         when a message kept inside its entry expires
 * </pre>
 */
final class Keys {
    static final byte SESSION = 0;
    static final byte SUBSCRIPTION = 1;
    static final byte INBOUND_QOS2 = 2;
    static final byte WILL = 3;

    static final byte EXPIRY_MESSAGE = 0;
    static final byte EXPIRY_RETAINED = 1;
    static final byte EXPIRY_ENTRY = 2;

    static final byte[] META_FORMAT = ascii("format");
    static final byte[] META_WRITER = ascii("written-by");
    static final byte[] META_NEXT_MESSAGE_ID = ascii("next-message-id");
    static final byte[] META_NEXT_SESSION_KEY = ascii("next-session-key");

    private Keys() {}

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The prefix of every sessions-family key of one client: length and id. */
    static byte[] clientPrefix(String clientId) {
        byte[] id = utf8(clientId);
        if (id.length > 0xFFFF) {
            throw new IllegalArgumentException("client id longer than 65535 bytes");
        }
        byte[] k = new byte[2 + id.length];
        k[0] = (byte) (id.length >>> 8);
        k[1] = (byte) id.length;
        System.arraycopy(id, 0, k, 2, id.length);
        return k;
    }

    static byte[] session(String clientId) {
        return withType(clientPrefix(clientId), SESSION, 0);
    }

    static byte[] will(String clientId) {
        return withType(clientPrefix(clientId), WILL, 0);
    }

    static byte[] subscription(String clientId, String filter) {
        byte[] f = utf8(filter);
        byte[] k = withType(clientPrefix(clientId), SUBSCRIPTION, f.length);
        System.arraycopy(f, 0, k, k.length - f.length, f.length);
        return k;
    }

    static byte[] inboundQos2(String clientId, int packetId) {
        byte[] k = withType(clientPrefix(clientId), INBOUND_QOS2, 2);
        k[k.length - 2] = (byte) (packetId >>> 8);
        k[k.length - 1] = (byte) packetId;
        return k;
    }

    private static byte[] withType(byte[] prefix, byte type, int extra) {
        byte[] k = new byte[prefix.length + 1 + extra];
        System.arraycopy(prefix, 0, k, 0, prefix.length);
        k[prefix.length] = type;
        return k;
    }

    /** The client id of a sessions-family key. */
    static String clientIdOf(byte[] key) {
        int len = clientIdLength(key);
        return new String(key, 2, len, StandardCharsets.UTF_8);
    }

    static int clientIdLength(byte[] key) {
        return ((key[0] & 0xFF) << 8) | (key[1] & 0xFF);
    }

    /** The record type byte of a sessions-family key. */
    static byte typeOf(byte[] key) {
        return key[2 + clientIdLength(key)];
    }

    /** The filter of a subscription key. */
    static String filterOf(byte[] key) {
        int start = 3 + clientIdLength(key);
        return new String(key, start, key.length - start, StandardCharsets.UTF_8);
    }

    /** The packet id of an inbound QoS 2 key. */
    static int packetIdOf(byte[] key) {
        return ((key[key.length - 2] & 0xFF) << 8) | (key[key.length - 1] & 0xFF);
    }

    static byte[] queueEntry(long sessionKey, long seq) {
        byte[] k = new byte[16];
        putLong(k, 0, sessionKey);
        putLong(k, 8, seq);
        return k;
    }

    /** The sequence number of a session's summary key: after every entry. */
    static final long SUMMARY_SEQ = -1L;

    static byte[] queueSummary(long sessionKey) {
        return queueEntry(sessionKey, SUMMARY_SEQ);
    }

    static byte[] u64(long v) {
        byte[] k = new byte[8];
        putLong(k, 0, v);
        return k;
    }

    static byte[] retained(String topic) {
        return utf8(topic);
    }

    static String topicOf(byte[] retainedKey) {
        return new String(retainedKey, StandardCharsets.UTF_8);
    }

    static byte[] messageExpiry(long expiresAtMillis, long messageId) {
        byte[] k = new byte[17];
        putLong(k, 0, expiresAtMillis);
        k[8] = EXPIRY_MESSAGE;
        putLong(k, 9, messageId);
        return k;
    }

    static byte[] entryExpiry(long expiresAtMillis, long sessionKey, long seq) {
        byte[] k = new byte[25];
        putLong(k, 0, expiresAtMillis);
        k[8] = EXPIRY_ENTRY;
        putLong(k, 9, sessionKey);
        putLong(k, 17, seq);
        return k;
    }

    static byte[] retainedExpiry(long expiresAtMillis, String topic) {
        byte[] t = utf8(topic);
        byte[] k = new byte[9 + t.length];
        putLong(k, 0, expiresAtMillis);
        k[8] = EXPIRY_RETAINED;
        System.arraycopy(t, 0, k, 9, t.length);
        return k;
    }

    /** The smallest key strictly greater than every key that starts with {@code prefix}. */
    static byte[] prefixEnd(byte[] prefix) {
        byte[] end = prefix.clone();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xFF) {
                end[i]++;
                return Arrays.copyOf(end, i + 1);
            }
        }
        throw new IllegalArgumentException("prefix of 0xFF bytes has no end");
    }

    static void putLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long getLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }
}
