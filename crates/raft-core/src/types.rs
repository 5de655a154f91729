//! Plain data shared by every part of the core: ids, log entries, hard state, roles.

use crate::quorum::Membership;
use alloc::boxed::Box;
use alloc::sync::Arc;
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
    /// An opaque command for the replicated state machine. Shared, not copied: the same bytes
    /// go into every AppendEntries, every log, every disk and every Ready.
    Command(Arc<[u8]>),
    /// A membership change: the whole configuration that takes effect as soon as the entry is
    /// in a node's log, committed or not (thesis §4.1), and is undone if the entry is removed.
    /// Boxed: inline, it would triple the size of every entry for a rare kind.
    Config(Box<Membership>),
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
        Entry { term, index, data: EntryData::Command(bytes.into()) }
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

/// The state machine as of `index` (thesis §5.1): it replaces every entry up to `index`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Snapshot {
    /// The last included index and its term.
    pub index: Index,
    pub term: Term,
    /// The configuration in effect at `index`.
    pub membership: Membership,
    /// The host's serialized state machine.
    pub data: Vec<u8>,
}

/// Everything a node keeps on disk: what a restart rebuilds from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DurableState {
    pub hard_state: HardState,
    /// The latest snapshot written, if any; `entries` follow it.
    #[cfg_attr(feature = "serde", serde(default))]
    pub snapshot: Option<Snapshot>,
    /// The log after the snapshot (from index 1 without one).
    pub entries: Vec<Entry>,
}

impl DurableState {
    /// Applies one persisted write: entries replace any stored suffix from their first index.
    pub fn write(&mut self, hard_state: Option<HardState>, entries: &[Entry]) {
        // Entries a snapshot already covers are not written again.
        let first_index = self.first_index();
        let entries = &entries[entries.iter().take_while(|e| e.index < first_index).count()..];
        if let Some(first) = entries.first() {
            let keep = (first.index - first_index) as usize;
            self.entries.truncate(keep.min(self.entries.len()));
            self.entries.extend_from_slice(entries);
        }
        if let Some(hs) = hard_state {
            self.hard_state = hs;
        }
    }

    /// Stores a snapshot: entries it covers go; so does the whole log if it disagrees with the
    /// snapshot's last entry (the snapshot came from a leader whose log differs).
    pub fn write_snapshot(&mut self, snapshot: &Snapshot) {
        let first = self.first_index();
        let keep_suffix = snapshot.index >= first
            && self.entries.get((snapshot.index - first) as usize).is_some_and(|e| e.term == snapshot.term);
        if keep_suffix {
            self.entries.drain(..=(snapshot.index - first) as usize);
        } else {
            self.entries.clear();
        }
        self.hard_state.commit = self.hard_state.commit.max(snapshot.index);
        self.snapshot = Some(snapshot.clone());
    }

    /// The index of the first entry after the snapshot.
    pub fn first_index(&self) -> Index {
        self.snapshot.as_ref().map_or(0, |s| s.index) + 1
    }

    pub fn last_index(&self) -> Index {
        self.entries.last().map_or(self.first_index() - 1, |e| e.index)
    }
}
