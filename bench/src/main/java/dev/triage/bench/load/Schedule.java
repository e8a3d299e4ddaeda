package dev.triage.bench.load;

import dev.triage.engine.command.CommandType;
import dev.triage.engine.journal.Journal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The seeded workload: agents with skills, and conversations with their intended open times. The same seed gives the
 * same workload for every target.
 */
final class Schedule
{
    static final List<String> SKILLS = List.of("billing", "login", "shipping", "refunds", "api", "mobile", "security", "general");
    /** Share of LOW, NORMAL, HIGH, URGENT, CRITICAL, cumulative. */
    private static final double[] URGENCY_CDF = { 0.30, 0.75, 0.90, 0.98, 1.0 };

    final List<Target.Agent> agents;
    final List<Conversation> conversations;
    /** Spike window in seconds from the start, or null. */
    final double[] spikeWindow;

    private Schedule(final List<Target.Agent> agents, final List<Conversation> conversations, final double[] spikeWindow)
    {
        this.agents = agents;
        this.conversations = conversations;
        this.spikeWindow = spikeWindow;
    }

    static List<Target.Agent> agents(final int count)
    {
        final List<Target.Agent> agents = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final int n = SKILLS.size();
            agents.add(new Target.Agent("agent-" + i, List.of(SKILLS.get(i % n), SKILLS.get((i + 3) % n), SKILLS.get((i + 5) % n))));
        }
        return agents;
    }

    /**
     * Arrivals as a Poisson process at {@code rate} per second for {@code seconds}, plus an optional spike of
     * {@code spikeCount} conversations about one incident (urgency HIGH, one skill) spread over
     * {@code spikeSeconds} from {@code spikeAt}.
     */
    static Schedule poisson(final String run, final long seed, final int agentCount, final double rate, final double seconds,
        final int spikeCount, final double spikeAt, final double spikeSeconds)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final List<long[]> times = new ArrayList<>(); // {atNanos, spike?1:0}
        double t = 0;
        while (rate > 0)
        {
            t += -Math.log(1 - random.nextDouble()) / rate;
            if (t >= seconds)
            {
                break;
            }
            times.add(new long[] { (long)(t * 1e9), 0 });
        }
        for (int i = 0; i < spikeCount; i++)
        {
            times.add(new long[] { (long)((spikeAt + spikeSeconds * i / spikeCount) * 1e9), 1 });
        }
        times.sort(Comparator.comparingLong(a -> a[0]));
        final List<Conversation> conversations = new ArrayList<>(times.size());
        for (final long[] at : times)
        {
            final int index = conversations.size();
            if (at[1] == 1)
            {
                conversations.add(new Conversation(index, Conversation.idOf(run, index), 3, 1, "login", "INC-" + seed, at[0]));
            }
            else
            {
                conversations.add(random(run, index, random, at[0]));
            }
        }
        return new Schedule(agents(agentCount), conversations,
            spikeCount > 0 ? new double[] { spikeAt, spikeAt + spikeSeconds } : null);
    }

    /** {@code count} conversations, all due at once (throughput runs). */
    static Schedule burst(final String run, final long seed, final int agentCount, final int count)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final List<Conversation> conversations = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            conversations.add(random(run, i, random, 0));
        }
        return new Schedule(agents(agentCount), conversations, null);
    }

    /**
     * The arrival times (and urgency, impact, first skill, incident) of every OPEN in a journal, compressed by
     * {@code speed}.
     */
    static Schedule fromJournal(final String run, final Path journalDir, final int agentCount, final double speed)
    {
        final List<Conversation> conversations = new ArrayList<>();
        final long[] first = { Long.MIN_VALUE };
        try (Journal journal = Journal.readOnly(journalDir))
        {
            journal.replay(c ->
            {
                if (c.type != CommandType.OPEN)
                {
                    return;
                }
                if (first[0] == Long.MIN_VALUE)
                {
                    first[0] = c.timestampMs;
                }
                final int index = conversations.size();
                final String skill = c.requiredSkills.length > 0 ? c.requiredSkills[0] : SKILLS.get(index % SKILLS.size());
                conversations.add(new Conversation(index, Conversation.idOf(run, index), c.urgency.ordinal() + 1, Math.max(1, c.impact),
                    SKILLS.contains(skill) ? skill : SKILLS.get(Math.floorMod(skill.hashCode(), SKILLS.size())),
                    c.incidentKey == null ? "" : c.incidentKey, (long)((c.timestampMs - first[0]) * 1e6 / speed)));
            });
        }
        if (conversations.isEmpty())
        {
            throw new IllegalArgumentException("journal " + journalDir + " holds no OPEN commands to take the shape from");
        }
        return new Schedule(agents(agentCount), conversations, null);
    }

    private static Conversation random(final String run, final int index, final SplittableRandom random, final long atNanos)
    {
        final double u = random.nextDouble();
        int urgency = 1;
        while (u > URGENCY_CDF[urgency - 1])
        {
            urgency++;
        }
        final int impact = random.nextInt(10) == 0 ? 2 + random.nextInt(99) : 1;
        return new Conversation(index, Conversation.idOf(run, index), urgency, impact, SKILLS.get(random.nextInt(SKILLS.size())), "",
            atNanos);
    }

    double seconds()
    {
        return conversations.isEmpty() ? 0 : conversations.get(conversations.size() - 1).atNanos() / 1e9;
    }
}
