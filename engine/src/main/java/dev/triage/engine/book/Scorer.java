package dev.triage.engine.book;

import dev.triage.engine.command.Reply;
import dev.triage.engine.policy.Policy;

/**
 * The score, computed in one place: the index orders by it, the book reports its parts with each assignment, and
 * the reference model's rules are documented against it. Pure functions of the policy, the conversation and a time.
 * <p>
 * A queued conversation's score at time {@code t}, in units ({@link Policy#UNITS_PER_POINT} per point):
 * <pre>
 *   score(t) = static + sign * agePointsPerMinute * (t - waitingSince)
 *   static   = (urgencyPoints + impactPoints + slaPoints + boundPoints) * UNITS_PER_POINT
 *   impact   = the incident's reach for its leads, else the conversation's own
 *   bound    = waitBoundPoints once it has waited its urgency's max wait, else 0
 *   sign     = +1 in an oldest-first class, -1 in a newest-first class
 * </pre>
 * Split into a part that never changes while the conversation waits and a part shared by everyone at {@code t}:
 * <pre>
 *   key      = static - sign * agePointsPerMinute * waitingSince     (stored in the index)
 *   drift(t) = agePointsPerMinute * t
 *   score(t) = key + sign * drift(t)
 * </pre>
 * Within one class every member has the same sign, so ordering by key is ordering by score at any time: a class's
 * heap never needs re-sorting as time passes, and only the heads it compares across classes need the drift. The key
 * changes only when the static part does (urgency, impact bucket, SLA band) or the class does, and then the
 * conversation is re-keyed.
 */
public final class Scorer
{
    private Scorer()
    {
    }

    /**
     * @return true when the conversation is answered newest-first (its age counts against it).
     */
    static boolean newestFirst(final Policy policy, final Conversation c)
    {
        return policy.isNewestFirst(c.urgency(), c.effectiveImpact(policy.incidentLeadSlots()));
    }

    /**
     * @return the index class: the conversation's skill set and its age direction.
     */
    static int classOf(final SkillRegistry skills, final Policy policy, final Conversation c)
    {
        return PriorityIndex.classId(skills.skillSetId(c.effectiveSet()), newestFirst(policy, c));
    }

    /**
     * @return the time-invariant key (see the class comment).
     */
    static long keyOf(final Policy policy, final Conversation c)
    {
        final long ageAnchor = policy.agePointsPerMinute() * c.waitingSinceMs;
        return newestFirst(policy, c) ? staticUnits(policy, c) + ageAnchor : staticUnits(policy, c) - ageAnchor;
    }

    /**
     * @param agePointsPerMinute the policy's age weight (points per minute is units per ms).
     * @param nowMs the time.
     * @return the drift at that time (see the class comment).
     */
    static long drift(final long agePointsPerMinute, final long nowMs)
    {
        return agePointsPerMinute * nowMs;
    }

    /**
     * @param key a conversation's key.
     * @param classId its class.
     * @param drift the drift at the time wanted.
     * @return its score at that time.
     */
    static long scoreAt(final long key, final int classId, final long drift)
    {
        return PriorityIndex.isNewestFirstClass(classId) ? key - drift : key + drift;
    }

    /**
     * Write the score's parts at {@code nowMs} into an assignment's reply: urgency, impact, SLA, age and their sum.
     */
    static void breakdown(final Policy policy, final Conversation c, final long nowMs, final Reply r)
    {
        r.urgencyUnits = policy.urgencyPoints(c.urgency()) * Policy.UNITS_PER_POINT;
        r.impactUnits = policy.impactPoints(c.effectiveImpact(policy.incidentLeadSlots())) * Policy.UNITS_PER_POINT;
        r.slaUnits = policy.slaPoints(c.slaBand) * Policy.UNITS_PER_POINT;
        r.boundUnits = boundPoints(policy, c) * Policy.UNITS_PER_POINT;
        r.ageUnits = (newestFirst(policy, c) ? -1 : 1) * policy.agePointsPerMinute() * (nowMs - c.waitingSinceMs);
        r.scoreUnits = r.urgencyUnits + r.impactUnits + r.slaUnits + r.boundUnits + r.ageUnits;
    }

    /**
     * A member's rank among its incident's queued members, which picks the leads: its score as if it had only its own
     * impact and waited oldest-first (urgency, SLA and the wait bound first, then the longest wait). Time-invariant,
     * like a key; ties go to the first opened.
     */
    static long memberRank(final Policy policy, final Conversation c)
    {
        return (policy.urgencyPoints(c.urgency()) + policy.impactPoints(c.impact) + policy.slaPoints(c.slaBand) +
            boundPoints(policy, c)) * Policy.UNITS_PER_POINT - policy.agePointsPerMinute() * c.waitingSinceMs;
    }

    private static long boundPoints(final Policy policy, final Conversation c)
    {
        return c.escalated ? policy.waitBoundPoints() : 0;
    }

    private static long staticUnits(final Policy policy, final Conversation c)
    {
        return (policy.urgencyPoints(c.urgency()) + policy.impactPoints(c.effectiveImpact(policy.incidentLeadSlots())) +
            policy.slaPoints(c.slaBand) + boundPoints(policy, c)) * Policy.UNITS_PER_POINT;
    }
}
