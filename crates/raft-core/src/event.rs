//! Structured records of every decision a node makes and why. The page narrates them, the event
//! log lists them, and tests assert on them. They are plain data.

use crate::message::{AppendRefusal, VoteRefusal};
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
    /// A higher-term vote request ignored because a leader was heard from recently.
    VoteIgnoredInLease {
        candidate: NodeId,
        term: Term,
        leader: NodeId,
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
            VoteIgnoredInLease { candidate, term, leader } => {
                format!("ignored S{candidate}'s request for term {term}: leader S{leader} was heard from recently")
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
        }
    }
}
