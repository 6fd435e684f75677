package dev.tern.client;

import java.util.Objects;

/**
 * One outbound QoS 1 or 2 message as a {@link SessionStore} keeps it.
 *
 * @param sequence order of acceptance, unique per store
 * @param message  the message
 * @param packetId packet identifier once sent, 0 while it still waits to be sent
 * @param released true once PUBREC arrived (QoS 2: only PUBREL/PUBCOMP remain)
 */
public record StoredPublish(long sequence, Message message, int packetId, boolean released) {
    public StoredPublish {
        Objects.requireNonNull(message, "message");
    }
}
