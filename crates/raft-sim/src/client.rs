//! Clients as real clients behave: one request at a time, sent to the node they believe leads,
//! redirected by followers, retried with the same sequence number after a timeout.

use crate::kv::{ClientId, Op, Output};
use raft_core::{Index, NodeId};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// The request a client is waiting on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outstanding {
    pub seq: u64,
    pub op: Op,
    pub target: NodeId,
    pub attempt: u32,
    pub started_ms: u64,
}

/// A finished operation, for histories and checkers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completed {
    pub client: ClientId,
    pub seq: u64,
    pub op: Op,
    pub output: Output,
    pub index: Index,
    pub invoked_ms: u64,
    pub completed_ms: u64,
    pub attempts: u32,
    /// For a read: the index of the write whose value it returned (0: none).
    #[serde(default)]
    pub version: Index,
    /// For a read: it returned a value older than a write acknowledged before it started.
    #[serde(default)]
    pub stale: bool,
    /// The node that served it.
    #[serde(default)]
    pub served_by: NodeId,
}

#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    pub id: ClientId,
    pub next_seq: u64,
    pub leader_guess: NodeId,
    /// Operations not yet started, each with the node to ask first, if the user chose one.
    pub queue: VecDeque<(Op, Option<NodeId>)>,
    pub current: Option<Outstanding>,
}

impl Clone for Client {
    fn clone(&self) -> Self {
        // Through a Vec: `VecDeque`'s own clone is several times larger in the page's wasm.
        let queue = self.queue.iter().cloned().collect::<Vec<_>>().into();
        Client { queue, current: self.current.clone(), ..*self }
    }
}

impl Client {
    pub fn new(id: ClientId, nodes: usize) -> Self {
        // Spread first guesses over the cluster so clients do not all start at S1.
        let leader_guess = (id - 1) % nodes as u64 + 1;
        Client { id, next_seq: 1, leader_guess, queue: VecDeque::new(), current: None }
    }

    /// Starts the next queued operation if idle; returns the request to send.
    pub fn start_next(&mut self, now: u64) -> Option<Outstanding> {
        if self.current.is_some() {
            return None;
        }
        let (op, via) = self.queue.pop_front()?;
        let seq = self.next_seq;
        self.next_seq += 1;
        let out = Outstanding { seq, op, target: via.unwrap_or(self.leader_guess), attempt: 1, started_ms: now };
        self.current = Some(out.clone());
        Some(out)
    }

    /// After a timeout or a redirect: send the same request to `target`.
    pub fn retry(&mut self, target: NodeId) -> Option<Outstanding> {
        let cur = self.current.as_mut()?;
        cur.attempt += 1;
        cur.target = target;
        self.leader_guess = target;
        Some(cur.clone())
    }
}
