package dev.triage.engine;

import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.ground.Urgency;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The README's tour, verbatim, so the door for newcomers cannot drift from the code.
 */
class ReadmeTourTest
{
    @Test
    @Timeout(30)
    void shouldPrintWhatTheReadmeShows()
    {
        // The README runs on the system clock; a pinned clock makes the age part exactly 0 here.
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(1_767_225_600_000L);
        try (TriageEngine engine = TriageEngine.start(EngineContext.smallHost().clock(clock)))
        {
            engine.submit(Command.upsertAgent("ann", 3, "billing", "en")).join();
            engine.submit(Command.open("C-1", Urgency.NORMAL, 1, "billing")).join();
            final Command outage = Command.open("C-2", Urgency.HIGH, 40, "en");
            outage.incidentKey = "login-outage";
            engine.submit(outage).join();

            final Reply next = engine.submit(Command.nextBest("ann", 0)).join();
            assertEquals(
                "NEXT_BEST OK conv=C-2 agent=ann score=600.0 [urgency=300 impact=300 age=0.0 sla=0] candidates=2 runnerUp=C-1@160.0",
                next.toString());
            assertEquals(ResultCode.OK, engine.submit(Command.byAgent(CommandType.ACK, "ann", "C-2")).join().result);
            assertEquals(ResultCode.OK, engine.submit(Command.onConversation(CommandType.RESOLVE, "C-2")).join().result);
        }
    }
}
