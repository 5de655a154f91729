//! What a leader knows about each follower (Figure 2: nextIndex, matchIndex), plus etcd-style
//! flow control: probe one message at a time until the follower's position is known, then
//! stream up to `max_inflight` messages.

use crate::types::Index;
use alloc::collections::VecDeque;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ProgressState {
    /// The leader does not know where the follower's log matches; one AppendEntries at a time.
    Probe,
    /// The follower is known to match up to `match_index`; entries are streamed.
    Replicate,
    /// The follower needs entries the leader compacted; a snapshot is on its way.
    Snapshot,
}

/// Invariant: `match_index < next_index`.
#[derive(Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Progress {
    pub match_index: Index,
    pub next_index: Index,
    pub state: ProgressState,
    /// In probe state: an AppendEntries is out and not yet answered (until the next heartbeat).
    pub probe_sent: bool,
    /// Last index of each AppendEntries in flight (replicate state).
    pub inflight: VecDeque<Index>,
    /// Heard from since the last check-quorum round.
    pub recent_active: bool,
    /// In snapshot state: the snapshot's index, and the heartbeat round when it was sent.
    pub pending_snapshot: Index,
    pub snapshot_round: u64,
    /// The latest heartbeat round this follower answered, and the leader's tick when that
    /// round was sent (reads and leases count on it).
    pub acked_round: u64,
    pub acked_tick: u64,
}

impl Clone for Progress {
    fn clone(&self) -> Self {
        // Through a Vec: `VecDeque`'s own clone is several times larger in the page's wasm.
        Progress { inflight: self.inflight.iter().copied().collect::<alloc::vec::Vec<_>>().into(), ..*self }
    }
}

impl Progress {
    pub fn new(next_index: Index) -> Self {
        Progress {
            match_index: 0,
            next_index,
            state: ProgressState::Probe,
            probe_sent: false,
            inflight: VecDeque::new(),
            recent_active: false,
            pending_snapshot: 0,
            snapshot_round: 0,
            acked_round: 0,
            acked_tick: 0,
        }
    }

    /// A snapshot up to `index` was sent; nothing more goes out until it is acknowledged.
    pub fn become_snapshot(&mut self, index: Index, round: u64) {
        self.state = ProgressState::Snapshot;
        self.pending_snapshot = index;
        self.snapshot_round = round;
        self.inflight.clear();
    }

    /// Back to probing from after the match index (a snapshot may have been lost).
    pub fn become_probe(&mut self) {
        self.state = ProgressState::Probe;
        self.next_index = self.match_index + 1;
        self.probe_sent = false;
        self.inflight.clear();
    }

    pub fn become_replicate(&mut self) {
        self.state = ProgressState::Replicate;
        self.next_index = self.match_index + 1;
        self.probe_sent = false;
        self.inflight.clear();
    }

    /// True if the leader should not send more entries now.
    pub fn is_paused(&self, max_inflight: usize) -> bool {
        match self.state {
            ProgressState::Probe => self.probe_sent,
            ProgressState::Replicate => self.inflight.len() >= max_inflight,
            ProgressState::Snapshot => true,
        }
    }

    /// Records that an AppendEntries ending at `last` was sent.
    pub fn sent(&mut self, last: Index, entries: usize) {
        match self.state {
            ProgressState::Probe | ProgressState::Snapshot => self.probe_sent = true,
            ProgressState::Replicate => {
                if entries > 0 {
                    self.next_index = last + 1;
                    self.inflight.push_back(last);
                }
            }
        }
    }

    /// A success ack for `index`; returns true if it moved the match index forward.
    pub fn maybe_update(&mut self, index: Index) -> bool {
        let moved = index > self.match_index;
        if moved {
            self.match_index = index;
            self.probe_sent = false;
        }
        self.next_index = self.next_index.max(index + 1);
        while self.inflight.front().is_some_and(|&i| i <= index) {
            self.inflight.pop_front();
        }
        moved
    }

    /// A rejection of `rejected` (the prev index we sent); `hint` is the highest index that may
    /// still match. Returns false if the rejection is stale and was ignored.
    /// Afterwards the follower is probed from the new `next_index`.
    pub fn maybe_decrease_to(&mut self, rejected: Index, hint: Index) -> bool {
        let stale = match self.state {
            // We already know it matches beyond the rejected index.
            ProgressState::Replicate | ProgressState::Snapshot => rejected <= self.match_index,
            // In probe state only the answer to the latest probe counts.
            ProgressState::Probe => self.next_index.saturating_sub(1) != rejected,
        };
        if stale {
            return false;
        }
        self.state = ProgressState::Probe;
        self.inflight.clear();
        self.next_index = rejected.min(hint + 1).max(self.match_index + 1);
        self.probe_sent = false;
        true
    }
}
