//! The RPCs nodes exchange, named as in the paper (Figure 2, §9.6 pre-vote, §3.10 TimeoutNow).

use crate::types::{Entry, Index, NodeId, Snapshot, Term};
use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::ops::Deref;

/// One message between two nodes. `term` is the sender's term, except for a PreVote and a
/// granted PreVoteResponse, which carry the term the pre-candidate would campaign in.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Message {
    pub from: NodeId,
    pub to: NodeId,
    pub term: Term,
    pub body: Body,
}

/// Why a vote was refused; carried in the response so the candidate can narrate it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum VoteRefusal {
    /// The request's term is older than the voter's.
    StaleTerm,
    /// The voter already voted for someone else in this term.
    AlreadyVoted { for_node: NodeId },
    /// The voter follows a leader in this term (it has not voted, but a leader exists).
    HasLeader { leader: NodeId },
    /// The candidate's log is not at least as up-to-date as the voter's (§5.4.1).
    LogBehind { voter_last_term: Term, voter_last_index: Index },
}

/// Why an AppendEntries was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum AppendRefusal {
    /// The follower's log has no entry at prev_log_index.
    Missing { last_index: Index },
    /// The follower's entry at prev_log_index has a different term.
    TermMismatch { found_term: Term },
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Body {
    /// §5.2: a candidate asks for a vote.
    RequestVote {
        last_log_index: Index,
        last_log_term: Term,
        /// Sent by a leadership transfer: ignore leader stickiness (thesis §3.10).
        transfer: bool,
    },
    RequestVoteResponse {
        granted: bool,
        refusal: Option<VoteRefusal>,
    },
    /// §9.6: would you vote for me? Changes no state on either side.
    PreVote {
        last_log_index: Index,
        last_log_term: Term,
    },
    PreVoteResponse {
        granted: bool,
        refusal: Option<VoteRefusal>,
    },
    /// §5.3: replicate entries following (prev_log_index, prev_log_term).
    AppendEntries {
        prev_log_index: Index,
        prev_log_term: Term,
        entries: SharedEntries,
        leader_commit: Index,
    },
    /// On success, `index` is the last index the follower now matches. On failure, `index` is
    /// the rejected prev_log_index and `hint_index`/`hint_term` point the leader at the last
    /// entry that may match, skipping a whole conflicting term per round trip (etcd's hint).
    AppendEntriesResponse {
        success: bool,
        index: Index,
        hint_index: Index,
        hint_term: Term,
        refusal: Option<AppendRefusal>,
    },
    /// An empty AppendEntries that carries the commit index (etcd's MsgHeartbeat). `round`
    /// numbers the leader's heartbeat rounds (a read waits for a round sent after it arrived);
    /// `tick` is the leader's clock when it was sent (a lease runs from there).
    Heartbeat {
        commit: Index,
        round: u64,
        tick: u64,
    },
    /// Echoes the heartbeat's round and tick.
    HeartbeatResponse {
        round: u64,
        tick: u64,
    },
    /// §3.10: the leader tells a caught-up follower to start an election now.
    TimeoutNow,
    /// §5.3 of the thesis (log compaction): the leader sends its snapshot to a follower that
    /// needs entries it has discarded. Answered by an AppendEntriesResponse.
    InstallSnapshot {
        /// Boxed: inline, it would double the size of every message.
        snapshot: Box<Snapshot>,
    },
    /// Thesis §6.4: a follower asks the leader for a read index on behalf of a client.
    ReadIndex {
        ctx: u64,
        lease: bool,
    },
    /// The index a read may be served at once applied, or None if the leader cannot serve it.
    ReadIndexResponse {
        ctx: u64,
        index: Option<Index>,
    },
}

/// The entries of an AppendEntries: a range of a batch that a leader shares between messages
/// (after a proposal, every follower gets the same new entries), so a message costs no copy of
/// them. Reads as a slice of entries; compares, prints and serializes as one.
#[derive(Clone, Default)]
pub struct SharedEntries {
    /// None when empty, as most AppendEntries are (probes, commit updates): no allocation.
    batch: Option<Arc<[Entry]>>,
    /// u32, not usize: keeps every message at its size (a batch never holds billions).
    start: u32,
    end: u32,
}

impl SharedEntries {
    /// `batch[start..end]`.
    pub(crate) fn range(batch: Arc<[Entry]>, start: usize, end: usize) -> Self {
        assert!(start <= end && end <= batch.len() && end <= u32::MAX as usize);
        SharedEntries { batch: Some(batch), start: start as u32, end: end as u32 }
    }
}

impl From<Vec<Entry>> for SharedEntries {
    fn from(entries: Vec<Entry>) -> Self {
        let end = entries.len();
        SharedEntries::range(entries.into(), 0, end)
    }
}

impl Deref for SharedEntries {
    type Target = [Entry];
    fn deref(&self) -> &[Entry] {
        match &self.batch {
            Some(b) => &b[self.start as usize..self.end as usize],
            None => &[],
        }
    }
}

impl PartialEq for SharedEntries {
    fn eq(&self, o: &Self) -> bool {
        **self == **o
    }
}

impl Eq for SharedEntries {}

impl fmt::Debug for SharedEntries {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for SharedEntries {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for SharedEntries {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<Entry>::deserialize(d).map(SharedEntries::from)
    }
}

/// Short, stable kind names used by the trace, the page (`data-msg-kind`) and scenario files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageKind {
    RequestVote,
    RequestVoteResponse,
    PreVote,
    PreVoteResponse,
    AppendEntries,
    AppendEntriesResponse,
    Heartbeat,
    HeartbeatResponse,
    TimeoutNow,
    InstallSnapshot,
    ReadIndex,
    ReadIndexResponse,
}

impl MessageKind {
    pub fn name(self) -> &'static str {
        match self {
            MessageKind::RequestVote => "RequestVote",
            MessageKind::RequestVoteResponse => "RequestVoteResponse",
            MessageKind::PreVote => "PreVote",
            MessageKind::PreVoteResponse => "PreVoteResponse",
            MessageKind::AppendEntries => "AppendEntries",
            MessageKind::AppendEntriesResponse => "AppendEntriesResponse",
            MessageKind::Heartbeat => "Heartbeat",
            MessageKind::HeartbeatResponse => "HeartbeatResponse",
            MessageKind::TimeoutNow => "TimeoutNow",
            MessageKind::InstallSnapshot => "InstallSnapshot",
            MessageKind::ReadIndex => "ReadIndex",
            MessageKind::ReadIndexResponse => "ReadIndexResponse",
        }
    }

    pub const ALL: [MessageKind; 12] = [
        MessageKind::RequestVote,
        MessageKind::RequestVoteResponse,
        MessageKind::PreVote,
        MessageKind::PreVoteResponse,
        MessageKind::AppendEntries,
        MessageKind::AppendEntriesResponse,
        MessageKind::Heartbeat,
        MessageKind::HeartbeatResponse,
        MessageKind::TimeoutNow,
        MessageKind::InstallSnapshot,
        MessageKind::ReadIndex,
        MessageKind::ReadIndexResponse,
    ];

    pub fn parse(name: &str) -> Option<MessageKind> {
        MessageKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl Message {
    pub fn kind(&self) -> MessageKind {
        match self.body {
            Body::RequestVote { .. } => MessageKind::RequestVote,
            Body::RequestVoteResponse { .. } => MessageKind::RequestVoteResponse,
            Body::PreVote { .. } => MessageKind::PreVote,
            Body::PreVoteResponse { .. } => MessageKind::PreVoteResponse,
            Body::AppendEntries { .. } => MessageKind::AppendEntries,
            Body::AppendEntriesResponse { .. } => MessageKind::AppendEntriesResponse,
            Body::Heartbeat { .. } => MessageKind::Heartbeat,
            Body::HeartbeatResponse { .. } => MessageKind::HeartbeatResponse,
            Body::TimeoutNow => MessageKind::TimeoutNow,
            Body::InstallSnapshot { .. } => MessageKind::InstallSnapshot,
            Body::ReadIndex { .. } => MessageKind::ReadIndex,
            Body::ReadIndexResponse { .. } => MessageKind::ReadIndexResponse,
        }
    }

    /// One line for logs, inspectors and traces, e.g. `S1->S2 AppendEntries t3 prev=4/2 +2 commit=4`.
    pub fn summary(&self) -> String {
        let head = format!("S{}->S{} {} t{}", self.from, self.to, self.kind().name(), self.term);
        match &self.body {
            Body::RequestVote { last_log_index, last_log_term, transfer } => {
                format!("{head} last={last_log_index}/{last_log_term}{}", if *transfer { " transfer" } else { "" })
            }
            Body::PreVote { last_log_index, last_log_term } => {
                format!("{head} last={last_log_index}/{last_log_term}")
            }
            Body::RequestVoteResponse { granted, .. } | Body::PreVoteResponse { granted, .. } => {
                format!("{head} {}", if *granted { "granted" } else { "refused" })
            }
            Body::AppendEntries { prev_log_index, prev_log_term, entries, leader_commit } => {
                format!("{head} prev={prev_log_index}/{prev_log_term} +{} commit={leader_commit}", entries.len())
            }
            Body::AppendEntriesResponse { success: true, index, .. } => format!("{head} ok match={index}"),
            Body::AppendEntriesResponse { success: false, index, hint_index, hint_term, .. } => {
                format!("{head} reject prev={index} hint={hint_index}/{hint_term}")
            }
            Body::Heartbeat { commit, round, .. } => format!("{head} commit={commit} round={round}"),
            Body::HeartbeatResponse { round, .. } => format!("{head} round={round}"),
            Body::TimeoutNow => head,
            Body::InstallSnapshot { snapshot } => {
                format!("{head} snapshot={}/{} ({} bytes)", snapshot.index, snapshot.term, snapshot.data.len())
            }
            Body::ReadIndex { ctx, lease } => format!("{head} read #{ctx}{}", if *lease { " lease" } else { "" }),
            Body::ReadIndexResponse { ctx, index: Some(i) } => format!("{head} read #{ctx} at {i}"),
            Body::ReadIndexResponse { ctx, index: None } => format!("{head} read #{ctx} refused"),
        }
    }
}
