package dev.tern.broker.security;

import java.security.cert.X509Certificate;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;
import org.jspecify.annotations.Nullable;

/** The names Mosquitto takes from a client certificate for {@code use_identity_as_username} and {@code use_subject_as_username}. */
public final class CertificateNames {
    private CertificateNames() {}

    /** The subject's common name (the last CN if there are several), or null if it has none. */
    public static @Nullable String commonName(X509Certificate certificate) {
        String cn = null;
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName(X500Principal.RFC2253)).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    cn = rdn.getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            return null;
        }
        return cn;
    }

    /** The subject in RFC 2253 form, e.g. {@code CN=sensor-1,O=Example,C=DE}. */
    public static String subject(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName(X500Principal.RFC2253);
    }
}
