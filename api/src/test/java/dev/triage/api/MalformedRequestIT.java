package dev.triage.api;

import dev.triage.proto.v1.StatsRequest;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bytes that are not a valid protobuf message, sent as a raw client in another language would: INVALID_ARGUMENT,
 * the server keeps serving, and the log gets at most one line for a burst of them, never a stack trace each.
 */
@Timeout(60)
class MalformedRequestIT
{
    @Test
    void shouldAnswerMalformedBytesWithInvalidArgumentAndLogOneLineForABurst() throws Exception
    {
        final CountingHandler logged = CountingHandler.onRoot();
        try (logged; ServerFixture fixture = new ServerFixture())
        {
            final MethodDescriptor<byte[], byte[]> open = ServerFixture.rawUnary("triage.v1.Triage/Open");
            for (int i = 0; i < 200; i++)
            {
                final StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
                    fixture.channel, open, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), new byte[]{ 0x0a, 0x7f, 0x41 }));
                assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
            }
            assertEquals(0, fixture.stub().stats(StatsRequest.getDefaultInstance()).getOpen(), "the server keeps serving");
        }
        assertTrue(logged.stackTraces == 0 && logged.lines <= 2, logged.lines + " lines, " + logged.stackTraces + " with stack traces");
    }

    /** An oversize frame each: gRPC-Java logged a stack trace per request (4.6 KB of log per 6-byte request). */
    @Test
    void shouldLogABurstOfOversizeMessagesInAFewLines() throws Exception
    {
        final CountingHandler logged = CountingHandler.onRoot();
        try (logged; ServerFixture fixture = new ServerFixture())
        {
            final MethodDescriptor<byte[], byte[]> open = ServerFixture.rawUnary("triage.v1.Triage/Open");
            final byte[] huge = new byte[(1 << 20) + 16];
            for (int i = 0; i < 30; i++)
            {
                final StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
                    fixture.channel, open, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), huge));
                assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.getStatus().toString());
            }
            assertEquals(0, fixture.stub().stats(StatsRequest.getDefaultInstance()).getOpen(), "the server keeps serving");
        }
        assertTrue(logged.stackTraces <= 1 && logged.lines <= 2, logged.lines + " lines, " + logged.stackTraces + " with stack traces");
    }

    /**
     * Calls whose deadline passes while the engine is stalled, answered after their callers left: each logged a
     * stack trace (~150 MB of log per overload run). Now they are answered to nobody, silently.
     */
    @Test
    void shouldNotLogCallsWhoseCallerLeftBeforeTheAnswer() throws Exception
    {
        final CountingHandler logged = CountingHandler.onRoot();
        final java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        try (logged; ServerFixture fixture = new ServerFixture(new dev.triage.api.server.ServerContext().engineContext(
            new dev.triage.engine.EngineContext().tickIntervalMs(0).journalHandler((event, sequence, endOfBatch) -> gate.await()))))
        {
            final var async = dev.triage.proto.v1.TriageGrpc.newStub(fixture.channel);
            final java.util.concurrent.CountDownLatch expired = new java.util.concurrent.CountDownLatch(100);
            for (int i = 0; i < 100; i++)
            {
                async.withDeadlineAfter(200, TimeUnit.MILLISECONDS).open(TriageServiceIT.open("late-" + i,
                    dev.triage.proto.v1.Urgency.NORMAL, 1, ""), new io.grpc.stub.StreamObserver<>()
                    {
                        @Override
                        public void onNext(final dev.triage.proto.v1.ConversationReply value)
                        {
                        }

                        @Override
                        public void onError(final Throwable t)
                        {
                            expired.countDown();
                        }

                        @Override
                        public void onCompleted()
                        {
                        }
                    });
            }
            assertTrue(expired.await(30, TimeUnit.SECONDS), "every call's deadline passed");
            gate.countDown();
            final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (fixture.server.admission().waiting() > 0)
            {
                assertTrue(System.nanoTime() < until, "the engine answered the late calls");
                Thread.sleep(5);
            }
            assertEquals(100, fixture.stub().stats(StatsRequest.getDefaultInstance()).getOpen(), "applied, answered to nobody");
        }
        assertTrue(logged.stackTraces == 0 && logged.lines <= 1, logged.lines + " lines, " + logged.stackTraces + " with stack traces");
    }

        /** Counts log records at WARNING and above, and those carrying an exception; closing it takes it off the root. */
    private static final class CountingHandler extends Handler implements AutoCloseable
    {
        int lines;
        int stackTraces;

        static CountingHandler onRoot()
        {
            final CountingHandler handler = new CountingHandler();
            Logger.getLogger("").addHandler(handler);
            return handler;
        }

        @Override
        public synchronized void publish(final LogRecord record)
        {
            if (record.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue())
            {
                lines++;
                stackTraces += record.getThrown() != null ? 1 : 0;
            }
        }

        @Override
        public void flush()
        {
        }

        @Override
        public void close()
        {
            Logger.getLogger("").removeHandler(this);
        }
    }
}
