/** The Tern MQTT broker: start one with {@link dev.tern.broker.TernBroker#builder()}. */
@NullMarked
package dev.tern.broker;

import org.jspecify.annotations.NullMarked;
