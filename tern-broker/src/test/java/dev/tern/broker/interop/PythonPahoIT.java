package dev.tern.broker.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.test.TestBroker;
import dev.tern.testkit.ExternalCommand;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Eclipse Paho Python (Debian's python3-paho-mqtt) against an embedded Tern: the script
 * {@code src/test/resources/interop/paho_roundtrip.py} subscribes, publishes to itself at QoS 0, 1 and 2
 * and checks what comes back.
 */
class PythonPahoIT {
    private static String pahoVersion;

    @BeforeAll
    static void requirePaho() throws Exception {
        pahoVersion = Peers.requirePythonPaho();
    }

    @ParameterizedTest(name = "MQTT {0}")
    @ValueSource(strings = {"3.1.1", "3.1"})
    void roundTripAtEveryQos(String version) throws Exception {
        URL url = PythonPahoIT.class.getResource("/interop/paho_roundtrip.py");
        assertThat(url).as("script on the test classpath").isNotNull();
        Path script = Path.of(url.toURI());
        try (TestBroker broker = TestBroker.start();
             ExternalCommand python = ExternalCommand.start(Peers.PYTHON, script.toString(), "127.0.0.1",
                     Integer.toString(broker.port()), version)) {
            int exit = python.waitFor(Duration.ofSeconds(30));
            assertThat(exit).as("exit code; stdout:%n%s%nstderr:%n%s", python.stdout(), python.stderr()).isZero();
            assertThat(python.stdoutLines()).containsExactly(
                    "paho-mqtt " + pahoVersion + " MQTT " + version,
                    "connected",
                    "subscribed qos 2",
                    "received qos 0 hello at qos 0",
                    "received qos 1 hello at qos 1",
                    "received qos 2 hello at qos 2",
                    "OK");
            assertThat(broker.broker().metrics().publishReceived()).isEqualTo(3);
        }
    }
}
