package dev.triage.api;

import dev.triage.api.client.AgentSession;
import dev.triage.api.client.TriageClient;
import dev.triage.api.service.FieldViolations;
import dev.triage.proto.v1.AgentConversationRequest;
import dev.triage.proto.v1.AgentStatus;
import dev.triage.proto.v1.ConversationRef;
import dev.triage.proto.v1.NextBestReply;
import dev.triage.proto.v1.NextBestRequest;
import dev.triage.proto.v1.OpenRequest;
import dev.triage.proto.v1.ResolveAndNextRequest;
import dev.triage.proto.v1.SessionReply;
import dev.triage.proto.v1.SetAgentStatusRequest;
import dev.triage.proto.v1.UpsertAgentRequest;
import dev.triage.proto.v1.Urgency;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference client against a real server over netty: async unary calls, failures as statuses, a long-poll
 * longer than the client's deadline, and the agents' Session stream with per-request errors.
 */
@Timeout(60)
class TriageClientIT
{
    private ServerFixture fixture;
    private TriageClient triage;

    @BeforeEach
    void start() throws Exception
    {
        fixture = new ServerFixture();
        triage = TriageClient.builder("127.0.0.1:" + fixture.server.port()).deadlineMs(500).build();
        triage.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("ann").setCapacity(2).build()).get(5, TimeUnit.SECONDS);
        triage.setAgentStatus(SetAgentStatusRequest.newBuilder().setAgentId("ann").setStatus(AgentStatus.AVAILABLE).build())
            .get(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop()
    {
        triage.close();
        fixture.close();
    }

    @Test
    void shouldAnswerUnaryCallsAsFuturesAndFailThemWithTheirStatus() throws Exception
    {
        assertEquals("c1", triage.open(open("c1")).get(5, TimeUnit.SECONDS).getId());
        final NextBestReply next = triage.nextBest(NextBestRequest.newBuilder().setAgentId("ann").build()).get(5, TimeUnit.SECONDS);
        assertEquals("c1", next.getConversationId());
        triage.resolve(ConversationRef.newBuilder().setId("c1").build()).get(5, TimeUnit.SECONDS);
        assertEquals(0, triage.stats().get(5, TimeUnit.SECONDS).getOpen());

        final ExecutionException missing = assertThrows(ExecutionException.class,
            () -> triage.resolve(ConversationRef.newBuilder().setId("nobody").build()).get(5, TimeUnit.SECONDS));
        assertEquals(Status.Code.NOT_FOUND, Status.fromThrowable(missing.getCause()).getCode());
        final ExecutionException invalid = assertThrows(ExecutionException.class,
            () -> triage.open(OpenRequest.newBuilder().setId("c2").build()).get(5, TimeUnit.SECONDS));
        assertEquals(Status.Code.INVALID_ARGUMENT, Status.fromThrowable(invalid.getCause()).getCode());
        assertFalse(FieldViolations.of(invalid.getCause()).isEmpty(), "field violations travel with the failure");
    }

    @Test
    void shouldGiveALongPollItsWholeWaitBeyondTheClientsDeadline() throws Exception
    {
        // The client's deadline is 500 ms; the wait is 3 s: the call's deadline is both.
        final CompletableFuture<NextBestReply> waiting =
            triage.nextBest(NextBestRequest.newBuilder().setAgentId("ann").setWaitMs(3_000).build());
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (triage.stats().get(5, TimeUnit.SECONDS).getWaitingAgents() == 0 && System.nanoTime() < deadline)
        {
            Thread.sleep(5);
        }
        final long parkedAt = System.nanoTime();
        while (System.nanoTime() - parkedAt < TimeUnit.MILLISECONDS.toNanos(700))
        {
            Thread.sleep(50);
        }
        assertFalse(waiting.isDone(), "the long-poll was cut at the client's deadline: " + waiting);
        triage.open(open("late")).get(5, TimeUnit.SECONDS);
        assertEquals("late", waiting.get(5, TimeUnit.SECONDS).getConversationId());
    }

    @Test
    void shouldMultiplexAgentsOnASessionWithPerRequestErrors() throws Exception
    {
        triage.open(open("s1")).get(5, TimeUnit.SECONDS);
        triage.open(open("s2")).get(5, TimeUnit.SECONDS);
        try (AgentSession session = triage.session())
        {
            final SessionReply first = session.nextBest(NextBestRequest.newBuilder().setAgentId("ann").build()).get(5, TimeUnit.SECONDS);
            assertTrue(first.getNextBest().getAssigned());
            final SessionReply second = session.resolveAndNext(ResolveAndNextRequest.newBuilder().setAgentId("ann")
                .setConversationId(first.getNextBest().getConversationId()).build()).get(5, TimeUnit.SECONDS);
            assertTrue(second.getNextBest().getAssigned());

            final ExecutionException notHeld = assertThrows(ExecutionException.class, () -> session.ack(
                AgentConversationRequest.newBuilder().setAgentId("ann").setConversationId("nobody").build()).get(5, TimeUnit.SECONDS));
            assertEquals(Status.Code.NOT_FOUND, Status.fromThrowable(notHeld.getCause()).getCode());
            final ExecutionException invalid = assertThrows(ExecutionException.class,
                () -> session.nextBest(NextBestRequest.getDefaultInstance()).get(5, TimeUnit.SECONDS));
            assertTrue(invalid.getCause() instanceof StatusRuntimeException);
            assertEquals(Status.Code.INVALID_ARGUMENT, Status.fromThrowable(invalid.getCause()).getCode());
            assertEquals("agent_id", FieldViolations.of(invalid.getCause()).get(0).getField());
        }
    }

    @Test
    void shouldRunTheReadmeSnippet()
    {
        final java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        final java.io.PrintStream out = new java.io.PrintStream(printed, true);
        // As in the README, with this fixture's port and no token.
        try (TriageClient triage = TriageClient.builder("localhost:" + fixture.server.port()).token(null).build())
        {
            triage.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("ann").setCapacity(3).addSkills("billing").build()).join();
            triage.open(OpenRequest.newBuilder().setId("C-1").setUrgency(Urgency.HIGH).setImpact(1).addSkills("billing").build()).join();
            try (AgentSession session = triage.session())
            {
                final SessionReply next = session.nextBest(NextBestRequest.newBuilder().setAgentId("ann").build()).join();
                out.println(next.getNextBest().getConversationId());
                session.resolve(AgentConversationRequest.newBuilder().setAgentId("ann").setConversationId("C-1").build()).join();
            }
        }
        assertEquals("C-1" + System.lineSeparator(), printed.toString());
    }

    @Test
    void shouldRefuseSettingsThatCannotWork()
    {
        assertThrows(IllegalArgumentException.class, () -> TriageClient.builder("no-port").build());
        assertThrows(IllegalArgumentException.class, () -> TriageClient.builder("localhost:x").build());
        assertThrows(IllegalArgumentException.class, () -> TriageClient.builder("localhost:1")
            .tls(null, java.nio.file.Path.of("cert.pem"), java.nio.file.Path.of("key.pem")));
        assertThrows(IllegalArgumentException.class, () -> TriageClient.builder("localhost:1").deadlineMs(0));
    }

    private static OpenRequest open(final String id)
    {
        return OpenRequest.newBuilder().setId(id).setUrgency(Urgency.HIGH).setImpact(1).build();
    }
}
