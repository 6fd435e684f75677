package dev.tern.testkit;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away public key infrastructure made at test time with BouncyCastle: a CA, server
 * certificates for 127.0.0.1/localhost (or other names), client certificates (valid, expired,
 * revoked, from another CA) and a CRL, written as PEM files the way openssl writes them (keys as
 * PKCS#8, EC P-256 unless said otherwise), which Tern, Mosquitto and the JDK all read. One helper for
 * the tests of every module: the broker's TLS listeners, the client's TLS transports, the tools.
 */
public final class TestPki {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A certificate with its key and where both were written. */
    public record Issued(X509Certificate certificate, PrivateKey key, Path certFile, Path keyFile) {}

    private final Path dir;
    private final String name;
    private final KeyPair caKeys;
    private final X509Certificate ca;
    private final Path caFile;

    private TestPki(Path dir, String name) throws Exception {
        this.dir = dir;
        this.name = name;
        this.caKeys = ecKeys();
        X500Name subject = new X500Name("O=Tern tests,CN=" + name + " Test CA");
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minusSeconds(3600)),
                Date.from(now.plus(Duration.ofDays(30))), subject, caKeys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        this.ca = sign(b, caKeys.getPrivate());
        this.caFile = dir.resolve(name + "-ca.crt");
        writePem(caFile, ca);
    }

    /** A new CA writing its files into {@code dir}. */
    public static TestPki create(Path dir, String name) throws Exception {
        Files.createDirectories(dir);
        return new TestPki(dir, name);
    }

    public Path caFile() {
        return caFile;
    }

    public X509Certificate caCertificate() {
        return ca;
    }

    /** A server certificate for 127.0.0.1, ::1 and localhost. */
    public Issued server(String fileName) throws Exception {
        return server(fileName, List.of("localhost"), List.of("127.0.0.1", "::1"));
    }

    /**
     * A server certificate whose subject alternative names are exactly these DNS names and IP
     * addresses (e.g. another host's name, to test a client's host name check).
     */
    public Issued server(String fileName, List<String> dnsNames, List<String> ipAddresses) throws Exception {
        List<GeneralName> names = new ArrayList<>();
        dnsNames.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
        ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
        String cn = dnsNames.isEmpty() ? fileName : dnsNames.get(0);
        return issue(fileName, "O=Tern tests,CN=" + cn, names, Instant.now().minusSeconds(3600),
                Instant.now().plus(Duration.ofDays(7)), false);
    }

    /** A client certificate with this common name. */
    public Issued client(String commonName) throws Exception {
        return issue(commonName, "O=Tern tests,OU=devices,CN=" + commonName, List.of(),
                Instant.now().minusSeconds(3600), Instant.now().plus(Duration.ofDays(7)), false);
    }

    /** A client certificate that expired yesterday. */
    public Issued expiredClient(String commonName) throws Exception {
        return issue(commonName, "O=Tern tests,CN=" + commonName, List.of(), Instant.now().minus(Duration.ofDays(10)),
                Instant.now().minus(Duration.ofDays(1)), false);
    }

    /** A server certificate whose key file is PKCS#1 ("RSA PRIVATE KEY") instead of PKCS#8. */
    public Issued rsaServerPkcs1(String fileName) throws Exception {
        return issue(fileName, "O=Tern tests,CN=localhost", loopbackNames(), Instant.now().minusSeconds(3600),
                Instant.now().plus(Duration.ofDays(7)), true);
    }

    /** Writes a CRL revoking these certificates. */
    public Path crl(String fileName, X509Certificate... revoked) throws Exception {
        Instant now = Instant.now();
        X509v2CRLBuilder b = new X509v2CRLBuilder(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()),
                Date.from(now.minusSeconds(60)));
        b.setNextUpdate(Date.from(now.plus(Duration.ofDays(7))));
        for (X509Certificate c : revoked) {
            b.addCRLEntry(c.getSerialNumber(), Date.from(now.minusSeconds(30)), CRLReason.keyCompromise);
        }
        X509CRLHolder holder = b.build(signer(caKeys.getPrivate()));
        X509CRL crl = new JcaX509CRLConverter().getCRL(holder);
        Path file = dir.resolve(fileName);
        writePem(file, crl);
        return file;
    }

    private static List<GeneralName> loopbackNames() {
        return List.of(new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.iPAddress, "::1"));
    }

    private Issued issue(String fileName, String subject, List<GeneralName> altNames, Instant from, Instant until,
                         boolean rsaPkcs1) throws Exception {
        KeyPair keys = rsaPkcs1 ? rsaKeys() : ecKeys();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, serial(), Date.from(from), Date.from(until),
                new X500Name(subject), keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        if (!altNames.isEmpty()) {
            b.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(altNames.toArray(GeneralName[]::new)));
        }
        X509Certificate cert = sign(b, caKeys.getPrivate());
        Path certFile = dir.resolve(name + "-" + fileName + ".crt");
        Path keyFile = dir.resolve(name + "-" + fileName + ".key");
        writePem(certFile, cert);
        if (rsaPkcs1) {
            writePem(keyFile, keys); // JcaPEMWriter writes a KeyPair as "RSA PRIVATE KEY"
        } else {
            writePem(keyFile, new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(keys.getPrivate(), null).generate());
        }
        return new Issued(cert, keys.getPrivate(), certFile, keyFile);
    }

    private static KeyPair ecKeys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static KeyPair rsaKeys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048, RANDOM);
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    private static ContentSigner signer(PrivateKey key) throws OperatorCreationException {
        return new JcaContentSignerBuilder(key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA")
                .build(key);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(b.build(signer(key)));
    }

    private static void writePem(Path file, Object o) throws IOException {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            w.writeObject(o);
        }
        Files.writeString(file, s.toString(), StandardCharsets.US_ASCII);
    }
}
