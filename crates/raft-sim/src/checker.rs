//! Raft's safety properties (Figure 3 of the paper), checked after every event.
//!
//! Checks are incremental so they can run on every event: each node's durable log is tracked as
//! a chain of prefix hashes (entry i's hash covers entries 1..=i), so "these two logs agree up
//! to i" is one comparison. The world reports what happened (a disk write, a role change, a
//! commit, an apply, a client acknowledgement); the checker never reads node internals.

use raft_core::{Entry, EntryData, Index, NodeId, Term};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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
}

impl Property {
    pub const ALL: [Property; 6] = [
        Property::ElectionSafety,
        Property::LeaderAppendOnly,
        Property::LogMatching,
        Property::LeaderCompleteness,
        Property::StateMachineSafety,
        Property::CommittedNeverLost,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Property::ElectionSafety => "election-safety",
            Property::LeaderAppendOnly => "leader-append-only",
            Property::LogMatching => "log-matching",
            Property::LeaderCompleteness => "leader-completeness",
            Property::StateMachineSafety => "state-machine-safety",
            Property::CommittedNeverLost => "committed-never-lost",
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
        let nodes: Vec<String> = self.nodes.iter().map(|n| format!("S{n}")).collect();
        write!(
            f,
            "{} violated at event {} ({} ms), nodes {}",
            self.property,
            self.event,
            self.time_ms,
            nodes.join(",")
        )?;
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
    voters: usize,
    event: u64,
    time_ms: u64,
    /// Term -> the node that led it.
    leaders: BTreeMap<Term, NodeId>,
    /// Each node's durable log.
    logs: BTreeMap<NodeId, Vec<Link>>,
    /// (index, term) -> the prefix hash and the first node seen with it.
    #[serde(with = "crate::serde_pairs")]
    seen: BTreeMap<(Index, Term), (u64, NodeId)>,
    /// The committed log as first committed by any node; `committed_by[i]` names that node
    /// and the term it was in (the term the entry was committed in).
    committed: Vec<Link>,
    committed_by: Vec<(NodeId, Term)>,
    /// Entry hash applied at each index, and by whom first.
    applied: Vec<(u64, NodeId)>,
    /// The highest index acknowledged to a client.
    acked_max: Index,
    /// First violation of each property, in order found, and how many were found in all.
    pub violations: Vec<Violation>,
    pub violation_count: u64,
}

impl Checker {
    pub fn new(voters: usize) -> Self {
        Checker { voters, ..Default::default() }
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
        if index == 0 {
            return Some(Link { term: 0, chain: 0 });
        }
        self.logs.get(&node).and_then(|l| l.get(index as usize - 1)).copied()
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
        let old_len = self.logs.get(&node).map_or(0, |l| l.len() as Index);
        if first > old_len + 1 {
            self.report(Property::LogMatching, vec![node], Some(first), format!("wrote entry {first} after a gap"));
            return;
        }
        if was_leader && first <= old_len {
            let detail = format!("leader overwrote its entries from index {first}");
            self.report(Property::LeaderAppendOnly, vec![node], Some(first), detail);
        }
        let kept_commit = self.link(node, commit_before);
        let log = self.logs.entry(node).or_default();
        log.truncate(first as usize - 1);
        let mut prev = log.last().map_or(0, |l| l.chain);
        let mut new_links = Vec::with_capacity(entries.len());
        for e in entries {
            prev = chain(prev, e);
            log.push(Link { term: e.term, chain: prev });
            new_links.push((e.index, e.term, prev));
        }
        for (index, term, chain) in new_links {
            match self.seen.get(&(index, term)) {
                Some(&(c, other)) if c != chain => {
                    let detail = format!("entry {index} of term {term} ends different logs on S{node} and S{other}");
                    self.report(Property::LogMatching, vec![node, other], Some(index), detail);
                }
                Some(_) => {}
                None => {
                    self.seen.insert((index, term), (chain, node));
                }
            }
        }
        if first <= commit_before && self.link(node, commit_before) != kept_commit {
            let detail = format!("S{node} removed entries up to its commit index {commit_before} from {first}");
            self.report(Property::CommittedNeverLost, vec![node], Some(first), detail);
        }
        if first <= self.acked_max {
            self.check_acked_on_majority(node);
        }
    }

    /// A node lost its disk.
    pub fn on_disk_loss(&mut self, node: NodeId) {
        self.logs.remove(&node);
        self.check_acked_on_majority(node);
    }

    fn check_acked_on_majority(&mut self, node: NodeId) {
        let a = self.acked_max;
        let Some(want) = self.committed_link(a) else { return };
        let holders = self.logs.keys().filter(|&&n| self.link(n, a) == Some(want)).count();
        if a > 0 && holders < self.voters / 2 + 1 {
            let detail = format!("acknowledged entry {a} is now on only {holders} of {} disks", self.voters);
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
    pub fn on_commit(&mut self, node: NodeId, term: Term, commit: Index, leaders: &[(NodeId, Term)]) {
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
        for &(leader, leader_term) in leaders {
            if leader_term > term && self.link(leader, c) != self.committed_link(c) {
                let detail = format!("S{leader} leads term {leader_term} without entry {c} committed by S{node}");
                self.report(Property::LeaderCompleteness, vec![leader, node], Some(c), detail);
            }
        }
    }

    /// A node applied `entry` to its state machine.
    pub fn on_apply(&mut self, node: NodeId, entry: &Entry) {
        let h = entry_hash(entry);
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

    /// A client was told its command committed at (`index`, `term`).
    pub fn on_ack(&mut self, node: NodeId, index: Index, term: Term) {
        if self.committed_link(index).map(|l| l.term) != Some(term) {
            let detail = format!("S{node} acknowledged entry {index} of term {term}, which is not the committed one");
            self.report(Property::CommittedNeverLost, vec![node], Some(index), detail);
        }
        self.acked_max = self.acked_max.max(index);
    }
}

fn fnv(bytes: &[u8], mut h: u64) -> u64 {
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

fn entry_hash(e: &Entry) -> u64 {
    let h = fnv(&e.term.to_le_bytes(), 0xCBF2_9CE4_8422_2325);
    match &e.data {
        EntryData::Noop => fnv(b"noop", h),
        EntryData::Command(c) => fnv(c, fnv(b"cmd", h)),
        EntryData::Config(m) => {
            let ids = m.voters.iter().chain([&0]).chain(&m.outgoing).chain([&0]).chain(&m.learners);
            ids.fold(fnv(b"config", h), |h, id| fnv(&id.to_le_bytes(), h))
        }
    }
}

fn chain(prev: u64, e: &Entry) -> u64 {
    let mut z = prev ^ entry_hash(e).rotate_left(17);
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
        c.on_commit(1, 2, 1, &[(1, 2)]);
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
        c.on_commit(1, 1, 1, &[]);
        c.on_commit(2, 2, 1, &[]);
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
        c.on_commit(1, 1, 1, &[]);
        c.on_ack(1, 1, 1);
        assert!(c.ok());
        c.on_disk_loss(2);
        assert!(broken(&c, Property::CommittedNeverLost));
    }

    #[test]
    fn acknowledging_an_uncommitted_entry_is_caught() {
        let mut c = Checker::new(3);
        c.on_write(1, true, 0, &[e(1, 1)]);
        c.on_ack(1, 1, 1);
        assert!(broken(&c, Property::CommittedNeverLost));
    }
}
