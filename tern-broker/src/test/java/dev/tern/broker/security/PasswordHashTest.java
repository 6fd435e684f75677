package dev.tern.broker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PasswordHashTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("$7$ entry written by Debian's mosquitto_passwd 2.0.11 (PBKDF2-SHA512, 101 iterations)")
    void mosquittoPbkdf2() {
        PasswordHash h = PasswordHash.parse("$7$101$59rtV6Vbf/98RBz7$J9yWhC5AitXE9zR8JB6DBDzNzGkYLV42WPpdV53VEsZxu/"
                + "gNWym2ij4ZaLoX59vnj1JdGGDuA/V2Cip46pKCSQ==");
        assertThat(h.algorithm()).isEqualTo("sha512-pbkdf2");
        assertThat(h.matches(utf8("secret"))).isTrue();
        assertThat(h.matches(utf8("Secret"))).isFalse();
        assertThat(h.matches(utf8(""))).isFalse();
    }

    @Test
    @DisplayName("$6$ entry written by mosquitto_passwd -H sha512 (SHA-512 of password and salt)")
    void mosquittoSha512() {
        PasswordHash h = PasswordHash.parse("$6$/vKWdson1RmTi2K8$qBui1+aSi/x2O9l6uY2Fcx53f3RKhsLlKCTeBQrtSgDw8DMws6Oxft"
                + "nR72+rH/o8wYDS6xPjqFynuzzsd0HGdQ==");
        assertThat(h.algorithm()).isEqualTo("sha512");
        assertThat(h.matches(utf8("hunter2"))).isTrue();
        assertThat(h.matches(utf8("hunter3"))).isFalse();
    }

    @Test
    @DisplayName("Tern's entries round-trip through their text form and verify only the right password")
    void scramRoundTrip() {
        ScramSha256Hash h = ScramSha256Hash.create(utf8("pässwörd"), 4096, new SecureRandom());
        PasswordHash parsed = PasswordHash.parse(h.encoded());
        assertThat(parsed).isInstanceOf(ScramSha256Hash.class);
        assertThat(parsed.encoded()).isEqualTo(h.encoded()).startsWith("$scram-sha-256$4096$");
        assertThat(parsed.matches(utf8("pässwörd"))).isTrue();
        assertThat(parsed.matches(utf8("passwörd"))).isFalse();
        ScramSha256Hash again = ScramSha256Hash.create(utf8("pässwörd"), 4096, new SecureRandom());
        assertThat(again.salt()).as("a fresh salt per entry").isNotEqualTo(h.salt());
    }

    @Test
    @DisplayName("the SCRAM-SHA-256 entry verifies the exchange of RFC 7677 section 3 (user/pencil)")
    void rfc7677Vector() throws Exception {
        byte[] salt = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
        byte[] salted = ScramSha256Hash.saltedPassword(utf8("pencil"), salt, 4096);
        byte[] storedKey = ScramSha256Hash.storedKey(salted);
        byte[] serverKey = ScramSha256Hash.serverKey(salted);
        String nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        String authMessage = "n=user,r=rOprNGfwEbeRWgbNEkqO," + "r=" + nonce + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,"
                + "c=biws,r=" + nonce;
        byte[] proof = Base64.getDecoder().decode("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        byte[] clientSignature = PasswordHash.hmac("HmacSHA256", storedKey, utf8(authMessage));
        byte[] clientKey = new byte[proof.length];
        for (int i = 0; i < proof.length; i++) {
            clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
        }
        assertThat(MessageDigest.getInstance("SHA-256").digest(clientKey)).as("H(ClientKey) == StoredKey")
                .isEqualTo(storedKey);
        assertThat(Base64.getEncoder().encodeToString(PasswordHash.hmac("HmacSHA256", serverKey, utf8(authMessage))))
                .as("ServerSignature").isEqualTo("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
        ScramSha256Hash entry = new ScramSha256Hash(4096, salt, storedKey, serverKey);
        assertThat(entry.matches(utf8("pencil"))).isTrue();
    }

    @Test
    @DisplayName("plain-text, unknown and malformed entries are refused with a reason")
    void malformed() {
        assertThatThrownBy(() -> PasswordHash.parse("secret")).hasMessageContaining("plain text")
                .hasMessageContaining("tern passwd -U");
        assertThatThrownBy(() -> PasswordHash.parse("$1$abc$def")).hasMessageContaining("unknown password hash type '$1$'");
        assertThatThrownBy(() -> PasswordHash.parse("$7$abc$AAAA$AAAA")).hasMessageContaining("iteration count");
        assertThatThrownBy(() -> PasswordHash.parse("$7$101$AAAA")).hasMessageContaining("$7$ITERATIONS$SALT$HASH");
        assertThatThrownBy(() -> PasswordHash.parse("$6$!!$AAAA")).hasMessageContaining("salt (not Base64)");
        assertThatThrownBy(() -> ScramSha256Hash.create(utf8("x"), 100, new SecureRandom()))
                .hasMessageContaining("at least 4096");
    }
}
