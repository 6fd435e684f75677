package dev.tern.cli.client;

import dev.tern.client.ConnectionRefusedException;
import dev.tern.client.MqttClientException;
import dev.tern.client.ReasonText;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns failures into mosquitto's one-line messages and exit codes. */
final class Failures {
    private Failures() {}

    /** mosquitto_sub's exit code for a -W timeout (ETIMEDOUT... as libmosquitto reports it). */
    static final int TIMED_OUT = 27;

    static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /**
     * The exit code: the CONNACK code for a refused connection (as mosquitto's clients), else 1 (also
     * for a failed TLS handshake: mosquitto_pub, and mosquitto_sub connecting to an address, exit with 1
     * after "Unable to connect (A TLS error occurred.)").
     */
    static int exitCode(Throwable t) {
        Throwable c = unwrap(t);
        if (c instanceof ConnectionRefusedException r) {
            return r.reasonCode();
        }
        return 1;
    }

    /** The one-line message. */
    static String message(Throwable t) {
        Throwable c = unwrap(t);
        if (c instanceof ConnectionRefusedException r) {
            if (r.version().isV5()) {
                return "Connection error: " + mosquittoReason(r.reasonCode());
            }
            return "Connection error: Connection Refused: " + ReasonText.connack(r.reasonCode(), r.version()) + ".";
        }
        if (c instanceof MqttClientException || c instanceof UsageException || c instanceof IllegalArgumentException) {
            return "Error: " + capitalise(c.getMessage());
        }
        return "Error: " + (c.getMessage() == null ? c.toString() : capitalise(c.getMessage()));
    }

    /**
     * An MQTT 5.0 reason code worded as libmosquitto 2.0's {@code mosquitto_reason_string} words it, so
     * that scripts matching mosquitto_sub's error lines keep working.
     */
    static String mosquittoReason(int code) {
        return switch (code) {
            case 0x80 -> "Unspecified error";
            case 0x81 -> "Malformed Packet";
            case 0x82 -> "Protocol Error";
            case 0x83 -> "Implementation specific error";
            case 0x84 -> "Unsupported Protocol Version";
            case 0x85 -> "Client Identifier not valid";
            case 0x86 -> "Bad User Name or Password";
            case 0x87 -> "Not authorized";
            case 0x88 -> "Server unavailable";
            case 0x89 -> "Server busy";
            case 0x8A -> "Banned";
            case 0x8C -> "Bad authentication method";
            case 0x95 -> "Packet too large";
            case 0x97 -> "Quota exceeded";
            case 0x99 -> "Payload format invalid";
            case 0x9A -> "Retain not supported";
            case 0x9B -> "QoS not supported";
            case 0x9C -> "Use another server";
            case 0x9D -> "Server moved";
            case 0x9F -> "Connection rate exceeded";
            default -> capitalise(ReasonText.reason(code));
        };
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
