package dev.tern.broker.interop;

import dev.tern.testkit.ExternalCommand;
import dev.tern.testkit.MosquittoBroker;
import java.io.IOException;
import java.time.Duration;

/**
 * The third-party peers the interop tests run against, and checks that they are installed. A missing
 * peer fails the test with what to install (.ci/run installs them all): skipping would let a machine
 * without them pass without testing anything.
 */
final class Peers {
    /** Debian's interpreter: python3-paho-mqtt installs into it, whatever {@code python3} is first on PATH. */
    static final String PYTHON = "/usr/bin/python3";

    private static final String HOW = " (on Debian: apt-get install %s; .ci/run installs it)";

    private Peers() {}

    /** Fails unless Debian's mosquitto broker is installed. */
    static void requireMosquittoBroker() {
        if (!MosquittoBroker.isInstalled()) {
            throw new AssertionError(MosquittoBroker.BINARY + " is missing: these tests compare Tern with the "
                    + "reference broker" + HOW.formatted("mosquitto"));
        }
    }

    /** Fails unless mosquitto_pub and mosquitto_sub are on PATH. */
    static void requireMosquittoClients() {
        for (String program : new String[] {"mosquitto_pub", "mosquitto_sub"}) {
            if (!ExternalCommand.isAvailable(program)) {
                throw new AssertionError(program + " is not on PATH" + HOW.formatted("mosquitto-clients"));
            }
        }
    }

    /** Fails unless Debian's python3 can import paho.mqtt.client; returns the library's version. */
    static String requirePythonPaho() throws IOException, InterruptedException {
        if (!ExternalCommand.isAvailable(PYTHON)) {
            throw new AssertionError(PYTHON + " is missing" + HOW.formatted("python3 python3-paho-mqtt"));
        }
        try (ExternalCommand check = ExternalCommand.start(PYTHON, "-c",
                "import paho.mqtt, paho.mqtt.client; print(paho.mqtt.__version__)")) {
            int exit = check.waitFor(Duration.ofSeconds(20));
            if (exit != 0) {
                throw new AssertionError(PYTHON + " cannot import paho.mqtt.client" + HOW.formatted("python3-paho-mqtt")
                        + ": " + check.stderr().strip());
            }
            return check.stdout().strip();
        }
    }
}
