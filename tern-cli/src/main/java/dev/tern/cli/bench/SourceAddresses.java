package dev.tern.cli.bench;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.jspecify.annotations.Nullable;

/**
 * Spreads a large run's connections to an IPv4 loopback broker over several loopback source
 * addresses (127.0.0.1, 127.0.0.2, ...).
 *
 * <p>Linux hands {@code connect()} the even ports of the ephemeral range first (14,116 of them by
 * default). Past that, every further connection to the same address and port searched all the used
 * ones before it found a free port: with 19,000 clients that search was 17% of the whole machine's CPU
 * while connecting, charged to the generator and taken from the broker beside it. With at most
 * {@value #PER_ADDRESS} connections per source address the first ports tried are free.
 */
final class SourceAddresses {
    /** Connections per source address: below the even half of the default ephemeral range. */
    static final int PER_ADDRESS = 10_000;

    private final InetAddress[] addresses;

    private SourceAddresses(InetAddress[] addresses) {
        this.addresses = addresses;
    }

    /** Source addresses for {@code connections} clients of {@code remote}; none (the kernel's choice) if not needed. */
    static SourceAddresses forRun(InetSocketAddress remote, int connections) {
        InetAddress target = remote.getAddress();
        int count = (connections + PER_ADDRESS - 1) / PER_ADDRESS;
        if (!(target instanceof Inet4Address) || !target.isLoopbackAddress() || count < 2) {
            return new SourceAddresses(new InetAddress[0]);
        }
        InetAddress[] addresses = new InetAddress[count];
        for (int i = 0; i < count; i++) {
            try {
                addresses[i] = InetAddress.getByAddress(new byte[] {127, 0, (byte) ((i + 1) >> 8), (byte) (i + 1)});
            } catch (UnknownHostException e) {
                throw new AssertionError("a 4-byte address is always valid", e);
            }
        }
        return new SourceAddresses(addresses);
    }

    /** Whether connections bind a source address at all. */
    boolean spread() {
        return addresses.length > 0;
    }

    /** The local address of the {@code index}-th connection (port 0: the kernel picks it at connect time), or null. */
    @Nullable InetSocketAddress forConnection(int index) {
        return addresses.length == 0 ? null : new InetSocketAddress(addresses[index % addresses.length], 0);
    }
}
