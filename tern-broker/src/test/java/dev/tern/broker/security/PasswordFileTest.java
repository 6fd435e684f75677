package dev.tern.broker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.testkit.ExternalCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswordFileTest {
    @TempDir
    Path dir;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("a password file made by Debian's mosquitto_passwd ($7$ and -H sha512 $6$) is read unchanged")
    void mosquittoPasswdFile() throws Exception {
        if (!ExternalCommand.isAvailable("mosquitto_passwd")) {
            throw new AssertionError("mosquitto_passwd is missing (apt-get install mosquitto; .ci/run installs it)");
        }
        Path file = dir.resolve("passwd");
        run("mosquitto_passwd", "-c", "-b", file.toString(), "alice", "wonderland");
        run("mosquitto_passwd", "-b", file.toString(), "bob", "builder: yes we can");
        run("mosquitto_passwd", "-H", "sha512", "-b", file.toString(), "carol", "ünïcödé");
        PasswordFile p = PasswordFile.read(file);
        assertThat(p.users()).containsExactly("alice", "bob", "carol");
        assertThat(p.lookup("alice").algorithm()).isEqualTo("sha512-pbkdf2");
        assertThat(p.lookup("carol").algorithm()).isEqualTo("sha512");
        assertThat(p.lookup("alice").matches(utf8("wonderland"))).isTrue();
        assertThat(p.lookup("bob").matches(utf8("builder: yes we can"))).isTrue();
        assertThat(p.lookup("carol").matches(utf8("ünïcödé"))).isTrue();
        assertThat(p.lookup("alice").matches(utf8("builder: yes we can"))).isFalse();
        assertThat(p.lookup("dave")).isNull();
    }

    private static void run(String... command) throws Exception {
        try (ExternalCommand c = ExternalCommand.start(command)) {
            assertThat(c.waitFor(Duration.ofSeconds(20))).as("%s: %s", String.join(" ", command), c.stderr()).isZero();
        }
    }

    @Test
    @DisplayName("comments, blank lines and CRLF line ends are accepted")
    void commentsAndBlankLines() throws Exception {
        String hash = ScramSha256Hash.create(utf8("pw"), 4096, new java.security.SecureRandom()).encoded();
        Path file = dir.resolve("p");
        Files.writeString(file, "# users\r\n\r\nann:" + hash + "\r\n   \n");
        PasswordFile p = PasswordFile.read(file);
        assertThat(p.users()).containsExactly("ann");
        assertThat(p.lookup("ann").matches(utf8("pw"))).isTrue();
    }

    @Test
    @DisplayName("a malformed line is an error naming the file, the line and the user")
    void errorsNameTheLine() throws Exception {
        Path file = dir.resolve("p");
        Files.writeString(file, "# x\nann:secret\n");
        assertThatThrownBy(() -> PasswordFile.read(file)).isInstanceOf(SecurityFileException.class)
                .hasMessageContaining(file + ":2: user 'ann': the password is not hashed");
        Files.writeString(file, "no colon here\n");
        assertThatThrownBy(() -> PasswordFile.read(file)).hasMessageContaining(":1: expected 'username:hash'");
        String h = ScramSha256Hash.create(utf8("pw"), 4096, new java.security.SecureRandom()).encoded();
        Files.writeString(file, "ann:" + h + "\nann:" + h + "\n");
        assertThatThrownBy(() -> PasswordFile.read(file)).hasMessageContaining(":2: user 'ann' is already defined on line 1");
        assertThatThrownBy(() -> PasswordFile.read(dir.resolve("missing"))).hasMessageContaining("cannot read");
    }
}
