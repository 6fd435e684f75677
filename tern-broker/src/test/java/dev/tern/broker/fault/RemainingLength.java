package dev.tern.broker.fault;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** Reads an MQTT Remaining Length (variable byte integer) from a raw socket stream, for the fault tests. */
final class RemainingLength {
    private RemainingLength() {
    }

    static int read(InputStream in) throws IOException {
        int value = 0;
        for (int shift = 0; shift < 28; shift += 7) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IOException("bad remaining length");
    }
}
