package dev.tern.broker.test;

import dev.tern.broker.TernBroker;
import dev.tern.broker.config.BrokerConfig;
import dev.tern.broker.config.ListenerConfig;
import java.net.BindException;
import java.time.Duration;
import java.util.function.Consumer;

/** Starts an embedded broker on a free loopback port for one test. */
public final class TestBroker implements AutoCloseable {
    private final TernBroker broker;

    private TestBroker(TernBroker broker) {
        this.broker = broker;
    }

    /** A broker with default settings ($SYS off to keep tests quiet) on 127.0.0.1 and a free port. */
    public static TestBroker start() throws BindException {
        return start(b -> { });
    }

    /** A broker whose settings the test adjusts; listener and anonymous access are set here. */
    public static TestBroker start(Consumer<BrokerConfig.Builder> settings) throws BindException {
        return start(settings, b -> { });
    }

    /** A broker with settings and embedding options (e.g. enhanced authentication methods). */
    public static TestBroker start(Consumer<BrokerConfig.Builder> settings, Consumer<TernBroker.Builder> embedding)
            throws BindException {
        BrokerConfig.Builder b = BrokerConfig.builder().sysInterval(Duration.ZERO).allowAnonymous(true);
        settings.accept(b);
        BrokerConfig config = b.build();
        if (config.listeners().isEmpty()) {
            config = config.toBuilder().listener(ListenerConfig.mqtt(0, "127.0.0.1")).build();
        }
        TernBroker.Builder builder = TernBroker.builder().config(config);
        embedding.accept(builder);
        return new TestBroker(builder.build().start());
    }

    public int port() {
        return broker.port();
    }

    public TernBroker broker() {
        return broker;
    }

    @Override
    public void close() {
        broker.close();
    }
}
