//! What the page shows, derived from the world after each batch of events: nodes, links,
//! messages in flight, logs. Derived values are cached and reused (same `Rc`) while they do not
//! change, so memoized components skip them.
//! Messages in flight and timer arcs are drawn by flights.rs, outside Yew's tree.

use crate::inspector::entry_label;
use raft_core::{Entry, Index, NodeId, ProgressState, Role, Term};
use raft_sim::node::SimNode;
use raft_sim::World;
use std::f64::consts::PI;
use std::rc::Rc;

/// The clients' hub sits in the middle of the ring.
pub const HUB: (f64, f64) = (50.0, 50.0);
pub const HUB_R: f64 = 5.0;
const RING_R: f64 = 37.0;

/// Node radius in percent of the stage, shrinking so 11 nodes still fit the ring.
pub fn radius(n: usize) -> f64 {
    if n <= 2 {
        return 8.5;
    }
    (RING_R * js_sys::Math::sin(PI / n as f64) * 0.6).clamp(4.5, 8.5)
}

/// Centre of node `id` (1-based) in percent of the stage; S1 at the top, clockwise.
pub fn ring_pos(id: NodeId, n: usize) -> (f64, f64) {
    let a = -PI / 2.0 + 2.0 * PI * (id as f64 - 1.0) / n.max(1) as f64;
    (50.0 + RING_R * js_sys::Math::cos(a), 50.0 + RING_R * js_sys::Math::sin(a))
}

/// What a node is doing, as the page names it (`data-role`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Follower,
    PreCandidate,
    Candidate,
    Leader,
    Crashed,
    Paused,
}

impl Status {
    pub fn of(n: &SimNode) -> Status {
        match (&n.raft, n.paused) {
            (None, _) => Status::Crashed,
            (Some(_), true) => Status::Paused,
            (Some(r), false) => match r.role() {
                Role::Follower => Status::Follower,
                Role::PreCandidate => Status::PreCandidate,
                Role::Candidate => Status::Candidate,
                Role::Leader => Status::Leader,
            },
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Status::Follower => "follower",
            Status::PreCandidate => "pre-candidate",
            Status::Candidate => "candidate",
            Status::Leader => "leader",
            Status::Crashed => "crashed",
            Status::Paused => "paused",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodeView {
    pub id: NodeId,
    pub status: Status,
    /// The role under a pause.
    pub role: Option<Role>,
    pub term: Term,
    pub vote: Option<NodeId>,
    pub commit: Index,
    pub last: Index,
    /// Votes granted so far, while campaigning.
    pub votes: Option<(usize, usize)>,
    pub x: f64,
    pub y: f64,
    pub r: f64,
    /// Named by the latest safety violation.
    pub flagged: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LinkView {
    pub a: NodeId,
    pub b: NodeId,
    pub a_to_b_cut: bool,
    pub b_to_a_cut: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogCell {
    pub term: Term,
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogRow {
    pub id: NodeId,
    pub status: Status,
    pub cells: Rc<Vec<LogCell>>,
    pub committed: Index,
    pub applied: Index,
    /// Entries up to here are on disk.
    pub stable: Index,
    /// Crashed: the row shows what is on its disk.
    pub from_disk: bool,
    /// The leader's view of this follower: (next index, match index, replicating).
    pub progress: Option<(Index, Index, bool)>,
}

/// A node's log entries as last drawn, with the cells made from them.
type CachedLog = (Vec<Entry>, Rc<Vec<LogCell>>);

/// Caches that keep unchanged items identical between renders.
#[derive(Default)]
pub struct Views {
    logs: Vec<Option<CachedLog>>,
}

impl Views {
    pub fn nodes(&self, w: &World, flagged: &[NodeId]) -> Vec<NodeView> {
        let n = w.nodes.len();
        let r = radius(n);
        w.nodes
            .iter()
            .map(|node| {
                let (x, y) = ring_pos(node.id, n);
                let raft = node.raft.as_ref();
                let votes = raft.filter(|r| matches!(r.role(), Role::Candidate | Role::PreCandidate)).map(|r| {
                    let granted = r.votes().values().filter(|g| **g).count();
                    (granted, r.membership().all_voters().len())
                });
                NodeView {
                    id: node.id,
                    status: Status::of(node),
                    role: node.role(),
                    term: node.term(),
                    vote: raft.map_or(node.disk.hard_state.vote, |r| r.vote()),
                    commit: raft.map_or(node.disk.hard_state.commit, |r| r.log().committed),
                    last: raft.map_or(node.disk.last_index(), |r| r.log().last_index()),
                    votes,
                    x,
                    y,
                    r,
                    flagged: flagged.contains(&node.id),
                }
            })
            .collect()
    }

    pub fn logs(&mut self, w: &World) -> Vec<LogRow> {
        self.logs.resize_with(w.nodes.len(), || None);
        let leader = w.leader().and_then(|l| w.nodes.get(l as usize - 1)).and_then(|n| n.raft.as_ref());
        w.nodes
            .iter()
            .enumerate()
            .map(|(i, node)| {
                let (entries, committed, applied, stable) = match &node.raft {
                    Some(r) => (r.log().entries(), r.log().committed, r.log().applied, r.log().stable),
                    None => {
                        let last = node.disk.last_index();
                        (&node.disk.entries[..], node.disk.hard_state.commit, 0, last)
                    }
                };
                let cells = match &self.logs[i] {
                    Some((cached, cells)) if cached.as_slice() == entries => cells.clone(),
                    _ => {
                        let cells: Rc<Vec<LogCell>> =
                            Rc::new(entries.iter().map(|e| LogCell { term: e.term, label: entry_label(e) }).collect());
                        self.logs[i] = Some((entries.to_vec(), cells.clone()));
                        cells
                    }
                };
                let progress = leader
                    .filter(|l| l.id() != node.id)
                    .and_then(|l| l.progress().get(&node.id))
                    .map(|p| (p.next_index, p.match_index, p.state == ProgressState::Replicate));
                LogRow {
                    id: node.id,
                    status: Status::of(node),
                    cells,
                    committed,
                    applied,
                    stable,
                    from_disk: node.raft.is_none(),
                    progress,
                }
            })
            .collect()
    }
}

pub fn links(w: &World) -> Vec<LinkView> {
    let n = w.nodes.len() as NodeId;
    let cut = &w.network.cut;
    let mut out = Vec::new();
    for a in 1..=n {
        for b in a + 1..=n {
            out.push(LinkView { a, b, a_to_b_cut: cut.contains(&(a, b)), b_to_a_cut: cut.contains(&(b, a)) });
        }
    }
    out
}
