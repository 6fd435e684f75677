package dev.tern.broker.security;

/**
 * Relations between two topic filters, for checking a SUBSCRIBE against ACL rules: whether some
 * topic matches both ({@link #intersects}) and whether every topic matching one matches the other
 * ({@link #covers}). Both honour the rule that a leading wildcard does not match topics starting
 * with {@code $} (MQTT-4.7.2-1). Filters must be syntactically valid.
 */
final class FilterRelations {
    private FilterRelations() {}

    /** True if at least one topic name matches both filters. */
    static boolean intersects(String a, String b) {
        return intersects(a.split("/", -1), 0, b.split("/", -1), 0);
    }

    private static boolean intersects(String[] a, int i, String[] b, int j) {
        if (i == 0 && j == 0 && (dollarMismatch(a[0], b[0]) || dollarMismatch(b[0], a[0]))) {
            return false;
        }
        if (i < a.length && a[i].equals("#") || j < b.length && b[j].equals("#")) {
            return true;
        }
        if (i == a.length || j == b.length) {
            return i == a.length && j == b.length;
        }
        if (a[i].equals("+") || b[j].equals("+") || a[i].equals(b[j])) {
            return intersects(a, i + 1, b, j + 1);
        }
        return false;
    }

    /** A first level that is a wildcard cannot meet a literal first level starting with '$'. */
    private static boolean dollarMismatch(String wildcardSide, String literalSide) {
        return (wildcardSide.equals("+") || wildcardSide.equals("#")) && literalSide.startsWith("$");
    }

    /** True if every topic name that matches {@code inner} also matches {@code outer}. */
    static boolean covers(String outer, String inner) {
        return covers(outer.split("/", -1), 0, inner.split("/", -1), 0);
    }

    private static boolean covers(String[] r, int i, String[] f, int j) {
        if (i == 0 && j == 0 && dollarMismatch(r[0], f[0])) {
            return false; // "#" does not cover "$SYS/#"
        }
        if (i < r.length && r[i].equals("#")) {
            return true;
        }
        if (j < f.length && f[j].equals("#")) {
            return false; // inner reaches any depth here, outer does not
        }
        if (i == r.length || j == f.length) {
            return i == r.length && j == f.length;
        }
        if (f[j].equals("+")) {
            return r[i].equals("+") && covers(r, i + 1, f, j + 1);
        }
        return (r[i].equals("+") || r[i].equals(f[j])) && covers(r, i + 1, f, j + 1);
    }
}
