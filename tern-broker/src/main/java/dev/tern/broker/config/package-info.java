/** Broker settings and the parser of mosquitto.conf-style configuration files. */
@NullMarked
package dev.tern.broker.config;

import org.jspecify.annotations.NullMarked;
