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
 */
public final class Policy
{
    /** Score units per point: age is weighed per minute and time is in milliseconds. */
    public static final long UNITS_PER_POINT = 60_000L;
    /** Upper bound of any point value: keeps every score far from long overflow. */
    public static final long MAX_POINTS = 1_000_000_000L;
    /** Upper bound of the age weight: with epoch-ms time below 2^42, weight * time stays below 2^62. */
    public static final long MAX_AGE_POINTS_PER_MINUTE = 100_000L;

    private static final Policy DEFAULT = new Builder().build();

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
        return b;
    }

    /** How many values {@link #fields()} has. */
    public static final int FIELD_COUNT = 14;

    /**
     * Every setting as a number, in the one order the journal and snapshot formats both use: urgency points
     * LOW..CRITICAL, impact points per doubling, age points per minute, newest-first max urgency (ordinal, -1 off),
     * newest-first min impact, SLA at-risk window ms, SLA at-risk points, SLA breached points, lease ms,
     * relax-preferred-after ms.
     *
     * @return {@link #FIELD_COUNT} values.
     */
    public long[] fields()
    {
        return new long[]{
            urgencyPoints[0], urgencyPoints[1], urgencyPoints[2], urgencyPoints[3], urgencyPoints[4],
            impactPointsPerDoubling, agePointsPerMinute,
            newestFirstMaxUrgency == null ? -1 : newestFirstMaxUrgency.ordinal(), newestFirstMinImpact,
            slaAtRiskWindowMs, slaAtRiskPoints, slaBreachedPoints, leaseMs, relaxPreferredAfterMs };
    }

    /**
     * @param f values in {@link #fields()} order.
     * @return the policy.
     * @throws IllegalArgumentException naming a value out of range.
     */
    public static Policy ofFields(final long[] f)
    {
        if (f.length != FIELD_COUNT || f[7] < -1 || f[7] >= Urgency.count())
        {
            throw new IllegalArgumentException("policy fields malformed");
        }
        final Builder b = builder();
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
            relaxPreferredAfterMs == p.relaxPreferredAfterMs;
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
            ", relaxPreferredAfterMs=" + relaxPreferredAfterMs + '}';
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
            return null;
        }
    }
}
