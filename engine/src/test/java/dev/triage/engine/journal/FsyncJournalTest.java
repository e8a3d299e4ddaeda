package dev.triage.engine.journal;

import dev.triage.engine.EngineContext;
import dev.triage.engine.TriageEngine;
import dev.triage.engine.command.Command;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.ground.Urgency;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The fsync mode forces each batch before its replies (a power loss cannot be simulated here; this proves the
 * force path runs and keeps everything, and that the engine does not halt on it).
 */
@Timeout(60)
class FsyncJournalTest
{
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(EngineContext.Pipeline.class)
    void shouldAnswerAfterForcingAndRecoverEverything(final EngineContext.Pipeline pipeline) throws Exception
    {
        try (TriageEngine engine = TriageEngine.start(new EngineContext().pipeline(pipeline).journalDir(dir).tickIntervalMs(0)
            .durability(EngineContext.Durability.FSYNC)))
        {
            for (int i = 0; i < 200; i++)
            {
                assertEquals(ResultCode.OK, engine.submit(Command.open("C-" + i, Urgency.NORMAL, 1)).get(10, TimeUnit.SECONDS).result);
            }
            assertFalse(engine.isHalted());
        }
        try (TriageEngine engine = TriageEngine.start(new EngineContext().pipeline(pipeline).journalDir(dir).tickIntervalMs(0)
            .durability(EngineContext.Durability.FSYNC)))
        {
            assertEquals(200, engine.recovered().commands());
            engine.close();
            assertEquals(200, engine.book().openCount());
        }
    }
}
