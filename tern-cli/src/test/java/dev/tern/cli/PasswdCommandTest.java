package dev.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.security.PasswordFile;
import dev.tern.testkit.ExternalCommand;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tern passwd} with mosquitto_passwd's flags. */
class PasswdCommandTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int passwd(String stdin, String... args) {
        PasswdCommand cmd = new PasswdCommand(new PrintStream(err, true, StandardCharsets.UTF_8),
                new BufferedReader(new StringReader(stdin)));
        return new CommandLine(cmd).execute(args);
    }

    private static boolean verifies(Path file, String user, String password) throws Exception {
        var h = PasswordFile.read(file).lookup(user);
        return h != null && h.matches(password.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("-c -b creates a file readable by its owner only; -b adds and updates users; entries are SCRAM-SHA-256")
    void createAndUpdate() throws Exception {
        Path f = dir.resolve("passwd");
        assertThat(passwd("", "-c", "-b", "-I", "4096", f.toString(), "alice", "one")).isZero();
        assertThat(Files.getPosixFilePermissions(f)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(passwd("", "-b", "-I", "4096", f.toString(), "bob", "two")).isZero();
        assertThat(passwd("", "-b", "-I", "4096", f.toString(), "alice", "three")).isZero();
        assertThat(PasswordFile.read(f).users()).containsExactly("alice", "bob");
        assertThat(verifies(f, "alice", "three")).isTrue();
        assertThat(verifies(f, "alice", "one")).isFalse();
        assertThat(verifies(f, "bob", "two")).isTrue();
        assertThat(Files.readString(f)).contains("alice:$scram-sha-256$4096$").doesNotContain("three");
        assertThat(Files.readString(f)).as("default iterations")
                .doesNotContain("$scram-sha-256$100000$");
        assertThat(passwd("", "-b", f.toString(), "carol", "x")).isZero();
        assertThat(Files.readString(f)).contains("carol:$scram-sha-256$100000$");
    }

    @Test
    @DisplayName("without -b the password is asked twice (standard input without a terminal); a mismatch is refused")
    void askedPassword() throws Exception {
        Path f = dir.resolve("passwd");
        assertThat(passwd("pw\npw\n", "-c", "-I", "4096", f.toString(), "ann")).isZero();
        assertThat(verifies(f, "ann", "pw")).isTrue();
        assertThat(passwd("pw\nother\n", "-I", "4096", f.toString(), "ann")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("passwords do not match");
        assertThat(verifies(f, "ann", "pw")).isTrue();
    }

    @Test
    @DisplayName("-D deletes a user; -U hashes a plain-text file and keeps mosquitto_passwd's entries as they are")
    void deleteAndUpgrade() throws Exception {
        Path f = dir.resolve("passwd");
        String mosquittoEntry = "bob:$7$101$59rtV6Vbf/98RBz7$J9yWhC5AitXE9zR8JB6DBDzNzGkYLV42WPpdV53VEsZxu/gNWym2ij4ZaLo"
                + "X59vnj1JdGGDuA/V2Cip46pKCSQ==";
        Files.writeString(f, "# mine\nalice:plain-one\n" + mosquittoEntry + "\ncarol:plain-three\n");
        assertThat(passwd("", "-U", "-I", "4096", f.toString())).isZero();
        assertThat(Files.readString(f)).startsWith("# mine\n").contains(mosquittoEntry).doesNotContain("plain-");
        assertThat(verifies(f, "alice", "plain-one")).isTrue();
        assertThat(verifies(f, "bob", "secret")).isTrue();
        assertThat(passwd("", "-D", f.toString(), "alice")).isZero();
        assertThat(PasswordFile.read(f).users()).containsExactly("bob", "carol");
        assertThat(passwd("", "-D", f.toString(), "nobody")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("user 'nobody' is not in");
    }

    @Test
    @DisplayName("mistakes are reported: a missing file without -c, bad user names, wrong arguments")
    void errors() {
        Path f = dir.resolve("missing");
        assertThat(passwd("", "-b", f.toString(), "a", "b")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("does not exist; use -c");
        assertThat(passwd("", "-c", "-b", f.toString(), "a:b", "c")).isEqualTo(1);
        assertThat(passwd("", "-c", "-D", f.toString(), "a")).isEqualTo(1);
        assertThat(passwd("", "-b", f.toString(), "a")).isEqualTo(1);
        assertThat(passwd("", "-c", "-b", "-I", "10", f.toString(), "a", "b")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("-I must be at least 4096");
    }

    @Test
    @DisplayName("a file that tern passwd and mosquitto_passwd both edit stays readable by both")
    void sharedWithMosquittoPasswd() throws Exception {
        if (!ExternalCommand.isAvailable("mosquitto_passwd")) {
            throw new AssertionError("mosquitto_passwd is missing (apt-get install mosquitto; .ci/run installs it)");
        }
        Path f = dir.resolve("passwd");
        try (ExternalCommand c = ExternalCommand.start("mosquitto_passwd", "-c", "-b", f.toString(), "m", "from-mosquitto")) {
            assertThat(c.waitFor(Duration.ofSeconds(20))).isZero();
        }
        assertThat(passwd("", "-b", "-I", "4096", f.toString(), "t", "from-tern")).isZero();
        assertThat(verifies(f, "m", "from-mosquitto")).isTrue();
        assertThat(verifies(f, "t", "from-tern")).isTrue();
    }
}
