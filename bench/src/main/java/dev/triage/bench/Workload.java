package dev.triage.bench;

import dev.triage.engine.ground.Urgency;

import java.util.Random;

/**
 * The benchmark workload of issue #2: 64 required skill sets over 16 skills, 500 agents, urgency uniform,
 * impact log-uniform in 1..10,000, one conversation in five with an SLA an hour out. Seeded, so every run and
 * every peer sees the same traffic.
 */
public final class Workload
{
    public static final int SKILLS = 16;
    public static final int SKILL_SETS = 64;
    public static final int AGENTS = 500;

    public final String[][] skillSets = new String[SKILL_SETS][];
    public final String[][] agentSkills = new String[AGENTS][];
    public final String[] agentIds = new String[AGENTS];
    /** For each skill set, the agents holding all of its skills (never empty). */
    public final int[][] agentsFor = new int[SKILL_SETS][];
    private final Random random;

    /**
     * @param seed the seed.
     */
    public Workload(final long seed)
    {
        this(seed, SKILLS);
    }

    /**
     * @param seed the seed.
     * @param skills distinct skill names to draw the sets from (16 as in issue #2; more to see the registry at scale).
     */
    public Workload(final long seed, final int skills)
    {
        random = new Random(seed);
        final String[] names = new String[skills];
        for (int i = 0; i < skills; i++)
        {
            names[i] = "skill-" + i;
        }
        for (int s = 0; s < SKILL_SETS; s++)
        {
            skillSets[s] = draw(names, s == 0 ? 0 : 1 + random.nextInt(3));
        }
        for (int a = 0; a < AGENTS; a++)
        {
            agentSkills[a] = draw(names, 4 + random.nextInt(6));
            agentIds[a] = "agent-" + a;
        }
        for (int s = 0; s < SKILL_SETS; s++)
        {
            final java.util.List<String> required = java.util.List.of(skillSets[s]);
            agentsFor[s] = java.util.stream.IntStream.range(0, AGENTS)
                .filter(a -> java.util.List.of(agentSkills[a]).containsAll(required)).toArray();
            if (agentsFor[s].length == 0)
            {
                final java.util.Set<String> widened = new java.util.TreeSet<>(java.util.List.of(agentSkills[s]));
                widened.addAll(required);
                agentSkills[s] = widened.toArray(new String[0]);
                s = -1;
            }
        }
    }

    /** {@code size} distinct names drawn at random, in index order. */
    private String[] draw(final String[] names, final int size)
    {
        final java.util.TreeSet<Integer> picked = new java.util.TreeSet<>();
        while (picked.size() < size)
        {
            picked.add(random.nextInt(names.length));
        }
        return picked.stream().map(i -> names[i]).toArray(String[]::new);
    }

    public Urgency urgency()
    {
        return Urgency.ofLevel(random.nextInt(Urgency.count()));
    }

    /**
     * @return customers affected, log-uniform in 1..10,000.
     */
    public int impact()
    {
        return (int)Math.exp(random.nextDouble() * Math.log(10_000));
    }

    /**
     * @return a random skill set's index.
     */
    public int skillSetIndex()
    {
        return random.nextInt(SKILL_SETS);
    }

    /**
     * @param skillSet a skill set's index.
     * @return a random agent that may take conversations needing it.
     */
    public int agentFor(final int skillSet)
    {
        final int[] agents = agentsFor[skillSet];
        return agents[random.nextInt(agents.length)];
    }

    public boolean hasSla()
    {
        return random.nextInt(5) == 0;
    }

}
