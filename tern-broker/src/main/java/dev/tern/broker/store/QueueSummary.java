package dev.tern.broker.store;

/**
 * The shape of one session's stored queue.
 *
 * @param entries  number of entries (queued, in flight, or awaiting PUBCOMP)
 * @param firstSeq no entry has a lower sequence number (reading from here skips what was removed)
 * @param nextSeq  the sequence number the next entry must use: above every one used so far
 */
public record QueueSummary(long entries, long firstSeq, long nextSeq) {
    /** An empty queue. */
    public static final QueueSummary EMPTY = new QueueSummary(0, 0, 0);
}
