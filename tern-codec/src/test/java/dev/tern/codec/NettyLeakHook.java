package dev.tern.codec;

import dev.tern.testkit.LeakRecorder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.lang.reflect.AnnotatedElement;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.lifecycle.AfterContainerHook;
import net.jqwik.api.lifecycle.ContainerLifecycleContext;
import net.jqwik.api.lifecycle.PropagationMode;

/**
 * The jqwik counterpart of the test kit's JUnit Jupiter leak extension, registered for every jqwik
 * container through {@code META-INF/services}: after each property class it collects garbage, lets
 * Netty's leak detector report, and fails the class if a buffer leaked. Loading it installs the
 * recording detector, which must happen before the first buffer class initialises, whichever test
 * engine runs first.
 */
public final class NettyLeakHook implements AfterContainerHook {
    static {
        LeakRecorder.install();
    }

    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public boolean appliesTo(Optional<AnnotatedElement> element) {
        return element.map(e -> e instanceof Class<?>).orElse(false);
    }

    @Override
    public void afterContainer(ContainerLifecycleContext context) throws Throwable {
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(20);
            for (int i = 0; i < 64; i++) {
                // Leak reports are emitted when the detector tracks a new buffer.
                ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(1);
                a.release();
                ByteBuf b = UnpooledByteBufAllocator.DEFAULT.heapBuffer(1);
                b.release();
            }
        }
        List<String> leaks = LeakRecorder.drain();
        if (!leaks.isEmpty()) {
            throw new AssertionError("Netty buffers leaked in " + context.label() + ":\n" + String.join("\n", leaks));
        }
    }
}
