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
    /**
     * A snapshot written by the build before skill sets outgrew 64-bit masks (format 1; made with BookFixture: ann
     * with billing,en and capacity 2, bob with de; c1 HIGH impact 3 needing billing, c2 LOW needing de, c3 NORMAL;
     * ann took c1) is still read: recovery never loses the snapshots retention relies on.
     */
    @Test
    void shouldReadAVersionOneSnapshot() throws IOException
    {
        final BookFixture restored = new BookFixture();
        try (DataInputStream in = new DataInputStream(getClass().getResourceAsStream("/snapshots/book-v1.snapshot")))
        {
            BookSnapshot.read(in, restored.book);
        }
        assertEquals(2, restored.book.openCount());
        assertEquals(dev.triage.engine.ground.ConversationState.ASSIGNED, restored.book.conversation("c1").state);
        assertEquals("ann", restored.book.conversation("c1").agentId());
        assertEquals("c3", restored.next("bob").conversationId, "NORMAL before LOW");
        assertEquals(ResultCode.NO_CONVERSATION, restored.next("ann").result, "c2 needs de, which ann lacks");
        restored.on(CommandType.RESOLVE, "c3");
        assertEquals("c2", restored.next("bob").conversationId, "bob's skill survived the format change");
        final BookFixture again = restore(restored);
        assertEquals(restored.book.stateHash(), again.book.stateHash(), "written again as format 2, read the same");
    }

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
