package dev.tern.broker.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.tern.broker.config.BrokerConfig;
import dev.tern.broker.test.MqttTestClient;
import dev.tern.broker.test.TestBroker;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.ConnAck;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.Publish;
import dev.tern.codec.packet.Will;
import java.io.EOFException;
import java.io.IOException;
import java.net.BindException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;

/**
 * Shared plumbing of the MQTT 3.1.1 conformance suite: one embedded broker per test (started on
 * first use, with settings when a test needs them), clients that are closed after the test, and
 * assertions about what the server does on the wire.
 */
public abstract class SpecTestBase {
    /** How long to wait for something the server must do. */
    protected static final Duration WAIT = Duration.ofSeconds(5);
    /** The topic of fence messages, see {@link #assertNextPublishIsFence}. */
    protected static final String FENCE = "fence";

    private TestBroker broker;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @AfterEach
    protected void closeClientsAndBroker() throws Exception {
        for (int i = clients.size() - 1; i >= 0; i--) {
            try {
                clients.get(i).close();
            } catch (IOException e) {
                // already closed by the server
            }
        }
        clients.clear();
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    // ---- Broker --------------------------------------------------------------------------

    /** The test's broker; started with default settings on first use. */
    protected TestBroker broker() throws BindException {
        if (broker == null) {
            broker = TestBroker.start();
        }
        return broker;
    }

    /** Starts the test's broker with settings; call before anything else uses the broker. */
    protected TestBroker startBroker(Consumer<BrokerConfig.Builder> settings) throws BindException {
        if (broker != null) {
            throw new IllegalStateException("the broker was already started");
        }
        broker = TestBroker.start(settings);
        return broker;
    }

    /** Starts the test's broker with settings and embedding options (e.g. authentication methods). */
    protected TestBroker startBroker(Consumer<BrokerConfig.Builder> settings,
                                     Consumer<dev.tern.broker.TernBroker.Builder> embedding) throws BindException {
        if (broker != null) {
            throw new IllegalStateException("the broker was already started");
        }
        broker = TestBroker.start(settings, embedding);
        return broker;
    }

    protected int port() throws BindException {
        return broker().port();
    }

    /** Waits until the broker holds exactly this many sessions (connected or not). */
    protected void awaitSessionCount(int expected) throws BindException {
        TestBroker b = broker();
        await().atMost(WAIT).until(() -> b.broker().sessionCount() == expected);
    }

    // ---- Clients -------------------------------------------------------------------------

    /** A TCP connection to the broker on which nothing was sent yet. */
    protected MqttTestClient open() throws IOException {
        return open(MqttVersion.MQTT_3_1_1);
    }

    protected MqttTestClient open(MqttVersion version) throws IOException {
        return track(MqttTestClient.open(port(), version));
    }

    /** Any closeable the test wants closed after it. */
    protected <T extends AutoCloseable> T track(T closeable) {
        clients.add(closeable);
        return closeable;
    }

    /** An MQTT 3.1.1 client connected with a clean session. */
    protected MqttTestClient connect(String clientId) throws IOException {
        return connect(clientId, true);
    }

    /** An MQTT 3.1.1 client connected with the given clean session flag; returns once CONNACK 0 arrived. */
    protected MqttTestClient connect(String clientId, boolean cleanSession) throws IOException {
        MqttTestClient c = open();
        ConnAck ack = c.connect(clientId, cleanSession, 60, null);
        assertThat(ack.reasonCode()).as("CONNACK return code for %s", clientId).isZero();
        return c;
    }

    /** Connects with clean session 0 and asserts the session present flag. */
    protected MqttTestClient connectPersistent(String clientId, boolean expectSessionPresent) throws IOException {
        MqttTestClient c = open();
        ConnAck ack = c.connect(clientId, false, 60, null);
        assertThat(ack.reasonCode()).as("CONNACK return code for %s", clientId).isZero();
        assertThat(ack.sessionPresent()).as("session present for %s", clientId).isEqualTo(expectSessionPresent);
        return c;
    }

    /** Connects with a will message (clean session, given keep-alive). */
    protected MqttTestClient connectWithWill(String clientId, int keepAlive, String topic, String message, QoS qos,
                                   boolean retain) throws IOException {
        MqttTestClient c = open();
        Will will = new Will(topic, Packets.utf8(message), qos, retain, MqttProperties.EMPTY);
        assertThat(c.connect(clientId, true, keepAlive, will).reasonCode()).isZero();
        return c;
    }

    /**
     * A clean-session client subscribed to the {@link #FENCE} topic and then to one filter; retained
     * messages for the filter are the next packets it receives.
     */
    protected MqttTestClient subscriber(String clientId, String filter, QoS qos) throws IOException {
        MqttTestClient c = connect(clientId);
        if (!filter.equals(FENCE)) {
            c.subscribe(FENCE, QoS.AT_MOST_ONCE); // first, so that retained messages follow the last SUBACK
        }
        assertThat(c.subscribe(filter, qos).reasonCodes()).containsExactly(qos.value());
        return c;
    }

    // ---- Assertions ----------------------------------------------------------------------

    /** Reads the next whole packet as raw bytes. */
    protected static byte[] next(MqttTestClient c) throws IOException {
        return c.raw().readPacket(WAIT);
    }

    /** Asserts that the next packet from the server has exactly these bytes. */
    protected static void assertNextBytes(MqttTestClient c, byte[] expected) throws IOException {
        assertThat(Bytes.hex(next(c))).isEqualTo(Bytes.hex(expected));
    }

    /** Receives the next packet and asserts it is a PUBLISH. */
    protected static Publish nextPublish(MqttTestClient c) throws IOException {
        MqttPacket p = c.receive(WAIT);
        assertThat(p).as("next packet from the server").isInstanceOf(Publish.class);
        return (Publish) p;
    }

    /** Asserts that the server closes the connection without sending anything (more). */
    protected static void assertClosedWithoutReply(MqttTestClient c) throws IOException {
        try {
            byte[] p = c.raw().readPacket(WAIT);
            fail("expected the server to close the connection, but it sent " + Bytes.hex(p));
        } catch (EOFException | SocketException e) {
            // closed (or reset) by the server
        } catch (SocketTimeoutException e) {
            fail("the server left the connection open for " + WAIT);
        }
    }

    /** Asserts that the server sends exactly these bytes and then closes the connection. */
    protected static void assertRepliesThenCloses(MqttTestClient c, byte[] reply) throws IOException {
        assertNextBytes(c, reply);
        assertClosedWithoutReply(c);
    }

    /** Asserts the connection is open and working: PINGREQ is answered with PINGRESP. */
    protected static void assertAlive(MqttTestClient c) throws IOException {
        c.raw().send(Packets.PINGREQ);
        assertNextBytes(c, Packets.PINGRESP);
    }

    /**
     * Publishes a QoS 0 fence message from {@code publisher} and asserts that it is the next thing
     * {@code subscriber} receives, proving that no other PUBLISH was queued for it before the fence.
     * The subscriber must be subscribed to {@link #FENCE}.
     */
    protected static void assertNextPublishIsFence(MqttTestClient subscriber, MqttTestClient publisher) throws IOException {
        publisher.raw().send(Packets.publish0(FENCE, "fence"));
        Publish p = nextPublish(subscriber);
        assertThat(p.topic()).as("first PUBLISH after the fence was sent (payload '%s')", MqttTestClient.text(p))
                .isEqualTo(FENCE);
    }

    /** Asserts topic, payload, QoS and RETAIN of a received PUBLISH. */
    protected static void assertPublish(Publish p, String topic, String payload, QoS qos, boolean retain) {
        assertThat(p.topic()).as("topic").isEqualTo(topic);
        assertThat(MqttTestClient.text(p)).as("payload").isEqualTo(payload);
        assertThat(p.qos()).as("QoS").isEqualTo(qos);
        assertThat(p.retain()).as("RETAIN").isEqualTo(retain);
    }
}
