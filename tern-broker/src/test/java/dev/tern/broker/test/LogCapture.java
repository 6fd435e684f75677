package dev.tern.broker.test;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects what the broker logs under {@code dev.tern}, for tests that assert a log line was written. */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private final ch.qos.logback.classic.Level level;
    private final boolean additive;

    private LogCapture(String name) {
        logger = (Logger) LoggerFactory.getLogger(name);
        level = logger.getLevel();
        additive = logger.isAdditive();
        appender.start();
        logger.addAppender(appender);
        // informational lines too, kept off the console while captured
        logger.setLevel(ch.qos.logback.classic.Level.INFO);
        logger.setAdditive(false);
    }

    /** Starts capturing everything below {@code dev.tern} from INFO up (not shown on the console meanwhile). */
    public static LogCapture start() {
        return new LogCapture("dev.tern");
    }

    /** The formatted messages so far. */
    public List<String> messages() {
        synchronized (appender.list) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    /** True if some message contains all the fragments. */
    public boolean contains(String... fragments) {
        return messages().stream().anyMatch(m -> {
            for (String f : fragments) {
                if (!m.contains(f)) {
                    return false;
                }
            }
            return true;
        });
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(level);
        logger.setAdditive(additive);
    }
}
