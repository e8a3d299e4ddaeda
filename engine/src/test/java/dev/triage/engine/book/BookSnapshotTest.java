package dev.triage.engine.book;

import dev.triage.engine.command.Command;
import dev.triage.engine.command.CommandType;
import dev.triage.engine.command.ResultCode;
import dev.triage.engine.fixture.BookFixture;
import dev.triage.engine.ground.AgentStatus;
import dev.triage.engine.ground.Urgency;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BookSnapshotTest
{
    @Test
    void shouldKeepTheOrderInWhichResolvedConversationsAreForgotten() throws IOException
    {
        final BookFixture original = new BookFixture(2, 100);
        for (final String id : new String[]{ "a", "b", "c" })
        {
            original.open(id, Urgency.LOW, 1);
        }
        original.on(CommandType.RESOLVE, "a");
        original.on(CommandType.RESOLVE, "b");
        final BookFixture restored = restore(original);
        restored.on(CommandType.RESOLVE, "c");
        assertEquals(ResultCode.CONVERSATION_NOT_FOUND, restored.on(CommandType.REOPEN, "a").result, "a, resolved first, goes first");
        assertEquals(ResultCode.OK, restored.on(CommandType.REOPEN, "b").result);
    }

    @Test
    void shouldReleaseAnOfflineAgentsWorkInAssignmentOrder() throws IOException
    {
        final BookFixture original = new BookFixture();
        original.agent("ann", 5);
        original.agent("bob", 5);
        original.open("first", Urgency.HIGH, 1);
        original.open("second", Urgency.LOW, 1);
        original.next("ann");
        original.next("ann");
        original.nextWaiting("bob", 60_000);
        final BookFixture restored = restore(original);
        restored.nextWaiting("bob", 60_000);
        restored.apply(Command.agentStatus("ann", AgentStatus.OFFLINE));
        assertEquals("bob", restored.book.conversation("first").agentId(), "the first-assigned goes back first, to bob");
    }

    @Test
    void shouldRefuseACorruptSnapshot() throws IOException
    {
        final BookFixture original = new BookFixture();
        original.open("a", Urgency.LOW, 1);
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BookSnapshot.write(original.book, new DataOutputStream(bytes));
        final byte[] data = bytes.toByteArray();
        data[0] ^= 0x55;
        assertThrows(IOException.class, () -> BookSnapshot.read(
            new DataInputStream(new ByteArrayInputStream(data)), new BookFixture().book));
    }

    private static BookFixture restore(final BookFixture original) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BookSnapshot.write(original.book, new DataOutputStream(bytes));
        final BookFixture restored = new BookFixture(2, 100);
        BookSnapshot.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), restored.book);
        restored.syncClockAndSequence(original);
        assertEquals(original.book.stateHash(), restored.book.stateHash());
        return restored;
    }
}
