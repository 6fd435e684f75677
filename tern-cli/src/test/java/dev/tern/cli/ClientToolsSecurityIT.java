package dev.tern.cli;

import static dev.tern.cli.Tools.assertNoStackTrace;
import static dev.tern.cli.Tools.assertOneLineError;
import static dev.tern.cli.Tools.assertSame;
import static dev.tern.cli.Tools.awaitSubscribed;
import static dev.tern.cli.Tools.both;
import static dev.tern.cli.Tools.finish;
import static dev.tern.cli.Tools.prepend;
import static dev.tern.cli.Tools.startMosquitto;
import static dev.tern.cli.Tools.startTern;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.broker.TernBroker;
import dev.tern.broker.config.ConfigParser;
import dev.tern.cli.Tools.Result;
import dev.tern.testkit.ExternalCommand;
import dev.tern.testkit.FreePort;
import dev.tern.testkit.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tern pub/sub} and mosquitto_pub/mosquitto_sub against Tern's TLS, client-certificate and
 * WebSocket listeners with a password file made by {@code tern passwd}: {@code --cafile},
 * {@code --capath}, {@code --cert/--key}, {@code --insecure}, {@code -u/-P} and {@code mqtts://} URLs
 * give the same output and exit codes; {@code ws://} and {@code wss://} (which mosquitto's tools do
 * not have) reach subscribers over TCP.
 */
class ClientToolsSecurityIT {
    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki other;
    static TestPki.Issued device;
    static TernBroker broker;
    static String tcp;
    static String tls;
    static String mtls;
    static String ws;
    static String wss;
    static String wrongName;
    static String v6;

    @BeforeAll
    static void start() throws Exception {
        if (!ExternalCommand.isAvailable("mosquitto_sub")) {
            throw new AssertionError("mosquitto-clients is needed: apt-get install mosquitto-clients (.ci/run does)");
        }
        pki = TestPki.create(dir.resolve("pki"), "tools");
        other = TestPki.create(dir.resolve("other"), "other");
        TestPki.Issued server = pki.server("server");
        TestPki.Issued elsewhere = pki.server("elsewhere", List.of("broker.example"), List.of());
        device = pki.client("device");
        Path passwd = dir.resolve("passwd");
        Result made = finish(startTern(List.of("passwd", "-c", "-b", "-I", "4096", passwd.toString(), "user", "secret")));
        assertThat(made.exit()).as(made.err()).isZero();
        int[] ports = {FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find(),
            FreePort.find(), FreePort.find()};
        tcp = Integer.toString(ports[0]);
        tls = Integer.toString(ports[1]);
        mtls = Integer.toString(ports[2]);
        ws = Integer.toString(ports[3]);
        wss = Integer.toString(ports[4]);
        wrongName = Integer.toString(ports[5]);
        v6 = Integer.toString(ports[6]);
        String tlsFiles = "certfile " + server.certFile() + "\nkeyfile " + server.keyFile() + "\n";
        String config = "sys_interval 0\nauth_failure_delay 0\npassword_file " + passwd + "\n"
                + "listener " + tcp + " 127.0.0.1\n"
                + "listener " + tls + " 127.0.0.1\n" + tlsFiles
                + "listener " + mtls + " 127.0.0.1\n" + tlsFiles + "cafile " + pki.caFile()
                + "\nrequire_certificate true\nuse_identity_as_username true\n"
                + "listener " + ws + " 127.0.0.1\nprotocol websockets\n"
                + "listener " + wss + " 127.0.0.1\nprotocol websockets\n" + tlsFiles
                + "listener " + wrongName + " 127.0.0.1\ncertfile " + elsewhere.certFile() + "\nkeyfile "
                + elsewhere.keyFile() + "\n"
                + "listener " + v6 + " ::1\n";
        broker = TernBroker.builder().config(ConfigParser.parse(config, dir.resolve("tern.conf"))).build().start();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static void publishRetained(String topic, String payload) throws Exception {
        try (ExternalCommand p = ExternalCommand.start("mosquitto_pub", "-p", tcp, "-u", "user", "-P", "secret", "-t",
                topic, "-m", payload, "-r", "-q", "1")) {
            assertThat(p.waitFor(Duration.ofSeconds(10))).isZero();
        }
    }

    private static String[] args(String... a) {
        return a;
    }

    @Test
    @DisplayName("sub --cafile / --capath with -u/-P over TLS, by name and by address; -L mqtts://user:pw@host/topic")
    void subscribeOverTls() throws Exception {
        publishRetained("sec/tls", "over tls");
        String ca = pki.caFile().toString();
        Result[] byName = both("sub", "-h", "localhost", "-p", tls, "--cafile", ca, "-u", "user", "-P", "secret", "-t",
                "sec/tls", "-C", "1", "-v", "-W", "10");
        assertSame(byName);
        assertThat(byName[0].out()).isEqualTo("sec/tls over tls\n");
        // OpenSSL finds CA files in a --capath directory by their subject hash links (c_rehash).
        Path capath = pki.caFile().getParent();
        try (ExternalCommand rehash = ExternalCommand.start("openssl", "rehash", capath.toString())) {
            assertThat(rehash.waitFor(Duration.ofSeconds(10))).as(rehash.stderr()).isZero();
        }
        assertSame(both("sub", "-h", "127.0.0.1", "-p", tls, "--capath", capath.toString(), "-u", "user", "-P",
                "secret", "-t", "sec/tls", "-C", "1", "-v", "-W", "10"));
        Result[] url = both("sub", "-L", "mqtts://user:secret@localhost:" + tls + "/sec/tls", "--cafile", ca, "-C", "1",
                "-v", "-W", "10");
        assertSame(url);
        assertThat(url[0].out()).isEqualTo("sec/tls over tls\n");
    }

    @Test
    @DisplayName("pub over TLS and with a client certificate (its CN is the user): the subscriber gets the same messages from both tools")
    void publishOverTls() throws Exception {
        String ca = pki.caFile().toString();
        String[][] cases = {
            args("-p", tls, "--cafile", ca, "-u", "user", "-P", "secret", "-m", "one", "-q", "1"),
            args("-p", mtls, "--cafile", ca, "--cert", device.certFile().toString(), "--key", device.keyFile().toString(),
                "-m", "two", "-q", "2", "-V", "mqttv5"),
        };
        for (String[] c : cases) {
            List<String> outputs = new ArrayList<>();
            for (String impl : new String[] {"mosquitto", "tern"}) {
                String topic = "sec/pub/" + impl;
                try (ExternalCommand sub = ExternalCommand.start("mosquitto_sub", "-p", tcp, "-i", "w-" + topic, "-u",
                        "user", "-P", "secret", "-t", topic, "-F", "%t %q %p", "-C", "1", "-W", "15", "-q", "2")) {
                    awaitSubscribed(broker, "w-" + topic);
                    List<String> a = new ArrayList<>(List.of("-t", topic));
                    a.addAll(List.of(c));
                    Result r = finish(impl.equals("tern") ? startTern(prepend("pub", a)) : startMosquitto("pub", a));
                    assertThat(r.exit()).as("%s pub %s: %s", impl, a, r.err()).isZero();
                    assertThat(sub.waitFor(Duration.ofSeconds(15))).isZero();
                    outputs.add(sub.stdout().replace(topic, "TOPIC"));
                }
            }
            assertThat(outputs.get(1)).as("pub %s", List.of(c)).isEqualTo(outputs.get(0));
        }
    }

    @Test
    @DisplayName("TLS failures: an untrusted CA, another host's certificate (and --insecure), no client certificate, "
            + "a wrong password; one line each, never a stack trace")
    void tlsFailures() throws Exception {
        String ca = pki.caFile().toString();
        // libmosquitto reports a failed handshake from its connect call (exit 1, "Unable to connect (A TLS
        // error occurred.)") or, when the handshake was still waiting for the server, from its network
        // loop (exit 8, MOSQ_ERR_TLS), depending on timing. Tern's tools always exit with 1.
        for (String tool : new String[] {"sub", "pub"}) {
            Result[] untrusted = both(tool, "-h", "127.0.0.1", "-p", tls, "--cafile", other.caFile().toString(), "-u",
                    "user", "-P", "secret", "-t", "x", tool.equals("sub") ? "-W" : "-m", tool.equals("sub") ? "5" : "y");
            assertThat(untrusted[0].exit()).as("mosquitto_%s: %s", tool, untrusted[0].err()).isIn(1, 8);
            assertThat(untrusted[1].exit()).isEqualTo(1);
            assertThat(untrusted[1].out()).isEqualTo(untrusted[0].out()).isEmpty();
            assertOneLineError(untrusted[1]);
            assertThat(untrusted[1].err()).contains("TLS");
        }

        Result[] wrongHost = both("pub", "-h", "127.0.0.1", "-p", wrongName, "--cafile", ca, "-u", "user", "-P",
                "secret", "-t", "x", "-m", "y");
        assertThat(wrongHost[0].exit()).isIn(1, 8);
        assertThat(wrongHost[1].exit()).isEqualTo(1);
        assertOneLineError(wrongHost[1]);
        assertThat(wrongHost[1].err()).contains("TLS");
        assertSame(both("pub", "-h", "127.0.0.1", "-p", wrongName, "--cafile", ca, "--insecure", "-u", "user", "-P",
                "secret", "-t", "x", "-m", "y"));

        // Without a client certificate, TLS 1.3 lets the client finish its handshake before the server
        // refuses: libmosquitto then reports a lost connection (7), Tern's client the TLS alert (8).
        Result[] noCertificate = both("pub", "-h", "127.0.0.1", "-p", mtls, "--cafile", ca, "-t", "x", "-m", "y");
        assertThat(noCertificate[0].exit()).isNotZero();
        assertThat(noCertificate[1].exit()).isNotZero();
        assertOneLineError(noCertificate[1]);

        Result[] wrongPassword = both("sub", "-p", tls, "--cafile", ca, "-u", "user", "-P", "wrong", "-t", "x");
        assertThat(wrongPassword[1].exit()).isEqualTo(wrongPassword[0].exit()).isEqualTo(5);
        assertThat(wrongPassword[1].err().strip()).isEqualTo(wrongPassword[0].err().strip());
        assertNoStackTrace(wrongPassword[1]);
    }

    @Test
    @DisplayName("ws:// and wss:// URLs (Tern's tools only): pub over WebSocket and sub over secure WebSocket meet "
            + "mosquitto's tools on TCP and TLS")
    void webSockets() throws Exception {
        String ca = pki.caFile().toString();
        try (ExternalCommand sub = ExternalCommand.start("mosquitto_sub", "-p", tcp, "-i", "w-ws", "-u", "user", "-P",
                "secret", "-t", "sec/ws/#", "-v", "-C", "2", "-W", "20", "-q", "1")) {
            awaitSubscribed(broker, "w-ws");
            Result plain = finish(startTern(List.of("pub", "--url", "ws://127.0.0.1:" + ws + "/mqtt", "-u", "user",
                    "-P", "secret", "-t", "sec/ws/plain", "-m", "over ws", "-q", "1")));
            assertThat(plain.exit()).as(plain.err()).isZero();
            Result secure = finish(startTern(List.of("pub", "-L", "wss://localhost:" + wss, "--cafile", ca, "-u",
                    "user", "-P", "secret", "-t", "sec/ws/secure", "-m", "over wss", "-V", "mqttv5", "-q", "1")));
            assertThat(secure.exit()).as(secure.err()).isZero();
            assertThat(sub.waitFor(Duration.ofSeconds(20))).isZero();
            assertThat(sub.stdout()).isEqualTo("sec/ws/plain over ws\nsec/ws/secure over wss\n");
        }
        publishRetained("sec/wss/kept", "retained for wss");
        Result viaWss = finish(startTern(List.of("sub", "-L", "wss://localhost:" + wss + "/mqtt", "--cafile", ca,
                "-u", "user", "-P", "secret", "-t", "sec/wss/#", "-v", "-C", "1", "-W", "10")));
        assertThat(viaWss.exit()).as(viaWss.err()).isZero();
        assertThat(viaWss.out()).isEqualTo("sec/wss/kept retained for wss\n");
        Result badPassword = finish(startTern(List.of("sub", "-L", "ws://127.0.0.1:" + ws, "-u", "user", "-P", "nope",
                "-t", "x")));
        assertThat(badPassword.exit()).isEqualTo(5);
        assertThat(badPassword.err().strip()).isEqualTo("Connection error: Connection Refused: not authorised.");
    }

    @Test
    @DisplayName("-L with a bracketed IPv6 address (mqtt://user:pw@[::1]:port/topic): Tern's tools connect; "
            + "mosquitto_pub 2.0.11 cannot parse it")
    void ipv6Url() throws Exception {
        try (ExternalCommand sub = ExternalCommand.start("mosquitto_sub", "-h", "::1", "-p", v6, "-i", "w-v6", "-u",
                "user", "-P", "secret", "-t", "sec/v6", "-v", "-C", "1", "-W", "15")) {
            awaitSubscribed(broker, "w-v6");
            Result r = finish(startTern(List.of("pub", "-L", "mqtt://user:secret@[::1]:" + v6 + "/sec/v6", "-m",
                    "over ipv6")));
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(sub.waitFor(Duration.ofSeconds(15))).isZero();
            assertThat(sub.stdout()).isEqualTo("sec/v6 over ipv6\n");
        }
        Result mosquitto = finish(startMosquitto("pub", List.of("-L", "mqtt://user:secret@[::1]:" + v6 + "/sec/v6",
                "-m", "x")));
        assertThat(mosquitto.exit()).isNotZero();
    }
}
