package dev.triage.bench.load;

import dev.triage.engine.ground.Urgency;
import dev.triage.engine.policy.Policy;

/**
 * The peers' sort key: Triage's default score (urgency points + impact points + age points per minute waited) as a
 * time-invariant number, lower = better, so a sorted set or a B-tree index keeps the order without re-scoring as time
 * passes. Peers use it without Triage's incidents, newest-first classes, SLA bands or leases.
 */
final class Priority
{
    private static final Policy POLICY = Policy.defaults();

    private Priority()
    {
    }

    /**
     * @return the key: age weight x open time - base points x 60,000 (exact in a double for epoch-ms times).
     */
    static double key(final int urgency, final int impact, final long openedAtMs)
    {
        final long base = POLICY.urgencyPoints(Urgency.ofLevel(urgency - 1)) + POLICY.impactPoints(impact);
        return (double)(POLICY.agePointsPerMinute() * openedAtMs - base * Policy.UNITS_PER_POINT);
    }
}
