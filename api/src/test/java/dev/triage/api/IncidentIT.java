package dev.triage.api;

import dev.triage.api.auth.TokenStore;
import dev.triage.engine.EngineContext;
import dev.triage.proto.v1.IncidentActionRequest;
import dev.triage.proto.v1.IncidentInfo;
import dev.triage.proto.v1.IncidentRequest;
import dev.triage.proto.v1.NextBestRequest;
import dev.triage.proto.v1.OpenRequest;
import dev.triage.proto.v1.SessionReply;
import dev.triage.proto.v1.SessionRequest;
import dev.triage.proto.v1.TriageGrpc;
import dev.triage.proto.v1.UpsertAgentRequest;
import dev.triage.proto.v1.Urgency;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.triage.api.TriageServiceIT.assertCode;
import static dev.triage.api.TriageServiceIT.open;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An incident worked as one problem, over real netty with tokens: GetIncident, IncidentReply and ResolveIncident
 * (unary and on a Session), who may call them, and the audit's line per member from the command line.
 */
@Timeout(60)
class IncidentIT
{
    @TempDir
    Path dir;

    @Test
    void shouldAnswerAndResolveAnIncidentAsOneProblem() throws Exception
    {
        final Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, String.join("\n", TokenStore.hashLine("admin-secret") + " admin",
            TokenStore.hashLine("ingest-secret") + " ingest", TokenStore.hashLine("super-secret") + " supervisor",
            TokenStore.hashLine("ann-secret") + " agent ann", TokenStore.hashLine("bob-secret") + " agent bob", ""));
        final Path journal = dir.resolve("journal");
        try (ServerFixture f = new ServerFixture(new EngineContext().journalDir(journal), tokens))
        {
            f.stub("admin-secret").upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("ann").setCapacity(2).build());
            f.stub("admin-secret").upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("bob").setCapacity(2).build());
            for (int i = 0; i < 5; i++)
            {
                f.stub("ingest-secret").open(open("m" + i, Urgency.HIGH, 10, "").toBuilder().setIncident("INC-42").build());
            }
            f.stub("ingest-secret").open(open("solo", Urgency.LOW, 1, ""));
            assertEquals("m0", f.stub("ann-secret").nextBest(NextBestRequest.newBuilder().setAgentId("ann").build()).getConversationId());

            final IncidentInfo shown = f.stub("super-secret").getIncident(IncidentRequest.newBuilder().setIncident("INC-42").build());
            assertEquals(50, shown.getReach());
            assertEquals(4, shown.getWaiting());
            assertEquals(1, shown.getAssigned());
            assertEquals(2, shown.getLeadsCount());
            assertEquals("m1", shown.getOldestWaitingId());

            final IncidentActionRequest.Builder reply = IncidentActionRequest.newBuilder().setIncident("INC-42").setReference("status page #12");
            assertCode(Status.Code.FAILED_PRECONDITION, () -> f.stub("bob-secret").incidentReply(reply.setAgentId("bob").build()));
            assertCode(Status.Code.PERMISSION_DENIED, () -> f.stub("bob-secret").incidentReply(reply.setAgentId("ann").build()));
            assertCode(Status.Code.PERMISSION_DENIED, () -> f.stub("ann-secret").incidentReply(reply.clearAgentId().build()));
            assertCode(Status.Code.PERMISSION_DENIED, () -> f.stub("ingest-secret").incidentReply(reply.clearAgentId().build()));
            assertCode(Status.Code.INVALID_ARGUMENT, () -> f.stub("super-secret").incidentReply(
                reply.clearAgentId().setReference("x".repeat(300)).build()));
            assertEquals(5, f.stub("ann-secret").incidentReply(reply.setAgentId("ann").setReference("status page #12").build()).getMembers());
            assertEquals(0, f.stub("super-secret").getIncident(IncidentRequest.newBuilder().setIncident("INC-42").build()).getWaiting());

            // On a Session: ann no longer works a lead (the answer freed her), so only a supervisor resolves it.
            final LinkedBlockingQueue<SessionReply> replies = new LinkedBlockingQueue<>();
            final var session = TriageGrpc.newStub(f.channel).withCallCredentials(ServerFixture.bearer("ann-secret"))
                .session(new io.grpc.stub.StreamObserver<>()
                {
                    @Override
                    public void onNext(final SessionReply value)
                    {
                        replies.add(value);
                    }

                    @Override
                    public void onError(final Throwable t)
                    {
                    }

                    @Override
                    public void onCompleted()
                    {
                    }
                });
            session.onNext(SessionRequest.newBuilder().setCorrelationId(1).setResolveIncident(
                IncidentActionRequest.newBuilder().setIncident("INC-42").setAgentId("ann")).build());
            assertEquals("FAILED_PRECONDITION", replies.poll(10, TimeUnit.SECONDS).getError().getCode());
            session.onCompleted();

            final var resolved = f.stub("super-secret").resolveIncident(IncidentActionRequest.newBuilder().setIncident("INC-42").build());
            assertEquals(5, resolved.getMembers());
            assertCode(Status.Code.NOT_FOUND, () -> f.stub("super-secret").getIncident(IncidentRequest.newBuilder().setIncident("INC-42").build()));
        }
        final CliRun audit = CliRun.execute("audit", "--journal", journal.toString(), "--conversation", "m3");
        assertEquals(0, audit.exit(), audit.err());
        assertTrue(audit.out().contains("m3 answered with incident INC-42 by ann (status page #12)"), audit.out());
        assertTrue(audit.out().contains("m3 resolved with incident INC-42"), audit.out());
    }

    @Test
    void shouldWorkAnIncidentFromTheCommandLine() throws Exception
    {
        try (ServerFixture f = new ServerFixture())
        {
            for (int i = 0; i < 3; i++)
            {
                f.stub().open(OpenRequest.newBuilder().setId("c" + i).setUrgency(Urgency.HIGH).setImpact(100).setIncident("login").build());
            }
            final String server = "127.0.0.1:" + f.server.port();
            final CliRun show = CliRun.execute("incident", "show", "login", "--server", server);
            assertEquals(0, show.exit(), show.err());
            assertTrue(show.out().contains("incident login: reach 300 customers; 3 waiting, 0 assigned, 0 pending"), show.out());
            final CliRun reply = CliRun.execute("incident", "reply", "login", "--ref", "https://status.example/42", "--server", server);
            assertEquals(0, reply.exit(), reply.err());
            assertTrue(reply.out().contains("3 members answered"), reply.out());
            final CliRun resolve = CliRun.execute("incident", "resolve", "login", "--server", server);
            assertTrue(resolve.out().contains("3 members resolved"), resolve.out() + resolve.err());
            final CliRun gone = CliRun.execute("incident", "show", "login", "--server", server);
            assertEquals(1, gone.exit(), gone.out());
            assertTrue(gone.err().contains("no such incident"), gone.err());
        }
    }
}
