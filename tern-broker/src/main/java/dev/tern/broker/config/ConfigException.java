package dev.tern.broker.config;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** A configuration that cannot be used, naming the file, line and option at fault. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient @Nullable Path file;
    private final int line;
    private final @Nullable String option;

    /**
     * @param file    the file, or null for settings not from a file
     * @param line    1-based line number, or 0 if not tied to a line
     * @param option  the option name, or null
     * @param message what is wrong and, where possible, what would be right
     */
    public ConfigException(@Nullable Path file, int line, @Nullable String option, String message) {
        super(format(file, line, option, message));
        this.file = file;
        this.line = line;
        this.option = option;
    }

    private static String format(@Nullable Path file, int line, @Nullable String option, String message) {
        StringBuilder sb = new StringBuilder();
        if (file != null) {
            sb.append(file);
            if (line > 0) {
                sb.append(':').append(line);
            }
            sb.append(": ");
        }
        if (option != null) {
            sb.append("option '").append(option).append("': ");
        }
        return sb.append(message).toString();
    }

    public @Nullable Path file() {
        return file;
    }

    public int line() {
        return line;
    }

    public @Nullable String option() {
        return option;
    }
}
