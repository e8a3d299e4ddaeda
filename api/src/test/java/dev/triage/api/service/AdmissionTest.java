package dev.triage.api.service;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Admission on an injected clock: the lanes' bounds, and shedding by how long calls lately waited (a call that
 * would miss its deadline is refused at once; bulk writes give way to agents during a standing queue).
 */
class AdmissionTest
{
    private static final long MS = 1_000_000L;

    private final AtomicLong now = new AtomicLong(1_000 * MS);
    private final Admission admission = new Admission(256, now::get);

    @Test
    void shouldGiveBulkWritesHalfTheBoundAndEveryoneElseAllOfIt()
    {
        final Admission small = new Admission(8, now::get);
        for (int i = 0; i < 4; i++)
        {
            assertNull(small.enter(true));
        }
        assertNotNull(small.enter(true), "writes stop at half");
        for (int i = 0; i < 4; i++)
        {
            assertNull(small.enter(false), "agents and reads still get in");
        }
        final Status full = small.enter(false);
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, full.getCode());
        assertTrue(full.getDescription().contains("8 calls are waiting"), full.getDescription());
    }

    @Test
    void shouldRefuseAtOnceACallWhoseDeadlineIsShorterThanCallsNowWait()
    {
        answerOneAfter(300 * MS);
        assertNull(admission.enter(false, Long.MAX_VALUE), "one call waits, so the queue stands");
        final Status late = admission.enter(false, 250 * MS);
        assertNotNull(late, "a 250 ms deadline cannot be met when calls wait about 300 ms");
        assertTrue(late.getDescription().contains("wait about 299 ms") && late.getDescription().contains("leaves 250 ms"),
            late.getDescription());
        assertNull(admission.enter(false, 1_000 * MS), "a caller that can wait is admitted");
    }

    @Test
    void shouldRefuseBulkWritesDuringAStandingQueueButServeAgents()
    {
        answerOneAfter(80 * MS);
        assertNull(admission.enter(false, Long.MAX_VALUE));
        assertNull(admission.enter(true, Long.MAX_VALUE), "one slow call waiting is no flood: writes still get in");
        for (int i = 0; i < Admission.BULK_QUEUE_MIN; i++)
        {
            assertNull(admission.enter(false, Long.MAX_VALUE));
        }
        final Status write = admission.enter(true, Long.MAX_VALUE);
        assertNotNull(write, "calls wait 80 ms, over the 50 ms target: writes give way");
        assertTrue(write.getDescription().contains("so agents are served first"), write.getDescription());
        assertNull(admission.enter(false, Long.MAX_VALUE), "an agent's call is admitted");
    }

    @Test
    void shouldForgetAnOldEstimateOnceCallsStopWaiting()
    {
        answerOneAfter(300 * MS);
        assertNull(admission.enter(false, Long.MAX_VALUE));
        now.addAndGet(400 * MS);
        assertTrue(admission.expectedWaitNs() < 50 * MS, "it fades when no call finishes: " + admission.expectedWaitNs());
        assertNull(admission.enter(true, 250 * MS));
        final Admission idle = new Admission(8, now::get);
        assertEquals(0, idle.expectedWaitNs(), "nobody waits: nobody is refused for waiting");
    }

    /** Enough calls that each waited {@code waitedNs} that the average settles there. */
    private void answerOneAfter(final long waitedNs)
    {
        for (int i = 0; i < 64; i++)
        {
            assertNull(admission.enter(false, Long.MAX_VALUE));
            final long entered = admission.now();
            now.addAndGet(waitedNs);
            admission.leave(entered);
        }
    }
}
