//! The network between nodes and clients: messages in flight, per-link behaviour, cuts and
//! partitions. Faults belong to the world, never to the protocol.

use crate::config::LinkConfig;
use crate::kv::{ClientId, Op, Output};
use raft_core::{Index, Message, NodeId, Term};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Who sends or receives a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Endpoint {
    Node(NodeId),
    Client(ClientId),
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Node(id) => write!(f, "S{id}"),
            Endpoint::Client(id) => write!(f, "C{id}"),
        }
    }
}

/// A node's answer to a client request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reply {
    /// Applied at `index` (an entry of `term`); `output` is the value written or read. For a
    /// read, `version` is the index of the write that produced the value (0: none), and
    /// `index` the applied index it was served at.
    Ok {
        output: Output,
        index: Index,
        term: Term,
        #[serde(default)]
        version: Index,
    },
    /// This node does not lead; try `leader` if known.
    NotLeader { leader: Option<NodeId> },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Payload {
    Raft(Message),
    ClientRequest { client: ClientId, seq: u64, op: Op },
    ClientReply { seq: u64, reply: Reply },
}

/// A message on the wire. Positions on the page are interpolated from `sent_ms` to
/// `deliver_ms`; a lost message is drawn until `deliver_ms` and then vanishes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InFlight {
    pub id: u64,
    pub from: Endpoint,
    pub to: Endpoint,
    pub sent_ms: u64,
    pub deliver_ms: u64,
    pub payload: Payload,
    /// Decided at send time (loss) or by the user (drop); it will not arrive.
    pub dropped: bool,
}

impl InFlight {
    /// Short kind name, as used by `data-msg-kind` and scenario files.
    pub fn kind(&self) -> &'static str {
        match &self.payload {
            Payload::Raft(m) => m.kind().name(),
            Payload::ClientRequest { .. } => "ClientRequest",
            Payload::ClientReply { .. } => "ClientReply",
        }
    }

    pub fn summary(&self) -> String {
        match &self.payload {
            Payload::Raft(m) => m.summary(),
            Payload::ClientRequest { seq, op, .. } => {
                let what = match op {
                    Op::Write { key, value } => format!("write {key}={value}"),
                    Op::Read { key, mode } => format!("read {key} ({})", mode.name()),
                };
                format!("{}->{} ClientRequest #{seq} {what}", self.from, self.to)
            }
            Payload::ClientReply { seq, reply } => {
                let what = match reply {
                    Reply::Ok { output, index, .. } => {
                        format!("ok {} at {index}", output.as_deref().unwrap_or("(none)"))
                    }
                    Reply::NotLeader { leader: Some(l) } => format!("not leader, try S{l}"),
                    Reply::NotLeader { leader: None } => "not leader, leader unknown".to_string(),
                };
                format!("{}->{} ClientReply #{seq} {what}", self.from, self.to)
            }
        }
    }
}

/// Link state between nodes. Cuts are directed, so a link can fail one way only.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Network {
    pub default: LinkConfig,
    /// Overrides for node-to-node links, by (from, to).
    #[serde(with = "crate::serde_pairs")]
    pub links: BTreeMap<(NodeId, NodeId), LinkConfig>,
    /// Directed node-to-node links that deliver nothing.
    pub cut: BTreeSet<(NodeId, NodeId)>,
}

impl Network {
    pub fn new(default: LinkConfig) -> Self {
        Network { default, ..Default::default() }
    }

    pub fn link(&self, from: Endpoint, to: Endpoint) -> &LinkConfig {
        match (from, to) {
            (Endpoint::Node(a), Endpoint::Node(b)) => self.links.get(&(a, b)).unwrap_or(&self.default),
            _ => &self.default,
        }
    }

    /// Clients stand outside the cluster: partitions and cuts affect only node-to-node links.
    pub fn is_cut(&self, from: Endpoint, to: Endpoint) -> bool {
        match (from, to) {
            (Endpoint::Node(a), Endpoint::Node(b)) => self.cut.contains(&(a, b)),
            _ => false,
        }
    }

    pub fn cut_link(&mut self, a: NodeId, b: NodeId, both_ways: bool) {
        self.cut.insert((a, b));
        if both_ways {
            self.cut.insert((b, a));
        }
    }

    pub fn restore_link(&mut self, a: NodeId, b: NodeId, both_ways: bool) {
        self.cut.remove(&(a, b));
        if both_ways {
            self.cut.remove(&(b, a));
        }
    }

    /// Splits `all` into the given groups (nodes not named form one more group): every link
    /// between groups is cut, both ways. Earlier cuts stay.
    pub fn partition(&mut self, all: &[NodeId], groups: &[Vec<NodeId>]) {
        let group_of = |id: NodeId| groups.iter().position(|g| g.contains(&id)).unwrap_or(groups.len());
        for &a in all {
            for &b in all {
                if a != b && group_of(a) != group_of(b) {
                    self.cut.insert((a, b));
                }
            }
        }
    }

    /// Restores every link.
    pub fn heal(&mut self) {
        self.cut.clear();
    }
}
