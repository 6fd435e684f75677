package dev.tern.client;

import dev.tern.codec.packet.MqttPacket;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands received messages to the handlers of the subscriptions they match and sends their QoS 1/2
 * acknowledgements once every holder has let go: the handlers have run, each {@link MessageStream}
 * has given the message out, or (in manual mode) the application called
 * {@link Message#acknowledge()}. Acknowledgements leave in arrival order [MQTT-4.6.0-2,
 * MQTT-4.6.0-3] ({@link InboundFlows} keeps that order).
 */
// event loop only, except Message.Acknowledgement calls, which hop onto the loop
final class InboundDelivery {
    private static final Logger LOG = LoggerFactory.getLogger(InboundDelivery.class);

    /** The connection that acknowledgements go out on. */
    interface Connection {
        /** The channel while the client is connected, else null. */
        @Nullable Channel connected();

        /** The number of the current connection ({@link InboundAck#connection}). */
        long number();

        /** Writes a packet without flushing. */
        ChannelFuture write(Channel ch, MqttPacket packet);
    }

    private final TernClientBuilder config;
    private final EventLoop loop;
    private final @Nullable Executor callbacks;
    private final Subscriptions subscriptions;
    private final InboundFlows inbound;
    private final Connection connection;

    InboundDelivery(TernClientBuilder config, EventLoop loop, @Nullable Executor callbacks, Subscriptions subscriptions,
                    InboundFlows inbound, Connection connection) {
        this.config = config;
        this.loop = loop;
        this.callbacks = callbacks;
        this.subscriptions = subscriptions;
        this.inbound = inbound;
        this.connection = connection;
    }

    /** Hands a message to every matching handler; {@code ack} (QoS 1/2) waits for streams and manual acks. */
    void deliver(Message message, @Nullable InboundAck ack) {
        List<MessageHandler> targets = subscriptions.targets(message.topic(),
                message.properties().subscriptionIdentifiers(), config.defaultHandler);
        if (ack != null) {
            if (config.manualAcknowledgement) {
                ack.holds = 1;
            } else {
                for (MessageHandler h : targets) {
                    if (h instanceof MessageStream) {
                        ack.holds++;
                    }
                }
                ack.holds++; // released after the handlers ran
            }
        }
        List<Message> deliveries = new ArrayList<>(targets.size());
        for (MessageHandler h : targets) {
            boolean holds = ack != null && (config.manualAcknowledgement || h instanceof MessageStream);
            deliveries.add(holds ? message.withAcknowledgement(new Once(ack)) : message);
        }
        Runnable run = () -> {
            for (int i = 0; i < targets.size(); i++) {
                try {
                    targets.get(i).onMessage(deliveries.get(i));
                } catch (RuntimeException e) {
                    LOG.warn("A message handler failed on a message to {}", message.topic(), e);
                }
            }
            if (ack != null && !config.manualAcknowledgement) {
                release(ack);
            }
        };
        if (callbacks == null) {
            run.run();
        } else {
            callbacks.execute(run);
        }
    }

    /** Sends the acknowledgements that are ready, in arrival order [MQTT-4.6.0-2, MQTT-4.6.0-3]. */
    void flushAcks(Channel ch) {
        List<MqttPacket> acks = inbound.takeReady(connection.number());
        for (MqttPacket a : acks) {
            connection.write(ch, a);
        }
        if (!acks.isEmpty()) {
            ch.flush();
        }
    }

    private void release(InboundAck ack) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> release(ack));
            return;
        }
        if (!inbound.release(ack)) {
            return;
        }
        Channel ch = connection.connected();
        if (ch != null) {
            flushAcks(ch);
        }
    }

    /** One delivery's share of an acknowledgement; callable from any thread, counts once. */
    private final class Once implements Message.Acknowledgement {
        private final InboundAck ack;
        private final AtomicBoolean done = new AtomicBoolean();

        Once(InboundAck ack) {
            this.ack = ack;
        }

        @Override
        public boolean acknowledge() {
            if (!done.compareAndSet(false, true)) {
                return false;
            }
            release(ack);
            return true;
        }
    }
}
