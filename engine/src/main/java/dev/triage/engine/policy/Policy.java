package dev.triage.engine.policy;

import dev.triage.engine.ground.SlaBand;
import dev.triage.engine.ground.Urgency;

import java.util.Arrays;

/**
 * The prioritisation policy: immutable, so it can cross threads inside a command.
 * <p>
 * {@code score(t) = urgencyPoints[u] + impactPointsPerDoubling * floor(log2(1 + impact))
 * +/- agePointsPerMinute * minutesWaiting(t) + slaPoints}, where age adds for oldest-first classes and
 * subtracts for newest-first ones. The impact term moves in whole log2 buckets so that an incident's
 * members need re-scoring only when its reach doubles. Scores are kept exactly as integers in units of
 * 1/60000 point (one unit per point per millisecond of age weight), so every replay gets the same order.
 * <p>
 * An incident's reach lifts only its {@link #incidentLeadSlots() lead} members (its best queued ones): an outage draws
 * that many agents, not all of them, and its other members keep their own impact. A conversation that has waited its
 * urgency's {@link #maxWaitMs(Urgency) bound} gets {@link #waitBoundPoints()} on top, a part of its own in the breakdown:
 * above everything not past its bound, so an outage can delay the most urgent customers only so long.
 */
public final class Policy
{
    /** Score units per point: age is weighed per minute and time is in milliseconds. */
    public static final long UNITS_PER_POINT = 60_000L;
    /** Upper bound of any point value: keeps every score far from long overflow. */
    public static final long MAX_POINTS = 1_000_000_000L;
    /** Upper bound of the age weight: with epoch-ms time below 2^42, weight * time stays below 2^62. */
    public static final long MAX_AGE_POINTS_PER_MINUTE = 100_000L;
    /** Upper bound of the incident lead slots: leads are compared with each other when one enters. */
    public static final int MAX_LEAD_SLOTS = 64;
    /** Upper bound of a wait bound: 30 days. */
    public static final long MAX_WAIT_BOUND_MS = 30L * 86_400_000L;

    private static final Policy DEFAULT = new Builder().build();
    /** Every incident member takes the reach, no wait is bounded: the rules before leads and bounds. */
    private static final Policy LEGACY = new Builder().incidentLeadSlots(0).maxWaitMs(Urgency.CRITICAL, 0)
        .maxWaitMs(Urgency.URGENT, 0).build();

    private final long[] urgencyPoints;
    private final long impactPointsPerDoubling;
    private final long agePointsPerMinute;
    private final Urgency newestFirstMaxUrgency;
    private final long newestFirstMinImpact;
    private final long slaAtRiskWindowMs;
    private final long slaAtRiskPoints;
    private final long slaBreachedPoints;
    private final long leaseMs;
    private final long relaxPreferredAfterMs;
    private final int incidentLeadSlots;
    private final long[] maxWaitMs;
    private final long waitBoundPoints;

    /** The defaults a journal starts under before its first SET_POLICY: journals written before leads and bounds. */
    public static final int DEFAULTS_BEFORE_LEADS = 1;
    /** The defaults of journals from this version on: two incident leads, CRITICAL and URGENT waits bounded. */
    public static final int DEFAULTS_WITH_LEADS = 2;

    private Policy(final Builder b)
    {
        urgencyPoints = b.urgencyPoints.clone();
        impactPointsPerDoubling = b.impactPointsPerDoubling;
        agePointsPerMinute = b.agePointsPerMinute;
        newestFirstMaxUrgency = b.newestFirstMaxUrgency;
        newestFirstMinImpact = b.newestFirstMinImpact;
        slaAtRiskWindowMs = b.slaAtRiskWindowMs;
        slaAtRiskPoints = b.slaAtRiskPoints;
        slaBreachedPoints = b.slaBreachedPoints;
        leaseMs = b.leaseMs;
        relaxPreferredAfterMs = b.relaxPreferredAfterMs;
        incidentLeadSlots = b.incidentLeadSlots;
        maxWaitMs = b.maxWaitMs.clone();
        waitBoundPoints = b.waitBoundPoints;
    }

    /**
     * @param generation {@link #DEFAULTS_BEFORE_LEADS} or {@link #DEFAULTS_WITH_LEADS}: what the journal's settings record.
     * @return the defaults of that generation (a journal replays under the defaults it was written with).
     */
    public static Policy defaults(final int generation)
    {
        return generation == DEFAULTS_BEFORE_LEADS ? LEGACY : DEFAULT;
    }

    /**
     * @return the default policy: urgency dominates, impact counts per doubling of customers hit, two points
     * per minute waited, low-urgency problems hitting 100+ customers served newest-first.
     */
    public static Policy defaults()
    {
        return DEFAULT;
    }

    /**
     * @return a builder starting from the defaults.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return a builder starting from this policy.
     */
    public Builder toBuilder()
    {
        final Builder b = new Builder();
        System.arraycopy(urgencyPoints, 0, b.urgencyPoints, 0, urgencyPoints.length);
        b.impactPointsPerDoubling = impactPointsPerDoubling;
        b.agePointsPerMinute = agePointsPerMinute;
        b.newestFirstMaxUrgency = newestFirstMaxUrgency;
        b.newestFirstMinImpact = newestFirstMinImpact;
        b.slaAtRiskWindowMs = slaAtRiskWindowMs;
        b.slaAtRiskPoints = slaAtRiskPoints;
        b.slaBreachedPoints = slaBreachedPoints;
        b.leaseMs = leaseMs;
        b.relaxPreferredAfterMs = relaxPreferredAfterMs;
        b.incidentLeadSlots = incidentLeadSlots;
        System.arraycopy(maxWaitMs, 0, b.maxWaitMs, 0, maxWaitMs.length);
        b.waitBoundPoints = waitBoundPoints;
        return b;
    }

    /** How many values {@link #fields()} has. */
    public static final int FIELD_COUNT = 21;
    /** The fields of policies written before leads and bounds (the rest read as {@link #defaults(int)} generation 1). */
    public static final int FIELD_COUNT_BEFORE_LEADS = 14;

    /**
     * Every setting as a number, in the one order the journal and snapshot formats both use: urgency points
     * LOW..CRITICAL, impact points per doubling, age points per minute, newest-first max urgency (ordinal, -1 off),
     * newest-first min impact, SLA at-risk window ms, SLA at-risk points, SLA breached points, lease ms,
     * relax-preferred-after ms; then incident lead slots, max wait ms LOW..CRITICAL, wait bound points.
     *
     * @return {@link #FIELD_COUNT} values.
     */
    public long[] fields()
    {
        return new long[]{
            urgencyPoints[0], urgencyPoints[1], urgencyPoints[2], urgencyPoints[3], urgencyPoints[4],
            impactPointsPerDoubling, agePointsPerMinute,
            newestFirstMaxUrgency == null ? -1 : newestFirstMaxUrgency.ordinal(), newestFirstMinImpact,
            slaAtRiskWindowMs, slaAtRiskPoints, slaBreachedPoints, leaseMs, relaxPreferredAfterMs,
            incidentLeadSlots, maxWaitMs[0], maxWaitMs[1], maxWaitMs[2], maxWaitMs[3], maxWaitMs[4], waitBoundPoints };
    }

    /**
     * @param f values in {@link #fields()} order: all {@link #FIELD_COUNT}, or the first {@link #FIELD_COUNT_BEFORE_LEADS}
     * of a policy written before leads and bounds (which had neither: no lead limit, no wait bound).
     * @return the policy.
     * @throws IllegalArgumentException naming a value out of range.
     */
    public static Policy ofFields(final long[] f)
    {
        if (f.length != FIELD_COUNT && f.length != FIELD_COUNT_BEFORE_LEADS || f[7] < -1 || f[7] >= Urgency.count())
        {
            throw new IllegalArgumentException("policy fields malformed");
        }
        final Builder b = f.length == FIELD_COUNT_BEFORE_LEADS ? LEGACY.toBuilder() : builder();
        if (f.length == FIELD_COUNT)
        {
            if (f[14] < 0 || f[14] > MAX_LEAD_SLOTS)
            {
                throw new IllegalArgumentException("incidentLeadSlots must be in 0.." + MAX_LEAD_SLOTS);
            }
            b.incidentLeadSlots((int)f[14]).waitBoundPoints(f[20]);
            for (int u = 0; u < Urgency.count(); u++)
            {
                b.maxWaitMs(Urgency.ofLevel(u), f[15 + u]);
            }
        }
        for (int u = 0; u < Urgency.count(); u++)
        {
            b.urgencyPoints(Urgency.ofLevel(u), f[u]);
        }
        return b.impactPointsPerDoubling(f[5])
            .agePointsPerMinute(f[6])
            .newestFirst(f[7] < 0 ? null : Urgency.ofLevel((int)f[7]), f[8])
            .slaAtRiskWindowMs(f[9])
            .slaPoints(f[10], f[11])
            .leaseMs(f[12])
            .relaxPreferredAfterMs(f[13])
            .build();
    }

    /**
     * @param impact effective impact (customers), >= 1.
     * @return floor(log2(1 + impact)).
     */
    public static int impactBucket(final long impact)
    {
        return 63 - Long.numberOfLeadingZeros(1 + impact);
    }

    /**
     * @param urgency urgency.
     * @return its points.
     */
    public long urgencyPoints(final Urgency urgency)
    {
        return urgencyPoints[urgency.ordinal()];
    }

    /**
     * @param effectiveImpact impact, or the incident's reach for incident members.
     * @return the impact points.
     */
    public long impactPoints(final long effectiveImpact)
    {
        return impactPointsPerDoubling * impactBucket(effectiveImpact);
    }

    /**
     * @param band {@link SlaBand} constant.
     * @return the SLA points for that band.
     */
    public long slaPoints(final int band)
    {
        return band == SlaBand.BREACHED ? slaBreachedPoints : band == SlaBand.AT_RISK ? slaAtRiskPoints : 0;
    }

    /**
     * @param urgency urgency.
     * @param effectiveImpact impact or incident reach.
     * @return true if such conversations are served newest-first (age lowers the score).
     */
    public boolean isNewestFirst(final Urgency urgency, final long effectiveImpact)
    {
        return newestFirstMaxUrgency != null &&
            urgency.ordinal() <= newestFirstMaxUrgency.ordinal() &&
            effectiveImpact >= newestFirstMinImpact;
    }

    /**
     * @param respondByMs SLA deadline, 0 for none.
     * @param nowMs now.
     * @return the SLA band at {@code nowMs}.
     */
    public int slaBandAt(final long respondByMs, final long nowMs)
    {
        if (respondByMs == 0)
        {
            return SlaBand.NONE;
        }
        if (nowMs >= respondByMs)
        {
            return SlaBand.BREACHED;
        }
        return nowMs >= respondByMs - slaAtRiskWindowMs ? SlaBand.AT_RISK : SlaBand.NONE;
    }

    /**
     * @param respondByMs SLA deadline, 0 for none.
     * @param band the current band.
     * @return when the band next changes, or Long.MAX_VALUE.
     */
    public long nextSlaChangeMs(final long respondByMs, final int band)
    {
        if (respondByMs == 0 || band == SlaBand.BREACHED)
        {
            return Long.MAX_VALUE;
        }
        return band == SlaBand.AT_RISK ? respondByMs : respondByMs - slaAtRiskWindowMs;
    }

    public long agePointsPerMinute()
    {
        return agePointsPerMinute;
    }

    public long impactPointsPerDoubling()
    {
        return impactPointsPerDoubling;
    }

    public Urgency newestFirstMaxUrgency()
    {
        return newestFirstMaxUrgency;
    }

    public long newestFirstMinImpact()
    {
        return newestFirstMinImpact;
    }

    public long slaAtRiskWindowMs()
    {
        return slaAtRiskWindowMs;
    }

    public long slaAtRiskPoints()
    {
        return slaAtRiskPoints;
    }

    public long slaBreachedPoints()
    {
        return slaBreachedPoints;
    }

    public long leaseMs()
    {
        return leaseMs;
    }

    public long relaxPreferredAfterMs()
    {
        return relaxPreferredAfterMs;
    }

    /**
     * @return how many of an incident's queued members (its best by urgency, SLA and wait) take the incident's reach
     * as their impact; 0: every member does (the rule before leads).
     */
    public int incidentLeadSlots()
    {
        return incidentLeadSlots;
    }

    /**
     * @param urgency an urgency.
     * @return how long a conversation of it may wait before it escalates, 0 for no bound.
     */
    public long maxWaitMs(final Urgency urgency)
    {
        return maxWaitMs[urgency.ordinal()];
    }

    /**
     * @return the points an escalated conversation gets on top (its wait-bound part).
     */
    public long waitBoundPoints()
    {
        return waitBoundPoints;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!(o instanceof Policy))
        {
            return false;
        }
        final Policy p = (Policy)o;
        return Arrays.equals(urgencyPoints, p.urgencyPoints) &&
            impactPointsPerDoubling == p.impactPointsPerDoubling &&
            agePointsPerMinute == p.agePointsPerMinute &&
            newestFirstMaxUrgency == p.newestFirstMaxUrgency &&
            newestFirstMinImpact == p.newestFirstMinImpact &&
            slaAtRiskWindowMs == p.slaAtRiskWindowMs &&
            slaAtRiskPoints == p.slaAtRiskPoints &&
            slaBreachedPoints == p.slaBreachedPoints &&
            leaseMs == p.leaseMs &&
            relaxPreferredAfterMs == p.relaxPreferredAfterMs &&
            incidentLeadSlots == p.incidentLeadSlots &&
            Arrays.equals(maxWaitMs, p.maxWaitMs) &&
            waitBoundPoints == p.waitBoundPoints;
    }

    @Override
    public int hashCode()
    {
        return Arrays.hashCode(fields());
    }

    @Override
    public String toString()
    {
        return "Policy{urgencyPoints=" + Arrays.toString(urgencyPoints) +
            ", impactPointsPerDoubling=" + impactPointsPerDoubling +
            ", agePointsPerMinute=" + agePointsPerMinute +
            ", newestFirst=" + (newestFirstMaxUrgency == null ? "off" :
            "urgency<=" + newestFirstMaxUrgency + "&impact>=" + newestFirstMinImpact) +
            ", slaAtRiskWindowMs=" + slaAtRiskWindowMs +
            ", slaPoints=" + slaAtRiskPoints + "/" + slaBreachedPoints +
            ", leaseMs=" + leaseMs +
            ", relaxPreferredAfterMs=" + relaxPreferredAfterMs +
            ", incidentLeadSlots=" + incidentLeadSlots +
            ", maxWaitMs=" + Arrays.toString(maxWaitMs) +
            ", waitBoundPoints=" + waitBoundPoints + '}';
    }

    /**
     * Fluent builder; {@link #build()} validates.
     */
    public static final class Builder
    {
        private final long[] urgencyPoints = { 0, 100, 300, 600, 1000 };
        private long impactPointsPerDoubling = 60;
        private long agePointsPerMinute = 2;
        private Urgency newestFirstMaxUrgency = Urgency.LOW;
        private long newestFirstMinImpact = 100;
        private long slaAtRiskWindowMs = 15 * 60_000L;
        private long slaAtRiskPoints = 400;
        private long slaBreachedPoints = 800;
        private long leaseMs = 30_000;
        private long relaxPreferredAfterMs = 5 * 60_000L;
        /** Two leads: an outage draws two agents at once, and the next member is ready as one is taken. */
        private int incidentLeadSlots = 2;
        /** CRITICAL within 5 minutes, URGENT within 15, whatever else is queued; the rest by score. */
        private final long[] maxWaitMs = { 0, 0, 0, 15 * 60_000L, 5 * 60_000L };
        /** Above any score a conversation not past its bound reaches by urgency, impact, SLA and 35 days of age. */
        private long waitBoundPoints = 100_000;

        /**
         * @param slots how many of an incident's queued members take its reach as their impact; 0 every member.
         * @return this.
         */
        public Builder incidentLeadSlots(final int slots)
        {
            incidentLeadSlots = slots;
            return this;
        }

        /**
         * @param urgency an urgency.
         * @param ms how long such a conversation may wait before it escalates; 0 no bound.
         * @return this.
         */
        public Builder maxWaitMs(final Urgency urgency, final long ms)
        {
            maxWaitMs[urgency.ordinal()] = ms;
            return this;
        }

        /**
         * @param points what an escalated conversation gets on top.
         * @return this.
         */
        public Builder waitBoundPoints(final long points)
        {
            waitBoundPoints = points;
            return this;
        }

        public Builder urgencyPoints(final Urgency urgency, final long points)
        {
            urgencyPoints[urgency.ordinal()] = points;
            return this;
        }

        public Builder impactPointsPerDoubling(final long points)
        {
            impactPointsPerDoubling = points;
            return this;
        }

        public Builder agePointsPerMinute(final long points)
        {
            agePointsPerMinute = points;
            return this;
        }

        /**
         * Serve problems at or below {@code maxUrgency} hitting at least {@code minImpact} customers newest-first.
         *
         * @param maxUrgency highest urgency served newest-first; null turns newest-first off.
         * @param minImpact least effective impact.
         * @return this.
         */
        public Builder newestFirst(final Urgency maxUrgency, final long minImpact)
        {
            newestFirstMaxUrgency = maxUrgency;
            newestFirstMinImpact = minImpact;
            return this;
        }

        public Builder slaAtRiskWindowMs(final long ms)
        {
            slaAtRiskWindowMs = ms;
            return this;
        }

        public Builder slaPoints(final long atRisk, final long breached)
        {
            slaAtRiskPoints = atRisk;
            slaBreachedPoints = breached;
            return this;
        }

        public Builder leaseMs(final long ms)
        {
            leaseMs = ms;
            return this;
        }

        public Builder relaxPreferredAfterMs(final long ms)
        {
            relaxPreferredAfterMs = ms;
            return this;
        }

        /**
         * @return the policy.
         * @throws IllegalArgumentException naming the field that is out of range.
         */
        public Policy build()
        {
            final String error = validate();
            if (error != null)
            {
                throw new IllegalArgumentException(error);
            }
            return new Policy(this);
        }

        private String validate()
        {
            for (int i = 0; i < urgencyPoints.length; i++)
            {
                if (urgencyPoints[i] < 0 || urgencyPoints[i] > MAX_POINTS)
                {
                    return "urgencyPoints[" + Urgency.ofLevel(i) + "] must be in 0.." + MAX_POINTS;
                }
            }
            if (impactPointsPerDoubling < 0 || impactPointsPerDoubling > MAX_POINTS / 64)
            {
                return "impactPointsPerDoubling must be in 0.." + MAX_POINTS / 64;
            }
            if (agePointsPerMinute < 0 || agePointsPerMinute > MAX_AGE_POINTS_PER_MINUTE)
            {
                return "agePointsPerMinute must be in 0.." + MAX_AGE_POINTS_PER_MINUTE;
            }
            if (newestFirstMinImpact < 1)
            {
                return "newestFirstMinImpact must be >= 1";
            }
            if (slaAtRiskWindowMs < 0)
            {
                return "slaAtRiskWindowMs must be >= 0";
            }
            if (slaAtRiskPoints < 0 || slaAtRiskPoints > MAX_POINTS || slaBreachedPoints < 0 || slaBreachedPoints > MAX_POINTS)
            {
                return "slaPoints must be in 0.." + MAX_POINTS;
            }
            if (leaseMs < 1)
            {
                return "leaseMs must be >= 1";
            }
            if (relaxPreferredAfterMs < 0)
            {
                return "relaxPreferredAfterMs must be >= 0";
            }
            if (incidentLeadSlots < 0 || incidentLeadSlots > MAX_LEAD_SLOTS)
            {
                return "incidentLeadSlots must be in 0.." + MAX_LEAD_SLOTS + " (0: every member takes the incident's reach)";
            }
            for (int i = 0; i < maxWaitMs.length; i++)
            {
                if (maxWaitMs[i] < 0 || maxWaitMs[i] > MAX_WAIT_BOUND_MS)
                {
                    return "maxWaitMs[" + Urgency.ofLevel(i) + "] must be in 0.." + MAX_WAIT_BOUND_MS + " (0: no bound)";
                }
            }
            if (waitBoundPoints < 0 || waitBoundPoints > MAX_POINTS)
            {
                return "waitBoundPoints must be in 0.." + MAX_POINTS;
            }
            return null;
        }
    }
}
