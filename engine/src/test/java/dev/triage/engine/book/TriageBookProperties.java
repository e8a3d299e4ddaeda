package dev.triage.engine.book;

import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.fixture.BookFixture;
import dev.triage.engine.fixture.PropertyCheck;
import dev.triage.engine.fixture.ReferenceModel.Outcome;
import dev.triage.engine.fixture.ReferenceModel;
import dev.triage.engine.fixture.Scenarios;
import dev.triage.engine.fixture.Step;
import dev.triage.engine.ground.Urgency;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The engine against the naive reference model on random command sequences: every answer, every late long-poll
 * answer, every TOP and STATS must be identical; and the same scenario twice gives the same state hash.
 */
class TriageBookProperties
{
    private static final int RETAIN_RESOLVED = 3;
    private static final int TIMER_LIMIT = 2;

    @Test
    void shouldDecideExactlyAsTheReferenceModel()
    {
        PropertyCheck.forAll(400, r -> Scenarios.scenario(r, 120), Scenarios::simplify, steps -> decidesAsTheModel(steps, SkillRegistry.MAX_SKILLS, SkillRegistry.AGENT_RESERVE));
    }

    /**
     * Three skill slots (one kept for agents) for the world's four skills: names are refused, fall out of use and are
     * reclaimed all the time, and every answer must still match the model.
     */
    @Test
    void shouldDecideExactlyAsTheReferenceModelWhenSkillSlotsRunOut()
    {
        PropertyCheck.forAll(300, r -> Scenarios.scenario(r, 120), Scenarios::simplify, steps -> decidesAsTheModel(steps, 3, 1));
    }

    @Test
    void shouldReachTheSameStateWhenReplayed()
    {
        PropertyCheck.forAll(100, r -> Scenarios.scenario(r, 120), Scenarios::simplify, steps -> assertEquals(run(steps), run(steps)));
    }

    private static void decidesAsTheModel(final List<Step> steps, final int skillLimit, final int agentReserve)
    {
        final BookFixture engine = new BookFixture(RETAIN_RESOLVED, TIMER_LIMIT);
        engine.book.skillLimits(skillLimit, agentReserve);
        final ReferenceModel model = new ReferenceModel(RETAIN_RESOLVED, TIMER_LIMIT).skillLimits(skillLimit, agentReserve);
        long sequence = 0;
        for (int i = 0; i < steps.size(); i++)
        {
            final Step step = steps.get(i);
            engine.advance(step.advanceMs());
            final Command forEngine = step.materialise(engine.now());
            final Command forModel = step.materialise(engine.now());
            forModel.sequence = ++sequence;
            forModel.timestampMs = engine.now();
            final Reply reply = engine.apply(forEngine);
            final Outcome expected = normalise(forModel.type, model.apply(forModel));
            final String where = "step " + i + " " + step;
            assertEquals(expected, outcomeOf(forEngine.type, reply), where);
            final List<Outcome> engineLate = new ArrayList<>();
            for (final Reply late : engine.takeLate())
            {
                engineLate.add(outcomeOf(CommandType.NEXT_BEST, late));
            }
            final List<Outcome> modelLate = new ArrayList<>();
            for (final Outcome late : model.takeLate())
            {
                modelLate.add(normalise(CommandType.NEXT_BEST, late));
            }
            assertEquals(modelLate, engineLate, "late replies at " + where);
        }
    }

    private static long run(final List<Step> steps)
    {
        final BookFixture fixture = new BookFixture(RETAIN_RESOLVED, TIMER_LIMIT);
        for (final Step step : steps)
        {
            fixture.advance(step.advanceMs());
            fixture.apply(step.materialise(fixture.now()));
        }
        return fixture.book.stateHash();
    }

    private static Outcome outcomeOf(final CommandType type, final Reply r)
    {
        final Outcome o = new Outcome();
        o.result = r.result;
        if (type == CommandType.NEXT_BEST)
        {
            o.agentId = r.agentId;
            o.conversationId = r.conversationId;
            o.scoreUnits = r.scoreUnits;
            o.candidates = r.candidates;
            o.runnerUpId = r.runnerUpId;
            o.runnerUpScoreUnits = r.runnerUpScoreUnits;
        }
        else if (type == CommandType.INCIDENT_REPLY || type == CommandType.INCIDENT_RESOLVE)
        {
            o.candidates = r.affectedCount;
        }
        else if (type == CommandType.TOP && r.result == ResultCode.OK)
        {
            o.topIds = new ArrayList<>();
            o.topScores = new ArrayList<>();
            for (int i = 0; i < r.topCount; i++)
            {
                o.topIds.add(r.topIds[i]);
                o.topScores.add(r.topScoreUnits[i]);
            }
        }
        else if (type == CommandType.STATS)
        {
            final long[] s = new long[2 * Urgency.count() + 11];
            System.arraycopy(r.openByUrgency, 0, s, 0, Urgency.count());
            s[Urgency.count()] = r.open;
            s[Urgency.count() + 1] = r.assigned;
            s[Urgency.count() + 2] = r.pending;
            s[Urgency.count() + 3] = r.slaAtRisk;
            s[Urgency.count() + 4] = r.slaBreached;
            s[Urgency.count() + 5] = r.oldestWaitMs;
            s[Urgency.count() + 6] = r.waitP50Ms;
            s[Urgency.count() + 7] = r.waitP90Ms;
            s[Urgency.count() + 8] = r.waitP99Ms;
            s[Urgency.count() + 9] = r.assignmentsLastMinute;
            s[Urgency.count() + 10] = r.availableAgents;
            System.arraycopy(r.oldestWaitByUrgencyMs, 0, s, Urgency.count() + 11, Urgency.count());
            o.stats = s;
            final java.util.Map<String, Long> depth = new java.util.TreeMap<>();
            for (int i = 0; i < r.skillSetCount; i++)
            {
                // As the engine gives it: the model's keys are sorted names, so this also checks the engine sorts.
                depth.put(r.skillSetNames[i], r.skillSetOpen[i]);
            }
            o.skillDepth = depth;
            o.oldestIds = java.util.Arrays.asList(r.oldestIdByUrgency.clone());
        }
        return normalise(type, o);
    }

    /** Only what a caller may rely on for the outcome: assignment details only when something was assigned. */
    private static Outcome normalise(final CommandType type, final Outcome o)
    {
        if (type == CommandType.NEXT_BEST && o.result != ResultCode.OK)
        {
            o.conversationId = null;
            o.scoreUnits = 0;
            o.candidates = 0;
            o.runnerUpId = null;
            o.runnerUpScoreUnits = 0;
            if (o.result != ResultCode.TIMED_OUT && o.result != ResultCode.CANCELLED && o.result != ResultCode.SUPERSEDED)
            {
                o.agentId = null;
            }
        }
        return o;
    }
}
