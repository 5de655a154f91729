//! Plain data shared by every part of the core: ids, log entries, hard state, roles.

use alloc::vec::Vec;

/// A node's identity. The simulator numbers nodes from 1; 0 means "nobody".
pub type NodeId = u64;
/// A Raft term (§5.1). Terms start at 0 for a fresh node; the first election makes term 1.
pub type Term = u64;
/// A log index (§5.3). The first entry has index 1; index 0 is the empty prefix.
pub type Index = u64;

/// What a log entry carries.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum EntryData {
    /// The entry a new leader appends in its own term (§8: lets it commit earlier entries).
    Noop,
    /// An opaque command for the replicated state machine.
    Command(Vec<u8>),
}

/// One log entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Entry {
    pub term: Term,
    pub index: Index,
    pub data: EntryData,
}

impl Entry {
    pub fn noop(term: Term, index: Index) -> Self {
        Entry { term, index, data: EntryData::Noop }
    }

    pub fn command(term: Term, index: Index, bytes: Vec<u8>) -> Self {
        Entry { term, index, data: EntryData::Command(bytes) }
    }
}

/// The state Raft requires on stable storage before answering RPCs (Figure 2: currentTerm,
/// votedFor), plus the commit index, which etcd also persists so a restart can re-apply sooner.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct HardState {
    pub term: Term,
    pub vote: Option<NodeId>,
    pub commit: Index,
}

/// A node's role. PreCandidate exists only with pre-vote on (thesis §9.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Role {
    Follower,
    PreCandidate,
    Candidate,
    Leader,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Follower => "follower",
            Role::PreCandidate => "pre-candidate",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        }
    }
}

/// Everything a node keeps on disk: what a restart rebuilds from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DurableState {
    pub hard_state: HardState,
    /// The log, starting at index 1.
    pub entries: Vec<Entry>,
}

impl DurableState {
    /// Applies one persisted write: entries replace any stored suffix from their first index.
    pub fn write(&mut self, hard_state: Option<HardState>, entries: &[Entry]) {
        if let Some(first) = entries.first() {
            let keep = (first.index as usize).saturating_sub(1).min(self.entries.len());
            self.entries.truncate(keep);
            self.entries.extend_from_slice(entries);
        }
        if let Some(hs) = hard_state {
            self.hard_state = hs;
        }
    }

    pub fn last_index(&self) -> Index {
        self.entries.last().map_or(0, |e| e.index)
    }
}
