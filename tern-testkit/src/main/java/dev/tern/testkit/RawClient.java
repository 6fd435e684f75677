package dev.tern.testkit;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A blocking TCP client that speaks raw bytes, for spec tests that must send exactly the bytes a
 * rule is about, including broken ones. Reads whole MQTT packets by their fixed header.
 */
public final class RawClient implements AutoCloseable {
    /** Default wait for an expected packet. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects to host:port (TCP only; no MQTT CONNECT is sent). */
    public static RawClient connect(String host, int port) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(host, port), 5_000);
        return new RawClient(s);
    }

    /** Speaks over a socket that is already connected (e.g. a TLS socket after its handshake). */
    public static RawClient over(Socket connected) throws IOException {
        return new RawClient(connected);
    }

    /** Connects to 127.0.0.1:port. */
    public static RawClient connect(int port) throws IOException {
        return connect("127.0.0.1", port);
    }

    /** Sends bytes as they are. */
    public RawClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Sends bytes given as ints (0..255), convenient for annotated arrays. */
    public RawClient send(int... bytes) throws IOException {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return send(b);
    }

    /**
     * Reads one whole packet (fixed header included).
     *
     * @throws SocketTimeoutException if none arrives within the timeout
     * @throws EOFException           if the server closed the connection
     */
    public byte[] readPacket(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        int first = readByte();
        packet.write(first);
        int remaining = 0;
        int shift = 0;
        for (int i = 0; i < 4; i++) {
            int b = readByte();
            packet.write(b);
            remaining |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
            shift += 7;
        }
        byte[] body = in.readNBytes(remaining);
        if (body.length < remaining) {
            throw new EOFException("connection closed inside a packet");
        }
        packet.write(body);
        return packet.toByteArray();
    }

    /** Reads one packet with the default timeout. */
    public byte[] readPacket() throws IOException {
        return readPacket(DEFAULT_TIMEOUT);
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("connection closed by the server");
        }
        return b;
    }

    /**
     * Waits until the server closes the connection, discarding anything it sends first.
     *
     * @return true if it closed within the timeout, false if it was still open
     */
    public boolean awaitClosed(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] buf = new byte[4096];
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return false;
            }
            socket.setSoTimeout((int) left);
            try {
                if (in.read(buf) < 0) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true; // reset by peer counts as closed
            }
        }
    }

    /**
     * True if nothing arrives and the connection stays open for the given time.
     */
    public boolean staysSilent(Duration time) throws IOException {
        socket.setSoTimeout((int) Math.max(1, time.toMillis()));
        try {
            int b = in.read();
            if (b < 0) {
                return false;
            }
            throw new IOException("unexpected byte 0x" + Integer.toHexString(b) + " from the server");
        } catch (SocketTimeoutException e) {
            return true;
        }
    }

    /** The local port, to find this connection in logs. */
    public int localPort() {
        return socket.getLocalPort();
    }

    /** Closes the socket abruptly (no DISCONNECT). */
    @Override
    public void close() throws IOException {
        socket.close();
    }
}
