package dev.triage.engine;

import java.util.List;

/**
 * Where a replicated engine stands in its cluster, for {@code triage info}, metrics and health.
 *
 * @param nodeId this node's id.
 * @param role LEADER, FOLLOWER or CANDIDATE.
 * @param leaderId the leader's id as this node knows it, -1 while it knows none.
 * @param commitPosition the log position a majority holds.
 * @param appliedPosition the log position this node's replica has applied (its lag is the difference).
 * @param appliedSequence the sequence of the last command the replica applied.
 * @param snapshots cluster snapshots this member has completed since it started.
 * @param members each member's gRPC address, by id.
 */
public record Replication(int nodeId, String role, int leaderId, long commitPosition,
    long appliedPosition, long appliedSequence, long snapshots, List<String> members)
{
}
