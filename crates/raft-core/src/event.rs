//! Structured records of every decision a node makes and why. The page narrates them, the event
//! log lists them, and tests assert on them. They are plain data.

use crate::message::{AppendRefusal, VoteRefusal};
use crate::quorum::Membership;
use crate::types::{Index, NodeId, Term};
use alloc::format;
use alloc::string::String;

/// Why a node became a follower.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum FollowerReason {
    /// Started or restarted.
    Start,
    /// Saw a message with a higher term from this node.
    HigherTerm { from: NodeId },
    /// Heard from the leader of its own term while campaigning.
    LeaderExists { leader: NodeId },
    /// Lost the election (a majority refused).
    LostElection,
    /// A leader that did not hear from a quorum for an election timeout (check-quorum).
    LostQuorum,
    /// A leader whose removal from the configuration committed.
    Removed,
}

/// Why a node started an election.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum CampaignReason {
    ElectionTimeout,
    PreVoteWon,
    /// Told by the leader to start now (leadership transfer) or by the user.
    TimeoutNow,
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Event {
    /// The election timer fired with no word from a leader.
    ElectionTimeout {
        term: Term,
    },
    BecameFollower {
        term: Term,
        leader: Option<NodeId>,
        reason: FollowerReason,
    },
    BecamePreCandidate {
        term: Term,
    },
    BecameCandidate {
        term: Term,
        reason: CampaignReason,
    },
    BecameLeader {
        term: Term,
    },
    /// This node granted its (pre-)vote.
    VoteGranted {
        candidate: NodeId,
        term: Term,
        pre_vote: bool,
    },
    /// This node refused its (pre-)vote.
    VoteRefused {
        candidate: NodeId,
        term: Term,
        pre_vote: bool,
        reason: VoteRefusal,
    },
    /// A higher-term vote request ignored because a leader was heard from recently (or, with
    /// `leader` None, because this node restarted less than an election timeout ago).
    VoteIgnoredInLease {
        candidate: NodeId,
        term: Term,
        leader: Option<NodeId>,
    },
    /// This candidate received a (pre-)vote answer.
    VoteReceived {
        from: NodeId,
        term: Term,
        granted: bool,
        pre_vote: bool,
    },
    /// A message from an older term was dropped.
    StaleMessage {
        from: NodeId,
        term: Term,
        our_term: Term,
    },
    /// This follower accepted an AppendEntries; its log now matches up to `index`.
    AppendAccepted {
        leader: NodeId,
        index: Index,
        appended: usize,
        truncated_from: Option<Index>,
    },
    AppendRejected {
        leader: NodeId,
        prev_index: Index,
        prev_term: Term,
        reason: AppendRefusal,
    },
    /// This leader learned a follower rejected; it retries from `next_index`.
    FollowerRejected {
        follower: NodeId,
        next_index: Index,
    },
    CommitAdvanced {
        from: Index,
        to: Index,
    },
    /// A client command was appended to the leader's log.
    Proposed {
        index: Index,
        term: Term,
    },
    /// Check-quorum found no quorum; the leader steps down.
    QuorumLost {
        term: Term,
    },
    /// A leader asked `to` to time out now (leadership transfer).
    TransferStarted {
        to: NodeId,
        term: Term,
    },
    /// A leadership transfer that did not finish within an election timeout.
    TransferAborted {
        to: NodeId,
        term: Term,
    },
    /// The latest configuration in this node's log changed (an entry at `index`, or a snapshot).
    ConfigChanged {
        index: Index,
        membership: Membership,
    },
    /// The host compacted the log into a snapshot up to `index`.
    SnapshotTaken {
        index: Index,
        term: Term,
    },
    /// This leader sent its snapshot to a follower that needs discarded entries.
    SnapshotSent {
        to: NodeId,
        index: Index,
    },
    /// This follower replaced its log by the leader's snapshot.
    SnapshotInstalled {
        from: NodeId,
        index: Index,
        term: Term,
    },
    /// A read may be served once the state machine has applied `index`.
    ReadReady {
        ctx: u64,
        index: Index,
        how: ReadPath,
    },
    /// A read this node could not serve.
    ReadRefused {
        ctx: u64,
        reason: ReadRefusal,
    },
}

/// How a leader confirmed a read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ReadPath {
    /// A quorum answered a heartbeat round sent after the read arrived (ReadIndex).
    HeartbeatRound,
    /// The leader's lease had not expired.
    Lease,
    /// Confirmed by nobody: the `read-without-heartbeat` teaching fault.
    Unconfirmed,
    /// The leader answered a follower's forwarded request.
    Forwarded { leader: NodeId },
}

/// Why a read was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ReadRefusal {
    /// This node knows no leader to ask.
    NoLeader,
    /// Leadership is being transferred.
    TransferInProgress,
    /// Lease reads need check-quorum (without it a deposed leader does not know it).
    LeaseNeedsCheckQuorum,
    /// The leader was asked but refused (it had lost leadership).
    LeaderRefused,
}

impl Event {
    /// Plain words for narration, e.g. "refused to vote for S1 in term 4: S1's log is behind".
    pub fn describe(&self) -> String {
        use Event::*;
        let vote = |pre: bool| if pre { "pre-vote" } else { "vote" };
        match self {
            ElectionTimeout { term } => format!("election timeout fired in term {term}"),
            BecameFollower { term, leader, reason } => {
                let why = match reason {
                    FollowerReason::Start => String::from("started"),
                    FollowerReason::HigherTerm { from } => format!("saw a higher term from S{from}"),
                    FollowerReason::LeaderExists { leader } => format!("heard from leader S{leader}"),
                    FollowerReason::LostElection => String::from("lost the election"),
                    FollowerReason::LostQuorum => String::from("lost contact with a quorum"),
                    FollowerReason::Removed => String::from("removed from the configuration"),
                };
                match leader {
                    Some(l) => format!("became follower of S{l} in term {term}: {why}"),
                    None => format!("became follower in term {term}: {why}"),
                }
            }
            BecamePreCandidate { term } => format!("became pre-candidate, asking for pre-votes for term {}", term + 1),
            BecameCandidate { term, reason } => {
                let why = match reason {
                    CampaignReason::ElectionTimeout => "election timeout",
                    CampaignReason::PreVoteWon => "won the pre-vote",
                    CampaignReason::TimeoutNow => "told to time out now",
                };
                format!("became candidate in term {term}: {why}")
            }
            BecameLeader { term } => format!("became leader in term {term}"),
            VoteGranted { candidate, term, pre_vote } => {
                format!("granted {} to S{candidate} in term {term}", vote(*pre_vote))
            }
            VoteRefused { candidate, term, pre_vote, reason } => {
                let why = match reason {
                    VoteRefusal::StaleTerm => String::from("its term is stale"),
                    VoteRefusal::AlreadyVoted { for_node } => format!("already voted for S{for_node}"),
                    VoteRefusal::HasLeader { leader } => format!("already follows leader S{leader}"),
                    VoteRefusal::LogBehind { voter_last_term, voter_last_index } => {
                        format!("S{candidate}'s log is behind (ours ends at {voter_last_index}/{voter_last_term})")
                    }
                };
                format!("refused to {} for S{candidate} in term {term}: {why}", vote(*pre_vote))
            }
            VoteIgnoredInLease { candidate, term, leader: Some(leader) } => {
                format!("ignored S{candidate}'s request for term {term}: leader S{leader} was heard from recently")
            }
            VoteIgnoredInLease { candidate, term, leader: None } => {
                format!("ignored S{candidate}'s request for term {term}: restarted less than an election timeout ago")
            }
            VoteReceived { from, term, granted, pre_vote } => format!(
                "S{from} {} its {} in term {term}",
                if *granted { "granted" } else { "refused" },
                vote(*pre_vote)
            ),
            StaleMessage { from, term, our_term } => {
                format!("ignored a message from S{from} of stale term {term} (ours is {our_term})")
            }
            AppendAccepted { leader, index, appended, truncated_from } => {
                let cut = truncated_from.map_or(String::new(), |i| format!(", removed conflicting entries from {i}"));
                format!("accepted {appended} entries from S{leader}; log matches up to {index}{cut}")
            }
            AppendRejected { leader, prev_index, prev_term, reason } => {
                let why = match reason {
                    AppendRefusal::Missing { last_index } => format!("log ends at {last_index}"),
                    AppendRefusal::TermMismatch { found_term } => format!("entry {prev_index} has term {found_term}"),
                };
                format!("rejected AppendEntries from S{leader} at {prev_index}/{prev_term}: {why}")
            }
            FollowerRejected { follower, next_index } => {
                format!("S{follower} rejected; retrying from index {next_index}")
            }
            CommitAdvanced { from, to } => format!("commit index advanced from {from} to {to}"),
            Proposed { index, term } => format!("appended client command at {index} in term {term}"),
            QuorumLost { term } => format!("heard from no quorum in term {term}; stepping down"),
            TransferStarted { to, term } => format!("transferring leadership to S{to} in term {term}"),
            TransferAborted { to, term } => format!("transfer to S{to} in term {term} timed out"),
            ConfigChanged { index, membership } => {
                format!("configuration is now {} (entry {index})", describe_membership(membership))
            }
            SnapshotTaken { index, term } => format!("compacted the log into a snapshot up to {index}/{term}"),
            SnapshotSent { to, index } => {
                format!("sent snapshot up to {index} to S{to}: it needs entries already compacted")
            }
            SnapshotInstalled { from, index, term } => {
                format!("replaced its log by S{from}'s snapshot up to {index}/{term}")
            }
            ReadReady { ctx, index, how } => {
                let why = match how {
                    ReadPath::HeartbeatRound => String::from("a quorum confirmed the leadership"),
                    ReadPath::Lease => String::from("the leader's lease holds"),
                    ReadPath::Unconfirmed => String::from("leadership NOT confirmed"),
                    ReadPath::Forwarded { leader } => format!("leader S{leader} gave the read index"),
                };
                format!("read #{ctx} can be served once entry {index} is applied: {why}")
            }
            ReadRefused { ctx, reason } => {
                let why = match reason {
                    ReadRefusal::NoLeader => "no known leader",
                    ReadRefusal::TransferInProgress => "leadership is being transferred",
                    ReadRefusal::LeaseNeedsCheckQuorum => "lease reads need check-quorum",
                    ReadRefusal::LeaderRefused => "the leader refused it",
                };
                format!("read #{ctx} refused: {why}")
            }
        }
    }
}

/// A configuration in words: `{S1, S2, S3}`, `joint {S1, S2, S4} and {S1, S2, S3}`, plus learners.
pub fn describe_membership(m: &Membership) -> String {
    let set = |ids: &[NodeId]| {
        let names: alloc::vec::Vec<String> = ids.iter().map(|id| format!("S{id}")).collect();
        format!("{{{}}}", names.join(", "))
    };
    let mut out =
        if m.is_joint() { format!("joint {} and {}", set(&m.voters), set(&m.outgoing)) } else { set(&m.voters) };
    if !m.learners.is_empty() {
        out.push_str(&format!(" + learners {}", set(&m.learners)));
    }
    out
}
