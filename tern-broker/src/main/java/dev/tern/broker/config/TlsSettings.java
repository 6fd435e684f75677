package dev.tern.broker.config;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A listener's TLS settings, named as in mosquitto.conf. A listener has TLS when {@code certfile}
 * and {@code keyfile} are set.
 *
 * @param certFile              {@code certfile}: the server certificate chain (PEM)
 * @param keyFile               {@code keyfile}: its private key (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC)
 * @param caFile                {@code cafile}: CA certificates that client certificates must chain to, or null
 * @param caPath                {@code capath}: a directory of such CA certificates (every *.pem, *.crt), or null
 * @param crlFile               {@code crlfile}: revoked client certificates (PEM CRLs), or null
 * @param requireCertificate    {@code require_certificate}: clients must present a valid certificate
 * @param useIdentityAsUsername {@code use_identity_as_username}: the certificate's CN is the user name
 * @param useSubjectAsUsername  {@code use_subject_as_username}: the certificate's subject (RFC 2253) is the user name
 * @param minimumVersion        {@code tls_version}: the lowest version accepted, "TLSv1.2" or "TLSv1.3"
 * @param ciphers               {@code ciphers}: TLS 1.2 cipher suites (OpenSSL or IANA names), empty for the default
 * @param ciphersTls13          {@code ciphers_tls1.3}: TLS 1.3 cipher suites, empty for the default
 */
public record TlsSettings(String certFile, String keyFile, @Nullable String caFile, @Nullable String caPath,
                          @Nullable String crlFile, boolean requireCertificate, boolean useIdentityAsUsername,
                          boolean useSubjectAsUsername, String minimumVersion, List<String> ciphers,
                          List<String> ciphersTls13) {
    public TlsSettings {
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
        Objects.requireNonNull(minimumVersion, "minimumVersion");
        ciphers = List.copyOf(ciphers);
        ciphersTls13 = List.copyOf(ciphersTls13);
    }

    /** TLS with a server certificate only. */
    public static TlsSettings server(String certFile, String keyFile) {
        return new TlsSettings(certFile, keyFile, null, null, null, false, false, false, "TLSv1.2", List.of(), List.of());
    }

    /** The same settings asking for client certificates from the CAs in {@code caFile}. */
    public TlsSettings requiringClientCertificates(String caFileValue) {
        return new TlsSettings(certFile, keyFile, caFileValue, caPath, crlFile, true, useIdentityAsUsername,
                useSubjectAsUsername, minimumVersion, ciphers, ciphersTls13);
    }

    /** True if the certificate names the user. */
    public boolean certificateIsUsername() {
        return useIdentityAsUsername || useSubjectAsUsername;
    }
}
