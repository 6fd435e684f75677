package dev.tern.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.packet.Auth;
import dev.tern.codec.packet.ConnAck;
import dev.tern.codec.packet.Connect;
import dev.tern.codec.packet.Disconnect;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The client side of SCRAM-SHA-256 against the exchange printed in RFC 7677 section 3, and its refusals. */
class ScramSha256AuthenticatorTest {
    private static final String CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
    private static final String SERVER_FIRST =
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private static final String CLIENT_FINAL =
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private static final String SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("RFC 7677's example exchange: client-first, client-final with the proof, the server signature accepted")
    void rfc7677Example() {
        ScramSha256Authenticator a = new ScramSha256Authenticator("user", "pencil");
        assertThat(a.method()).isEqualTo("SCRAM-SHA-256");
        assertThat(new String(a.start(CLIENT_NONCE), StandardCharsets.UTF_8)).isEqualTo("n,,n=user,r=" + CLIENT_NONCE);
        assertThat(new String(a.onContinue(utf8(SERVER_FIRST), MqttProperties.EMPTY), StandardCharsets.UTF_8))
                .isEqualTo(CLIENT_FINAL);
        a.onSuccess(utf8(SERVER_FINAL), MqttProperties.EMPTY);
    }

    @Test
    @DisplayName("a wrong or missing server signature, or a server error, fails the exchange")
    void serverSignatureChecked() {
        ScramSha256Authenticator a = new ScramSha256Authenticator("user", "pencil");
        a.start(CLIENT_NONCE);
        a.onContinue(utf8(SERVER_FIRST), MqttProperties.EMPTY);
        assertThatThrownBy(() -> a.onSuccess(utf8("v=AAAA" + SERVER_FINAL.substring(6)), MqttProperties.EMPTY))
                .hasMessageContaining("signature is wrong");
        for (String bad : new String[] {null, "", "e=invalid-proof", "v=not base64!"}) {
            a.start(CLIENT_NONCE);
            a.onContinue(utf8(SERVER_FIRST), MqttProperties.EMPTY);
            assertThatThrownBy(() -> a.onSuccess(bad == null ? null : utf8(bad), MqttProperties.EMPTY))
                    .as("server-final %s", bad).isInstanceOf(IllegalStateException.class);
        }
        // Success without the proof step (the server skipped the challenge) is not accepted either.
        a.start(CLIENT_NONCE);
        assertThatThrownBy(() -> a.onSuccess(utf8(SERVER_FINAL), MqttProperties.EMPTY))
                .hasMessageContaining("before the exchange was complete");
    }

    @Test
    @DisplayName("server-first-messages that do not extend the nonce, lack a salt, ask for few iterations or an extension are refused")
    void badChallenges() {
        String[] bad = {
            "r=someoneelse123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
            "r=" + CLIENT_NONCE + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
            "r=" + CLIENT_NONCE + "x,i=4096",
            "r=" + CLIENT_NONCE + "x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1000",
            "r=" + CLIENT_NONCE + "x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=many",
            "m=ext,r=" + CLIENT_NONCE + "x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        };
        for (String b : bad) {
            ScramSha256Authenticator a = new ScramSha256Authenticator("user", "pencil");
            a.start(CLIENT_NONCE);
            assertThatThrownBy(() -> a.onContinue(utf8(b), MqttProperties.EMPTY)).as(b)
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    @DisplayName("user names with ',' and '=' are escaped (RFC 5802 saslname); each exchange gets a fresh nonce")
    void escapingAndFreshNonces() {
        ScramSha256Authenticator a = new ScramSha256Authenticator("a,b=c", "pw");
        String first = new String(a.initialData(), StandardCharsets.UTF_8);
        assertThat(first).startsWith("n,,n=a=2Cb=3Dc,r=");
        assertThat(new String(a.initialData(), StandardCharsets.UTF_8)).isNotEqualTo(first);
        assertThatThrownBy(() -> new ScramSha256Authenticator("", "pw")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-30] a server that cannot prove it knows the key: the client answers its CONNACK with DISCONNECT 0x87 and the connect fails")
    void impostorServer() throws Exception {
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_5);
             TernClient c = TernClient.builder().serverHost("127.0.0.1").serverPort(s.port()).version(MqttVersion.MQTT_5)
                     .clientId("scram").enhancedAuthentication(new ScramSha256Authenticator("user", "pencil")).build()) {
            CompletableFuture<ConnectResult> f = c.connect();
            s.accept();
            Connect connect = s.expect(Connect.class);
            String first = new String(connect.properties().authenticationData(), StandardCharsets.UTF_8);
            String nonce = first.substring(first.indexOf(",r=") + 3);
            s.send(new Auth(ReasonCodes.CONTINUE_AUTHENTICATION, MqttProperties.builder()
                    .authenticationMethod("SCRAM-SHA-256")
                    .authenticationData(utf8("r=" + nonce + "server,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")).build()));
            Auth proof = s.expect(Auth.class);
            assertThat(new String(proof.properties().authenticationData(), StandardCharsets.UTF_8))
                    .startsWith("c=biws,r=" + nonce + "server,p=");
            s.send(new ConnAck(false, 0, MqttProperties.builder().authenticationMethod("SCRAM-SHA-256")
                    .authenticationData(utf8(SERVER_FINAL)).build()));
            assertThat(s.expect(Disconnect.class).reasonCode()).isEqualTo(ReasonCodes.NOT_AUTHORIZED);
            assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).hasMessageContaining("signature is wrong");
            assertThat(s.closedWithin(Duration.ofSeconds(3))).isTrue();
        }
    }
}
