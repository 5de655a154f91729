//! What the page shows, derived from the world after each batch of events: nodes, links,
//! messages in flight, logs. Derived values are cached and reused (same `Rc`) while they do not
//! change, so memoized components skip them.
//!
//! Animated things carry their CSS timing, computed once when they first appear: a running CSS
//! animation must never get a new delay (the browser would add the wall time already run), so
//! whenever the timing changes the item gets a new key and the browser starts a fresh animation.

use crate::inspector::entry_label;
use crate::util::{round, Fx};
use raft_core::{Body, Entry, Index, NodeId, ProgressState, Role, Term};
use raft_sim::network::{Endpoint, InFlight, Payload, Reply};
use raft_sim::node::SimNode;
use raft_sim::World;
use std::collections::BTreeMap;
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

fn endpoint_pos(e: Endpoint, n: usize) -> ((f64, f64), f64) {
    match e {
        Endpoint::Node(id) => (ring_pos(id, n), radius(n)),
        Endpoint::Client(_) => (HUB, HUB_R),
    }
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

/// The election-timer arc: a CSS animation over the time left.
#[derive(Debug, PartialEq, Eq)]
pub struct TimerView {
    pub key: u64,
    /// `--dur` and `--delay` for the arc's animations.
    pub style: String,
    /// The node is paused: its timer does not run.
    pub frozen: bool,
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
    pub timer: Option<Rc<TimerView>>,
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

/// Eq (no floats) so that comparing two `Rc<MsgView>` short-cuts on pointer equality.
#[derive(Debug, PartialEq, Eq)]
pub struct MsgView {
    pub key: u64,
    pub id: u64,
    pub kind: &'static str,
    /// Shape class, by kind.
    pub shape: &'static str,
    pub term: Option<Term>,
    /// Granted/refused, success/failure, for replies.
    pub ok: Option<bool>,
    pub dropped: bool,
    /// Number of entries an AppendEntries carries.
    pub badge: Option<usize>,
    /// Placement of the path: start point, length, angle.
    pub path_style: String,
    /// Timing of the flight (`--dur`, `--delay`).
    pub anim_style: String,
    /// Keeps the dot upright on the rotated path.
    pub dot_style: String,
    pub title: String,
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

struct TimerEntry {
    term: Term,
    role: Role,
    timeout: u32,
    frozen: bool,
    start: f64,
    elapsed: f64,
    view: Rc<TimerView>,
}

struct MsgEntry {
    deliver_ms: u64,
    dropped: bool,
    view: Rc<MsgView>,
}

/// A node's log entries as last drawn, with the cells made from them.
type CachedLog = (Vec<Entry>, Rc<Vec<LogCell>>);

/// Caches that keep unchanged items identical between renders.
#[derive(Default)]
pub struct Views {
    next_key: u64,
    timers: Vec<Option<TimerEntry>>,
    msgs: BTreeMap<u64, MsgEntry>,
    logs: Vec<Option<CachedLog>>,
}

impl Views {
    /// Forgets every animation: after a jump in time or a change of speed, all restart.
    pub fn restart_animations(&mut self) {
        self.timers.clear();
        self.msgs.clear();
    }

    fn key(&mut self) -> u64 {
        self.next_key += 1;
        self.next_key
    }

    pub fn nodes(&mut self, w: &World, vclock: f64, speed: f64, flagged: &[NodeId]) -> Vec<NodeView> {
        let n = w.nodes.len();
        self.timers.resize_with(n, || None);
        let r = radius(n);
        w.nodes
            .iter()
            .enumerate()
            .map(|(i, node)| {
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
                    timer: self.timer(i, node, w.config.cluster.tick_ms_of(node.id), vclock, speed),
                    x,
                    y,
                    r,
                    flagged: flagged.contains(&node.id),
                }
            })
            .collect()
    }

    fn timer(&mut self, i: usize, node: &SimNode, tick_ms: u64, vclock: f64, speed: f64) -> Option<Rc<TimerView>> {
        let Some(raft) = node.raft.as_ref().filter(|r| r.role() != Role::Leader) else {
            self.timers[i] = None;
            return None;
        };
        let tick = tick_ms as f64;
        let len = (raft.randomized_timeout() as f64 * tick).max(1.0);
        let elapsed = (raft.election_elapsed() as f64 * tick).min(len);
        let frozen = node.paused;
        if let Some(e) = &self.timers[i] {
            let same = e.term == raft.term()
                && e.role == raft.role()
                && e.timeout == raft.randomized_timeout()
                && e.frozen == frozen;
            // Ticks advance `elapsed` in steps while the clock runs smoothly; a reset shows as
            // the two drifting apart by more than a tick. A reset that comes while the arc has
            // drained less than 5% keeps the arc: heartbeats reset followers' timers many times
            // a second at high speed, and each new arc costs the browser style work.
            let drift = (vclock - e.start) - elapsed;
            let on_track = if frozen {
                e.elapsed == elapsed
            } else {
                drift >= -1.5 * tick && drift <= (1.5 * tick).max(0.05 * len)
            };
            if same && on_track {
                return Some(e.view.clone());
            }
        }
        let view = Rc::new(TimerView {
            key: self.key(),
            style: format!("--dur:{}ms;--delay:{}ms", round(len / speed), round(-elapsed / speed)),
            frozen,
        });
        self.timers[i] = Some(TimerEntry {
            term: raft.term(),
            role: raft.role(),
            timeout: raft.randomized_timeout(),
            frozen,
            start: vclock - elapsed,
            elapsed,
            view: view.clone(),
        });
        Some(view)
    }

    pub fn messages(&mut self, w: &World, vclock: f64, speed: f64) -> Vec<Rc<MsgView>> {
        let n = w.nodes.len();
        self.msgs.retain(|id, _| w.in_flight.contains_key(id));
        let mut out = Vec::with_capacity(w.in_flight.len());
        for m in w.in_flight.values() {
            if let Some(e) = self.msgs.get(&m.id) {
                if e.deliver_ms == m.deliver_ms && e.dropped == m.dropped {
                    out.push(e.view.clone());
                    continue;
                }
            }
            let view = Rc::new(self.message(m, n, vclock, speed));
            self.msgs.insert(m.id, MsgEntry { deliver_ms: m.deliver_ms, dropped: m.dropped, view: view.clone() });
            out.push(view);
        }
        out
    }

    fn message(&mut self, m: &InFlight, n: usize, vclock: f64, speed: f64) -> MsgView {
        let ((x0, y0), r0) = endpoint_pos(m.from, n);
        let ((x1, y1), r1) = endpoint_pos(m.to, n);
        let (dx, dy) = (x1 - x0, y1 - y0);
        let d = js_sys::Math::hypot(dx, dy).max(0.001);
        let (ux, uy) = (dx / d, dy / d);
        // Requests and replies travel in separate lanes, each to the right of its direction.
        let lane = 1.1;
        let (px, py) = (-uy * lane, ux * lane);
        let (sx, sy) = (x0 + ux * r0 + px, y0 + uy * r0 + py);
        let len = (d - r0 - r1).max(0.5);
        let angle = js_sys::Math::atan2(dy, dx) * 180.0 / PI;
        let dur = (m.deliver_ms.saturating_sub(m.sent_ms).max(1)) as f64 / speed;
        let done = (vclock - m.sent_ms as f64).max(0.0) / speed;
        let (shape, term, ok, badge) = classify(m);
        MsgView {
            key: self.key(),
            id: m.id,
            kind: m.kind(),
            shape,
            term,
            ok,
            dropped: m.dropped,
            badge,
            path_style: format!(
                "left:{}%;top:{}%;width:{}%;transform:rotate({}deg)",
                Fx(sx),
                Fx(sy),
                Fx(len),
                Fx(angle)
            ),
            anim_style: format!("--dur:{}ms;--delay:{}ms", round(dur), round(-done)),
            dot_style: format!("transform:rotate({}deg)", Fx(-angle)),
            title: format!("{}{}", m.summary(), if m.dropped { " (will be lost)" } else { "" }),
        }
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

/// (shape class, term for colour, outcome, entry count) of a message.
fn classify(m: &InFlight) -> (&'static str, Option<Term>, Option<bool>, Option<usize>) {
    match &m.payload {
        Payload::Raft(msg) => {
            let t = Some(msg.term);
            match &msg.body {
                Body::RequestVote { .. } => ("m-vote", t, None, None),
                Body::PreVote { .. } => ("m-prevote", t, None, None),
                Body::RequestVoteResponse { granted, .. } | Body::PreVoteResponse { granted, .. } => {
                    ("m-reply", t, Some(*granted), None)
                }
                Body::AppendEntries { entries, .. } => {
                    ("m-append", t, None, if entries.is_empty() { None } else { Some(entries.len()) })
                }
                Body::AppendEntriesResponse { success, .. } => ("m-reply", t, Some(*success), None),
                Body::Heartbeat { .. } => ("m-heartbeat", t, None, None),
                Body::HeartbeatResponse => ("m-beat-reply", t, None, None),
                Body::TimeoutNow => ("m-timeout", t, None, None),
            }
        }
        Payload::ClientRequest { .. } => ("m-client", None, None, None),
        Payload::ClientReply { reply, .. } => ("m-client-reply", None, Some(matches!(reply, Reply::Ok { .. })), None),
    }
}
