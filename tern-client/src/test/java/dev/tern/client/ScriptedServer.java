package dev.tern.client;

import dev.tern.codec.DecodeResult;
import dev.tern.codec.MqttPacketDecoder;
import dev.tern.codec.MqttPacketEncoder;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.Publish;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A fake MQTT server for client conformance tests: the test accepts the client's connection, reads
 * the packets it sends (decoded with the codec) and answers with exactly the packets or bytes it
 * chooses, including broken ones.
 */
final class ScriptedServer implements AutoCloseable {
    private final ServerSocket server;
    private final MqttVersion version;
    private Socket socket;
    private InputStream in;

    ScriptedServer(MqttVersion version) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.version = version;
    }

    int port() {
        return server.getLocalPort();
    }

    /** Waits for the client's TCP connection (a later call takes the next one). */
    ScriptedServer accept() throws IOException {
        server.setSoTimeout(10_000);
        if (socket != null) {
            socket.close();
        }
        socket = server.accept();
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        return this;
    }

    /** Reads one packet's raw bytes. */
    byte[] readRaw(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int first = in.read();
        if (first < 0) {
            throw new EOFException("the client closed the connection");
        }
        b.write(first);
        int remaining = 0;
        int shift = 0;
        int c;
        do {
            c = in.read();
            if (c < 0) {
                throw new EOFException();
            }
            b.write(c);
            remaining |= (c & 0x7F) << shift;
            shift += 7;
        } while ((c & 0x80) != 0);
        b.writeBytes(in.readNBytes(remaining));
        return b.toByteArray();
    }

    /** Reads and decodes one packet (a PUBLISH's payload is copied to a heap buffer; release it or not, it is unpooled). */
    MqttPacket read() throws IOException {
        return read(Duration.ofSeconds(5));
    }

    MqttPacket read(Duration timeout) throws IOException {
        byte[] raw = readRaw(timeout);
        DecodeResult r = new MqttPacketDecoder(MqttPacketDecoder.MAX_PACKET_SIZE, UnpooledByteBufAllocator.DEFAULT)
                .decode(Unpooled.wrappedBuffer(raw), version);
        if (r instanceof DecodeResult.Decoded d) {
            return d.packet();
        }
        throw new AssertionError("the client sent a malformed packet: " + r);
    }

    /** Reads packets until one of the type arrives (others are skipped, e.g. PINGREQ). */
    @SuppressWarnings("unchecked")
    <T extends MqttPacket> T expect(Class<T> type) throws IOException {
        for (int i = 0; i < 100; i++) {
            MqttPacket p = read();
            if (type.isInstance(p)) {
                return (T) p;
            }
            if (p instanceof Publish pub) {
                pub.release();
            }
        }
        throw new AssertionError("no " + type.getSimpleName());
    }

    /** True if the client sends nothing for {@code time}. */
    boolean silentFor(Duration time) throws IOException {
        try {
            socket.setSoTimeout((int) time.toMillis());
            int b = in.read();
            if (b < 0) {
                return true;
            }
            throw new AssertionError("the client sent a packet starting with 0x" + Integer.toHexString(b));
        } catch (SocketTimeoutException e) {
            return true;
        }
    }

    /** True if the client closes the connection within {@code timeout}. */
    boolean closedWithin(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                socket.setSoTimeout(100);
                if (in.read() < 0) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                // keep waiting
            } catch (IOException e) {
                return true;
            }
        }
        return false;
    }

    void send(MqttPacket packet) throws IOException {
        ByteBuf b = MqttPacketEncoder.encode(packet, version, UnpooledByteBufAllocator.DEFAULT);
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        b.release();
        send(bytes);
    }

    void send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    /** Drops the TCP connection (the client sees a lost connection). */
    void dropConnection() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            socket.close();
        }
        server.close();
    }
}
