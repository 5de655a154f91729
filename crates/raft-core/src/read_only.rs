//! Linearizable reads without writing to the log (thesis §6.4).
//!
//! ReadIndex: the leader records its commit index, confirms it still leads with a heartbeat
//! round sent after the read arrived, and hands back the index; the host serves the read once
//! its state machine has applied that far. A new leader first commits an entry of its own term,
//! since until then it does not know the cluster's commit index. Followers forward reads to the
//! leader. A lease read skips the round while a quorum acknowledged a heartbeat recently enough
//! that no other leader can have been elected since (it needs check-quorum and bounded drift).

use crate::event::{Event, ReadPath, ReadRefusal};
use crate::message::Body;
use crate::raft::Raft;
use crate::ready::ReadState;
use crate::types::{Index, NodeId, Role};

/// A read the leader has accepted but not yet confirmed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PendingRead {
    pub ctx: u64,
    /// Who asked: this leader itself or a follower that forwarded it.
    pub from: NodeId,
    pub lease: bool,
    /// The commit index when the read was accepted.
    pub index: Index,
    /// The first heartbeat round that can confirm it.
    pub round: u64,
}

impl Raft {
    /// Asks for a read index for read `ctx` (chosen by the host, unique per node). The answer
    /// comes in [`crate::Ready::read_states`]. With `lease`, the leader answers from its lease
    /// when it holds one (and falls back to a heartbeat round when it does not).
    pub fn read_index(&mut self, ctx: u64, lease: bool) {
        let me = self.id();
        self.handle_read_request(me, ctx, lease);
    }

    /// A read from this node's host or forwarded by a follower.
    pub(crate) fn handle_read_request(&mut self, from: NodeId, ctx: u64, lease: bool) {
        if lease && !self.config.check_quorum {
            return self.refuse_read(from, ctx, ReadRefusal::LeaseNeedsCheckQuorum);
        }
        if self.role != Role::Leader {
            return match self.leader {
                Some(leader) if from == self.id() => self.send(leader, self.term, Body::ReadIndex { ctx, lease }),
                _ => self.refuse_read(from, ctx, ReadRefusal::NoLeader),
            };
        }
        if self.transfer_target.is_some() {
            return self.refuse_read(from, ctx, ReadRefusal::TransferInProgress);
        }
        let read = PendingRead { ctx, from, lease, index: 0, round: 0 };
        if self.committed_own_term() {
            self.start_read(read);
        } else {
            self.reads_before_commit.push(read);
        }
    }

    /// Reads that waited for this leader's first commit in its term.
    pub(crate) fn start_waiting_reads(&mut self) {
        for read in core::mem::take(&mut self.reads_before_commit) {
            self.start_read(read);
        }
    }

    fn start_read(&mut self, mut read: PendingRead) {
        read.index = self.log.committed;
        if self.config.faults.read_without_heartbeat {
            return self.release_read(read, ReadPath::Unconfirmed);
        }
        if read.lease && self.lease_valid() {
            return self.release_read(read, ReadPath::Lease);
        }
        let me = self.id();
        if self.membership.quorum_active(|id| id == me) {
            // A single-voter cluster confirms itself.
            return self.release_read(read, ReadPath::HeartbeatRound);
        }
        read.round = self.heartbeat_round + 1;
        self.pending_reads.push_back(read);
        self.broadcast_heartbeat();
    }

    /// Releases, oldest first, the reads a quorum has confirmed by answering a later round.
    pub(crate) fn release_confirmed_reads(&mut self) {
        let me = self.id();
        while let Some(read) = self.pending_reads.front().copied() {
            let progress = &self.progress;
            let confirmed = self
                .membership
                .quorum_active(|id| id == me || progress.get(&id).is_some_and(|p| p.acked_round >= read.round));
            if !confirmed {
                break;
            }
            self.pending_reads.pop_front();
            self.release_read(read, ReadPath::HeartbeatRound);
        }
    }

    /// The lease holds while fewer than `lease_ticks` have passed since the latest heartbeat that
    /// a quorum acknowledged: every follower that acknowledged it refuses to vote for anyone else
    /// for an election timeout after receiving it (check-quorum's leader stickiness).
    pub(crate) fn lease_valid(&self) -> bool {
        if self.role != Role::Leader || self.transfer_target.is_some() || !self.config.check_quorum {
            return false;
        }
        let (me, now) = (self.id(), self.ticks);
        let progress = &self.progress;
        let start = self
            .membership
            .committed_index(|id| if id == me { now } else { progress.get(&id).map_or(0, |p| p.acked_tick) }, None);
        start > 0 && now < start + self.config.lease_ticks()
    }

    fn release_read(&mut self, read: PendingRead, how: ReadPath) {
        if read.from == self.id() {
            self.event(Event::ReadReady { ctx: read.ctx, index: read.index, how });
            self.read_states.push(ReadState { ctx: read.ctx, index: Some(read.index) });
        } else {
            self.send(read.from, self.term, Body::ReadIndexResponse { ctx: read.ctx, index: Some(read.index) });
        }
    }

    fn refuse_read(&mut self, from: NodeId, ctx: u64, reason: ReadRefusal) {
        if from == self.id() {
            self.event(Event::ReadRefused { ctx, reason });
            self.read_states.push(ReadState { ctx, index: None });
        } else {
            self.send(from, self.term, Body::ReadIndexResponse { ctx, index: None });
        }
    }

    /// The leader answered a read this follower forwarded.
    pub(crate) fn handle_read_response(&mut self, leader: NodeId, ctx: u64, index: Option<Index>) {
        match index {
            Some(index) => {
                self.event(Event::ReadReady { ctx, index, how: ReadPath::Forwarded { leader } });
                self.read_states.push(ReadState { ctx, index: Some(index) });
            }
            None => self.refuse_read(self.id(), ctx, ReadRefusal::LeaderRefused),
        }
    }

    /// A leader that steps down forgets its unconfirmed reads; their clients time out and retry.
    pub(crate) fn drop_pending_reads(&mut self) {
        self.pending_reads.clear();
        self.reads_before_commit.clear();
    }
}
