//! What a node hands its host after processing input (etcd's `Ready`).

use crate::event::Event;
use crate::message::Message;
use crate::types::{Entry, HardState, Role};
use alloc::vec::Vec;

/// The host must, in this order:
/// 1. send `messages` (they depend on nothing unwritten);
/// 2. write `entries` (replacing any stored suffix from the first one's index) and `hard_state`;
/// 3. send `persisted_messages`, which promise what step 2 wrote (votes, acknowledgements);
/// 4. apply `committed_entries` to the state machine;
/// 5. call [`crate::Raft::advance`] with this Ready.
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
    /// The node's role, when it changed since the last Ready.
    pub role: Option<Role>,
    pub events: Vec<Event>,
}

impl Ready {
    /// True if the host must write something before sending `persisted_messages`.
    pub fn must_persist(&self) -> bool {
        self.hard_state.is_some() || !self.entries.is_empty()
    }
}
