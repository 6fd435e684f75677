package dev.tern.broker.security;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Not a test: what one login costs per password hash format (docs/architecture.md, "Password
 * hashing"). Prints the median of 21 verifications after a warm-up, and the cost of a cached login.
 */
public final class PasswordHashBenchmark {
    private PasswordHashBenchmark() {}

    public static void main(String[] args) {
        byte[] pw = "correct horse battery staple".getBytes(StandardCharsets.UTF_8);
        SecureRandom r = new SecureRandom();
        measure("$7$ (mosquitto_passwd, PBKDF2-SHA512, 101 iterations)",
                PasswordHash.parse("$7$101$59rtV6Vbf/98RBz7$J9yWhC5AitXE9zR8JB6DBDzNzGkYLV42WPpdV53VEsZxu/gNWym2ij4"
                        + "ZaLoX59vnj1JdGGDuA/V2Cip46pKCSQ=="), "secret".getBytes(StandardCharsets.UTF_8));
        for (int it : new int[] {4_096, ScramSha256Hash.DEFAULT_ITERATIONS, 210_000, 600_000}) {
            measure("$scram-sha-256$ " + it + " iterations", ScramSha256Hash.create(pw, it, r), pw);
        }
        LoginCache cache = new LoginCache(r);
        ScramSha256Hash h = ScramSha256Hash.create(pw, ScramSha256Hash.DEFAULT_ITERATIONS, r);
        cache.remember("u", h, pw);
        long[] t = new long[100_001];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            if (!cache.verified("u", h, pw)) {
                throw new AssertionError();
            }
            t[i] = System.nanoTime() - t0;
        }
        Arrays.sort(t);
        System.out.printf("%-55s %8.3f ms%n", "cached login (HMAC-SHA256 of the password)", t[t.length / 2] / 1e6);
    }

    private static void measure(String name, PasswordHash h, byte[] pw) {
        for (int i = 0; i < 5; i++) {
            h.matches(pw);
        }
        long[] t = new long[21];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            if (!h.matches(pw)) {
                throw new AssertionError();
            }
            t[i] = System.nanoTime() - t0;
        }
        Arrays.sort(t);
        System.out.printf("%-55s %8.3f ms%n", name, t[t.length / 2] / 1e6);
    }
}
