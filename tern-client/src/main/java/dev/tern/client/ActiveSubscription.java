package dev.tern.client;

import dev.tern.codec.MqttProperties;
import org.jspecify.annotations.Nullable;

/**
 * A subscription the client holds, with the handler its messages go to.
 *
 * @param subscription the filter and options
 * @param properties   the SUBSCRIBE properties it was made with (re-used when re-subscribing)
 * @param handler      where matching messages go, or null for the default handler
 */
record ActiveSubscription(Subscription subscription, MqttProperties properties, @Nullable MessageHandler handler) {}
