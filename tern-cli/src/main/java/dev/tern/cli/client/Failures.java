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

    /** The exit code: the CONNACK code for a refused connection (as mosquitto's clients), else 1. */
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
                String s = ReasonText.reason(r.reasonCode());
                return "Connection error: " + Character.toUpperCase(s.charAt(0)) + s.substring(1);
            }
            return "Connection error: Connection Refused: " + ReasonText.connack(r.reasonCode(), r.version()) + ".";
        }
        if (c instanceof MqttClientException || c instanceof UsageException || c instanceof IllegalArgumentException) {
            return "Error: " + capitalise(c.getMessage());
        }
        return "Error: " + (c.getMessage() == null ? c.toString() : capitalise(c.getMessage()));
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
