//! Raft's safety properties (Figure 3 of the paper), checked after every event.
//!
//! Checks are incremental so they can run on every event: each node's durable log is tracked as
//! a chain of prefix hashes (entry i's hash covers entries 1..=i), so "these two logs agree up
//! to i" is one comparison. The world reports what happened (a disk write, a role change, a
//! commit, an apply, a client acknowledgement); the checker never reads node internals.

use crate::kv::ReadMode;
use crate::memo::EntryMemo;
use raft_core::{describe_membership, Entry, EntryData, Index, Membership, NodeId, Term, VecMap};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Property {
    /// At most one leader per term.
    ElectionSafety,
    /// A leader never overwrites or deletes entries in its log.
    LeaderAppendOnly,
    /// Two logs with an entry of the same index and term agree on every entry up to it.
    LogMatching,
    /// A leader's log holds every entry committed before its term.
    LeaderCompleteness,
    /// No two nodes commit or apply different entries at the same index.
    StateMachineSafety,
    /// A committed entry is never removed from a node that knew it was committed, and an entry
    /// acknowledged to a client stays on a majority of the nodes' disks.
    CommittedNeverLost,
    /// Two nodes leading at the same time use configurations whose quorums need not overlap,
    /// so both could commit (the 2015 single-server change bug).
    ConfigOverlap,
    /// A read that promises linearizability never returns a value older than the last write
    /// acknowledged before it started.
    LinearizableReads,
}

impl Property {
    pub const ALL: [Property; 8] = [
        Property::ElectionSafety,
        Property::LeaderAppendOnly,
        Property::LogMatching,
        Property::LeaderCompleteness,
        Property::StateMachineSafety,
        Property::CommittedNeverLost,
        Property::ConfigOverlap,
        Property::LinearizableReads,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Property::ElectionSafety => "election-safety",
            Property::LeaderAppendOnly => "leader-append-only",
            Property::LogMatching => "log-matching",
            Property::LeaderCompleteness => "leader-completeness",
            Property::StateMachineSafety => "state-machine-safety",
            Property::CommittedNeverLost => "committed-never-lost",
            Property::ConfigOverlap => "config-overlap",
            Property::LinearizableReads => "linearizable-reads",
        }
    }

    pub fn parse(name: &str) -> Option<Property> {
        Property::ALL.into_iter().find(|p| p.name() == name)
    }
}

impl fmt::Display for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One broken property, with where and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub property: Property,
    /// The number of the world event after which it was found.
    pub event: u64,
    pub time_ms: u64,
    pub nodes: Vec<NodeId>,
    pub index: Option<Index>,
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nodes = crate::world::node_list(&self.nodes, ",");
        write!(f, "{} violated at event {} ({} ms), nodes {}", self.property, self.event, self.time_ms, nodes)?;
        if let Some(i) = self.index {
            write!(f, ", index {i}")?;
        }
        write!(f, ": {}", self.detail)
    }
}

/// An entry as the checker knows it: its term and the hash of the log prefix it ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Link {
    term: Term,
    chain: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checker {
    /// The voters of the latest committed configuration, one list per half (two during a joint
    /// change): an acknowledged entry must stay where every quorum of it meets a copy.
    voters: Vec<Vec<NodeId>>,
    voters_index: Index,
    /// Nodes shut down for good.
    #[serde(default)]
    retired: Vec<NodeId>,
    event: u64,
    time_ms: u64,
    /// Term -> the node that led it.
    leaders: VecMap<Term, NodeId>,
    /// Each node's durable log, by node id (a vector: looked up on every write).
    logs: Vec<Vec<Link>>,
    /// For each index (from 1), the first entry seen there: its term, the prefix hash it ends
    /// and the node seen with it. A plain vector, as entries are written in index order.
    seen: Vec<(Term, u64, NodeId)>,
    /// The same for every other (index, term): rare, as it takes a deposed leader's entries.
    #[serde(with = "crate::serde_pairs")]
    seen_more: VecMap<(Index, Term), (u64, NodeId)>,
    /// The committed log as first committed by any node; `committed_by[i]` names that node
    /// and the term it was in (the term the entry was committed in).
    committed: Vec<Link>,
    committed_by: Vec<(NodeId, Term)>,
    /// Entry hash applied at each index, and by whom first.
    applied: Vec<(u64, NodeId)>,
    /// The highest index acknowledged to a client.
    acked_max: Index,
    /// Per key, writes acknowledged to clients: (ack time, highest index acknowledged so far).
    #[serde(default)]
    acked_writes: VecMap<String, Vec<(u64, Index)>>,
    /// First violation of each property, in order found, and how many were found in all.
    pub violations: Vec<Violation>,
    pub violation_count: u64,
    /// Entry hashes, as every node writes and applies every entry.
    #[serde(skip)]
    hashes: EntryMemo<u64>,
}

impl Checker {
    pub fn new(voters: usize) -> Self {
        Checker { voters: vec![(1..=voters as NodeId).collect()], ..Default::default() }
    }

    /// Makes room for `entries` more log entries on each of `nodes` nodes and in the committed
    /// and applied logs; only capacity changes.
    pub fn reserve(&mut self, nodes: usize, entries: usize) {
        if nodes > 0 {
            self.log_mut(nodes as NodeId);
        }
        for log in &mut self.logs {
            log.reserve(entries);
        }
        self.seen.reserve(entries);
        self.committed.reserve(entries);
        self.committed_by.reserve(entries);
        self.applied.reserve(entries);
    }

    /// Sets the event number and time that violations found next will carry.
    pub fn begin(&mut self, event: u64, time_ms: u64) {
        self.event = event;
        self.time_ms = time_ms;
    }

    pub fn ok(&self) -> bool {
        self.violation_count == 0
    }

    fn report(&mut self, property: Property, nodes: Vec<NodeId>, index: Option<Index>, detail: String) {
        self.violation_count += 1;
        if self.violations.iter().all(|v| v.property != property) {
            let (event, time_ms) = (self.event, self.time_ms);
            self.violations.push(Violation { property, event, time_ms, nodes, index, detail });
        }
    }

    fn link(&self, node: NodeId, index: Index) -> Option<Link> {
        link_in(self.logs.get(node as usize).map_or(&[], |l| &l[..]), index)
    }

    fn log_mut(&mut self, node: NodeId) -> &mut Vec<Link> {
        let i = node as usize;
        if i >= self.logs.len() {
            self.logs.resize_with(i + 1, Vec::new);
        }
        &mut self.logs[i]
    }

    fn committed_link(&self, index: Index) -> Option<Link> {
        if index == 0 {
            return Some(Link { term: 0, chain: 0 });
        }
        self.committed.get(index as usize - 1).copied()
    }

    /// A node wrote `entries` to disk (replacing its stored suffix from the first one).
    /// `was_leader` is its role when it wrote; `commit_before` its commit index before the
    /// input that led to this write.
    pub fn on_write(&mut self, node: NodeId, was_leader: bool, commit_before: Index, entries: &[Entry]) {
        let Some(first) = entries.first().map(|e| e.index) else { return };
        // The node's log is taken out (`first_seen` and `report` need `self`) and put back in
        // its slot, which `log_mut` made sure exists.
        let slot = node as usize;
        let mut log = std::mem::take(self.log_mut(node));
        let written = self.write_log(node, was_leader, commit_before, entries, &mut log);
        self.logs[slot] = log;
        if written && first <= self.acked_max {
            self.check_acked_on_majority(node);
        }
    }

    /// [`Checker::on_write`] on the node's log, out of the map; false if the write was refused
    /// (it left a gap).
    fn write_log(
        &mut self,
        node: NodeId,
        was_leader: bool,
        commit_before: Index,
        entries: &[Entry],
        log: &mut Vec<Link>,
    ) -> bool {
        let Some(first) = entries.first().map(|e| e.index) else { return false };
        let old_len = log.len() as Index;
        if first > old_len + 1 {
            self.report(Property::LogMatching, vec![node], Some(first), format!("wrote entry {first} after a gap"));
            return false;
        }
        if was_leader && first <= old_len {
            let detail = format!("leader overwrote its entries from index {first}");
            self.report(Property::LeaderAppendOnly, vec![node], Some(first), detail);
        }
        let kept_commit = link_in(log, commit_before);
        log.truncate(first as usize - 1);
        let mut prev = log.last().map_or(0, |l| l.chain);
        for e in entries {
            prev = chain(prev, self.entry_hash(e));
            log.push(Link { term: e.term, chain: prev });
        }
        for (e, link) in entries.iter().zip(&log[first as usize - 1..]) {
            let chain = link.chain;
            if let Some((c, other)) = self.first_seen(e.index, e.term, chain, node) {
                if c != chain {
                    let (index, term) = (e.index, e.term);
                    let detail = format!("entry {index} of term {term} ends different logs on S{node} and S{other}");
                    self.report(Property::LogMatching, vec![node, other], Some(index), detail);
                }
            }
        }
        if first <= commit_before && link_in(log, commit_before) != kept_commit {
            let detail = format!("S{node} removed entries up to its commit index {commit_before} from {first}");
            self.report(Property::CommittedNeverLost, vec![node], Some(first), detail);
        }
        true
    }

    /// [`entry_hash`], computed once per command for all the nodes.
    fn entry_hash(&mut self, e: &Entry) -> u64 {
        match &e.data {
            EntryData::Command(bytes) => *self.hashes.get(e.index, e.term, bytes, |h| *h = entry_hash(e)),
            _ => entry_hash(e),
        }
    }

    /// A node was shut down for good (removed, or its machine replaced).
    pub fn on_retire(&mut self, node: NodeId) {
        self.retired.push(node);
        self.check_acked_on_majority(node);
    }

    /// The prefix hash and node first seen with entry (`index`, `term`); None, after noting
    /// these, if this is the first.
    fn first_seen(&mut self, index: Index, term: Term, chain: u64, node: NodeId) -> Option<(u64, NodeId)> {
        let i = index as usize - 1;
        match self.seen.get(i) {
            Some(&(t, c, n)) if t == term => return Some((c, n)),
            None if i == self.seen.len() => {
                self.seen.push((term, chain, node));
                return None;
            }
            _ => {}
        }
        match self.seen_more.get(&(index, term)) {
            Some(&seen) => Some(seen),
            None => {
                self.seen_more.insert((index, term), (chain, node));
                None
            }
        }
    }

    /// A node lost its disk.
    pub fn on_disk_loss(&mut self, node: NodeId) {
        self.log_mut(node).clear();
        self.check_acked_on_majority(node);
    }

    fn check_acked_on_majority(&mut self, node: NodeId) {
        let a = self.acked_max;
        let Some(want) = self.committed_link(a) else { return };
        // Every quorum of live voters must include a holder: voters shut down for good never
        // vote again, so they count neither way. A joint quorum holds a majority of each half,
        // so it is enough that one half has no holder-free majority.
        let holder_free_majority = |half: &Vec<NodeId>| {
            let live = half.iter().filter(|n| !self.retired.contains(n));
            let missing = live.filter(|&&n| self.link(n, a) != Some(want)).count();
            missing > half.len() / 2
        };
        if a > 0 && self.voters.iter().all(holder_free_majority) {
            let sizes: Vec<String> = self.voters.iter().map(|h| h.len().to_string()).collect();
            let detail = format!(
                "acknowledged entry {a} is missing from enough live voters ({} in the configuration) to elect a leader without it",
                sizes.join(" + ")
            );
            self.report(Property::CommittedNeverLost, vec![node], Some(a), detail);
        }
    }

    /// A node became leader of `term`. `leaders_now` lists every node currently leading.
    pub fn on_leader(&mut self, node: NodeId, term: Term) {
        match self.leaders.get(&term) {
            Some(&other) if other != node => {
                let detail = format!("S{other} and S{node} both led term {term}");
                self.report(Property::ElectionSafety, vec![other, node], None, detail);
            }
            Some(_) => {}
            None => {
                self.leaders.insert(term, node);
            }
        }
        // Only entries committed in earlier terms: a node may legitimately win an old term late
        // (a paused candidate counting its held votes) without entries committed since.
        let c = self.committed_by.iter().rposition(|&(_, t)| t < term).map_or(0, |p| p as Index + 1);
        if c > 0 && self.link(node, c) != self.committed_link(c) {
            let missing = (1..=c).find(|&i| self.link(node, i) != self.committed_link(i)).unwrap_or(c);
            let detail = format!("S{node} leads term {term} without committed entry {missing}");
            self.report(Property::LeaderCompleteness, vec![node], Some(missing), detail);
        }
    }

    /// A node's commit index is now `commit`. `leaders` are the nodes leading right now, with
    /// their terms; those of a higher term than the committer must hold the new entries.
    pub fn on_commit(
        &mut self,
        node: NodeId,
        term: Term,
        commit: Index,
        leaders: impl IntoIterator<Item = (NodeId, Term)>,
    ) {
        let known = self.committed.len() as Index;
        let check_at = commit.min(known);
        if check_at > 0 && self.link(node, check_at) != self.committed_link(check_at) {
            let first_by = self.committed_by.get(check_at as usize - 1).map_or(node, |&(n, _)| n);
            let detail = format!("S{node} committed a different entry {check_at} than S{first_by}");
            self.report(Property::StateMachineSafety, vec![node, first_by], Some(check_at), detail);
            return;
        }
        if commit <= known {
            return;
        }
        for i in known + 1..=commit {
            let Some(l) = self.link(node, i) else { break };
            self.committed.push(l);
            self.committed_by.push((node, term));
        }
        let c = self.committed.len() as Index;
        for (leader, leader_term) in leaders {
            if leader_term > term && self.link(leader, c) != self.committed_link(c) {
                let detail = format!("S{leader} leads term {leader_term} without entry {c} committed by S{node}");
                self.report(Property::LeaderCompleteness, vec![leader, node], Some(c), detail);
            }
        }
    }

    /// A node applied `entry` to its state machine.
    pub fn on_apply(&mut self, node: NodeId, entry: &Entry) {
        let h = self.entry_hash(entry);
        let i = entry.index as usize;
        if i == 0 {
            return;
        }
        if i <= self.applied.len() {
            let (known, by) = self.applied[i - 1];
            if known != h {
                let detail = format!("S{node} and S{by} applied different entries at index {i}");
                self.report(Property::StateMachineSafety, vec![node, by], Some(entry.index), detail);
            }
        } else if i == self.applied.len() + 1 {
            self.applied.push((h, node));
        }
    }

    /// A node stored a snapshot up to (`index`, `term`) in place of its log's prefix. A snapshot
    /// holds only committed state, so its entries are the committed ones.
    pub fn on_snapshot(&mut self, node: NodeId, index: Index, term: Term) {
        if self.committed_link(index).map(|l| l.term) != Some(term) {
            let detail = format!("S{node} stored a snapshot up to {index}/{term}, which is not committed");
            self.report(Property::StateMachineSafety, vec![node], Some(index), detail);
            return;
        }
        let log = self.logs.get(node as usize).map_or(&[][..], |l| &l[..]);
        let keeps_suffix = (index as usize).checked_sub(1).and_then(|i| log.get(i)).is_some_and(|l| l.term == term);
        if !keeps_suffix {
            *self.log_mut(node) = self.committed[..index as usize].to_vec();
        }
    }

    /// The configuration entry at `index` committed.
    pub fn on_config_committed(&mut self, index: Index, m: &Membership) {
        if index > self.voters_index {
            self.voters_index = index;
            self.voters = vec![m.voters.clone()];
            if m.is_joint() {
                self.voters.push(m.outgoing.clone());
            }
        }
    }

    /// Nodes leading at this moment, with their configurations: any two must share a quorum.
    pub fn on_leaders(&mut self, leaders: &[(NodeId, &Membership)]) {
        for (i, &(a, ma)) in leaders.iter().enumerate() {
            for &(b, mb) in &leaders[i + 1..] {
                if !quorums_intersect(ma, mb) {
                    let (da, db) = (describe_membership(ma), describe_membership(mb));
                    let detail = format!("S{a} leads with {da} and S{b} with {db}: their quorums need not overlap");
                    self.report(Property::ConfigOverlap, vec![a, b], None, detail);
                }
            }
        }
    }

    /// A write to `key` was acknowledged at `index`, at time `now`.
    pub fn on_write_acked(&mut self, key: &str, index: Index, now: u64) {
        // Looked up before inserting: the key is nearly always known, and inserting would
        // allocate its String.
        match self.acked_writes.get_mut(key) {
            Some(writes) => push_acked(writes, index, now),
            None => push_acked(self.acked_writes.get_or_insert_with(key.to_string(), Vec::new), index, now),
        }
    }

    /// A read of `key` that started at `invoked_ms` returned the value written at `version`.
    /// Returns true if it is stale; a stale linearizable read is a violation.
    pub fn on_read(&mut self, node: NodeId, key: &str, version: Index, invoked_ms: u64, mode: ReadMode) -> bool {
        let writes = self.acked_writes.get(key).map_or(&[][..], |w| &w[..]);
        let before = writes.partition_point(|&(t, _)| t < invoked_ms);
        let must_see = if before == 0 { 0 } else { writes[before - 1].1 };
        let stale = version < must_see;
        if stale && mode.linearizable() {
            let detail = format!(
                "S{node} served a {} read of {key} with the value written at {version}, but the write at {must_see} was acknowledged before the read started",
                mode.name()
            );
            self.report(Property::LinearizableReads, vec![node], Some(must_see), detail);
        }
        stale
    }

    /// A client was told its command committed at (`index`, `term`).
    pub fn on_ack(&mut self, node: NodeId, index: Index, term: Term) {
        if self.committed_link(index).map(|l| l.term) != Some(term) {
            let detail = format!("S{node} acknowledged entry {index} of term {term}, which is not the committed one");
            self.report(Property::CommittedNeverLost, vec![node], Some(index), detail);
        }
        self.acked_max = self.acked_max.max(index);
    }
}

/// Acknowledged writes remembered per key for judging reads.
const ACKED_WRITES_KEPT: usize = 512;

/// Notes a write acknowledged at `index`, at time `now`, in its key's list.
fn push_acked(writes: &mut Vec<(u64, Index)>, index: Index, now: u64) {
    let highest = writes.last().map_or(index, |&(_, i)| i.max(index));
    writes.push((now, highest));
    // Bounded memory for long runs: the entries hold running maxima, so dropping the oldest
    // only weakens the check for a read that started before every kept write.
    if writes.len() > ACKED_WRITES_KEPT {
        writes.drain(..ACKED_WRITES_KEPT / 2);
    }
}

/// True if every quorum of `a` meets every quorum of `b`. A quorum of a joint configuration
/// holds a majority of each half, so it is enough that some half of `a` always meets some half
/// of `b`.
fn quorums_intersect(a: &Membership, b: &Membership) -> bool {
    let halves = |m: &Membership| {
        let mut h = vec![m.voters.clone()];
        if m.is_joint() {
            h.push(m.outgoing.clone());
        }
        h
    };
    halves(a).iter().any(|x| halves(b).iter().any(|y| majorities_intersect(x, y)))
}

/// Two majorities, one of `x` and one of `y`, must share a member unless each can be filled
/// from outside the other set plus a disjoint share of the common members.
fn majorities_intersect(x: &[NodeId], y: &[NodeId]) -> bool {
    let common = x.iter().filter(|id| y.contains(id)).count();
    let need = |set: &[NodeId]| (set.len() / 2 + 1).saturating_sub(set.len() - common);
    need(x) + need(y) > common
}

/// One multiply-xorshift round; the checker's hashes only need to tell entries apart.
fn mix(h: u64, v: u64) -> u64 {
    let z = (h ^ v).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z ^ (z >> 29)
}

/// Hashes a command 8 bytes at a time (little-endian, so the same on every platform).
fn entry_hash(e: &Entry) -> u64 {
    let h = mix(0xCBF2_9CE4_8422_2325, e.term);
    match &e.data {
        EntryData::Noop => mix(h, 0x6E6F_6F70),
        EntryData::Command(c) => {
            let mut h = mix(mix(h, 0x0063_6D64), c.len() as u64);
            let mut chunks = c.chunks_exact(8);
            for w in &mut chunks {
                h = mix(h, u64::from_le_bytes(w.try_into().unwrap_or_default()));
            }
            let mut last = [0u8; 8];
            last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
            mix(h, u64::from_le_bytes(last))
        }
        EntryData::Config(m) => {
            let ids = m.voters.iter().chain([&0]).chain(&m.outgoing).chain([&0]).chain(&m.learners);
            ids.fold(mix(h, 0x636F_6E66), |h, &id| mix(h, id))
        }
    }
}

/// Entry `index` of a log as the checker knows it (index 0: the empty prefix).
fn link_in(log: &[Link], index: Index) -> Option<Link> {
    if index == 0 {
        return Some(Link { term: 0, chain: 0 });
    }
    log.get(index as usize - 1).copied()
}

/// The prefix hash of a log whose last entry hashes to `hash`, after one whose is `prev`.
fn chain(prev: u64, hash: u64) -> u64 {
    let mut z = prev ^ hash.rotate_left(17);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    //! Each property must be able to fail: feed the checker histories that break it.
    use super::*;

    fn e(term: Term, index: Index) -> Entry {
        Entry::noop(term, index)
    }

    fn broken(c: &Checker, p: Property) -> bool {
        c.violations.iter().any(|v| v.property == p)
    }

    #[test]
    fn two_leaders_in_one_term_break_election_safety() {
        let mut c = Checker::new(3);
        c.on_leader(1, 2);
        c.on_leader(1, 2);
        assert!(c.ok());
        c.on_leader(2, 2);
        assert!(broken(&c, Property::ElectionSafety));
    }

    #[test]
    fn leader_overwriting_breaks_append_only() {
        let mut c = Checker::new(3);
        c.on_write(1, true, 0, &[e(1, 1), e(1, 2)]);
        c.on_write(1, true, 0, &[e(1, 3)]);
        assert!(c.ok());
        c.on_write(1, true, 0, &[e(2, 2)]);
        assert!(broken(&c, Property::LeaderAppendOnly));
    }

    #[test]
    fn same_index_and_term_over_different_prefixes_breaks_log_matching() {
        let mut c = Checker::new(3);
        c.on_write(1, false, 0, &[e(1, 1), e(3, 2)]);
        c.on_write(2, false, 0, &[e(1, 1), e(3, 2)]);
        assert!(c.ok());
        c.on_write(3, false, 0, &[e(2, 1), e(3, 2)]);
        assert!(broken(&c, Property::LogMatching));
    }

    #[test]
    fn leader_without_committed_entry_breaks_completeness() {
        let mut c = Checker::new(3);
        c.on_write(1, true, 0, &[e(2, 1)]);
        c.on_write(2, false, 0, &[e(2, 1)]);
        c.on_commit(1, 2, 1, [(1, 2)]);
        c.on_leader(2, 3);
        // Winning an older term late, without entries committed since, is allowed.
        c.on_leader(3, 1);
        assert!(c.ok());
        c.on_leader(3, 4);
        assert!(broken(&c, Property::LeaderCompleteness));
    }

    #[test]
    fn different_committed_or_applied_entries_break_state_machine_safety() {
        let mut c = Checker::new(3);
        c.on_write(1, false, 0, &[e(1, 1)]);
        c.on_write(2, false, 0, &[e(2, 1)]);
        c.on_commit(1, 1, 1, []);
        c.on_commit(2, 2, 1, []);
        assert!(broken(&c, Property::StateMachineSafety));

        let mut c = Checker::new(3);
        c.on_apply(1, &e(1, 1));
        c.on_apply(2, &e(1, 1));
        assert!(c.ok());
        c.on_apply(3, &e(2, 1));
        assert!(broken(&c, Property::StateMachineSafety));
    }

    #[test]
    fn removing_committed_entries_breaks_committed_never_lost() {
        let mut c = Checker::new(3);
        c.on_write(1, false, 0, &[e(1, 1), e(1, 2), e(1, 3)]);
        // Rewriting identical entries is harmless...
        c.on_write(1, false, 3, &[e(1, 3)]);
        assert!(c.ok());
        // ...dropping a committed one is not.
        c.on_write(1, false, 3, &[e(2, 3)]);
        assert!(broken(&c, Property::CommittedNeverLost));
    }

    #[test]
    fn acknowledged_entry_on_a_minority_breaks_committed_never_lost() {
        let mut c = Checker::new(3);
        for n in 1..=2 {
            c.on_write(n, false, 0, &[e(1, 1)]);
        }
        c.on_commit(1, 1, 1, []);
        c.on_ack(1, 1, 1);
        assert!(c.ok());
        c.on_disk_loss(2);
        assert!(broken(&c, Property::CommittedNeverLost));
    }

    #[test]
    fn an_acknowledged_entry_needs_a_copy_in_every_quorum_of_the_committed_configuration() {
        let mut c = Checker::new(3);
        for n in [1, 4, 5] {
            c.on_write(n, false, 0, &[e(1, 1)]);
        }
        c.on_commit(1, 1, 1, []);
        c.on_ack(1, 1, 1);
        // C_old = {1,2,3} holds it once, C_new = {1,4,5} on a majority: every joint quorum
        // includes a copy.
        c.on_config_committed(2, &Membership::from_parts(vec![1, 4, 5], vec![1, 2, 3], vec![]));
        c.on_disk_loss(2);
        assert!(c.ok());
        // S5 is gone for good: it cannot vote, so its copy is not needed as long as every live
        // majority of {1,4,5} includes S1's.
        c.on_retire(5);
        c.on_disk_loss(4);
        assert!(c.ok());
        c.on_disk_loss(1);
        assert!(broken(&c, Property::CommittedNeverLost), "S1 and S4 could now elect a leader without it");
    }

    #[test]
    fn acknowledging_an_uncommitted_entry_is_caught() {
        let mut c = Checker::new(3);
        c.on_write(1, true, 0, &[e(1, 1)]);
        c.on_ack(1, 1, 1);
        assert!(broken(&c, Property::CommittedNeverLost));
    }
}

#[cfg(test)]
mod quorum_tests {
    use super::*;

    #[test]
    fn configurations_two_servers_apart_need_not_overlap() {
        let m = |v: &[NodeId]| Membership::new(v.to_vec());
        assert!(quorums_intersect(&m(&[1, 2, 3, 4]), &m(&[1, 2, 3, 4, 5])), "one server apart");
        assert!(quorums_intersect(&m(&[1, 2, 3, 4]), &m(&[1, 2, 3])), "one server apart");
        assert!(!quorums_intersect(&m(&[1, 2, 3, 4, 5]), &m(&[1, 2, 3])), "{{1,4,5}} and {{2,3}}");
        assert!(!quorums_intersect(&m(&[1, 2]), &m(&[3, 4])));
        let joint = Membership::from_parts(vec![1, 2, 3], vec![3, 4, 5], vec![]);
        assert!(quorums_intersect(&joint, &m(&[3, 4, 5])) && quorums_intersect(&joint, &m(&[1, 2, 3])));
        assert!(!quorums_intersect(&m(&[1, 2, 3]), &m(&[3, 4, 5])), "{{1,2}} and {{4,5}}");
    }
}
