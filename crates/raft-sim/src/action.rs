//! Everything a user, a scenario or the chaos schedule can do to a world. One enum serves the
//! page's buttons, scenario timelines and shared URLs, so a run is a replayable list of actions.

use crate::kv::{ClientId, ReadMode};
use raft_core::NodeId;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A node named by id, or by its role at the moment the action runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeRef {
    Id(NodeId),
    /// The current leader (of the highest term, if stale leaders linger).
    Leader,
    /// The live follower with the lowest id.
    Follower,
}

impl fmt::Display for NodeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeRef::Id(id) => write!(f, "S{id}"),
            NodeRef::Leader => f.write_str("the leader"),
            NodeRef::Follower => f.write_str("a follower"),
        }
    }
}

impl Serialize for NodeRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            NodeRef::Id(id) => s.serialize_u64(*id),
            NodeRef::Leader => s.serialize_str("leader"),
            NodeRef::Follower => s.serialize_str("follower"),
        }
    }
}

impl<'de> Deserialize<'de> for NodeRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = NodeRef;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a node id (1, 2, ... or \"S1\") or \"leader\" or \"follower\"")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<NodeRef, E> {
                if v == 0 {
                    return Err(E::custom("node ids start at 1"));
                }
                Ok(NodeRef::Id(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<NodeRef, E> {
                u64::try_from(v).map_err(|_| E::custom("node ids start at 1")).and_then(|v| self.visit_u64(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<NodeRef, E> {
                match v {
                    "leader" => Ok(NodeRef::Leader),
                    "follower" => Ok(NodeRef::Follower),
                    _ => match v.strip_prefix('S').unwrap_or(v).parse::<u64>() {
                        Ok(id) => self.visit_u64(id),
                        Err(_) => Err(E::custom(format!("unknown node '{v}': use an id, \"leader\" or \"follower\""))),
                    },
                }
            }
        }
        d.deserialize_any(V)
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Action {
    /// The node stops; its volatile state (role, leader, timers, state machine) is lost.
    Crash {
        node: NodeRef,
    },
    /// A crashed node starts again from what is on its disk.
    Restart {
        node: NodeRef,
    },
    /// The node freezes: no ticks; messages to it wait until it resumes.
    Pause {
        node: NodeRef,
    },
    Resume {
        node: NodeRef,
    },
    /// The node crashes, its disk is wiped, and it restarts empty under the same id.
    LoseDisk {
        node: NodeRef,
    },
    /// Cut every link between groups; nodes not named form one more group.
    Partition {
        groups: Vec<Vec<NodeRef>>,
    },
    /// Cut the node off from every other node.
    Isolate {
        node: NodeRef,
    },
    /// Restore every link.
    Heal,
    /// Cut the link from `from` to `to` (and back, unless `oneway`).
    Cut {
        from: NodeRef,
        to: NodeRef,
        #[serde(default, skip_serializing_if = "is_false")]
        oneway: bool,
    },
    Uncut {
        from: NodeRef,
        to: NodeRef,
        #[serde(default, skip_serializing_if = "is_false")]
        oneway: bool,
    },
    /// Change network behaviour for every link, or for one (`link: [from, to]`).
    SetNetwork {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        link: Option<[NodeRef; 2]>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        latency_ms: Option<[u64; 2]>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        loss: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duplicate: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reorder: Option<f64>,
    },
    /// A client writes `key = value` (client 1 unless named).
    ClientWrite {
        key: String,
        value: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client: Option<ClientId>,
    },
    /// A client reads `key`, through the log unless `mode` says otherwise.
    ClientRead {
        key: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client: Option<ClientId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mode: Option<ReadMode>,
        /// The node the client asks first (for `local` and `sync` reads); else its leader guess.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        via: Option<NodeRef>,
    },
    /// A new node (the next free id) starts empty and the leader adds it as a learner.
    AddNode,
    /// The leader makes this node a voter (a learner is promoted).
    Promote {
        node: NodeRef,
    },
    /// The leader removes this node from the configuration.
    RemoveNode {
        node: NodeRef,
    },
    /// The leader moves to exactly these voters through joint consensus (C_old,new, then C_new).
    ChangeVoters {
        voters: Vec<NodeRef>,
    },
    /// The node snapshots its state machine and compacts its log now.
    Compact {
        node: NodeRef,
    },
    /// The node's election timer fires now.
    TimeoutNow {
        node: NodeRef,
    },
    /// The leader hands leadership to `to` (TimeoutNow once `to` is caught up).
    TransferLeadership {
        to: NodeRef,
    },
    /// The message with this id will not arrive.
    DropMessage {
        id: u64,
    },
    /// The message with this id arrives twice.
    DuplicateMessage {
        id: u64,
    },
    /// The message with this id arrives `ms` later.
    DelayMessage {
        id: u64,
        ms: u64,
    },
    /// Narration shown to the reader; changes nothing.
    Caption {
        text: String,
    },
}
