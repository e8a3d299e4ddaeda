package dev.triage.api.cli;

import com.google.rpc.BadRequest;
import dev.triage.proto.v1.TriageGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import picocli.CommandLine.Mixin;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Base of the client subcommands: one call on a fresh channel; a server error prints its status and message (and
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
        final ManagedChannel channel = client.channel();
        try
        {
            TriageGrpc.TriageBlockingStub stub = TriageGrpc.newBlockingStub(channel)
                .withDeadlineAfter(client.timeoutMs, TimeUnit.MILLISECONDS);
            if (client.credentials() != null)
            {
                stub = stub.withCallCredentials(client.credentials());
            }
            run(stub);
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
        finally
        {
            ClientOptions.close(channel);
        }
    }

    /**
     * @param stub a stub with deadline and credentials.
     */
    abstract void run(TriageGrpc.TriageBlockingStub stub);
}
