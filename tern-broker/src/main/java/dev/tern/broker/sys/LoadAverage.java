package dev.tern.broker.sys;

/**
 * Exponentially weighted per-minute rates over 1, 5 and 15 minutes, like the load averages of
 * Mosquitto's $SYS/broker/load topics. Fed with a cumulative counter at each $SYS interval.
 */
final class LoadAverage {
    private static final double[] WINDOWS_SECONDS = {60, 300, 900};

    private final double[] averages = new double[3];
    private long lastTotal;
    private boolean started;

    /** Updates the averages with the counter's current total, {@code seconds} after the last update. */
    void update(long total, double seconds) {
        if (!started) {
            started = true;
            lastTotal = total;
            return;
        }
        double perMinute = (total - lastTotal) * 60.0 / seconds;
        lastTotal = total;
        for (int i = 0; i < averages.length; i++) {
            double alpha = Math.exp(-seconds / WINDOWS_SECONDS[i]);
            averages[i] = averages[i] * alpha + perMinute * (1 - alpha);
        }
    }

    double oneMinute() {
        return averages[0];
    }

    double fiveMinutes() {
        return averages[1];
    }

    double fifteenMinutes() {
        return averages[2];
    }
}
