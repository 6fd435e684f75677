package dev.tern.broker.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.listener.ServerTls;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Every TLS listener test again on the JDK's SSLEngine, the fallback where BoringSSL cannot load. */
class JdkTlsListenerTest extends TlsListenerTest {
    @BeforeAll
    static void pinJdk() {
        System.setProperty(ServerTls.PROVIDER_PROPERTY, "jdk");
    }

    @AfterAll
    static void unpin() {
        System.clearProperty(ServerTls.PROVIDER_PROPERTY);
    }

    @Test
    @DisplayName("-Dtern.tls.provider=jdk selects the JDK's TLS; by default BoringSSL is used where it loads")
    void providerChoice() {
        assertThat(ServerTls.defaultProvider()).isEqualTo(SslProvider.JDK);
        System.clearProperty(ServerTls.PROVIDER_PROPERTY);
        try {
            assertThat(ServerTls.defaultProvider()).isEqualTo(io.netty.handler.ssl.OpenSsl.isAvailable()
                    ? SslProvider.OPENSSL : SslProvider.JDK);
        } finally {
            System.setProperty(ServerTls.PROVIDER_PROPERTY, "jdk");
        }
    }
}
