package dev.tern.broker.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tern.broker.TernBroker;
import dev.tern.broker.config.ConfigParser;
import dev.tern.testkit.TestPki;
import dev.tern.broker.tls.TlsClient;
import dev.tern.testkit.ExternalCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.eclipse.paho.client.mqttv3.IMqttMessageListener;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real peers against Tern's secure listeners: Debian's mosquitto_pub/mosquitto_sub with --cafile,
 * --cert/--key and -u/-P, a password file made by Debian's mosquitto_passwd and a Mosquitto ACL file
 * used unchanged; Eclipse Paho over ssl:// and wss://; MQTT.js (the browsers' client) over ws:// and wss://.
 */
class SecurityInteropIT {
    private static final Duration EXIT = Duration.ofSeconds(20);
    /** The ACL file as a Mosquitto deployment writes it. */
    private static final String MOSQUITTO_ACL = """
            # Mosquitto ACL file
            user alice
            topic readwrite sensors/#
            topic readwrite js/#

            user bob
            topic read sensors/#

            user sensor-1
            topic write sensors/sensor-1/#

            pattern read clients/%c/commands
            """;

    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki other;
    static TestPki.Issued server;
    static TestPki.Issued device;
    static TestPki.Issued stranger;
    static Path passwd;
    static Path acl;

    private TernBroker broker;
    private final List<ExternalCommand> processes = new ArrayList<>();

    @BeforeAll
    static void files() throws Exception {
        Peers.requireMosquittoClients();
        pki = TestPki.create(dir, "interop");
        other = TestPki.create(dir, "other");
        server = pki.server("server");
        device = pki.client("sensor-1");
        stranger = other.client("sensor-1");
        passwd = dir.resolve("passwd");
        mosquittoPasswd("-c", "-b", passwd.toString(), "alice", "wonderland");
        mosquittoPasswd("-b", passwd.toString(), "bob", "builder");
        acl = dir.resolve("acl");
        Files.writeString(acl, MOSQUITTO_ACL);
    }

    private static void mosquittoPasswd(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("mosquitto_passwd"));
        command.addAll(List.of(args));
        try (ExternalCommand c = ExternalCommand.start(command)) {
            assertThat(c.waitFor(EXIT)).as("mosquitto_passwd: %s", c.stderr()).isZero();
        }
    }

    @BeforeEach
    void start() throws Exception {
        String conf = String.join("\n",
                "sys_interval 0",
                "auth_failure_delay 0",
                "password_file " + passwd,
                "acl_file " + acl,
                "listener 0 127.0.0.1",                 // 0: mqtts with passwords
                "certfile " + server.certFile(),
                "keyfile " + server.keyFile(),
                "listener 0 127.0.0.1",                 // 1: mqtts with client certificates
                "certfile " + server.certFile(),
                "keyfile " + server.keyFile(),
                "cafile " + pki.caFile(),
                "require_certificate true",
                "use_identity_as_username true",
                "listener 0 127.0.0.1",                 // 2: ws
                "protocol websockets",
                "listener 0 127.0.0.1",                 // 3: wss
                "protocol websockets",
                "certfile " + server.certFile(),
                "keyfile " + server.keyFile(),
                "");
        broker = TernBroker.builder().config(ConfigParser.parse(conf, dir.resolve("tern.conf"))).build().start();
    }

    @AfterEach
    void stop() throws Exception {
        for (ExternalCommand p : processes) {
            p.close();
        }
        broker.close();
    }

    private int port(int listener) {
        return broker.ports().get(listener);
    }

    private ExternalCommand run(String program, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(program));
        command.addAll(List.of(args));
        ExternalCommand p = ExternalCommand.start(command);
        processes.add(p);
        return p;
    }

    private String[] tls(int listener, String... more) {
        List<String> a = new ArrayList<>(List.of("-h", "localhost", "-p", Integer.toString(port(listener)),
                "--cafile", pki.caFile().toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    private static String[] join(String[] a, String... b) {
        List<String> l = new ArrayList<>(List.of(a));
        l.addAll(List.of(b));
        return l.toArray(String[]::new);
    }

    @Test
    @DisplayName("mosquitto_pub/sub with --cafile and -u/-P: mosquitto_passwd's file and Mosquitto's ACL file, unchanged")
    void mosquittoClientsWithPasswords() throws Exception {
        ExternalCommand sub = run("mosquitto_sub", join(tls(0, "-u", "bob", "-P", "builder", "-i", "bob-sub"),
                "-t", "sensors/#", "-C", "1", "-v", "-W", "15"));
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.subscriptionCount() >= 1 || !sub.isAlive());
        ExternalCommand denied = run("mosquitto_pub", join(tls(0, "-u", "bob", "-P", "builder"), "-t",
                "sensors/forged", "-m", "bob may only read", "-q", "1"));
        assertThat(denied.waitFor(EXIT)).as("3.1.1: a denied publish is acknowledged: %s", denied.stderr()).isZero();
        ExternalCommand pub = run("mosquitto_pub", join(tls(0, "-u", "alice", "-P", "wonderland"), "-t",
                "sensors/temp", "-m", "21.5", "-q", "1"));
        assertThat(pub.waitFor(EXIT)).as("mosquitto_pub: %s", pub.stderr()).isZero();
        assertThat(sub.waitFor(EXIT)).as("mosquitto_sub: %s", sub.stderr()).isZero();
        assertThat(sub.stdoutLines()).containsExactly("sensors/temp 21.5");
    }

    @Test
    @DisplayName("mosquitto_pub: wrong password, unknown user and no credentials are refused; no --cafile fails the handshake")
    void mosquittoClientsRefused() throws Exception {
        for (String[] creds : new String[][] {{"-u", "alice", "-P", "nope"}, {"-u", "eve", "-P", "x"}, {}}) {
            ExternalCommand p = run("mosquitto_pub", join(tls(0, creds), "-t", "sensors/x", "-m", "m"));
            assertThat(p.waitFor(EXIT)).isNotZero();
            assertThat(p.stderr()).contains("not authorised");
        }
        ExternalCommand v5 = run("mosquitto_pub", join(tls(0, "-u", "alice", "-P", "nope", "-V", "mqttv5"), "-t",
                "sensors/x", "-m", "m"));
        assertThat(v5.waitFor(EXIT)).isNotZero();
        assertThat(v5.stderr()).containsIgnoringCase("bad user name or password");
        ExternalCommand untrusting = run("mosquitto_pub", "-h", "localhost", "-p", Integer.toString(port(0)),
                "--capath", Files.createDirectories(dir.resolve("empty")).toString(), "-u", "alice", "-P", "wonderland", "-t", "x", "-m", "m");
        assertThat(untrusting.waitFor(EXIT)).isNotZero();
    }

    @Test
    @DisplayName("mosquitto_pub --cert/--key: the certificate's CN is the user name for the ACL; another CA's certificate is refused")
    void mosquittoClientsWithCertificates() throws Exception {
        ExternalCommand sub = run("mosquitto_sub", join(tls(0, "-u", "alice", "-P", "wonderland", "-i", "alice-sub"),
                "-t", "sensors/#", "-C", "1", "-v", "-W", "15"));
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.subscriptionCount() >= 1 || !sub.isAlive());
        ExternalCommand outside = run("mosquitto_pub", join(tls(1, "--cert", device.certFile().toString(), "--key",
                device.keyFile().toString()), "-t", "sensors/other/temp", "-m", "not mine", "-q", "1"));
        assertThat(outside.waitFor(EXIT)).as("%s", outside.stderr()).isZero();
        ExternalCommand pub = run("mosquitto_pub", join(tls(1, "--cert", device.certFile().toString(), "--key",
                device.keyFile().toString()), "-t", "sensors/sensor-1/temp", "-m", "19.0", "-q", "1"));
        assertThat(pub.waitFor(EXIT)).as("%s", pub.stderr()).isZero();
        assertThat(sub.waitFor(EXIT)).as("%s", sub.stderr()).isZero();
        assertThat(sub.stdoutLines()).containsExactly("sensors/sensor-1/temp 19.0");

        ExternalCommand foreign = run("mosquitto_pub", join(tls(1, "--cert", stranger.certFile().toString(), "--key",
                stranger.keyFile().toString()), "-t", "sensors/sensor-1/temp", "-m", "x"));
        assertThat(foreign.waitFor(EXIT)).isNotZero();
        ExternalCommand none = run("mosquitto_pub", join(tls(1), "-t", "sensors/sensor-1/temp", "-m", "x"));
        assertThat(none.waitFor(EXIT)).isNotZero();
    }

    private static MqttConnectOptions pahoOptions(SSLContext ctx, String user, String password) {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setSocketFactory(ctx.getSocketFactory());
        o.setUserName(user);
        o.setPassword(password.toCharArray());
        o.setConnectionTimeout(10);
        return o;
    }

    private static void pahoRoundTrip(String uri, MqttConnectOptions options) throws Exception {
        MqttClient c = new MqttClient(uri, "paho-" + uri.substring(0, uri.indexOf(':')), new MemoryPersistence());
        c.connect(options);
        BlockingQueue<String> got = new ArrayBlockingQueue<>(4);
        IMqttMessageListener l = (topic, m) -> got.add(topic + " " + new String(m.getPayload(), StandardCharsets.UTF_8));
        assertThat(c.subscribeWithResponse("sensors/#", 1, l).getGrantedQos()).containsExactly(1);
        c.publish("sensors/paho", "hello over TLS".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("sensors/paho hello over TLS");
        c.disconnect();
        c.close();
    }

    @Test
    @DisplayName("Paho Java over ssl:// and wss:// with a password; a wrong password is refused with code 5")
    void paho() throws Exception {
        SSLContext ctx = TlsClient.context(pki.caCertificate(), null);
        pahoRoundTrip("ssl://localhost:" + port(0), pahoOptions(ctx, "alice", "wonderland"));
        pahoRoundTrip("wss://localhost:" + port(3) + "/mqtt", pahoOptions(ctx, "alice", "wonderland"));
        MqttClient c = new MqttClient("ssl://localhost:" + port(0), "paho-bad", new MemoryPersistence());
        assertThatThrownBy(() -> c.connect(pahoOptions(ctx, "alice", "wrong"))).isInstanceOf(MqttException.class)
                .satisfies(e -> assertThat(((MqttException) e).getReasonCode()).isEqualTo(5));
        c.close();
    }

    @Test
    @DisplayName("Paho Java over ssl:// with a client certificate")
    void pahoClientCertificate() throws Exception {
        SSLContext ctx = TlsClient.context(pki.caCertificate(), device);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setSocketFactory(ctx.getSocketFactory());
        MqttClient c = new MqttClient("ssl://localhost:" + port(1), "paho-cert", new MemoryPersistence());
        c.connect(o);
        c.publish("sensors/sensor-1/paho", new byte[] {1}, 1, false);
        assertThat(c.subscribeWithResponse("sensors/#", 1).getGrantedQos()).as("sensor-1 may only write")
                .containsExactly(0x80);
        c.disconnect();
        c.close();
    }

    private ExternalCommand mqttJs(String url, String clientId, String ca, String... creds) throws Exception {
        Path script = Path.of("src/test/node/roundtrip.js").toAbsolutePath();
        if (!Files.isDirectory(script.getParent().resolve("node_modules/mqtt"))) {
            throw new AssertionError("MQTT.js is not installed: run 'npm ci --prefix tern-broker/src/test/node' "
                    + "(.ci/run does)");
        }
        List<String> args = new ArrayList<>(List.of(script.toString(), url, clientId, ca));
        args.addAll(List.of(creds));
        return run("node", args.toArray(String[]::new));
    }

    @Test
    @DisplayName("MQTT.js over ws:// and wss:// (the subprotocol mqtt, /mqtt, a 100 kB message)")
    void mqttJs() throws Exception {
        if (!ExternalCommand.isAvailable("node")) {
            throw new AssertionError("node is not installed (apt-get install nodejs)");
        }
        ExternalCommand ws = mqttJs("ws://127.0.0.1:" + port(2) + "/mqtt", "js-ws", "-", "alice", "wonderland");
        assertThat(ws.waitFor(EXIT)).as("MQTT.js ws: %s %s", ws.stdout(), ws.stderr()).isZero();
        assertThat(ws.stdoutLines()).contains("granted 1", "message js/hello 12", "message js/big 100000");
        ExternalCommand wss = mqttJs("wss://localhost:" + port(3) + "/mqtt", "js-wss", pki.caFile().toString(),
                "alice", "wonderland");
        assertThat(wss.waitFor(EXIT)).as("MQTT.js wss: %s %s", wss.stdout(), wss.stderr()).isZero();
        assertThat(wss.stdoutLines()).contains("granted 1", "message js/hello 12");
        ExternalCommand refused = mqttJs("ws://127.0.0.1:" + port(2) + "/mqtt", "js-bad", "-", "alice", "nope");
        assertThat(refused.waitFor(EXIT)).isNotZero();
        assertThat(refused.stderr()).containsIgnoringCase("not authorized");
    }
}
