package dev.tern.client;

import dev.tern.codec.DecodeResult;
import dev.tern.codec.MqttPacketDecoder;
import dev.tern.codec.MqttPacketEncoder;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.packet.Publish;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SessionStore} in one append-only file: every change is one checksummed record, so a crash
 * in the middle of a write loses at most that change. Opening the file replays it, drops a torn or
 * corrupt tail (with a warning) and rewrites the file compactly; it is compacted again whenever most
 * of its records are obsolete.
 *
 * <p>Format (version 1): the 8 bytes {@code TERNCS1\n}, then records of {@code int length, int CRC32
 * of the body, body}; a body is a type byte and its fields. Messages are stored as MQTT 5.0 PUBLISH
 * packets, so topic, QoS, RETAIN, payload and properties round-trip exactly.
 *
 * <p>With {@code sync} each change is forced to the disk before the client goes on (safe against
 * power loss, slower); without it a process crash loses nothing but a machine crash may.
 */
public final class FileSessionStore implements SessionStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileSessionStore.class);
    private static final byte[] MAGIC = "TERNCS1\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int ADD = 1;
    private static final int UPDATE = 2;
    private static final int REMOVE = 3;
    private static final int IN_ADD = 4;
    private static final int IN_REMOVE = 5;
    private static final int MAX_RECORD = MqttPacketDecoder.MAX_PACKET_SIZE + 64;

    private final Path file;
    private final boolean sync;
    private final Map<Long, StoredPublish> outbound = new LinkedHashMap<>();
    private final Set<Integer> inbound = new LinkedHashSet<>();
    private FileChannel channel;
    private long records;

    private FileSessionStore(Path file, boolean sync) throws IOException {
        this.file = file;
        this.sync = sync;
        if (Files.exists(file)) {
            replay();
        }
        this.channel = rewrite();
    }

    /**
     * Opens (or creates) the store in {@code file}.
     *
     * @param sync force every change to the disk
     * @throws IOException if the file cannot be read or written, or is not a session store
     */
    public static FileSessionStore open(Path file, boolean sync) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        return new FileSessionStore(file, sync);
    }

    /** The file. */
    public Path file() {
        return file;
    }

    private void replay() throws IOException {
        byte[] all = Files.readAllBytes(file);
        if (all.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
            throw new IOException(file + " is not a Tern client session store (bad header)");
        }
        ByteBuffer in = ByteBuffer.wrap(all, MAGIC.length, all.length - MAGIC.length);
        while (in.remaining() > 0) {
            int start = in.position();
            if (in.remaining() < 8) {
                warnTail(start, "truncated record header");
                break;
            }
            int length = in.getInt();
            int crc = in.getInt();
            if (length <= 0 || length > MAX_RECORD || length > in.remaining()) {
                warnTail(start, "truncated or corrupt record");
                break;
            }
            byte[] body = new byte[length];
            in.get(body);
            CRC32 c = new CRC32();
            c.update(body);
            if ((int) c.getValue() != crc) {
                warnTail(start, "checksum mismatch");
                break;
            }
            apply(body);
        }
    }

    private void warnTail(int offset, String why) {
        LOG.warn("{}: {} at offset {}; the rest of the file is ignored", file, why, offset);
    }

    private void apply(byte[] body) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body));
        try {
            int type = in.readUnsignedByte();
            switch (type) {
                case ADD -> {
                    long seq = in.readLong();
                    int packetId = in.readUnsignedShort();
                    boolean released = in.readBoolean();
                    byte[] packet = in.readAllBytes();
                    outbound.put(seq, new StoredPublish(seq, decodeMessage(packet), packetId, released));
                }
                case UPDATE -> {
                    long seq = in.readLong();
                    int packetId = in.readUnsignedShort();
                    boolean released = in.readBoolean();
                    StoredPublish old = outbound.get(seq);
                    if (old != null) {
                        outbound.put(seq, new StoredPublish(seq, old.message(), packetId, released));
                    }
                }
                case REMOVE -> outbound.remove(in.readLong());
                case IN_ADD -> inbound.add(in.readUnsignedShort());
                case IN_REMOVE -> inbound.remove(in.readUnsignedShort());
                default -> throw new IOException(file + ": unknown record type " + type);
            }
        } catch (EOFException e) {
            throw new IOException(file + ": record shorter than its type needs", e);
        }
    }

    private static Message decodeMessage(byte[] packet) throws IOException {
        ByteBuf buf = Unpooled.wrappedBuffer(packet);
        DecodeResult r = new MqttPacketDecoder(MqttPacketDecoder.MAX_PACKET_SIZE, UnpooledByteBufAllocator.DEFAULT)
                .decode(buf, MqttVersion.MQTT_5);
        if (!(r instanceof DecodeResult.Decoded d) || !(d.packet() instanceof Publish p)) {
            throw new IOException("stored message is not a valid PUBLISH: " + r);
        }
        try {
            byte[] payload = new byte[p.payload().readableBytes()];
            p.payload().getBytes(p.payload().readerIndex(), payload);
            return new Message(p.topic(), payload, p.qos(), p.retain(), false, p.properties(), null);
        } finally {
            p.release();
        }
    }

    private static byte[] encodeMessage(Message m) {
        Publish p = new Publish(m.topic(), m.qos(), m.retain(), false, m.qos().value() == 0 ? 0 : 1, m.properties(),
                Unpooled.wrappedBuffer(m.payloadUnsafe()));
        ByteBuf out = MqttPacketEncoder.encode(p, MqttVersion.MQTT_5, UnpooledByteBufAllocator.DEFAULT);
        try {
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            return bytes;
        } finally {
            out.release();
        }
    }

    private static byte[] addRecord(StoredPublish m) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(m.message().payloadSize() + 64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(ADD);
            out.writeLong(m.sequence());
            out.writeShort(m.packetId());
            out.writeBoolean(m.released());
            out.write(encodeMessage(m.message()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static ByteBuffer frame(byte[] body) {
        CRC32 c = new CRC32();
        c.update(body);
        ByteBuffer b = ByteBuffer.allocate(8 + body.length);
        b.putInt(body.length).putInt((int) c.getValue()).put(body).flip();
        return b;
    }

    /** Writes the live state into a new file and atomically replaces the old one. */
    private FileChannel rewrite() throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(out, ByteBuffer.wrap(MAGIC));
            for (StoredPublish m : outbound.values()) {
                writeFully(out, frame(addRecord(m)));
            }
            for (int id : inbound) {
                writeFully(out, frame(new byte[] {IN_ADD, (byte) (id >> 8), (byte) id}));
            }
            out.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        records = outbound.size() + inbound.size();
        FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        return ch;
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private void append(byte[] body) {
        try {
            writeFully(channel, frame(body));
            if (sync) {
                channel.force(false);
            }
            records++;
            long live = outbound.size() + inbound.size();
            if (records > 1024 && records > 4 * live) {
                channel.close();
                channel = rewrite();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the session store " + file, e);
        }
    }

    @Override
    public List<StoredPublish> outbound() {
        return new ArrayList<>(outbound.values());
    }

    @Override
    public Set<Integer> inboundQos2() {
        return new LinkedHashSet<>(inbound);
    }

    @Override
    public void add(StoredPublish message) {
        outbound.put(message.sequence(), message);
        append(addRecord(message));
    }

    @Override
    public void update(long sequence, int packetId, boolean released) {
        StoredPublish old = outbound.get(sequence);
        if (old == null) {
            return;
        }
        outbound.put(sequence, new StoredPublish(sequence, old.message(), packetId, released));
        ByteBuffer b = ByteBuffer.allocate(12).put((byte) UPDATE).putLong(sequence).putShort((short) packetId)
                .put((byte) (released ? 1 : 0));
        append(b.array());
    }

    @Override
    public void remove(long sequence) {
        if (outbound.remove(sequence) != null) {
            append(ByteBuffer.allocate(9).put((byte) REMOVE).putLong(sequence).array());
        }
    }

    @Override
    public void addInboundQos2(int packetId) {
        if (inbound.add(packetId)) {
            append(new byte[] {IN_ADD, (byte) (packetId >> 8), (byte) packetId});
        }
    }

    @Override
    public void removeInboundQos2(int packetId) {
        if (inbound.remove(packetId)) {
            append(new byte[] {IN_REMOVE, (byte) (packetId >> 8), (byte) packetId});
        }
    }

    @Override
    public void clear() {
        if (outbound.isEmpty() && inbound.isEmpty()) {
            return;
        }
        outbound.clear();
        inbound.clear();
        try {
            channel.close();
            channel = rewrite();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite the session store " + file, e);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
