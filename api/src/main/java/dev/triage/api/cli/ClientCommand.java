package dev.triage.api.cli;

import com.google.rpc.BadRequest;
import dev.triage.api.client.TriageClient;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import picocli.CommandLine.Mixin;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Base of the client subcommands: calls through a fresh {@link TriageClient}; a server error prints its status and message (and
 * each invalid field) and exits 1.
 */
abstract class ClientCommand implements Callable<Integer>
{
    @Mixin
    ClientOptions client;

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public final Integer call()
    {
        try (TriageClient triage = client.client())
        {
            run(triage);
            return 0;
        }
        catch (final StatusRuntimeException e)
        {
            err.println("error: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
            for (final BadRequest.FieldViolation v : dev.triage.api.service.FieldViolations.of(e))
            {
                err.println("  " + v.getField() + ": " + v.getDescription());
            }
            return 1;
        }
    }

    /**
     * @param client a client with the command's server, token, TLS and deadline.
     */
    abstract void run(TriageClient client);

    /**
     * Wait for a call's answer.
     *
     * @return the answer.
     * @throws StatusRuntimeException the call's failure.
     */
    static <T> T await(final CompletableFuture<T> call)
    {
        try
        {
            return call.get();
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
        }
        catch (final ExecutionException e)
        {
            if (e.getCause() instanceof StatusRuntimeException failure)
            {
                throw failure;
            }
            throw Status.fromThrowable(e.getCause()).asRuntimeException();
        }
    }
}
