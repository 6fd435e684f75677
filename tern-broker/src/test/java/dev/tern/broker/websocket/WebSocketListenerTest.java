package dev.tern.broker.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.broker.TernBroker;
import dev.tern.broker.config.ConfigParser;
import dev.tern.broker.test.LogCapture;
import dev.tern.testkit.TestPki;
import dev.tern.broker.tls.TlsClient;
import dev.tern.codec.DecodeResult;
import dev.tern.codec.MqttPacketDecoder;
import dev.tern.codec.MqttPacketEncoder;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.ConnAck;
import dev.tern.codec.packet.Connect;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.PingReq;
import dev.tern.codec.packet.PingResp;
import dev.tern.codec.packet.Publish;
import dev.tern.codec.packet.SubAck;
import dev.tern.codec.packet.Subscribe;
import dev.tern.codec.packet.TopicSubscription;
import dev.tern.testkit.RawClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MQTT over WebSocket (MQTT 3.1.1 and 5.0 section 6) and over secure WebSocket, with the JDK's WebSocket client. */
class WebSocketListenerTest {
    private static final UnpooledByteBufAllocator HEAP = new UnpooledByteBufAllocator(false, true);

    @TempDir
    Path dir;
    private TernBroker broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private int start(String... lines) throws Exception {
        String text = "sys_interval 0\nallow_anonymous true\n" + String.join("\n", lines) + "\n";
        broker = TernBroker.builder().config(ConfigParser.parse(text, dir.resolve("tern.conf"))).build().start();
        return broker.port();
    }

    /** A JDK WebSocket whose received binary data is collected as one byte stream and decoded into packets. */
    static final class WsMqtt implements WebSocket.Listener, AutoCloseable {
        final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
        private final ByteArrayOutputStream stream = new ByteArrayOutputStream();
        private final MqttPacketDecoder decoder = new MqttPacketDecoder(MqttPacketDecoder.MAX_PACKET_SIZE, HEAP);
        WebSocket ws;

        static WsMqtt open(URI uri, HttpClient client, String... subprotocols) throws Exception {
            WsMqtt l = new WsMqtt();
            var b = client.newWebSocketBuilder();
            if (subprotocols.length > 0) {
                b.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
            }
            l.ws = b.buildAsync(uri, l).get(10, TimeUnit.SECONDS);
            return l;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            synchronized (stream) {
                stream.writeBytes(b);
                ByteBuf buf = Unpooled.wrappedBuffer(stream.toByteArray());
                while (buf.isReadable()) {
                    DecodeResult r = decoder.decode(buf, MqttVersion.MQTT_3_1_1);
                    if (r instanceof DecodeResult.Decoded d) {
                        events.add(d.packet());
                    } else {
                        break;
                    }
                }
                byte[] rest = new byte[buf.readableBytes()];
                buf.readBytes(rest);
                stream.reset();
                stream.writeBytes(rest);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            events.add("close " + statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            events.add("error " + error);
        }

        void send(MqttPacket p) throws Exception {
            ws.sendBinary(ByteBuffer.wrap(bytes(p)), true).get(5, TimeUnit.SECONDS);
        }

        MqttPacket next() throws InterruptedException {
            Object o = events.poll(5, TimeUnit.SECONDS);
            assertThat(o).as("a packet").isInstanceOf(MqttPacket.class);
            return (MqttPacket) o;
        }

        String awaitClose() throws InterruptedException {
            Object o;
            do {
                o = events.poll(5, TimeUnit.SECONDS);
            } while (o instanceof MqttPacket);
            return String.valueOf(o);
        }

        @Override
        public void close() {
            ws.abort();
        }
    }

    static byte[] bytes(MqttPacket p) {
        ByteBuf b = MqttPacketEncoder.encode(p, MqttVersion.MQTT_3_1_1, HEAP);
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        b.release();
        return out;
    }

    static Connect connect(String id) {
        return new Connect(MqttVersion.MQTT_3_1_1, id, true, 60, null, null, null, MqttProperties.EMPTY);
    }

    @Test
    @DisplayName("[MQTT-6.0.0-4] the server selects the subprotocol \"mqtt\"; MQTT works on /mqtt and /")
    void subprotocolAndPaths() throws Exception {
        int port = start("listener 0 127.0.0.1", "protocol websockets");
        HttpClient http = HttpClient.newHttpClient();
        for (String path : List.of("/mqtt", "/")) {
            try (WsMqtt c = WsMqtt.open(URI.create("ws://127.0.0.1:" + port + path), http, "mqtt")) {
                assertThat(c.ws.getSubprotocol()).isEqualTo("mqtt");
                c.send(connect("ws-" + path.length()));
                assertThat(((ConnAck) c.next()).reasonCode()).isZero();
                c.send(PingReq.INSTANCE);
                assertThat(c.next()).isInstanceOf(PingResp.class);
            }
        }
    }

    @Test
    @DisplayName("[MQTT-6.0.0-2] packets need not line up with frames: one packet split over frames, several in one frame")
    void packetsAcrossFrames() throws Exception {
        int port = start("listener 0 127.0.0.1", "protocol websockets");
        try (WsMqtt c = WsMqtt.open(URI.create("ws://127.0.0.1:" + port + "/mqtt"), HttpClient.newHttpClient(),
                "mqtt")) {
            byte[] conn = bytes(connect("split"));
            // CONNECT in three binary frames, two of them fragments of one message
            c.ws.sendBinary(ByteBuffer.wrap(conn, 0, 3), false).get(5, TimeUnit.SECONDS);
            c.ws.sendBinary(ByteBuffer.wrap(conn, 3, 4), false).get(5, TimeUnit.SECONDS);
            c.ws.sendBinary(ByteBuffer.wrap(conn, 7, conn.length - 7), true).get(5, TimeUnit.SECONDS);
            assertThat(((ConnAck) c.next()).reasonCode()).isZero();
            byte[] sub = bytes(new Subscribe(1, List.of(new TopicSubscription("a", QoS.AT_MOST_ONCE)),
                    MqttProperties.EMPTY));
            byte[] pub = bytes(new Publish("a", QoS.AT_MOST_ONCE, false, false, 0, MqttProperties.EMPTY,
                    Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8)));
            byte[] both = new byte[sub.length + pub.length];
            System.arraycopy(sub, 0, both, 0, sub.length);
            System.arraycopy(pub, 0, both, sub.length, pub.length);
            c.ws.sendBinary(ByteBuffer.wrap(both), true).get(5, TimeUnit.SECONDS);
            assertThat(c.next()).isInstanceOf(SubAck.class);
            Publish p = (Publish) c.next();
            assertThat(p.payload().toString(StandardCharsets.UTF_8)).isEqualTo("hello");
        }
    }

    @Test
    @DisplayName("[MQTT-6.0.0-1] a text frame closes the connection, with a log line; other clients notice nothing")
    void textFrameCloses() throws Exception {
        int port = start("listener 0 127.0.0.1", "protocol websockets");
        HttpClient http = HttpClient.newHttpClient();
        try (LogCapture log = LogCapture.start();
             WsMqtt bystander = WsMqtt.open(URI.create("ws://127.0.0.1:" + port + "/mqtt"), http, "mqtt");
             WsMqtt c = WsMqtt.open(URI.create("ws://127.0.0.1:" + port + "/mqtt"), http, "mqtt")) {
            bystander.send(connect("bystander"));
            assertThat(bystander.next()).isInstanceOf(ConnAck.class);
            c.send(connect("texter"));
            assertThat(c.next()).isInstanceOf(ConnAck.class);
            c.ws.sendText("hello", true).get(5, TimeUnit.SECONDS);
            assertThat(c.awaitClose()).isEqualTo("close 1003");
            await().until(() -> log.contains("sent a TextWebSocketFrame", "MQTT-6.0.0-1"));
            bystander.send(PingReq.INSTANCE);
            assertThat(bystander.next()).isInstanceOf(PingResp.class);
        }
    }

    /** Sends a raw HTTP request and returns the status line of the answer. */
    private static String rawUpgrade(int port, String path, String protocolHeader) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5_000);
            String req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + protocolHeader
                    + "\r\n";
            s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }
    }

    @Test
    @DisplayName("[MQTT-6.0.0-3] an upgrade without the mqtt subprotocol, or to another path, is refused with a log line")
    void refusedUpgrades() throws Exception {
        int port = start("listener 0 127.0.0.1", "protocol websockets");
        try (LogCapture log = LogCapture.start()) {
            assertThat(rawUpgrade(port, "/mqtt", "")).isEqualTo("HTTP/1.1 400 Bad Request");
            assertThat(rawUpgrade(port, "/mqtt", "Sec-WebSocket-Protocol: chat, superchat\r\n"))
                    .isEqualTo("HTTP/1.1 400 Bad Request");
            assertThat(rawUpgrade(port, "/other", "Sec-WebSocket-Protocol: mqtt\r\n")).isEqualTo("HTTP/1.1 404 Not Found");
            assertThat(rawUpgrade(port, "/mqtt", "Sec-WebSocket-Protocol: mqtt\r\n"))
                    .isEqualTo("HTTP/1.1 101 Switching Protocols");
            assertThat(log.contains("WebSocket upgrade from 127.0.0.1", "do not include 'mqtt'")).isTrue();
            assertThat(log.contains("WebSocket upgrade from 127.0.0.1", "no Sec-WebSocket-Protocol")).isTrue();
            assertThat(log.contains("path '/other' is not /mqtt or /")).isTrue();
        }
    }

    @Test
    @DisplayName("MQTT over WebSocket on a plain socket: anything but an HTTP upgrade is refused")
    void plainMqttOnWebSocketPort() throws Exception {
        int port = start("listener 0 127.0.0.1", "protocol websockets");
        try (RawClient raw = RawClient.connect(port)) {
            raw.send(bytes(connect("confused")));
            assertThat(raw.awaitClosed(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    @DisplayName("a frame larger than max_packet_size closes that connection, with a log line")
    void oversizedFrame() throws Exception {
        int port = start("max_packet_size 1024", "listener 0 127.0.0.1", "protocol websockets");
        try (LogCapture log = LogCapture.start();
             WsMqtt c = WsMqtt.open(URI.create("ws://127.0.0.1:" + port + "/mqtt"), HttpClient.newHttpClient(),
                     "mqtt")) {
            c.send(connect("big"));
            assertThat(c.next()).isInstanceOf(ConnAck.class);
            c.ws.sendBinary(ByteBuffer.wrap(new byte[4096]), true);
            assertThat(c.awaitClose()).startsWith("close 1009");
            await().until(() -> log.contains("bad WebSocket frame"));
        }
    }

    @Test
    @DisplayName("secure WebSocket (wss): TLS then the WebSocket upgrade, on the same listener options")
    void secureWebSocket() throws Exception {
        TestPki pki = TestPki.create(dir, "ws");
        TestPki.Issued server = pki.server("server");
        int port = start("listener 0 127.0.0.1", "protocol websockets", "certfile " + server.certFile(),
                "keyfile " + server.keyFile());
        SSLContext ctx = TlsClient.context(pki.caCertificate(), null);
        HttpClient https = HttpClient.newBuilder().sslContext(ctx).build();
        try (WsMqtt c = WsMqtt.open(URI.create("wss://localhost:" + port + "/mqtt"), https, "mqtt")) {
            assertThat(c.ws.getSubprotocol()).isEqualTo("mqtt");
            c.send(connect("wss"));
            assertThat(((ConnAck) c.next()).reasonCode()).isZero();
        }
    }
}
