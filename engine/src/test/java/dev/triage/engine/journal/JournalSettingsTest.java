package dev.triage.engine.journal;

import dev.triage.engine.EngineContext;
import dev.triage.engine.TriageEngine;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.ground.Urgency;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A journal replays exactly only under the settings that wrote it; they are recorded beside it.
 */
@Timeout(60)
class JournalSettingsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRecordSettingsRefuseOthersAndAuditUnderTheRecordedOnes() throws Exception
    {
        try (TriageEngine engine = TriageEngine.start(new EngineContext().journalDir(dir).tickIntervalMs(0).retainResolved(1)))
        {
            engine.submit(Command.open("a", Urgency.LOW, 1)).get(10, TimeUnit.SECONDS);
            engine.submit(Command.open("b", Urgency.LOW, 1)).get(10, TimeUnit.SECONDS);
            engine.submit(Command.onConversation(CommandType.RESOLVE, "a")).get(10, TimeUnit.SECONDS);
            engine.submit(Command.onConversation(CommandType.RESOLVE, "b")).get(10, TimeUnit.SECONDS);
            assertEquals(ResultCode.CONVERSATION_NOT_FOUND,
                engine.submit(Command.onConversation(CommandType.REOPEN, "a")).get(10, TimeUnit.SECONDS).result, "a was forgotten");
        }
        assertEquals(new JournalSettings(1, EngineContext.TIMER_LIMIT_PER_TICK_DEFAULT, EngineContext.MAX_AGENTS_DEFAULT, JournalRoll.HOUR,
            dev.triage.engine.policy.Policy.DEFAULTS_WITH_LEADS),
            JournalSettings.read(dir));

        final IllegalStateException refused = assertThrows(IllegalStateException.class,
            () -> TriageEngine.start(new EngineContext().journalDir(dir).tickIntervalMs(0)));
        assertTrue(refused.getMessage().contains("was written with"), refused.getMessage());

        final List<AuditTrail.Entry> audit = AuditTrail.ofConversation(dir, JournalSettings.contextFor(dir), "a");
        assertEquals(ResultCode.CONVERSATION_NOT_FOUND, audit.get(audit.size() - 1).result(), "the audit decides as the live engine did");
    }
}
