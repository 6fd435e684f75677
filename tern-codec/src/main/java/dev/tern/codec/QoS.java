package dev.tern.codec;

/** Quality of service levels. */
public enum QoS {
    /** QoS 0: at most once. */
    AT_MOST_ONCE,
    /** QoS 1: at least once. */
    AT_LEAST_ONCE,
    /** QoS 2: exactly once. */
    EXACTLY_ONCE;

    private static final QoS[] BY_VALUE = values();

    /** The numeric value 0, 1 or 2. */
    public int value() {
        return ordinal();
    }

    /**
     * The level for a numeric value.
     *
     * @throws IllegalArgumentException for anything but 0, 1 and 2
     */
    public static QoS of(int value) {
        if (value < 0 || value > 2) {
            throw new IllegalArgumentException("QoS must be 0, 1 or 2, was " + value);
        }
        return BY_VALUE[value];
    }

    /** The lower of two levels. */
    public static QoS min(QoS a, QoS b) {
        return a.ordinal() <= b.ordinal() ? a : b;
    }

    /** The higher of two levels. */
    public static QoS max(QoS a, QoS b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }
}
