package dev.tern.cli.client;

import dev.tern.client.Message;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.UserProperty;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Prints received messages the way mosquitto_sub does: the payload alone, {@code -v} "topic payload",
 * or a {@code -F} format with mosquitto's {@code %}, {@code @} and {@code \} codes, each message
 * followed by a newline unless {@code -N}. Tern adds {@code --format json} (mosquitto's {@code %j}
 * with the MQTT 5 properties) and colour when the output is a terminal.
 */
final class MessagePrinter {
    private static final String TOPIC_COLOUR = "\033[36m";
    private static final String RESET = "\033[0m";

    private final @Nullable String format;
    private final boolean verbose;
    private final boolean eol;
    private final boolean pretty;
    private final boolean colour;
    private final OutputStream out;

    MessagePrinter(@Nullable String format, boolean verbose, boolean eol, boolean pretty, boolean colour,
                   OutputStream out) {
        this.format = format;
        this.verbose = verbose;
        this.eol = eol;
        this.pretty = pretty;
        this.colour = colour;
        this.out = out;
    }

    /** Prints one message and flushes. */
    void print(Message m) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(m.payloadSize() + 64);
        if (format != null) {
            formatted(b, m);
            if (eol) {
                b.write('\n');
            }
        } else if (verbose) {
            topic(b, m.topic());
            if (m.payloadSize() > 0) {
                b.write(' ');
                b.writeBytes(m.payload());
                if (eol) {
                    b.write('\n');
                }
            } else if (eol) {
                b.writeBytes(" (null)\n".getBytes(StandardCharsets.UTF_8));
            }
        } else if (m.payloadSize() > 0) {
            b.writeBytes(m.payload());
            if (eol) {
                b.write('\n');
            }
        }
        try {
            b.writeTo(out);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void topic(ByteArrayOutputStream b, String topic) {
        if (colour) {
            b.writeBytes(TOPIC_COLOUR.getBytes(StandardCharsets.US_ASCII));
        }
        b.writeBytes(topic.getBytes(StandardCharsets.UTF_8));
        if (colour) {
            b.writeBytes(RESET.getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** The conversions {@link #percent} knows. */
    private static final String SPECIFIERS = "%ACDEFIjJlmPpqRrStUxX";

    /**
     * Why a {@code -F} format cannot be used, worded as mosquitto_sub words it, or null: an unknown
     * {@code %} conversion or {@code \} escape, or one cut off by the end of the format. Checked
     * before connecting, as mosquitto_sub does.
     */
    static @Nullable String checkFormat(String f) {
        int len = f.length();
        for (int i = 0; i < len; i++) {
            char c = f.charAt(i);
            if (c == '%') {
                i++;
                while (i < len && "-0123456789.".indexOf(f.charAt(i)) >= 0) {
                    i++;
                }
                if (i >= len) {
                    return "Incomplete format specifier.";
                }
                if (SPECIFIERS.indexOf(f.charAt(i)) < 0) {
                    return "Invalid format specifier '" + f.charAt(i) + "'.";
                }
            } else if (c == '@') {
                if (++i >= len) {
                    return "Incomplete format specifier.";
                }
            } else if (c == '\\') {
                if (++i >= len) {
                    return "Incomplete escape specifier.";
                }
                if ("\\0aenrtv".indexOf(f.charAt(i)) < 0) {
                    return "Invalid escape specifier '" + f.charAt(i) + "'.";
                }
            }
        }
        return null;
    }

    private void formatted(ByteArrayOutputStream b, Message m) {
        String f = format;
        int len = f.length();
        ZonedDateTime now = null;
        for (int i = 0; i < len; i++) {
            char c = f.charAt(i);
            if (c == '%' && i < len - 1) {
                i++;
                char align = 0;
                char pad = ' ';
                int width = 0;
                int precision = -1;
                if (f.charAt(i) == '-') {
                    align = '-';
                    if (i < len - 1) {
                        i++;
                    }
                }
                if (f.charAt(i) == '0') {
                    pad = '0';
                    if (i < len - 1) {
                        i++;
                    }
                }
                while (i < len - 1 && Character.isDigit(f.charAt(i))) {
                    width = width * 10 + (f.charAt(i) - '0');
                    i++;
                }
                if (f.charAt(i) == '.' && i < len - 1) {
                    i++;
                    precision = 0;
                    while (i < len - 1 && Character.isDigit(f.charAt(i))) {
                        precision = precision * 10 + (f.charAt(i) - '0');
                        i++;
                    }
                }
                if (now == null && "IjJU".indexOf(f.charAt(i)) >= 0) {
                    now = ZonedDateTime.now();
                }
                percent(b, m, f.charAt(i), align, pad, width, precision, now);
            } else if (c == '@' && i < len - 1) {
                i++;
                char d = f.charAt(i);
                if (d == '@') {
                    b.write('@');
                } else {
                    if (now == null) {
                        now = ZonedDateTime.now();
                    }
                    str(b, strftime(d, now));
                }
            } else if (c == '\\' && i < len - 1) {
                i++;
                switch (f.charAt(i)) {
                    case '\\' -> b.write('\\');
                    case '0' -> b.write(0);
                    case 'a' -> b.write(7);
                    case 'e' -> b.write(27);
                    case 'n' -> b.write('\n');
                    case 'r' -> b.write('\r');
                    case 't' -> b.write('\t');
                    case 'v' -> b.write(11);
                    default -> { }
                }
            } else {
                str(b, String.valueOf(c));
            }
        }
    }

    private void percent(ByteArrayOutputStream b, Message m, char spec, char align, char pad, int width,
                         int precision, @Nullable ZonedDateTime now) {
        MqttProperties p = m.properties();
        switch (spec) {
            case '%' -> b.write('%');
            case 'A' -> intOrBlank(b, p.topicAlias(), align, pad, width);
            case 'C' -> {
                if (p.contentType() != null) {
                    padStr(b, p.contentType(), align, width, precision);
                } else {
                    blank(b, ' ', width);
                }
            }
            case 'D' -> {
                byte[] d = p.correlationData();
                if (d != null) {
                    b.writeBytes(d);
                }
            }
            case 'E' -> intOrBlank(b, p.messageExpiryInterval() == null ? null
                    : (int) (long) p.messageExpiryInterval(), align, pad, width);
            case 'F' -> intOrBlank(b, p.payloadFormatIndicator(), align, pad, width);
            case 'I' -> padStr(b, now.format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxx")), align, width,
                    precision);
            case 'j' -> str(b, Json.message(m, now, true, pretty));
            case 'J' -> {
                String j = Json.message(m, now, false, pretty);
                if (j == null) {
                    System.err.println("Error: Message payload is not valid JSON on topic " + m.topic() + ".");
                } else {
                    str(b, j);
                }
            }
            case 'l' -> padInt(b, m.payloadSize(), align, pad, width);
            case 'm' -> padInt(b, m.packetId(), align, pad, width);
            case 'P' -> {
                boolean first = true;
                for (UserProperty u : p.userProperties()) {
                    if (!first) {
                        b.write(' ');
                    }
                    first = false;
                    str(b, u.name() + ":" + u.value());
                }
            }
            case 'p' -> payload(b, m.payload(), 0, align, pad, width);
            case 'q' -> b.write('0' + m.qos().value());
            case 'R' -> {
                if (p.responseTopic() != null) {
                    padStr(b, p.responseTopic(), align, width, precision);
                }
            }
            case 'r' -> b.write(m.retain() ? '1' : '0');
            case 'S' -> intOrBlank(b, p.subscriptionIdentifiers().isEmpty() ? null : p.subscriptionIdentifiers().get(0),
                    align, pad, width);
            case 't' -> padStr(b, m.topic(), align, width, precision);
            case 'U' -> str(b, now.toEpochSecond() + "." + String.format(Locale.ROOT, "%09d", now.getNano()));
            case 'x' -> payload(b, m.payload(), 1, align, pad, width);
            case 'X' -> payload(b, m.payload(), 2, align, pad, width);
            default -> { }
        }
    }

    private static void payload(ByteArrayOutputStream b, byte[] payload, int hex, char align, char pad, int width) {
        int n = payload.length;
        int padLen;
        if (width > 0) {
            if (n > width) {
                n = width;
            }
            if (hex > 0) {
                n /= 2;
                padLen = width - n * 2;
            } else {
                padLen = width - n;
            }
        } else {
            padLen = width - n;
        }
        if (align != '-') {
            blank(b, pad, padLen);
        }
        if (hex == 0) {
            b.write(payload, 0, n);
        } else {
            String fmt = hex == 1 ? "%02x" : "%02X";
            for (int i = 0; i < n; i++) {
                str(b, String.format(Locale.ROOT, fmt, payload[i] & 0xFF));
            }
        }
        if (align == '-') {
            blank(b, ' ', padLen);
        }
    }

    private static void intOrBlank(ByteArrayOutputStream b, @Nullable Integer v, char align, char pad, int width) {
        if (v != null) {
            padInt(b, v, align, pad, width);
        } else {
            blank(b, pad, width);
        }
    }

    private static void padInt(ByteArrayOutputStream b, int v, char align, char pad, int width) {
        if (width == 0) {
            str(b, Integer.toString(v));
        } else if (align == '-') {
            str(b, String.format(Locale.ROOT, "%-" + width + "d", v));
        } else if (pad == '0') {
            str(b, String.format(Locale.ROOT, "%0" + width + "d", v));
        } else {
            str(b, String.format(Locale.ROOT, "%" + width + "d", v));
        }
    }

    private static void padStr(ByteArrayOutputStream b, String v, char align, int width, int precision) {
        String s = precision >= 0 && precision < v.length() ? v.substring(0, precision) : v;
        int padLen = width - s.length();
        if (align != '-') {
            blank(b, ' ', padLen);
        }
        str(b, s);
        if (align == '-') {
            blank(b, ' ', padLen);
        }
    }

    private static void blank(ByteArrayOutputStream b, char pad, int n) {
        for (int i = 0; i < n; i++) {
            b.write(pad);
        }
    }

    private static void str(ByteArrayOutputStream b, String s) {
        b.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The strftime conversion {@code %c} for mosquitto's {@code @c}; {@code @N} is nanoseconds. */
    static String strftime(char c, ZonedDateTime t) {
        Locale l = Locale.ROOT;
        return switch (c) {
            case 'N' -> String.format(l, "%09d", t.getNano());
            case 'Y' -> String.format(l, "%04d", t.getYear());
            case 'y' -> String.format(l, "%02d", t.getYear() % 100);
            case 'C' -> String.format(l, "%02d", t.getYear() / 100);
            case 'm' -> String.format(l, "%02d", t.getMonthValue());
            case 'd' -> String.format(l, "%02d", t.getDayOfMonth());
            case 'e' -> String.format(l, "%2d", t.getDayOfMonth());
            case 'H' -> String.format(l, "%02d", t.getHour());
            case 'I' -> String.format(l, "%02d", (t.getHour() + 11) % 12 + 1);
            case 'M' -> String.format(l, "%02d", t.getMinute());
            case 'S' -> String.format(l, "%02d", t.getSecond());
            case 'j' -> String.format(l, "%03d", t.getDayOfYear());
            case 'p' -> t.getHour() < 12 ? "AM" : "PM";
            case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.US);
            case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.US);
            case 'b', 'h' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.US);
            case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.US);
            case 'u' -> Integer.toString(t.getDayOfWeek().getValue());
            case 'w' -> Integer.toString(t.getDayOfWeek().getValue() % 7);
            case 's' -> Long.toString(t.toEpochSecond());
            case 'z' -> t.format(DateTimeFormatter.ofPattern("xx"));
            case 'Z' -> t.getZone().getDisplayName(TextStyle.SHORT, Locale.US);
            case 'F' -> t.format(DateTimeFormatter.ISO_LOCAL_DATE);
            case 'T' -> t.format(DateTimeFormatter.ofPattern("HH:mm:ss"));
            case 'D' -> t.format(DateTimeFormatter.ofPattern("MM/dd/yy"));
            case 'R' -> t.format(DateTimeFormatter.ofPattern("HH:mm"));
            case 'n' -> "\n";
            case 't' -> "\t";
            case '%' -> "%";
            default -> "";
        };
    }
}
