/**
 * The fifteen MQTT control packets as immutable records. MQTT 3.x packets are the same records with
 * empty properties and the reason codes that 3.x can express.
 */
@NullMarked
package dev.tern.codec.packet;

import org.jspecify.annotations.NullMarked;
