package dev.triage.api;

import dev.triage.api.auth.TokenStore;
import dev.triage.engine.EngineContext;
import dev.triage.proto.v1.AgentConversationRequest;
import dev.triage.proto.v1.NextBestRequest;
import dev.triage.proto.v1.ResolveAndNextRequest;
import dev.triage.proto.v1.SessionReply;
import dev.triage.proto.v1.SessionRequest;
import dev.triage.proto.v1.TriageGrpc;
import dev.triage.proto.v1.UpsertAgentRequest;
import dev.triage.proto.v1.Urgency;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent session stream over real netty: many agents on one stream, answers by correlation id in any order, a
 * waiting NextBest answered when its match arrives while later requests are answered meanwhile, resolve-and-next in
 * one round trip, and per-request errors (invalid fields, another agent's id) that leave the stream open.
 */
@Timeout(60)
class SessionIT
{
    @TempDir
    Path dir;

    @Test
    void shouldMultiplexAgentsAndAnswerByCorrelationId() throws Exception
    {
        try (ServerFixture fixture = new ServerFixture(new EngineContext().journalDir(dir.resolve("journal")), null))
        {
            final var stub = fixture.stub();
            stub.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("ann").setCapacity(3).addSkills("en").build());
            stub.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("bob").setCapacity(3).addSkills("de").build());
            stub.open(TriageServiceIT.open("C-1", Urgency.HIGH, 1, "en"));
            stub.open(TriageServiceIT.open("C-2", Urgency.NORMAL, 1, "en"));
            final Replies replies = new Replies();
            final StreamObserver<SessionRequest> session = TriageGrpc.newStub(fixture.channel).session(replies);

            session.onNext(nextBest(1, "bob", 30_000));
            session.onNext(nextBest(2, "ann", 0));
            assertEquals("C-1", replies.await(2).getNextBest().getConversationId(), "answered while bob still waits");
            session.onNext(SessionRequest.newBuilder().setCorrelationId(3)
                .setAck(AgentConversationRequest.newBuilder().setAgentId("ann").setConversationId("C-1")).build());
            assertEquals("ASSIGNED", replies.await(3).getConversation().getState().name());
            session.onNext(SessionRequest.newBuilder().setCorrelationId(4).setResolveAndNext(
                ResolveAndNextRequest.newBuilder().setAgentId("ann").setConversationId("C-1")).build());
            assertEquals("C-2", replies.await(4).getNextBest().getConversationId(), "resolved C-1 and took C-2 in one trip");

            session.onNext(nextBest(5, "", 0));
            final SessionReply invalid = replies.await(5);
            assertEquals("INVALID_ARGUMENT", invalid.getError().getCode());
            assertEquals("agent_id", invalid.getError().getFieldViolations(0).getField());
            session.onNext(SessionRequest.newBuilder().setCorrelationId(6).build());
            final SessionReply noOp = replies.await(6);
            assertEquals("INVALID_ARGUMENT", noOp.getError().getCode(), "a request with no op");
            assertEquals("op", noOp.getError().getFieldViolations(0).getField(), "the field is named, as for every invalid request");
            session.onNext(SessionRequest.newBuilder().setCorrelationId(7)
                .setRelease(AgentConversationRequest.newBuilder().setAgentId("bob").setConversationId("C-2")).build());
            assertEquals("FAILED_PRECONDITION", replies.await(7).getError().getCode(), "bob does not hold C-2");

            // bob's wait is met by an arrival: the offer is pushed on the stream.
            stub.open(TriageServiceIT.open("C-3", Urgency.LOW, 1, "de"));
            assertEquals("C-3", replies.await(1).getNextBest().getConversationId());
            session.onCompleted();
            assertTrue(replies.done.poll(10, TimeUnit.SECONDS) != null, "the stream ends once every request is answered");
        }
    }

    @Test
    void shouldLetAnAgentTokenActOnlyForItsOwnAgentPerRequest() throws Exception
    {
        final Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, TokenStore.hashLine("admin-secret") + " admin\n" + TokenStore.hashLine("ann-secret") + " agent ann\n");
        try (ServerFixture fixture = new ServerFixture(new EngineContext(), tokens))
        {
            fixture.stub("admin-secret").upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("ann").setCapacity(1).build());
            fixture.stub("admin-secret").upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("bob").setCapacity(1).build());
            final Replies replies = new Replies();
            final StreamObserver<SessionRequest> session = TriageGrpc.newStub(fixture.channel)
                .withCallCredentials(ServerFixture.bearer("ann-secret")).session(replies);
            session.onNext(nextBest(1, "bob", 0));
            final SessionReply denied = replies.await(1);
            assertEquals("PERMISSION_DENIED", denied.getError().getCode(), denied.toString());
            session.onNext(nextBest(2, "ann", 0));
            final SessionReply own = replies.await(2);
            assertTrue(!own.hasError() && !own.getNextBest().getAssigned(), "the stream goes on: " + own);
            session.onCompleted();
        }
    }

    @Test
    void shouldNotLetAnAgentResolveOrAnswerAConversationItDoesNotHold() throws Exception
    {
        final Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, TokenStore.hashLine("admin-secret") + " admin\n" + TokenStore.hashLine("ann-secret") + " agent ann\n");
        try (ServerFixture fixture = new ServerFixture(new EngineContext(), tokens))
        {
            final TriageGrpc.TriageBlockingStub admin = fixture.stub("admin-secret");
            admin.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("ann").setCapacity(1).build());
            admin.upsertAgent(UpsertAgentRequest.newBuilder().setAgentId("bob").setCapacity(1).build());
            admin.open(dev.triage.proto.v1.OpenRequest.newBuilder().setId("bobs").setUrgency(dev.triage.proto.v1.Urgency.HIGH)
                .setImpact(1).build());
            assertEquals("bobs", admin.nextBest(NextBestRequest.newBuilder().setAgentId("bob").build()).getConversationId());
            final Replies replies = new Replies();
            final StreamObserver<SessionRequest> session = TriageGrpc.newStub(fixture.channel)
                .withCallCredentials(ServerFixture.bearer("ann-secret")).session(replies);
            final dev.triage.proto.v1.AgentConversationRequest bobs = dev.triage.proto.v1.AgentConversationRequest.newBuilder()
                .setAgentId("ann").setConversationId("bobs").build();
            session.onNext(SessionRequest.newBuilder().setCorrelationId(1).setResolve(bobs).build());
            session.onNext(SessionRequest.newBuilder().setCorrelationId(2).setAgentReplied(bobs).build());
            session.onNext(SessionRequest.newBuilder().setCorrelationId(3).setResolveAndNext(dev.triage.proto.v1.ResolveAndNextRequest
                .newBuilder().setAgentId("ann").setConversationId("bobs")).build());
            for (long id = 1; id <= 3; id++)
            {
                final SessionReply refused = replies.await(id);
                assertEquals("FAILED_PRECONDITION", refused.getError().getCode(), refused.toString());
            }
            session.onCompleted();
            assertEquals(1, admin.stats(dev.triage.proto.v1.StatsRequest.getDefaultInstance()).getAssigned(), "bob still holds it");
        }
    }

    private static SessionRequest nextBest(final long id, final String agent, final int waitMs)
    {
        return SessionRequest.newBuilder().setCorrelationId(id)
            .setNextBest(NextBestRequest.newBuilder().setAgentId(agent).setWaitMs(waitMs)).build();
    }

    /** Replies by correlation id, from any thread. */
    private static final class Replies implements StreamObserver<SessionReply>
    {
        private final Map<Long, BlockingQueue<SessionReply>> byId = new ConcurrentHashMap<>();
        final BlockingQueue<Object> done = new LinkedBlockingQueue<>();

        @Override
        public void onNext(final SessionReply reply)
        {
            queue(reply.getCorrelationId()).add(reply);
        }

        @Override
        public void onError(final Throwable t)
        {
            done.add(t);
        }

        @Override
        public void onCompleted()
        {
            done.add(Boolean.TRUE);
        }

        SessionReply await(final long id) throws InterruptedException
        {
            final SessionReply reply = queue(id).poll(10, TimeUnit.SECONDS);
            assertNotNull(reply, "no reply to request " + id);
            return reply;
        }

        private BlockingQueue<SessionReply> queue(final long id)
        {
            return byId.computeIfAbsent(id, k -> new LinkedBlockingQueue<>());
        }
    }
}
