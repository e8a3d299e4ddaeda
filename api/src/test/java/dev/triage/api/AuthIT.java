package dev.triage.api;

import dev.triage.api.auth.TokenStore;
import dev.triage.api.server.ServerContext;
import dev.triage.api.server.TriageServer;
import dev.triage.engine.EngineContext;
import dev.triage.proto.v1.NextBestRequest;
import dev.triage.proto.v1.StatsRequest;
import dev.triage.proto.v1.TopRequest;
import dev.triage.proto.v1.UpsertAgentRequest;
import dev.triage.proto.v1.Urgency;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.triage.api.TriageServiceIT.assertCode;
import static dev.triage.api.TriageServiceIT.open;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bearer tokens and roles over real netty.
 */
@Timeout(60)
class AuthIT
{
    @TempDir
    Path dir;
    private ServerFixture fixture;

    @BeforeEach
    void start() throws Exception
    {
        final Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, String.join("\n",
            "# role tokens for the test",
            TokenStore.hashLine("admin-secret") + " admin # ops",
            TokenStore.hashLine("ingest-secret") + " ingest",
            TokenStore.hashLine("super-secret") + " supervisor",
            TokenStore.hashLine("ann-secret") + " agent ann",
            ""));
        fixture = new ServerFixture(new EngineContext(), tokens);
        fixture.stub("admin-secret").upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("ann").setCapacity(2).build());
        fixture.stub("admin-secret").upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("bob").setCapacity(2).build());
    }

    @AfterEach
    void stop() throws Exception
    {
        fixture.close();
    }

    @Test
    void shouldRefuseCallsWithoutAKnownToken()
    {
        assertCode(Status.Code.UNAUTHENTICATED, () -> fixture.stub().stats(StatsRequest.getDefaultInstance()));
        assertCode(Status.Code.UNAUTHENTICATED, () -> fixture.stub("wrong").stats(StatsRequest.getDefaultInstance()));
    }

    /** An ingest token backdating waiting_since by days moved its conversations ahead of everyone's: bounded to a day. */
    @Test
    void shouldBoundHowFarAnIngestTokenMayBackdateAWait()
    {
        final long now = System.currentTimeMillis();
        final StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class, () ->
            fixture.stub("ingest-secret").open(open("old-1", Urgency.LOW, 1, "").toBuilder().setWaitingSinceMs(now - 2 * 86_400_000L).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("waiting_since_ms"), e.getStatus().getDescription());
        assertEquals("old-2", fixture.stub("ingest-secret").open(open("old-2", Urgency.LOW, 1, "").toBuilder()
            .setWaitingSinceMs(now - 3_600_000L).build()).getId(), "an hour of backlog is fine");
        assertEquals("old-3", fixture.stub("admin-secret").open(open("old-3", Urgency.LOW, 1, "").toBuilder()
            .setWaitingSinceMs(now - 30 * 86_400_000L).build()).getId(), "an admin may import older ones");
    }

    @Test
    void shouldLetEachRoleDoOnlyItsWork()
    {
        assertEquals("C-1", fixture.stub("ingest-secret").open(open("C-1", Urgency.HIGH, 1, "")).getId());
        assertCode(Status.Code.PERMISSION_DENIED, () -> fixture.stub("ingest-secret").top(TopRequest.getDefaultInstance()));
        assertCode(Status.Code.PERMISSION_DENIED, () -> fixture.stub("ingest-secret")
            .nextBest(NextBestRequest.newBuilder().setAgentId("ann").build()));

        assertEquals(1, fixture.stub("super-secret").top(TopRequest.getDefaultInstance()).getEntriesCount());
        assertCode(Status.Code.PERMISSION_DENIED, () -> fixture.stub("super-secret").open(open("C-2", Urgency.LOW, 1, "")));
        assertCode(Status.Code.PERMISSION_DENIED, () -> fixture.stub("super-secret")
            .upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("eve").setCapacity(1).build()));

        assertTrue(fixture.stub("ann-secret").nextBest(NextBestRequest.newBuilder().setAgentId("ann").build()).getAssigned());
        assertCode(Status.Code.PERMISSION_DENIED, () -> fixture.stub("ann-secret").stats(StatsRequest.getDefaultInstance()));
    }

    @Test
    void shouldNotLetAnAgentTokenActForAnotherAgent()
    {
        fixture.stub("ingest-secret").open(open("C-1", Urgency.HIGH, 1, ""));
        assertCode(Status.Code.PERMISSION_DENIED, () -> fixture.stub("ann-secret")
            .nextBest(NextBestRequest.newBuilder().setAgentId("bob").build()));
        assertEquals(1, fixture.stub("admin-secret").stats(StatsRequest.getDefaultInstance()).getOpen());
    }

    @Test
    void shouldRefuseToListenBeyondLoopbackWithoutTokens()
    {
        final IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> TriageServer.start(new ServerContext().port(0).bindAddress("0.0.0.0")));
        assertTrue(e.getMessage().contains("without --tokens"), e.getMessage());
    }

    @Test
    void shouldRejectAMalformedTokenFileNamingTheLine() throws Exception
    {
        final Path bad = dir.resolve("bad-tokens");
        Files.writeString(bad, TokenStore.hashLine("x") + " wizard\n");
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TokenStore.load(bad));
        assertTrue(e.getMessage().contains(":1: unknown role 'wizard'"), e.getMessage());
    }
}
