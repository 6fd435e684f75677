package dev.tern.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.spi.FilterReply;
import dev.tern.broker.config.LogSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Applies Mosquitto's {@code log_type} and {@code log_dest} settings to Logback. Logback levels are
 * nested, so the most verbose of error/warning/notice/information/debug wins; {@code subscribe} and
 * {@code unsubscribe} switch their own loggers on or off.
 */
final class LoggingSetup {
    private LoggingSetup() {}

    static void apply(LogSettings settings) throws IOException {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        Set<String> types = settings.types();
        boolean all = types.contains("all");
        List<OutputStreamAppender<ILoggingEvent>> appenders = appenders(ctx, settings.destinations());
        // log_dest none (no appender): nothing would be written, so no logger builds events either,
        // which at 19,000 connects cost about a tenth of the event loops' time.
        boolean none = (types.contains("none") && !all) || appenders.isEmpty();

        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(none ? Level.OFF : rootLevel(types, all));
        ctx.getLogger("io.netty")
                .setLevel(none ? Level.OFF : all || types.contains("debug") ? Level.INFO : Level.WARN);
        ctx.getLogger("dev.tern.broker.subscribe")
                .setLevel(!none && (all || types.contains("subscribe")) ? Level.INFO : Level.OFF);
        ctx.getLogger("dev.tern.broker.unsubscribe")
                .setLevel(!none && (all || types.contains("unsubscribe")) ? Level.INFO : Level.OFF);

        String pattern = (settings.timestamps() ? "%d{yyyy-MM-dd'T'HH:mm:ss.SSS}: " : "") + "%msg%n";
        for (OutputStreamAppender<ILoggingEvent> appender : appenders) {
            PatternLayoutEncoder encoder = new PatternLayoutEncoder();
            encoder.setContext(ctx);
            encoder.setPattern(pattern);
            encoder.start();
            appender.setContext(ctx);
            appender.setEncoder(encoder);
            appender.start();
            root.addAppender(appender);
        }
    }

    private static Level rootLevel(Set<String> types, boolean all) {
        if (all || types.contains("debug")) {
            return Level.DEBUG;
        }
        if (types.contains("information") || types.contains("notice")) {
            return Level.INFO;
        }
        if (types.contains("warning")) {
            return Level.WARN;
        }
        if (types.contains("error")) {
            return Level.ERROR;
        }
        return Level.INFO; // only subscribe/unsubscribe were asked for: keep the broker's own lines
    }

    private static List<OutputStreamAppender<ILoggingEvent>> appenders(LoggerContext ctx, List<String> destinations)
            throws IOException {
        List<OutputStreamAppender<ILoggingEvent>> out = new ArrayList<>();
        for (String dest : destinations) {
            if (dest.equals("stderr") || dest.equals("stdout")) {
                ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
                console.setTarget(dest.equals("stderr") ? "System.err" : "System.out");
                out.add(console);
            } else if (dest.startsWith("file ")) {
                Path path = Path.of(dest.substring(5));
                if (path.getParent() != null) {
                    Files.createDirectories(path.getParent());
                }
                if (Files.exists(path) && !Files.isWritable(path)) {
                    throw new IOException(path + " is not writable");
                }
                FileAppender<ILoggingEvent> file = new FileAppender<>();
                file.setFile(path.toString());
                file.setAppend(true);
                out.add(file);
            }
        }
        return out;
    }

    /**
     * Silences every logger until the returned handle is closed (a turbo filter that denies all
     * events, so that loggers do not even build them); the levels set by {@link #apply} stay.
     */
    static Silence silence() {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        TurboFilter denyAll = new TurboFilter() {
            @Override
            public FilterReply decide(Marker marker, ch.qos.logback.classic.Logger logger, Level level,
                    String format, Object[] params, Throwable t) {
                return FilterReply.DENY;
            }
        };
        denyAll.start();
        ctx.addTurboFilter(denyAll);
        return () -> ctx.getTurboFilterList().remove(denyAll);
    }

    /** Ends a {@link #silence()}. */
    interface Silence extends AutoCloseable {
        @Override
        void close();
    }

    /** Flushes and closes the appenders (at shutdown). */
    static void stop() {
        ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
    }
}
