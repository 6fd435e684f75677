package dev.tern.client;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made at test time with BouncyCastle: a CA, server certificates for chosen host names,
 * and client certificates, written as PEM files (keys as PKCS#8) that both Mosquitto and Tern read.
 */
final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    final Path dir;
    final Path caCert;
    private final KeyPair caKey;
    private final X509Certificate ca;

    private TestCertificates(Path dir, Path caCert, KeyPair caKey, X509Certificate ca) {
        this.dir = dir;
        this.caCert = caCert;
        this.caKey = caKey;
        this.ca = ca;
    }

    /** A new CA in {@code dir}, named {@code name}. */
    static TestCertificates newCa(Path dir, String name) throws Exception {
        KeyPair key = rsa();
        X500Name subject = new X500Name("CN=" + name);
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(SERIAL.incrementAndGet()),
                new Date(System.currentTimeMillis() - 60_000), new Date(System.currentTimeMillis() + 86_400_000L),
                subject, key.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        X509Certificate cert = sign(b, key.getPrivate());
        Path file = dir.resolve(name + ".crt");
        writePem(file, cert);
        return new TestCertificates(dir, file, key, cert);
    }

    /** A certificate signed by this CA for the given DNS names and IP addresses; returns {cert, key}. */
    Path[] issue(String name, List<String> dnsNames, List<String> ips) throws Exception {
        KeyPair key = rsa();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(ca.getSubjectX500Principal().getName()),
                BigInteger.valueOf(SERIAL.incrementAndGet()), new Date(System.currentTimeMillis() - 60_000),
                new Date(System.currentTimeMillis() + 86_400_000L), new X500Name("CN=" + name), key.getPublic());
        GeneralName[] names = new GeneralName[dnsNames.size() + ips.size()];
        int i = 0;
        for (String d : dnsNames) {
            names[i++] = new GeneralName(GeneralName.dNSName, d);
        }
        for (String ip : ips) {
            names[i++] = new GeneralName(GeneralName.iPAddress, ip);
        }
        if (names.length > 0) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        }
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        X509Certificate cert = sign(b, caKey.getPrivate());
        Path certFile = dir.resolve(name + ".crt");
        Path keyFile = dir.resolve(name + ".key");
        writePem(certFile, cert);
        writePem(keyFile, new JcaPKCS8Generator(key.getPrivate(), null).generate());
        return new Path[] {certFile, keyFile};
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA")
                .build(key)));
    }

    private static void writePem(Path file, Object o) throws IOException {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            w.writeObject(o);
        }
        Files.writeString(file, s.toString(), StandardCharsets.US_ASCII);
    }

}
