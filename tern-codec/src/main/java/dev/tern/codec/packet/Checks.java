package dev.tern.codec.packet;

/** Argument checks shared by the packet records. */
final class Checks {
    private Checks() {}

    static void checkByte(int value) {
        if (value < 0 || value > 0xFF) {
            throw new IllegalArgumentException("reason code must fit one byte: " + value);
        }
    }

    static void checkPacketId(int packetId) {
        if (packetId < 1 || packetId > 0xFFFF) {
            throw new IllegalArgumentException("packet identifier must be 1..65535: " + packetId);
        }
    }
}
