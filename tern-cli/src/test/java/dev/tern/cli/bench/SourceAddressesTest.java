package dev.tern.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

class SourceAddressesTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 1883);

    @Test
    void smallRunsLeaveTheSourceToTheKernel() {
        SourceAddresses sources = SourceAddresses.forRun(LOOPBACK, SourceAddresses.PER_ADDRESS);
        assertThat(sources.spread()).isFalse();
        assertThat(sources.forConnection(0)).isNull();
    }

    @Test
    void largeRunsRotateOverLoopbackAddresses() {
        SourceAddresses sources = SourceAddresses.forRun(LOOPBACK, 19_000);
        assertThat(sources.spread()).isTrue();
        assertThat(sources.forConnection(0).getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(sources.forConnection(1).getAddress().getHostAddress()).isEqualTo("127.0.0.2");
        assertThat(sources.forConnection(2).getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(sources.forConnection(1).getPort()).isZero();
        assertThat(SourceAddresses.forRun(LOOPBACK, 3_000_000).forConnection(299).getAddress().getHostAddress())
                .isEqualTo("127.0.1.44");
    }

    @Test
    void otherTargetsAreNotSpread() {
        assertThat(SourceAddresses.forRun(new InetSocketAddress("::1", 1883), 19_000).spread()).isFalse();
        assertThat(SourceAddresses.forRun(new InetSocketAddress("192.0.2.1", 1883), 19_000).spread()).isFalse();
    }

    @Test
    void aSecondLoopbackSourceReachesABrokerOn127001() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
                Socket client = new Socket()) {
            InetSocketAddress local = SourceAddresses.forRun(LOOPBACK, 19_000).forConnection(1);
            client.bind(local);
            client.connect(new InetSocketAddress("127.0.0.1", server.getLocalPort()), 5_000);
            try (Socket accepted = server.accept()) {
                assertThat(accepted.getInetAddress().getHostAddress()).isEqualTo("127.0.0.2");
            }
        }
    }
}
