//! What a node hands its host after processing input (etcd's `Ready`).

use crate::event::Event;
use crate::message::Message;
use crate::types::{Entry, HardState, Index, Role, Snapshot};
use alloc::vec::Vec;

/// The host must, in this order:
/// 1. send `messages` (they depend on nothing unwritten);
/// 2. write `snapshot` (dropping the entries it covers), then `entries` (replacing any stored
///    suffix from the first one's index) and `hard_state`;
/// 3. send `persisted_messages`, which promise what step 2 wrote (votes, acknowledgements);
/// 4. if `snapshot` is newer than what its state machine has applied, restore the state machine
///    from it; then apply `committed_entries`;
/// 5. serve each of `read_states` once the state machine has applied its index;
/// 6. call [`crate::Raft::advance`] with this Ready.
///
/// A crash between 1 and 2 loses only what was never promised to anyone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct Ready {
    pub hard_state: Option<HardState>,
    pub entries: Vec<Entry>,
    pub messages: Vec<Message>,
    pub persisted_messages: Vec<Message>,
    pub committed_entries: Vec<Entry>,
    /// A snapshot to store: the node's own compaction or one received from the leader.
    pub snapshot: Option<Snapshot>,
    /// Reads that may now be served, or that were refused.
    pub read_states: Vec<ReadState>,
    /// The node's role, when it changed since the last Ready.
    pub role: Option<Role>,
    pub events: Vec<Event>,
}

impl Ready {
    /// True if the host must write something before sending `persisted_messages`.
    pub fn must_persist(&self) -> bool {
        self.hard_state.is_some() || !self.entries.is_empty() || self.snapshot.is_some()
    }
}

/// The answer to [`crate::Raft::read_index`]: serve read `ctx` from the local state machine
/// once it has applied `index`; `None` if the read was refused (the client should retry).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ReadState {
    pub ctx: u64,
    pub index: Option<Index>,
}
