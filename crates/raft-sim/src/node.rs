//! A simulated server: a Raft core, its disk, its state machine, and what it owes clients.

use crate::kv::{ClientId, KvStore, ReadMode};
use crate::network::{Endpoint, Payload};
use raft_core::{DurableState, Index, NodeId, Raft, Role, Term, VecMap};
use serde::{Deserialize, Serialize};

/// A client request this node proposed as leader, answered once its entry is applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingRequest {
    pub client: ClientId,
    pub seq: u64,
    pub term: Term,
}

/// A read a node is serving for a client, by the core's read id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingRead {
    pub client: ClientId,
    pub seq: u64,
    pub key: String,
    pub mode: ReadMode,
    /// Once the core gave the read index: serve when the state machine has applied it.
    pub index: Option<Index>,
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
    pub pending: VecMap<Index, PendingRequest>,
    /// Bumped whenever the tick chain restarts, so stale tick events are ignored.
    pub epoch: u64,
    /// The commit index last reported to the checker.
    pub reported_commit: Index,
    /// Reads in progress, by read id.
    #[serde(default)]
    pub reads: VecMap<u64, PendingRead>,
    #[serde(default)]
    pub next_read_id: u64,
    /// Shut down for good: removed from the configuration, or its machine replaced.
    #[serde(default)]
    pub retired: bool,
    /// It has seen itself in a configuration (so a later one without it means it was removed).
    #[serde(default)]
    pub was_member: bool,
    /// When it was paused (its clock keeps running: it catches up on resume).
    #[serde(default)]
    pub paused_at: u64,
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
            pending: VecMap::new(),
            epoch: 0,
            reported_commit: 0,
            reads: VecMap::new(),
            next_read_id: 0,
            retired: false,
            was_member: false,
            paused_at: 0,
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
