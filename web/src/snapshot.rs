//! What the page shows, derived from the world after each batch of events: nodes, links,
//! messages in flight, logs. Derived values are cached and reused (same `Rc`) while they do not
//! change, so memoized components skip them.
//! Messages in flight and timer arcs are drawn by flights.rs, outside Yew's tree.

use crate::inspector::entry_label;
use crate::membership::{self, Half, Member};
use raft_core::{Entry, EntryData, Index, NodeId, ProgressState, Role, Term};
use raft_sim::node::SimNode;
use raft_sim::World;
use std::f64::consts::PI;
use std::rc::Rc;

/// The clients' hub sits in the middle of the ring.
pub const HUB: (f64, f64) = (50.0, 50.0);
pub const HUB_R: f64 = 5.0;
const RING_R: f64 = 37.0;

/// Node radius in percent of the stage, shrinking so 25 nodes (added at runtime) still fit.
pub fn radius(n: usize) -> f64 {
    if n <= 2 {
        return 8.5;
    }
    crate::util::clamp(RING_R * js_sys::Math::sin(PI / n as f64) * 0.6, 2.6, 8.5)
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
    /// Shut down for good after leaving the configuration.
    Removed,
}

impl Status {
    pub fn of(n: &SimNode) -> Status {
        match (&n.raft, n.paused) {
            (None, _) if n.retired => Status::Removed,
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
            Status::Removed => "removed",
        }
    }

    /// Running (paused counts): it has volatile state.
    pub fn up(self) -> bool {
        !matches!(self, Status::Crashed | Status::Removed)
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
    /// Its place in the configuration the page shows.
    pub member: Member,
    pub half: Option<Half>,
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
    /// A configuration entry (drawn apart from commands and no-ops).
    pub config: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogRow {
    pub id: NodeId,
    pub status: Status,
    pub member: Member,
    /// The log's snapshot: the last index and term it covers (0: none).
    pub snapshot: (Index, Term),
    /// Cells from index `snapshot.0 + 1` on.
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
        let config = membership::cluster_config(w);
        w.nodes
            .iter()
            .map(|node| {
                let (x, y) = ring_pos(node.id, n);
                let raft = node.raft.as_ref();
                let (member, half) = membership::place(config.as_ref(), node);
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
                    member,
                    half,
                }
            })
            .collect()
    }

    pub fn logs(&mut self, w: &World) -> Vec<LogRow> {
        self.logs.resize_with(w.nodes.len(), || None);
        let config = membership::cluster_config(w);
        let leader = w.leader().and_then(|l| w.nodes.get(l as usize - 1)).and_then(|n| n.raft.as_ref());
        w.nodes
            .iter()
            .enumerate()
            .map(|(i, node)| {
                let (entries, committed, applied, stable, snapshot) = match &node.raft {
                    Some(r) => {
                        let l = r.log();
                        (l.entries(), l.committed, l.applied, l.stable, l.snapshot_point())
                    }
                    None => {
                        let last = node.disk.last_index();
                        let snap = node.disk.snapshot.as_ref().map_or((0, 0), |s| (s.index, s.term));
                        (&node.disk.entries[..], node.disk.hard_state.commit, 0, last, snap)
                    }
                };
                let cells = match &self.logs[i] {
                    Some((cached, cells)) if cached.as_slice() == entries => cells.clone(),
                    _ => {
                        let cells: Rc<Vec<LogCell>> = Rc::new(entries.iter().map(cell).collect());
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
                    member: membership::place(config.as_ref(), node).0,
                    snapshot,
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

fn cell(e: &Entry) -> LogCell {
    let config = matches!(e.data, EntryData::Config(_));
    LogCell { term: e.term, label: entry_label(e), config }
}

/// Links between nodes still in service (a removed node's links are no longer drawn).
pub fn links(w: &World) -> Vec<LinkView> {
    let live = membership::live_ids(w);
    let cut = &w.network.cut;
    let mut out = Vec::new();
    for (i, &a) in live.iter().enumerate() {
        for &b in &live[i + 1..] {
            out.push(LinkView { a, b, a_to_b_cut: cut.contains(&(a, b)), b_to_a_cut: cut.contains(&(b, a)) });
        }
    }
    out
}
