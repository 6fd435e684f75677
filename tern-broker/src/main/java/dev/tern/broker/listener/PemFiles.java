package dev.tern.broker.listener;

import dev.tern.broker.security.SecurityFileException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CRL;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the PEM files of mosquitto.conf's TLS options: certificate chains, private keys (PKCS#8,
 * PKCS#1 "RSA PRIVATE KEY" and SEC1 "EC PRIVATE KEY", as OpenSSL writes them) and CRLs. Keys
 * protected by a pass phrase are refused with a message: Tern has no way to ask for one.
 */
final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*(.*?)-----END \\1-----", Pattern.DOTALL);
    /** rsaEncryption, 1.2.840.113549.1.1.1, with NULL parameters. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
        (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    /** id-ecPublicKey, 1.2.840.10045.2.1. */
    private static final byte[] EC_PUBLIC_KEY_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    private PemFiles() {}

    /** Every certificate in a PEM (or DER) file, in file order. */
    static List<X509Certificate> certificates(Path file) throws SecurityFileException {
        byte[] bytes = read(file);
        try (InputStream in = new ByteArrayInputStream(bytes)) {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new SecurityFileException(file, 0, "no certificate in the file");
            }
            return out;
        } catch (CertificateException | IOException e) {
            throw new SecurityFileException(file, "not a PEM certificate file: " + e.getMessage(), e);
        }
    }

    /** The certificates of every file in a directory (capath) that holds any. */
    static List<X509Certificate> certificatesIn(Path dir) throws SecurityFileException {
        List<X509Certificate> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                try {
                    out.addAll(certificates(f));
                } catch (SecurityFileException e) {
                    // capath may hold other files (c_rehash keeps CRLs there as HASH.rN)
                }
            }
        } catch (IOException e) {
            throw new SecurityFileException(dir, "cannot list the directory: " + e, e);
        }
        if (out.isEmpty()) {
            throw new SecurityFileException(dir, 0, "no CA certificate in the directory");
        }
        return out;
    }

    /** Every CRL in a PEM file. */
    static List<X509CRL> crls(Path file) throws SecurityFileException {
        byte[] bytes = read(file);
        try (InputStream in = new ByteArrayInputStream(bytes)) {
            List<X509CRL> out = new ArrayList<>();
            for (CRL c : CertificateFactory.getInstance("X.509").generateCRLs(in)) {
                out.add((X509CRL) c);
            }
            if (out.isEmpty()) {
                throw new SecurityFileException(file, 0, "no CRL in the file");
            }
            return out;
        } catch (GeneralSecurityException | IOException e) {
            throw new SecurityFileException(file, "not a PEM CRL file: " + e.getMessage(), e);
        }
    }

    /** The private key in a PEM file. */
    static PrivateKey privateKey(Path file) throws SecurityFileException {
        String text = new String(read(file), StandardCharsets.US_ASCII);
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            String body = m.group(2);
            if (body.contains("Proc-Type:") || type.equals("ENCRYPTED PRIVATE KEY")) {
                throw new SecurityFileException(file, 0, "the private key is protected by a pass phrase, which Tern "
                        + "cannot ask for; remove it with 'openssl pkey -in KEY -out KEY.plain'");
            }
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(body);
            } catch (IllegalArgumentException e) {
                throw new SecurityFileException(file, 0, "malformed PEM block '" + type + "'");
            }
            switch (type) {
                case "PRIVATE KEY" -> {
                    return pkcs8(file, der, "RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS");
                }
                case "RSA PRIVATE KEY" -> {
                    return pkcs8(file, sequence(integerZero(), RSA_ALGORITHM, octetString(der)), "RSA");
                }
                case "EC PRIVATE KEY" -> {
                    byte[] curve = sec1Curve(file, der);
                    return pkcs8(file, sequence(integerZero(), sequence(EC_PUBLIC_KEY_OID, curve), octetString(der)),
                            "EC");
                }
                default -> {
                    // e.g. "EC PARAMETERS" before the key, or a certificate in the same file
                }
            }
        }
        throw new SecurityFileException(file, 0, "no private key (BEGIN PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
    }

    private static PrivateKey pkcs8(Path file, byte[] der, String... algorithms) throws SecurityFileException {
        for (String algorithm : algorithms) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new SecurityFileException(file, 0, "cannot read the private key (not RSA, EC or EdDSA)");
    }

    private static byte[] read(Path file) throws SecurityFileException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new SecurityFileException(file, "cannot read the file: " + e, e);
        }
    }

    // ---- Minimal DER, for wrapping PKCS#1 and SEC1 keys in PKCS#8 -----------------------------

    /** The named-curve OID (a whole TLV) from a SEC1 ECPrivateKey's [0] parameters. */
    private static byte[] sec1Curve(Path file, byte[] der) throws SecurityFileException {
        try {
            int[] seq = header(der, 0);
            if (der[0] != 0x30) {
                throw new IllegalArgumentException("not a SEQUENCE");
            }
            int pos = seq[0];
            int end = seq[0] + seq[1];
            while (pos < end) {
                int tag = der[pos] & 0xff;
                int[] h = header(der, pos);
                if (tag == 0xa0) {
                    byte[] oid = new byte[h[1]];
                    System.arraycopy(der, h[0], oid, 0, h[1]);
                    return oid;
                }
                pos = h[0] + h[1];
            }
        } catch (RuntimeException e) {
            throw new SecurityFileException(file, 0, "malformed EC PRIVATE KEY: " + e.getMessage());
        }
        throw new SecurityFileException(file, 0, "the EC PRIVATE KEY does not name its curve");
    }

    /** Start of the value and its length for the TLV at {@code pos}. */
    private static int[] header(byte[] der, int pos) {
        int len = der[pos + 1] & 0xff;
        int start = pos + 2;
        if (len >= 0x80) {
            int n = len & 0x7f;
            if (n == 0 || n > 3) {
                throw new IllegalArgumentException("unsupported length");
            }
            len = 0;
            for (int i = 0; i < n; i++) {
                len = (len << 8) | (der[start + i] & 0xff);
            }
            start += n;
        }
        if (start + len > der.length) {
            throw new IllegalArgumentException("truncated");
        }
        return new int[] {start, len};
    }

    private static byte[] integerZero() {
        return new byte[] {0x02, 0x01, 0x00};
    }

    private static byte[] octetString(byte[] content) {
        return tlv(0x04, content);
    }

    private static byte[] sequence(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return tlv(0x30, b.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(content.length + 6);
        b.write(tag);
        int len = content.length;
        if (len < 0x80) {
            b.write(len);
        } else if (len < 0x100) {
            b.write(0x81);
            b.write(len);
        } else if (len < 0x10000) {
            b.write(0x82);
            b.write(len >> 8);
            b.write(len);
        } else {
            b.write(0x83);
            b.write(len >> 16);
            b.write(len >> 8);
            b.write(len);
        }
        b.writeBytes(content);
        return b.toByteArray();
    }
}
