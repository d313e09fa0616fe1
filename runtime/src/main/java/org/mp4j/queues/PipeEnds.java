package org.mp4j.queues;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.mp4j.shm.ProcessStamp;

/**
 * The ends of one kind (sending or receiving) of one direction of a Pipe, as processes hold
 * them: a count of open ends and a table of holders in the queue's segment. The table lets a
 * process uncount the ends of holders that ended without closing them ({@code os._exit},
 * {@code kill -9}), as the kernel closes the descriptors of a dead process in CPython.
 *
 * <pre>
 *   count   int   ends open, or on their way to a process (pickled for it, not yet unpickled)
 *   table   16 slots of 16 bytes:
 *             +0  int   pid         0: a free slot
 *             +4  int   ends        ends this process holds (0: a free slot)
 *             +8  long  startTicks  the process's start time (see {@link ProcessStamp})
 * </pre>
 * Ends counted while the table was full stay counted until closed. The owner of the segment
 * calls every method with its mutex held (or before the segment is shared), but
 * {@link #open} for a first look and {@link #reapDue}, which reads this process's clock only.
 */
final class PipeEnds {
    static final int SLOTS = 16;
    private static final int SLOT_SIZE = 16;
    static final long TABLE_SIZE = (long) SLOTS * SLOT_SIZE;
    /** How often a process may look for holders that ended ({@link #reap} reads /proc for each). */
    static final long REAP_INTERVAL_NANOS = 50_000_000L;
    private static final long SLOT_PID = 0;
    private static final long SLOT_ENDS = 4;
    private static final long SLOT_START = 8;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private final MemorySegment mem;
    private final long countAt;
    private final long tableAt;
    private long lastReapNanos = System.nanoTime();

    PipeEnds(MemorySegment mem, long countAt, long tableAt) {
        this.mem = mem;
        this.countAt = countAt;
        this.tableAt = tableAt;
    }

    /** Ends open (or on their way to a process). */
    int open() {
        return mem.get(INT, countAt);
    }

    /** One more end, held by {@code holder} (null: by nobody yet, to be {@linkplain #claim claimed}). */
    void add(ProcessStamp holder) {
        mem.set(INT, countAt, open() + 1);
        hold(holder, 1);
    }

    /** {@code holder} took an end counted by {@link #add} without a holder. */
    void claim(ProcessStamp holder) {
        hold(holder, 1);
    }

    /** {@code holder} closed an end. */
    void remove(ProcessStamp holder) {
        mem.set(INT, countAt, Math.max(0, open() - 1));
        hold(holder, -1);
    }

    /** Whether {@link #reap} is due: true at most once every {@link #REAP_INTERVAL_NANOS} in this process. */
    boolean reapDue() {
        long now = System.nanoTime();
        if (now - lastReapNanos < REAP_INTERVAL_NANOS) {
            return false;
        }
        lastReapNanos = now;
        return true;
    }

    /** Uncounts the ends of holders that no longer run; returns the ends open after. */
    int reap() {
        for (int slot = 0; slot < SLOTS; slot++) {
            long at = tableAt + (long) slot * SLOT_SIZE;
            int ends = mem.get(INT, at + SLOT_ENDS);
            if (ends > 0 && !new ProcessStamp(mem.get(INT, at + SLOT_PID), mem.get(LONG, at + SLOT_START)).isRunning()) {
                mem.set(INT, countAt, Math.max(0, open() - ends));
                mem.set(INT, at + SLOT_ENDS, 0);
            }
        }
        return open();
    }

    /** Adds delta to the ends the table counts for {@code holder}. */
    private void hold(ProcessStamp holder, int delta) {
        if (holder == null) {
            return;
        }
        long free = -1;
        for (int slot = 0; slot < SLOTS; slot++) {
            long at = tableAt + (long) slot * SLOT_SIZE;
            int ends = mem.get(INT, at + SLOT_ENDS);
            if (ends > 0 && mem.get(INT, at + SLOT_PID) == holder.pid()
                    && mem.get(LONG, at + SLOT_START) == holder.startTicks()) {
                mem.set(INT, at + SLOT_ENDS, Math.max(0, ends + delta));
                return;
            }
            if (ends <= 0 && free < 0) {
                free = at;
            }
        }
        if (delta > 0 && free >= 0) {    // a full table: the end is counted, not tracked
            mem.set(INT, free + SLOT_PID, holder.pid());
            mem.set(LONG, free + SLOT_START, holder.startTicks());
            mem.set(INT, free + SLOT_ENDS, delta);
        }
    }
}
