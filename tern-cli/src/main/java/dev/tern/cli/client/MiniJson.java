package dev.tern.cli.client;

/** A strict JSON syntax check (RFC 8259), enough to decide whether {@code %J} may embed a payload. */
final class MiniJson {
    private final String s;
    private int i;

    private MiniJson(String s) {
        this.s = s;
    }

    static boolean isValid(String text) {
        MiniJson p = new MiniJson(text);
        try {
            p.ws();
            p.value(0);
            p.ws();
            return p.i == text.length();
        } catch (IllegalStateException | StringIndexOutOfBoundsException e) {
            return false;
        }
    }

    private void ws() {
        while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
    }

    private void expect(char c) {
        if (s.charAt(i) != c) {
            throw new IllegalStateException();
        }
        i++;
    }

    private void value(int depth) {
        if (depth > 512) {
            throw new IllegalStateException();
        }
        char c = s.charAt(i);
        switch (c) {
            case '{' -> {
                i++;
                ws();
                if (s.charAt(i) == '}') {
                    i++;
                    return;
                }
                while (true) {
                    ws();
                    string();
                    ws();
                    expect(':');
                    ws();
                    value(depth + 1);
                    ws();
                    if (s.charAt(i) == ',') {
                        i++;
                        continue;
                    }
                    expect('}');
                    return;
                }
            }
            case '[' -> {
                i++;
                ws();
                if (s.charAt(i) == ']') {
                    i++;
                    return;
                }
                while (true) {
                    ws();
                    value(depth + 1);
                    ws();
                    if (s.charAt(i) == ',') {
                        i++;
                        continue;
                    }
                    expect(']');
                    return;
                }
            }
            case '"' -> string();
            case 't' -> word("true");
            case 'f' -> word("false");
            case 'n' -> word("null");
            default -> number();
        }
    }

    private void word(String w) {
        if (!s.startsWith(w, i)) {
            throw new IllegalStateException();
        }
        i += w.length();
    }

    private void string() {
        expect('"');
        while (true) {
            char c = s.charAt(i++);
            if (c == '"') {
                return;
            }
            if (c < 32) {
                throw new IllegalStateException();
            }
            if (c == '\\') {
                char e = s.charAt(i++);
                if (e == 'u') {
                    for (int k = 0; k < 4; k++) {
                        if (Character.digit(s.charAt(i++), 16) < 0) {
                            throw new IllegalStateException();
                        }
                    }
                } else if ("\"\\/bfnrt".indexOf(e) < 0) {
                    throw new IllegalStateException();
                }
            }
        }
    }

    private void number() {
        int start = i;
        if (i < s.length() && s.charAt(i) == '-') {
            i++;
        }
        if (i < s.length() && s.charAt(i) == '0') {
            i++;
        } else {
            digits();
        }
        if (i < s.length() && s.charAt(i) == '.') {
            i++;
            digits();
        }
        if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            digits();
        }
        if (i == start) {
            throw new IllegalStateException();
        }
    }

    private void digits() {
        int start = i;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        if (i == start) {
            throw new IllegalStateException();
        }
    }
}
