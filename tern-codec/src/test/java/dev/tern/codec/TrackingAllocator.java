package dev.tern.codec;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * An allocator that remembers every buffer it hands out, so a test can check deterministically that
 * all of them were released (Netty's own leak detector only reports what the garbage collector has
 * already found) and that a code path allocated nothing at all. Heap buffers only; not thread-safe.
 */
final class TrackingAllocator extends AbstractByteBufAllocator {
    private final List<ByteBuf> handedOut = new ArrayList<>();
    private final boolean leakAware;

    /** An allocator whose buffers are also tracked by Netty's leak detector. */
    TrackingAllocator() {
        this(true);
    }

    /**
     * @param leakAware false to skip Netty's leak detector wrapper (it records a stack trace per
     *                  access at PARANOID level, which slows fuzzing down by an order of magnitude)
     */
    TrackingAllocator(boolean leakAware) {
        super(false);
        this.leakAware = leakAware;
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        ByteBuf buf = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
        handedOut.add(buf);
        return leakAware ? toLeakAwareBuffer(buf) : buf;
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return newHeapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
        CompositeByteBuf buf = new CompositeByteBuf(this, false, maxNumComponents);
        handedOut.add(buf);
        return leakAware ? toLeakAwareBuffer(buf) : buf;
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
        return compositeHeapBuffer(maxNumComponents);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    /** How many buffers were handed out so far. */
    int allocations() {
        return handedOut.size();
    }

    /** How many handed-out buffers still have a reference count above zero. */
    int unreleased() {
        int n = 0;
        for (ByteBuf b : handedOut) {
            if (b.refCnt() != 0) {
                n++;
            }
        }
        return n;
    }

    /** Fails if any buffer handed out is still referenced, then forgets all of them. */
    void assertAllReleased() {
        int n = unreleased();
        int total = handedOut.size();
        handedOut.clear();
        if (n != 0) {
            throw new AssertionError(n + " of " + total + " buffers from the allocator were not released");
        }
    }
}
