//! Per-node settings and the teaching faults.

use crate::types::NodeId;
use alloc::vec::Vec;

/// Settings of one node. Times are in ticks; the host decides how long a tick is.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Config {
    pub id: NodeId,
    /// The voting members at bootstrap, this node included. Empty for a node that joins an
    /// existing cluster: it learns the configuration from the leader's log or snapshot.
    pub voters: Vec<NodeId>,
    /// The randomized election timeout is drawn from [election_ticks, 2 x election_ticks).
    pub election_ticks: u32,
    /// A leader sends heartbeats every `heartbeat_ticks`; must be below `election_ticks`.
    pub heartbeat_ticks: u32,
    /// Thesis §9.6: ask "would you vote for me?" before disrupting the cluster with a new term.
    pub pre_vote: bool,
    /// Thesis §6.2: a leader steps down when it has not heard from a quorum for an election
    /// timeout, and followers that heard from a leader recently ignore vote requests.
    pub check_quorum: bool,
    /// At most this many AppendEntries in flight per follower in the replicate state.
    pub max_inflight: usize,
    /// At most this many entries per AppendEntries.
    pub max_entries_per_msg: usize,
    /// Lease reads assume no follower's clock runs more than this many percent faster than
    /// the leader's; the lease is shortened by that much (thesis §6.4.1).
    pub max_clock_drift_percent: u32,
    /// Seed of the node's own random number generator (election timeouts).
    pub seed: u64,
    pub faults: Faults,
}

impl Config {
    pub fn new(id: NodeId, voters: Vec<NodeId>) -> Self {
        Config {
            id,
            voters,
            election_ticks: 10,
            heartbeat_ticks: 1,
            pre_vote: false,
            check_quorum: false,
            max_inflight: 4,
            max_entries_per_msg: 16,
            max_clock_drift_percent: 10,
            seed: id,
            faults: Faults::default(),
        }
    }

    /// Checks the settings, as etcd's `Config.validate` does.
    pub fn validate(&self) -> Result<(), &'static str> {
        if self.id == 0 {
            return Err("node id 0 is reserved for 'nobody'");
        }
        if self.heartbeat_ticks == 0 {
            return Err("heartbeat_ticks must be at least 1");
        }
        if self.election_ticks <= self.heartbeat_ticks {
            return Err("election_ticks must be greater than heartbeat_ticks");
        }
        if self.max_inflight == 0 || self.max_entries_per_msg == 0 {
            return Err("max_inflight and max_entries_per_msg must be at least 1");
        }
        Ok(())
    }

    /// How long a leader may serve lease reads after a quorum acknowledged a heartbeat: less
    /// than the election timeout a follower waits before it votes for anyone else, shortened for
    /// the allowed clock drift and by one tick for tick phase.
    pub fn lease_ticks(&self) -> u64 {
        (self.election_ticks as u64 * 100 / (100 + self.max_clock_drift_percent as u64)).saturating_sub(1)
    }
}

/// Teaching faults: each switch breaks exactly one rule of Raft. All are off by default; every
/// one of them is caught by raft-sim's checkers (see the sim's tests).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct Faults {
    /// Commit entries of earlier terms by counting replicas (breaks §5.4.2, Figure 8).
    pub commit_old_terms: bool,
    /// Grant votes without the "candidate's log is at least as up-to-date" check (§5.4.1).
    pub vote_without_log_check: bool,
    /// Keep term and vote only in memory: a restart forgets them (§5.1, Figure 2 "persistent").
    pub forget_on_restart: bool,
    /// A follower truncates its log after prev_log_index on every AppendEntries, even when the
    /// entries already match, so a late, reordered message erases entries it acknowledged (§5.3).
    pub truncate_on_append: bool,
    /// A node votes for a second candidate in a term it already voted in (§5.2).
    pub double_vote: bool,
    /// A leader commits as soon as one follower acknowledges, not a majority (§5.3).
    pub commit_on_first_ack: bool,
    /// A new leader appends a membership change before an entry of its own term is committed:
    /// the single-server change bug found in 2015 (raft-dev; thesis errata).
    pub change_before_own_commit: bool,
    /// A leader answers ReadIndex at once, without confirming with a heartbeat round that it
    /// still leads, so a deposed leader serves stale reads (thesis §6.4).
    pub read_without_heartbeat: bool,
}

/// The name, flag and one-line description of each teaching fault, for menus and the CLI.
pub struct FaultInfo {
    pub name: &'static str,
    pub description: &'static str,
    pub set: fn(&mut Faults),
    pub get: fn(&Faults) -> bool,
}

impl Faults {
    pub const ALL: [FaultInfo; 8] = [
        FaultInfo {
            name: "commit-old-terms",
            description: "commit earlier-term entries by counting replicas (Figure 8)",
            set: |f| f.commit_old_terms = true,
            get: |f| f.commit_old_terms,
        },
        FaultInfo {
            name: "vote-without-log-check",
            description: "grant votes without checking the candidate's log is up to date",
            set: |f| f.vote_without_log_check = true,
            get: |f| f.vote_without_log_check,
        },
        FaultInfo {
            name: "forget-on-restart",
            description: "term and vote are not persisted: a restart forgets them",
            set: |f| f.forget_on_restart = true,
            get: |f| f.forget_on_restart,
        },
        FaultInfo {
            name: "truncate-on-append",
            description: "followers truncate after prev index on every AppendEntries",
            set: |f| f.truncate_on_append = true,
            get: |f| f.truncate_on_append,
        },
        FaultInfo {
            name: "double-vote",
            description: "a node votes for a second candidate in the same term",
            set: |f| f.double_vote = true,
            get: |f| f.double_vote,
        },
        FaultInfo {
            name: "commit-on-first-ack",
            description: "a leader commits as soon as one follower acknowledges",
            set: |f| f.commit_on_first_ack = true,
            get: |f| f.commit_on_first_ack,
        },
        FaultInfo {
            name: "change-before-own-commit",
            description: "a new leader changes membership before committing an entry of its term",
            set: |f| f.change_before_own_commit = true,
            get: |f| f.change_before_own_commit,
        },
        FaultInfo {
            name: "read-without-heartbeat",
            description: "a leader serves ReadIndex without confirming it still leads",
            set: |f| f.read_without_heartbeat = true,
            get: |f| f.read_without_heartbeat,
        },
    ];

    /// Turns on the fault with this name; false if there is none.
    pub fn enable(&mut self, name: &str) -> bool {
        match Faults::ALL.iter().find(|f| f.name == name) {
            Some(info) => {
                (info.set)(self);
                true
            }
            None => false,
        }
    }

    pub fn any(&self) -> bool {
        Faults::ALL.iter().any(|f| (f.get)(self))
    }
}
