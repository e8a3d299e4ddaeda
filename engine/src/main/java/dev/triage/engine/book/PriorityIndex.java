package dev.triage.engine.book;

import dev.triage.engine.command.Reply;
import dev.triage.engine.ground.ConversationState;
import dev.triage.engine.ground.SlaBand;
import dev.triage.engine.ground.Urgency;

import java.util.Arrays;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * The live priority order of OPEN conversations: one intrusive heap per class (skill set x age direction),
 * each ordered by a time-invariant key (DESIGN §2). With age entering linearly, the score of an entry at time
 * {@code t} is {@code key + w*t} (oldest-first) or {@code key - w*t} (newest-first), so the order inside a class
 * never changes with time and "best for an agent" compares only the heads of the classes the agent may take.
 * <p>
 * Costs, with n open conversations and k classes eligible for the agent: insert, remove, re-key O(log n);
 * {@link #best} O(k); {@link #top} O((N + k) log(N + k)) for N entries. Nothing scans all conversations.
 * Processor thread only.
 */
public final class PriorityIndex
{
    private final IntrusiveHeap.Positions positions;
    private final ConversationBook book;
    private IntrusiveHeap[] heaps = new IntrusiveHeap[64];
    private final long[] openByUrgency = new long[Urgency.count()];
    private final long[] openBySlaBand = new long[3];
    private int size;
    private final TopScan scan = new TopScan();
    /** One oldest-wait order per urgency level (lazy deletion). */
    private final AgeHeap[] ages = new AgeHeap[Urgency.count()];
    private int agesHeld;
    /** Listings one per incident so far: each marks the incidents it listed with its number. */
    private long listings;

    /**
     * @param book where handles resolve to conversations.
     * @param expectedOpen initial sizing.
     */
    public PriorityIndex(final ConversationBook book, final int expectedOpen)
    {
        for (int level = 0; level < ages.length; level++)
        {
            ages[level] = new AgeHeap();
        }
        this.book = book;
        positions = new IntrusiveHeap.Positions(expectedOpen);
    }

    /**
     * @param skillSetId skill set.
     * @param newestFirst age direction.
     * @return the class id.
     */
    public static int classId(final int skillSetId, final boolean newestFirst)
    {
        return (skillSetId << 1) | (newestFirst ? 1 : 0);
    }

    /**
     * @param c an OPEN conversation, in no class.
     * @param classId its class.
     * @param key its time-invariant key.
     */
    void insert(final Conversation c, final int classId, final long key)
    {
        heap(classId).add(c.handle, -key, c.openSeq);
        c.classId = classId;
        openByUrgency[c.urgencyLevel]++;
        openBySlaBand[c.slaBand]++;
        size++;
        ages[c.urgencyLevel].push(c.waitingSinceMs, c.openSeq, c.handle);
        if (++agesHeld > 2 * size + 64)
        {
            compactAges();
        }
    }

    /**
     * An entry counts while an open conversation at its handle still has its waiting-since: it then reports a real
     * open conversation's wait, and every open conversation pushed one when it entered, so the smallest counting
     * entry is the oldest wait. Others are dropped as they surface; amortised O(log n).
     *
     * @return the earliest waiting-since of any open conversation, or Long.MAX_VALUE when none is open.
     */
    long oldestWaitingSinceMs()
    {
        long oldest = Long.MAX_VALUE;
        for (int level = 0; level < ages.length; level++)
        {
            oldest = Math.min(oldest, oldestWaitingSinceMs(level));
        }
        return oldest;
    }

    /**
     * @param urgencyLevel an urgency's ordinal.
     * @return the earliest waiting-since of an open conversation of that urgency, or Long.MAX_VALUE when none.
     */
    long oldestWaitingSinceMs(final int urgencyLevel)
    {
        return oldestWaitingHandle(urgencyLevel) < 0 ? Long.MAX_VALUE : ages[urgencyLevel].waitingSince[0];
    }

    /**
     * @param urgencyLevel an urgency's ordinal.
     * @return the handle of the open conversation of that urgency that has waited longest, or -1 when none is open.
     */
    int oldestWaitingHandle(final int urgencyLevel)
    {
        final AgeHeap heap = ages[urgencyLevel];
        while (heap.size > 0)
        {
            final Conversation c = book.get(heap.handle[0]);
            if (c.classId >= 0 && c.waitingSinceMs == heap.waitingSince[0] && c.urgencyLevel == urgencyLevel)
            {
                return heap.handle[0];
            }
            heap.pop();
            agesHeld--;
        }
        return -1;
    }

    /** Stale entries outnumber live ones two to one: rebuild from the live ones, O(n), amortised O(1) per insert. */
    private void compactAges()
    {
        for (final AgeHeap heap : ages)
        {
            heap.size = 0;
        }
        agesHeld = 0;
        for (final IntrusiveHeap heap : heaps)
        {
            if (heap != null)
            {
                for (int i = 0; i < heap.size(); i++)
                {
                    final Conversation c = book.get(heap.idAt(i));
                    ages[c.urgencyLevel].push(c.waitingSinceMs, c.openSeq, c.handle);
                    agesHeld++;
                }
            }
        }
    }

    /**
     * @param c a conversation in the index.
     */
    void remove(final Conversation c)
    {
        heaps[c.classId].remove(c.handle);
        c.classId = -1;
        openByUrgency[c.urgencyLevel]--;
        openBySlaBand[c.slaBand]--;
        size--;
    }

    /**
     * Move a conversation to a new key and class, sifting in place when the class is unchanged. Its urgency and
     * SLA band must be those it was inserted with (they key the counts).
     *
     * @param c a conversation in the index.
     * @param classId new class.
     * @param key new key.
     */
    void rekey(final Conversation c, final int classId, final long key)
    {
        if (classId == c.classId)
        {
            heaps[classId].update(c.handle, -key, c.openSeq);
        }
        else
        {
            heaps[c.classId].remove(c.handle);
            heap(classId).add(c.handle, -key, c.openSeq);
            c.classId = classId;
        }
    }

    /**
     * Find the best and runner-up conversations an agent may take at {@code nowMs}.
     *
     * @param eligible the agent's eligible skill sets.
     * @param nowMs command time.
     * @param ageUnitsPerMs the policy's age weight (points per minute = units per ms).
     * @param out the result.
     */
    void best(final EligibleSets eligible, final long nowMs, final long ageUnitsPerMs, final Selection out)
    {
        out.reset();
        final long drift = Scorer.drift(ageUnitsPerMs, nowMs);
        for (int i = 0, n = eligible.count; i < n; i++)
        {
            final int base = eligible.skillSetIds[i] << 1;
            for (int classId = base; classId <= base + 1; classId++)
            {
                final IntrusiveHeap heap = classId < heaps.length ? heaps[classId] : null;
                if (heap != null && !heap.isEmpty())
                {
                    out.candidates += heap.size();
                    out.consider(heap.idAt(0), scoreAt(heap, 0, classId, drift), heap.secondaryAt(0), classId);
                }
            }
        }
        if (out.bestHandle >= 0)
        {
            final IntrusiveHeap heap = heaps[out.bestClassId];
            // The class's second best is one of the head's children.
            for (int child = IntrusiveHeap.firstChild(0); child <= IntrusiveHeap.ARITY && child < heap.size(); child++)
            {
                out.considerRunnerUp(heap.idAt(child), scoreAt(heap, child, out.bestClassId, drift), heap.secondaryAt(child));
            }
        }
    }

    /**
     * Fill {@code reply}'s TOP entries with the best conversations, without claiming them.
     *
     * @param eligibleOrNull an agent's eligible sets, or null for all classes.
     * @param n how many at most (bounded by the reply's capacity).
     * @param nowMs command time.
     * @param ageUnitsPerMs the policy's age weight.
     * @param reply where entries go.
     */
    void top(final EligibleSets eligibleOrNull, final int n, final long nowMs, final long ageUnitsPerMs, final Reply reply)
    {
        top(eligibleOrNull, n, nowMs, ageUnitsPerMs, 0, 0, reply);
    }

    /**
     * {@link #top} with each incident listed once, at its best queued member (for the console: an outage is one
     * row). Members after the first are passed over, at most {@code maxPassedOver} of them, so the scan stays
     * O((n + maxPassedOver) log n) however large the outage; {@link Reply#affectedCount} says how many were.
     *
     * @param maxPassedOver the most members passed over before the listing stops short.
     */
    void topOnePerIncident(final EligibleSets eligibleOrNull, final int n, final long nowMs, final long ageUnitsPerMs,
        final int maxPassedOver, final Reply reply)
    {
        top(eligibleOrNull, n, nowMs, ageUnitsPerMs, ++listings, maxPassedOver, reply);
    }

    private void top(final EligibleSets eligibleOrNull, final int n, final long nowMs, final long ageUnitsPerMs,
        final long stamp, final int maxPassedOver, final Reply reply)
    {
        final long drift = Scorer.drift(ageUnitsPerMs, nowMs);
        // Each conversation taken from the scan swaps its place for its children: at most one head per class, plus
        // ARITY - 1 more per conversation listed or passed over.
        scan.reset(heaps.length + (IntrusiveHeap.ARITY - 1) * (n + maxPassedOver) + 1);
        if (eligibleOrNull == null)
        {
            for (int classId = 0; classId < heaps.length; classId++)
            {
                offerHead(classId, drift);
            }
        }
        else
        {
            for (int i = 0; i < eligibleOrNull.count; i++)
            {
                offerHead(eligibleOrNull.skillSetIds[i] << 1, drift);
                offerHead((eligibleOrNull.skillSetIds[i] << 1) | 1, drift);
            }
        }
        int count = 0;
        int passedOver = 0;
        while (count < n && !scan.isEmpty())
        {
            final int classId = scan.topClass();
            final int index = scan.topIndex();
            final long score = scan.topScore();
            scan.pop();
            final IntrusiveHeap heap = heaps[classId];
            final Conversation c = book.get(heap.idAt(index));
            if (stamp != 0 && c.incident != null && c.incident.listedIn == stamp)
            {
                if (++passedOver == maxPassedOver)
                {
                    break;
                }
            }
            else
            {
                if (stamp != 0 && c.incident != null)
                {
                    c.incident.listedIn = stamp;
                }
                reply.topIds[count] = c.id;
                reply.topScoreUnits[count] = score;
                reply.topUrgency[count] = c.urgency();
                reply.topWaitedMs[count] = nowMs - c.waitingSinceMs;
                count++;
            }
            final int first = IntrusiveHeap.firstChild(index);
            for (int child = first; child < first + IntrusiveHeap.ARITY && child < heap.size(); child++)
            {
                scan.push(scoreAt(heap, child, classId, drift), heap.secondaryAt(child), classId, child);
            }
        }
        reply.topCount = count;
        reply.affectedCount = passedOver;
    }

    private void offerHead(final int classId, final long drift)
    {
        final IntrusiveHeap heap = classId < heaps.length ? heaps[classId] : null;
        if (heap != null && !heap.isEmpty())
        {
            scan.push(scoreAt(heap, 0, classId, drift), heap.secondaryAt(0), classId, 0);
        }
    }

    private static long scoreAt(final IntrusiveHeap heap, final int index, final int classId, final long drift)
    {
        return Scorer.scoreAt(-heap.primaryAt(index), classId, drift);
    }

    /**
     * @param classId a class.
     * @return true for a newest-first class.
     */
    static boolean isNewestFirstClass(final int classId)
    {
        return (classId & 1) != 0;
    }

    /**
     * Append every indexed handle to {@code out} and empty the index (for a policy change).
     *
     * @param out destination with room for {@link #size()} handles.
     * @return how many.
     */
    int drainAll(final int[] out)
    {
        int n = 0;
        for (final IntrusiveHeap heap : heaps)
        {
            if (heap != null)
            {
                for (int i = 0; i < heap.size(); i++)
                {
                    final int handle = heap.idAt(i);
                    out[n++] = handle;
                    book.get(handle).classId = -1;
                }
                heap.clear();
            }
        }
        Arrays.fill(openByUrgency, 0);
        Arrays.fill(openBySlaBand, 0);
        size = 0;
        for (final AgeHeap heap : ages)
        {
            heap.size = 0;
        }
        agesHeld = 0;
        return n;
    }

    private IntrusiveHeap heap(final int classId)
    {
        if (classId >= heaps.length)
        {
            heaps = Arrays.copyOf(heaps, Math.max(classId + 1, heaps.length * 2));
        }
        IntrusiveHeap heap = heaps[classId];
        if (heap == null)
        {
            heap = new IntrusiveHeap(positions, 64);
            heaps[classId] = heap;
        }
        return heap;
    }

    public int size()
    {
        return size;
    }

    /**
     * @param skillSetId a skill set.
     * @return open conversations that need exactly it now (oldest- and newest-first classes together).
     */
    public long openInSkillSet(final int skillSetId)
    {
        long n = 0;
        for (int classId = skillSetId << 1; classId <= ((skillSetId << 1) | 1); classId++)
        {
            n += classId < heaps.length && heaps[classId] != null ? heaps[classId].size() : 0;
        }
        return n;
    }

    /**
     * @param urgency urgency.
     * @return open conversations of that urgency.
     */
    public long openCount(final Urgency urgency)
    {
        return openByUrgency[urgency.ordinal()];
    }

    /**
     * @param band {@link SlaBand} constant.
     * @return open conversations in that band.
     */
    public long openInSlaBand(final int band)
    {
        return openBySlaBand[band];
    }

    /**
     * @return null if every heap is consistent, else the first problem found.
     */
    String validate(final ToIntFunction<Conversation> expectedClass, final ToLongFunction<Conversation> expectedKey)
    {
        int total = 0;
        for (int classId = 0; classId < heaps.length; classId++)
        {
            final IntrusiveHeap heap = heaps[classId];
            if (heap == null)
            {
                continue;
            }
            final String problem = heap.validate();
            if (problem != null)
            {
                return "class " + classId + ": " + problem;
            }
            for (int i = 0; i < heap.size(); i++)
            {
                final Conversation c = book.get(heap.idAt(i));
                if (c.classId != classId || c.state != ConversationState.OPEN)
                {
                    return "conversation " + c.id + " in class " + classId + " has class " + c.classId + " state " + c.state;
                }
                if (expectedClass.applyAsInt(c) != classId || expectedKey.applyAsLong(c) != -heap.primaryAt(i))
                {
                    return "conversation " + c.id + " is keyed " + (-heap.primaryAt(i)) + " in class " + classId +
                        " but should be " + expectedKey.applyAsLong(c) + " in " + expectedClass.applyAsInt(c);
                }
            }
            total += heap.size();
        }
        return total == size ? null : "index size " + size + " but heaps hold " + total;
    }
}
