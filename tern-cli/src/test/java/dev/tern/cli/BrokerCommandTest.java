package dev.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.TernBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The command line in this JVM, for everything that ends before a broker starts: configuration
 * errors (exit code 1, {@code FILE:LINE: option 'X': ...} on stderr), version and help.
 */
class BrokerCommandTest {
    @TempDir
    Path dir;

    /** Exit code and everything printed, by picocli or by the command itself. */
    private record Run(int exitCode, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ByteArrayOutputStream systemErr = new ByteArrayOutputStream();
        ByteArrayOutputStream systemOut = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        PrintStream originalOut = System.out;
        int code;
        try {
            System.setErr(new PrintStream(systemErr, true, StandardCharsets.UTF_8));
            System.setOut(new PrintStream(systemOut, true, StandardCharsets.UTF_8));
            CommandLine cmd = Main.commandLine();
            cmd.setOut(new PrintWriter(out, true));
            cmd.setErr(new PrintWriter(err, true));
            code = cmd.execute(args);
        } finally {
            System.setErr(originalErr);
            System.setOut(originalOut);
        }
        return new Run(code, out + systemOut.toString(StandardCharsets.UTF_8),
                err + systemErr.toString(StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("tern broker --warmup -1: exit code 1 and the reason, before anything starts")
    void negativeWarmupIsRefused() {
        Run r = run("broker", "--warmup", "-1");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("Error: --warmup must be 0 or more, was -1.");
    }

    @Test
    @DisplayName("tern broker -c bad.conf: exit code 1 and FILE:LINE: option 'X': ... on stderr")
    void badConfigurationExitsWithOne() throws Exception {
        Path conf = dir.resolve("bad.conf");
        Files.writeString(conf, "# a broken configuration\nlistener 1883\nmax_qos 3\n");
        Run r = run("broker", "-c", conf.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains(conf + ":3: option 'max_qos': must be between 0 and 2, was 3");
        assertThat(r.out()).isEmpty();
    }

    @Test
    @DisplayName("tern broker -c with a malformed password file exits with 1, naming the file, the line and the user")
    void badPasswordFileExitsWithOne() throws Exception {
        Path passwd = dir.resolve("passwd");
        Files.writeString(passwd, "alice:not-hashed\n");
        Path conf = dir.resolve("tern.conf");
        Files.writeString(conf, "listener 0 127.0.0.1\npassword_file " + passwd + "\nlog_dest stderr\n");
        Run r = run("broker", "-c", conf.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains(passwd + ":1: user 'alice': the password is not hashed");
    }

    @Test
    @DisplayName("tern passwd is listed and has mosquitto_passwd's flags")
    void passwdHelp() {
        Run r = run("passwd", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("-c", "-b", "-D", "-U", "-I", "mosquitto_passwd");
    }

    @Test
    @DisplayName("tern broker -c with an unknown option names it")
    void unknownOptionExitsWithOne() throws Exception {
        Path conf = dir.resolve("unknown.conf");
        Files.writeString(conf, "listener 1883\n\nallow_anonymus true\n");
        Run r = run("broker", "--config-file", conf.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains(conf + ":3: option 'allow_anonymus': unknown option");
    }

    @Test
    @DisplayName("tern broker -c with a missing file exits with 1 and names the file")
    void missingConfigurationFile() {
        Path conf = dir.resolve("missing.conf");
        Run r = run("broker", "-c", conf.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains(conf + ": cannot read the file");
    }

    @Test
    @DisplayName("tern broker -p with an impossible port exits with 1")
    void badPort() {
        Run r = run("broker", "-p", "70000");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("option '-p': port must be 1..65535, was 70000");
    }

    @Test
    @DisplayName("tern broker -d is refused: run under a supervisor instead")
    void daemonIsRefused() {
        Run r = run("broker", "-d");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("-d is not supported");
    }

    @Test
    @DisplayName("An unknown command-line option is a usage error (exit code 2)")
    void unknownFlag() {
        Run r = run("broker", "--no-such-flag");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Unknown option: '--no-such-flag'").contains("Usage: tern broker");
    }

    @Test
    @DisplayName("tern --version prints the build's version")
    void version() {
        Run r = run("--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out().strip()).isEqualTo("tern " + TernBroker.version());
        assertThat(TernBroker.version()).isNotBlank().isNotEqualTo("dev");
        assertThat(run("broker", "--version").out().strip()).isEqualTo("tern " + TernBroker.version());
    }

    @Test
    @DisplayName("tern broker --help lists the options")
    void brokerHelp() {
        Run r = run("broker", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("Usage: tern broker")
                .contains("-c, --config-file=FILE")
                .contains("-p, --port=PORT")
                .contains("-v, --verbose")
                .contains("-d, --daemon")
                .contains("-h, --help")
                .contains("-V, --version")
                .contains("Runs the MQTT broker in the foreground");
        assertThat(r.err()).isEmpty();
    }

    @Test
    @DisplayName("tern --help lists the broker command")
    void topLevelHelp() {
        Run r = run("--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("Usage: tern").contains("broker");
    }
}
