package dev.tern.cli.client;

import java.io.Console;
import java.lang.reflect.Method;

/** Whether standard output is a terminal (for colour). */
final class Terminal {
    private Terminal() {}

    static boolean stdoutIsTerminal() {
        Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            // JDK 22+ returns a Console even when redirected; isTerminal() tells the truth there.
            Method m = Console.class.getMethod("isTerminal");
            return (Boolean) m.invoke(c);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
