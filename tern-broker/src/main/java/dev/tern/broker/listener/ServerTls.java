package dev.tern.broker.listener;

import dev.tern.broker.config.TlsSettings;
import dev.tern.broker.security.SecurityFileException;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.CipherSuiteConverter;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertStore;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.X509CRL;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS side of one listener: an {@link SslContext} built from mosquitto.conf's options and swapped
 * for a new one when the files change or on SIGHUP. Connections already open keep the context they
 * were made with; only new ones see the new certificate, so a reload drops nobody. Thread-safe.
 */
public final class ServerTls {
    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);

    private final TlsSettings settings;
    private final SslProvider provider;
    private final String name;
    private volatile Loaded current;

    /** A built context and what it was built from. */
    private record Loaded(SslContext context, List<FileStamp> stamps, X509Certificate serverCertificate) {}

    /** Enough of a file's attributes to notice that it changed (also through a symlink swap). */
    private record FileStamp(Path path, long modified, long size, Object key) {
        static FileStamp of(Path p) {
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                Object key = a.fileKey() != null ? a.fileKey() : "";
                return new FileStamp(p, a.lastModifiedTime().toMillis(), a.size(), key);
            } catch (IOException e) {
                return new FileStamp(p, -1, -1, "");
            }
        }
    }

    /**
     * Builds the context.
     *
     * @throws SecurityFileException if a file is missing or unusable, or the key does not fit the certificate
     */
    public ServerTls(String name, TlsSettings settings, SslProvider provider) throws SecurityFileException {
        this.name = name;
        this.settings = settings;
        this.provider = provider;
        this.current = load();
    }

    /** A handler for a new connection, from the newest context. */
    public SslHandler newHandler(ByteBufAllocator alloc, long handshakeTimeoutMillis) {
        SslHandler h = current.context.newHandler(alloc);
        h.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        return h;
    }

    /** The server certificate new connections get. */
    public X509Certificate serverCertificate() {
        return current.serverCertificate;
    }

    public TlsSettings settings() {
        return settings;
    }

    /** Reloads if a file changed since the last load; logs and keeps the old context on failure. */
    public boolean reloadIfChanged() {
        Loaded l = current;
        for (FileStamp s : l.stamps) {
            if (!s.equals(FileStamp.of(s.path))) {
                LOG.info("{} changed; reloading the certificates of {}.", s.path, name);
                return reload();
            }
        }
        return false;
    }

    /** Rebuilds the context from the files; on failure keeps the old one. */
    public boolean reload() {
        try {
            Loaded l = load();
            current = l;
            LOG.info("Loaded server certificate for {}: subject '{}', serial {}, valid until {}.", name,
                    l.serverCertificate.getSubjectX500Principal().getName(), l.serverCertificate.getSerialNumber().toString(16),
                    l.serverCertificate.getNotAfter().toInstant());
            return true;
        } catch (SecurityFileException e) {
            LOG.error("Cannot reload the TLS files of {}, keeping the previous certificate: {}", name, e.getMessage());
            return false;
        }
    }

    private Loaded load() throws SecurityFileException {
        List<Path> watched = new ArrayList<>();
        Path certPath = Path.of(settings.certFile());
        Path keyPath = Path.of(settings.keyFile());
        watched.add(certPath);
        watched.add(keyPath);
        List<X509Certificate> chain = PemFiles.certificates(certPath);
        PrivateKey key = PemFiles.privateKey(keyPath);
        if (!keyMatches(key, chain.get(0))) {
            throw new SecurityFileException(keyPath, 0, "the private key does not belong to the certificate in "
                    + certPath);
        }
        SslContextBuilder b = SslContextBuilder.forServer(key, chain).sslProvider(provider);
        b.protocols(settings.minimumVersion().equals("TLSv1.3") ? new String[] {"TLSv1.3"}
                : new String[] {"TLSv1.3", "TLSv1.2"});
        List<String> ciphers = new ArrayList<>();
        for (String c : settings.ciphersTls13()) {
            ciphers.add(javaCipherName(c, certPath));
        }
        for (String c : settings.ciphers()) {
            ciphers.add(javaCipherName(c, certPath));
        }
        if (!ciphers.isEmpty()) {
            if (settings.ciphersTls13().isEmpty()) {
                // Only TLS 1.2 suites were named: keep TLS 1.3's defaults, as OpenSSL's 'ciphers' does.
                ciphers.addAll(0, List.of("TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
                        "TLS_AES_128_GCM_SHA256"));
            }
            b.ciphers(ciphers);
        }
        List<X509Certificate> cas = new ArrayList<>();
        if (settings.caFile() != null) {
            Path ca = Path.of(settings.caFile());
            watched.add(ca);
            cas.addAll(PemFiles.certificates(ca));
        }
        if (settings.caPath() != null) {
            Path dir = Path.of(settings.caPath());
            watched.addAll(listFiles(dir));
            cas.addAll(PemFiles.certificatesIn(dir));
        }
        List<X509CRL> crls = List.of();
        if (settings.crlFile() != null) {
            Path crl = Path.of(settings.crlFile());
            watched.add(crl);
            crls = PemFiles.crls(crl);
        }
        List<FileStamp> stamps = stamps(watched);
        if (settings.requireCertificate()) {
            b.clientAuth(ClientAuth.REQUIRE).trustManager(trustManagers(cas, crls, certPath));
        } else if (!cas.isEmpty()) {
            // Mosquitto: without require_certificate, client certificates are not asked for.
            b.clientAuth(ClientAuth.NONE);
        }
        try {
            SslContext context = b.build();
            return new Loaded(context, stamps, chain.get(0));
        } catch (SSLException | IllegalArgumentException e) {
            throw new SecurityFileException(certPath, "cannot use the certificate, key and options: "
                    + e.getMessage(), e);
        }
    }

    /** Signs a probe with the key and verifies it with the certificate (the JDK's TLS does not check this). */
    private static boolean keyMatches(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) {
            return true; // RSASSA-PSS and others: left to the handshake
        }
        try {
            byte[] probe = "tern".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            java.security.Signature signer = java.security.Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static List<FileStamp> stamps(List<Path> paths) {
        return paths.stream().map(FileStamp::of).toList();
    }

    private static List<Path> listFiles(Path dir) throws SecurityFileException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = new ArrayList<>(s.toList());
            files.add(dir);
            return files;
        } catch (IOException e) {
            throw new SecurityFileException(dir, "cannot list the directory: " + e, e);
        }
    }

    /**
     * PKIX validation against the CAs; with CRLs, the client certificate (not the CAs, as OpenSSL's
     * X509_V_FLAG_CRL_CHECK does for Mosquitto) must be covered by a CRL from its issuer and not revoked.
     */
    private static TrustManagerFactory trustManagers(List<X509Certificate> cas, List<X509CRL> crls, Path origin)
            throws SecurityFileException {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (X509Certificate ca : cas) {
                store.setCertificateEntry("ca-" + i++, ca);
            }
            PKIXBuilderParameters params = new PKIXBuilderParameters(store, new X509CertSelector());
            if (crls.isEmpty()) {
                params.setRevocationEnabled(false);
            } else {
                params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(crls)));
                PKIXRevocationChecker checker = (PKIXRevocationChecker) CertPathValidator.getInstance("PKIX")
                        .getRevocationChecker();
                checker.setOptions(EnumSet.of(PKIXRevocationChecker.Option.ONLY_END_ENTITY,
                        PKIXRevocationChecker.Option.PREFER_CRLS, PKIXRevocationChecker.Option.NO_FALLBACK));
                params.addCertPathChecker(checker);
                params.setRevocationEnabled(true);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(new CertPathTrustManagerParameters(params));
            return tmf;
        } catch (GeneralSecurityException | IOException e) {
            throw new SecurityFileException(origin, "cannot set up client certificate checks: " + e.getMessage(), e);
        }
    }

    /** OpenSSL names (ECDHE-RSA-AES128-GCM-SHA256) become the JDK's (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256). */
    private static String javaCipherName(String name, Path origin) throws SecurityFileException {
        if (name.startsWith("TLS_") || name.startsWith("SSL_")) {
            return name;
        }
        String java = CipherSuiteConverter.toJava(name, "TLS");
        if (java == null) {
            throw new SecurityFileException(origin, 0, "unknown cipher suite '" + name + "'");
        }
        return java;
    }

    /** System property that pins the TLS library: {@code jdk} (e.g. for a FIPS-certified JDK provider) or {@code openssl}. */
    public static final String PROVIDER_PROPERTY = "tern.tls.provider";

    /**
     * The TLS library Tern uses (see docs/architecture.md, "TLS"): BoringSSL if its native library
     * loads (Linux x86-64), else the JDK's; {@value #PROVIDER_PROPERTY} overrides the choice.
     */
    public static SslProvider defaultProvider() {
        String pinned = System.getProperty(PROVIDER_PROPERTY);
        if ("jdk".equalsIgnoreCase(pinned)) {
            return SslProvider.JDK;
        }
        boolean boring = io.netty.handler.ssl.OpenSsl.isAvailable();
        if ("openssl".equalsIgnoreCase(pinned) && !boring) {
            throw new IllegalStateException("-D" + PROVIDER_PROPERTY + "=openssl but BoringSSL cannot be loaded: "
                    + io.netty.handler.ssl.OpenSsl.unavailabilityCause());
        }
        return boring ? SslProvider.OPENSSL : SslProvider.JDK;
    }
}
