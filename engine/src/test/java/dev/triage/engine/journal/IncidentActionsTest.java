package dev.triage.engine.journal;

import dev.triage.engine.EngineContext;
import dev.triage.engine.TriageEngine;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.Reply;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.ground.ConversationState;
import dev.triage.engine.ground.Urgency;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An incident answered and resolved as one problem, on a real journal: one command each, a line per member in that
 * member's audit, the same state after a replay.
 */
@Timeout(60)
class IncidentActionsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldAnswerAndResolveAWholeIncidentInOneCommandAuditedPerMember() throws Exception
    {
        final EngineContext context = new EngineContext().journalDir(dir).tickIntervalMs(0).snapshotEveryCommands(0);
        final long hash;
        try (TriageEngine engine = TriageEngine.start(context))
        {
            ok(engine, Command.upsertAgent("ann", 2));
            ok(engine, Command.upsertAgent("bob", 2));
            for (int i = 0; i < 5; i++)
            {
                final Command member = Command.open("m" + i, Urgency.HIGH, 10);
                member.incidentKey = "INC-42";
                ok(engine, member);
            }
            ok(engine, Command.open("solo", Urgency.LOW, 1));
            final Reply lead = ok(engine, Command.nextBest("ann", 0));
            assertEquals("m0", lead.conversationId, "a lead, with the incident's reach");
            final Reply shown = ok(engine, Command.incident(CommandType.INCIDENT_SHOW, "INC-42", null, null));
            assertEquals(50, shown.incidentReach);
            assertEquals(List.of("m0", "m1"), List.of(shown.leadIds).stream().sorted().toList(), "two lead slots, one worked");
            assertEquals(4, shown.incidentMembersIn[ConversationState.OPEN.ordinal()]);
            assertEquals(1, shown.incidentMembersIn[ConversationState.ASSIGNED.ordinal()]);
            assertEquals(ResultCode.NOT_AN_INCIDENT_LEAD,
                engine.submit(Command.incident(CommandType.INCIDENT_REPLY, "INC-42", "bob", "status page")).get(10, TimeUnit.SECONDS).result,
                "bob works no lead of it");
            final Reply answered = ok(engine, Command.incident(CommandType.INCIDENT_REPLY, "INC-42", "ann", "status page #12"));
            assertEquals(5, answered.affectedCount, "every member waiting or worked");
            final Reply stats = ok(engine, Command.of(CommandType.STATS));
            assertEquals(5, stats.pending);
            assertEquals(1, stats.open, "only the solo conversation waits");
            final Reply resolved = ok(engine, Command.incident(CommandType.INCIDENT_RESOLVE, "INC-42", null, null));
            assertEquals(5, resolved.affectedCount);
            assertEquals(ResultCode.INCIDENT_NOT_FOUND,
                engine.submit(Command.incident(CommandType.INCIDENT_SHOW, "INC-42", null, null)).get(10, TimeUnit.SECONDS).result,
                "resolved with its last member");
            engine.close();
            hash = engine.book().stateHash();
        }
        final List<AuditTrail.Entry> trail = AuditTrail.ofConversation(dir, JournalSettings.contextFor(dir), "m3");
        final List<String> notes = trail.stream().map(AuditTrail.Entry::note).filter(n -> n != null).toList();
        assertEquals(List.of("answered with incident INC-42 by ann (status page #12)", "resolved with incident INC-42"), notes);
        try (TriageEngine replayed = TriageEngine.start(context))
        {
            replayed.close();
            assertEquals(hash, replayed.book().stateHash(), "one journaled command each, replayed to the same state");
            assertTrue(replayed.book().conversation("m3").state() == ConversationState.RESOLVED);
        }
    }

    private static Reply ok(final TriageEngine engine, final Command command) throws Exception
    {
        final Reply r = engine.submit(command).get(10, TimeUnit.SECONDS);
        assertEquals(ResultCode.OK, r.result, command + ": " + r.result);
        return r;
    }
}
