package dev.tern.testkit;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Installs a Netty leak detector that records every leak report instead of only logging it, so a test
 * run can fail on a leaked buffer. Must be installed before the first ByteBuf class is initialised;
 * {@link NettyLeakExtension} does that from the JUnit engine's first callback.
 */
public final class LeakRecorder {
    private static final List<String> LEAKS = new ArrayList<>();
    private static boolean installed;

    private LeakRecorder() {}

    /** Installs the recording factory once per JVM. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            @SuppressWarnings("deprecation")
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                       long maxActive) {
                return new RecordingDetector<>(resource, samplingInterval);
            }
        });
    }

    /** Takes and clears the leaks reported so far. */
    public static synchronized List<String> drain() {
        List<String> copy = new ArrayList<>(LEAKS);
        LEAKS.clear();
        return copy;
    }

    private static synchronized void record(String report) {
        LEAKS.add(report);
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            super.reportTracedLeak(resourceType, records);
            record(resourceType + " leaked:" + records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            super.reportUntracedLeak(resourceType);
            record(resourceType + " leaked (no records)");
        }
    }
}
