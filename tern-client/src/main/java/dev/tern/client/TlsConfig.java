package dev.tern.client;

import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * TLS settings: which server certificates to trust and, for client-certificate authentication, the
 * client's certificate and key. With no CA file, CA directory or trust manager the JVM's default
 * trust store is used. The server's host name is verified against its certificate unless
 * {@link #hostnameVerification()} is off (mosquitto's {@code --insecure}).
 *
 * @param caFile               PEM file of trusted CA certificates ({@code --cafile}), or null
 * @param caPath               directory of PEM CA certificates ({@code --capath}), or null
 * @param certificateChain     PEM client certificate chain ({@code --cert}), or null
 * @param privateKey           PEM private key, PKCS#8 ({@code --key}), or null
 * @param keyPassword          password of an encrypted private key, or null
 * @param hostnameVerification check that the certificate names the host connected to
 * @param trustManagerFactory  a trust manager factory to use instead of the files, or null
 * @param protocols            TLS protocol versions to enable, e.g. {@code TLSv1.3}; empty for the JVM's default
 */
public record TlsConfig(@Nullable Path caFile, @Nullable Path caPath, @Nullable Path certificateChain,
                        @Nullable Path privateKey, @Nullable String keyPassword, boolean hostnameVerification,
                        @Nullable TrustManagerFactory trustManagerFactory, List<String> protocols) {
    public TlsConfig {
        protocols = List.copyOf(protocols);
        if ((certificateChain == null) != (privateKey == null)) {
            throw new IllegalArgumentException("a client certificate needs its key and a key its certificate");
        }
    }

    /** The JVM's default trust store, host name verification on, no client certificate. */
    public static TlsConfig defaults() {
        return new TlsConfig(null, null, null, null, null, true, null, List.of());
    }

    /** Trust the CA certificates in a PEM file. */
    public TlsConfig withCaFile(@Nullable Path file) {
        return new TlsConfig(file, caPath, certificateChain, privateKey, keyPassword, hostnameVerification,
                trustManagerFactory, protocols);
    }

    /** Trust the PEM CA certificates in a directory. */
    public TlsConfig withCaPath(@Nullable Path dir) {
        return new TlsConfig(caFile, dir, certificateChain, privateKey, keyPassword, hostnameVerification,
                trustManagerFactory, protocols);
    }

    /** Authenticate with a client certificate chain and its PKCS#8 PEM key. */
    public TlsConfig withClientCertificate(Path chain, Path key, @Nullable String password) {
        return new TlsConfig(caFile, caPath, chain, key, password, hostnameVerification, trustManagerFactory,
                protocols);
    }

    /** Turn host name verification on or off (off is mosquitto's {@code --insecure}). */
    public TlsConfig withHostnameVerification(boolean value) {
        return new TlsConfig(caFile, caPath, certificateChain, privateKey, keyPassword, value, trustManagerFactory,
                protocols);
    }

    /** Use a trust manager factory instead of CA files. */
    public TlsConfig withTrustManagerFactory(@Nullable TrustManagerFactory value) {
        return new TlsConfig(caFile, caPath, certificateChain, privateKey, keyPassword, hostnameVerification, value,
                protocols);
    }

    /** Enable only these TLS protocol versions. */
    public TlsConfig withProtocols(List<String> value) {
        return new TlsConfig(caFile, caPath, certificateChain, privateKey, keyPassword, hostnameVerification,
                trustManagerFactory, value);
    }
}
