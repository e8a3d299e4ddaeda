package dev.triage.engine.journal;

import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.ground.Urgency;
import net.openhft.chronicle.bytes.Bytes;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A record's strings come back as they went in, whatever their characters: the decoder reads them straight from
 * the record's memory (not through Chronicle's interning readUtf8), so multi-byte UTF-8 and absent fields must
 * survive it.
 */
class CommandCodecTest
{
    @Test
    void shouldDecodeStringsOfAnyCharactersAndAbsentOnes()
    {
        final Command open = Command.open("café-☕-" + "x".repeat(300), Urgency.HIGH, 7, "français", "日本語", "en");
        open.incidentKey = "panne-à-paris";
        open.preferredSkills = new String[]{ "ελληνικά" };
        open.sequence = 42;
        open.timestampMs = 1_767_225_600_000L;
        final Bytes<?> bytes = Bytes.allocateElasticDirect(1_024);
        try
        {
            CommandCodec.encode(open, bytes);
            final Command back = CommandCodec.decode(bytes, new Command());
            assertEquals(CommandType.OPEN, back.type);
            assertEquals(open.conversationId, back.conversationId);
            assertNull(back.agentId);
            assertEquals("panne-à-paris", back.incidentKey);
            assertArrayEquals(open.requiredSkills, back.requiredSkills);
            assertArrayEquals(open.preferredSkills, back.preferredSkills);
            assertEquals(7, back.impact);
            assertEquals(42, back.sequence);
        }
        finally
        {
            bytes.releaseLast();
        }
    }
}
