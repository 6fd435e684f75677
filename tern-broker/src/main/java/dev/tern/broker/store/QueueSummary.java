package dev.tern.broker.store;

/**
 * The shape of one session's stored queue.
 *
 * @param entries  number of entries (queued, in flight, or awaiting PUBCOMP)
 * @param firstSeq sequence number of the first entry (meaningless when there are none)
 * @param nextSeq  the sequence number the next entry must use
 */
public record QueueSummary(long entries, long firstSeq, long nextSeq) {
    /** An empty queue. */
    public static final QueueSummary EMPTY = new QueueSummary(0, 0, 0);
}
