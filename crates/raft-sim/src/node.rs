//! A simulated server: a Raft core, its disk, its state machine, and what it owes clients.

use crate::kv::{ClientId, KvStore};
use crate::network::{Endpoint, Payload};
use raft_core::{DurableState, Index, NodeId, Raft, Role, Term};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A client request this node proposed as leader, answered once its entry is applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingRequest {
    pub client: ClientId,
    pub seq: u64,
    pub term: Term,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimNode {
    pub id: NodeId,
    /// None while crashed.
    pub raft: Option<Raft>,
    /// Survives crashes; lost only with the disk.
    pub disk: DurableState,
    /// Volatile: rebuilt by re-applying the log after a restart.
    pub kv: KvStore,
    pub paused: bool,
    /// Messages that arrived while paused, in arrival order.
    pub held: Vec<(Endpoint, Payload)>,
    pub pending: BTreeMap<Index, PendingRequest>,
    /// Bumped whenever the tick chain restarts, so stale tick events are ignored.
    pub epoch: u64,
    /// The commit index last reported to the checker.
    pub reported_commit: Index,
}

impl SimNode {
    pub fn new(id: NodeId) -> Self {
        SimNode {
            id,
            raft: None,
            disk: DurableState::default(),
            kv: KvStore::default(),
            paused: false,
            held: Vec::new(),
            pending: BTreeMap::new(),
            epoch: 0,
            reported_commit: 0,
        }
    }

    pub fn is_up(&self) -> bool {
        self.raft.is_some()
    }

    /// The role for display: None while crashed.
    pub fn role(&self) -> Option<Role> {
        self.raft.as_ref().map(|r| r.role())
    }

    pub fn is_leader(&self) -> bool {
        self.role() == Some(Role::Leader)
    }

    pub fn term(&self) -> Term {
        self.raft.as_ref().map_or(self.disk.hard_state.term, |r| r.term())
    }
}
