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
        final CountingHandler logged = new CountingHandler();
        final Logger root = Logger.getLogger("");
        root.addHandler(logged);
        try (ServerFixture fixture = new ServerFixture())
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
        finally
        {
            root.removeHandler(logged);
        }
        assertTrue(logged.stackTraces == 0 && logged.lines <= 2, logged.lines + " lines, " + logged.stackTraces + " with stack traces");
    }

    /** Counts log records at WARNING and above, and those carrying an exception. */
    private static final class CountingHandler extends Handler
    {
        int lines;
        int stackTraces;

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
        }
    }
}
