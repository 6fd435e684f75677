package dev.tern.client;

import java.util.BitSet;

/**
 * Packet identifiers 1..65535 in use by this client's PUBLISH (QoS 1/2), SUBSCRIBE and UNSUBSCRIBE
 * flows. An id is free again only when its flow has ended [MQTT-2.3.1-2]; allocation goes round the
 * id space so that a just-freed id is not reused at once, which makes traces easier to read.
 */
// event loop only
final class PacketIds {
    static final int MAX = 65_535;
    private final BitSet used = new BitSet(MAX + 1);
    private int next = 1;
    private int inUse;

    /** A free id, or 0 if all 65535 are in use. */
    int allocate() {
        if (inUse == MAX) {
            return 0;
        }
        int id = used.nextClearBit(next);
        if (id > MAX) {
            id = used.nextClearBit(1);
        }
        used.set(id);
        inUse++;
        next = id == MAX ? 1 : id + 1;
        return id;
    }

    /** Marks an id as used (for flows restored from a session store). */
    void reserve(int id) {
        if (!used.get(id)) {
            used.set(id);
            inUse++;
        }
    }

    void release(int id) {
        if (id > 0 && used.get(id)) {
            used.clear(id);
            inUse--;
        }
    }

    boolean isUsed(int id) {
        return used.get(id);
    }

    int inUse() {
        return inUse;
    }
}
