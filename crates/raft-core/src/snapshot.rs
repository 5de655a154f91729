//! Log compaction and InstallSnapshot (thesis chapter 5).
//!
//! The host decides when to snapshot its state machine and hands the bytes to
//! [`Raft::compact`]; the entries the snapshot covers leave the log. A leader sends its snapshot
//! to a follower that needs entries it no longer has; the follower replaces its log (or keeps
//! the suffix that already matches) and its host restores the state machine from the bytes.

use crate::event::Event;
use crate::message::Body;
use crate::raft::Raft;
use crate::types::{Index, NodeId, Snapshot};
use alloc::boxed::Box;
use alloc::vec::Vec;

/// Why a compaction was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompactError {
    /// Only applied entries can be compacted: the snapshot is the state after applying them.
    NotApplied,
    /// The log is already compacted up to there.
    AlreadyCompacted,
}

impl core::fmt::Display for CompactError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            CompactError::NotApplied => "only applied entries can be compacted",
            CompactError::AlreadyCompacted => "its log is already compacted up to there",
        })
    }
}

impl Raft {
    /// Replaces the log up to `index` (an applied index) by a snapshot whose state machine
    /// bytes are `data`. The host stores it when the next [`crate::Ready`] hands it back.
    pub fn compact(&mut self, index: Index, data: Vec<u8>) -> Result<(), CompactError> {
        if index <= self.log.snapshot_point().0 {
            return Err(CompactError::AlreadyCompacted);
        }
        if index > self.log.applied {
            return Err(CompactError::NotApplied);
        }
        let (membership, _) = self.membership_at(index);
        let term = self.log.term(index).ok_or(CompactError::AlreadyCompacted)?;
        self.log.compact(index);
        self.base_membership = membership.clone();
        let snapshot = Snapshot { index, term, membership, data };
        self.event(Event::SnapshotTaken { index, term });
        self.unstable_snapshot = Some(snapshot.clone());
        self.snapshot = Some(snapshot);
        Ok(())
    }

    /// Sends the snapshot to a follower that needs compacted entries; false if there is none.
    pub(crate) fn send_snapshot(&mut self, to: NodeId) -> bool {
        let Some(snapshot) = self.snapshot.clone() else { return false };
        let round = self.heartbeat_round;
        let Some(pr) = self.progress.get_mut(&to) else { return false };
        pr.become_snapshot(snapshot.index, round);
        self.event(Event::SnapshotSent { to, index: snapshot.index });
        self.send(to, self.term, Body::InstallSnapshot { snapshot: Box::new(snapshot) });
        true
    }

    /// A follower receives the leader's snapshot. Answered like an AppendEntries that made the
    /// log match up to the snapshot's index, after the snapshot is on disk.
    pub(crate) fn handle_snapshot(&mut self, leader: NodeId, snapshot: Snapshot) {
        let committed = self.log.committed;
        let (index, term) = (snapshot.index, snapshot.term);
        if index <= committed {
            // Already have everything it covers (a late or duplicated snapshot).
            return self.send(leader, self.term, ok_response(committed));
        }
        if self.log.match_term(index, term) {
            // Our log already holds the snapshot's last entry, so it matches up to there.
            let before = self.log.committed;
            self.log.commit_to(index);
            self.event(Event::CommitAdvanced { from: before, to: index });
            return self.send(leader, self.term, ok_response(index));
        }
        self.log.restore_snapshot(index, term);
        self.base_membership = snapshot.membership.clone();
        self.event(Event::SnapshotInstalled { from: leader, index, term });
        self.unstable_snapshot = Some(snapshot.clone());
        self.snapshot = Some(snapshot);
        self.refresh_membership();
        self.send(leader, self.term, ok_response(index));
    }
}

pub(crate) fn ok_response(index: Index) -> Body {
    Body::AppendEntriesResponse { success: true, index, hint_index: 0, hint_term: 0, refusal: None }
}
