//! The Raft node: one struct, inputs as method calls, outputs drained through [`Ready`].
//!
//! Layout follows etcd's raft.go: `step` settles the term once, then handles vote requests
//! (every role answers them) and dispatches the rest to `step_leader`, `step_candidate`
//! (pre-candidates too) or `step_follower`.

use crate::config::Config;
use crate::event::{CampaignReason, Event, FollowerReason};
use crate::log::RaftLog;
use crate::message::{AppendRefusal, Body, Message, MessageKind, SharedEntries, VoteRefusal};
use crate::progress::{Progress, ProgressState};
use crate::quorum::{Membership, VoteResult};
use crate::read_only::PendingRead;
use crate::ready::{ReadState, Ready};
use crate::rng::Prng;
use crate::snapshot::ok_response;
use crate::types::{DurableState, Entry, EntryData, HardState, Index, NodeId, Role, Snapshot, Term};
use crate::vec_map::VecMap;
use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cell::Cell;

/// Why a proposal was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ProposeError {
    /// Only the leader appends; `leader` is who this node believes leads, if anyone.
    NotLeader { leader: Option<NodeId> },
    /// A leadership transfer is in progress; proposals wait for the new leader (thesis §3.10).
    TransferInProgress,
    /// A membership change is already in progress (one at a time, thesis §4.1).
    ChangePending,
    /// A new leader changes membership only after an entry of its own term has committed (the
    /// 2015 fix to single-server changes).
    OwnTermNotCommitted,
    /// The change makes no sense for the current configuration.
    InvalidChange(&'static str),
}

/// Why a leadership transfer was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferError {
    NotLeader,
    NotAVoter,
    AlreadyLeader,
}

impl core::fmt::Display for ProposeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ProposeError::NotLeader { leader: Some(l) } => write!(f, "it is not the leader (S{l} is)"),
            ProposeError::NotLeader { leader: None } => f.write_str("it is not the leader"),
            ProposeError::TransferInProgress => f.write_str("a leadership transfer is in progress"),
            ProposeError::ChangePending => f.write_str("another membership change is still in progress"),
            ProposeError::OwnTermNotCommitted => f.write_str("it has not yet committed an entry of its term"),
            ProposeError::InvalidChange(why) => f.write_str(why),
        }
    }
}

impl core::fmt::Display for TransferError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            TransferError::NotLeader => "it is not the leader",
            TransferError::NotAVoter => "only a voter can lead",
            TransferError::AlreadyLeader => "it already leads",
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Raft {
    pub(crate) config: Config,
    pub(crate) term: Term,
    pub(crate) vote: Option<NodeId>,
    pub(crate) role: Role,
    pub(crate) leader: Option<NodeId>,
    pub(crate) log: RaftLog,
    /// Ticks since the last reset of the election timer (followers and candidates), or since
    /// the last check-quorum round (leaders).
    pub(crate) election_elapsed: u32,
    pub(crate) heartbeat_elapsed: u32,
    /// Drawn from [election_ticks, 2 x election_ticks) at every timer reset (§5.2).
    pub(crate) randomized_timeout: u32,
    /// Answers received in the current (pre-)election.
    pub(crate) votes: VecMap<NodeId, bool>,
    /// The leader's view of each other voter.
    pub(crate) progress: VecMap<NodeId, Progress>,
    pub(crate) transfer_target: Option<NodeId>,
    pub(crate) rng: Prng,
    /// What the host last reported written.
    pub(crate) persisted_hard_state: HardState,
    pub(crate) reported_role: Role,
    pub(crate) msgs: Vec<Message>,
    pub(crate) msgs_after_persist: Vec<Message>,
    pub(crate) events: Vec<Event>,
    /// The configuration in effect: the latest in the log, else `base_membership`.
    pub(crate) membership: Membership,
    /// The index of the entry `membership` came from (at or below the snapshot: from the base).
    pub(crate) config_index: Index,
    /// The configuration the log starts from: the snapshot's, or the bootstrap voters.
    pub(crate) base_membership: Membership,
    /// The latest snapshot, kept to send to followers that need compacted entries.
    pub(crate) snapshot: Option<Snapshot>,
    /// A snapshot the host has not yet stored.
    pub(crate) unstable_snapshot: Option<Snapshot>,
    /// Ticks since this node started; a leader's leases are measured in them.
    pub(crate) ticks: u64,
    /// Numbers the leader's heartbeat rounds.
    pub(crate) heartbeat_round: u64,
    /// Reads waiting for a heartbeat round, oldest first.
    pub(crate) pending_reads: VecDeque<PendingRead>,
    /// Reads that arrived before this leader committed an entry of its term.
    pub(crate) reads_before_commit: Vec<PendingRead>,
    pub(crate) read_states: Vec<ReadState>,
    /// Restarted less than an election timeout ago: refuse to help elect anyone, since this node
    /// may have been inside a leader's lease before the crash.
    pub(crate) restart_guard: bool,
    #[cfg_attr(feature = "serde", serde(skip))]
    batch: SharedBatch,
    #[cfg_attr(feature = "serde", serde(skip))]
    events_off: EventsOff,
}

/// Set when the host discards [`Event`]s ([`Raft::record_events`]). A host's choice, not
/// state: it is equal to any other, and deserializes as off (events recorded).
#[derive(Clone, Copy, Debug, Default)]
struct EventsOff(bool);

impl PartialEq for EventsOff {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for EventsOff {}

/// The entries of the latest AppendEntries, which the next ones share when they carry a range
/// of them: after a proposal the leader sends the new entries to every follower, and each
/// message owning a copy cost an allocation and a clone per entry. While it leads, a node only
/// appends to its log (and compacts a prefix), never replaces an entry, so a batch stays valid
/// while it leads: `become_leader` and `become_follower` (the only way out of leading) empty it.
/// Not state: it is equal to any other, and clones and deserializes empty.
#[derive(Default)]
struct SharedBatch {
    last: Option<Arc<[Entry]>>,
}

impl SharedBatch {
    /// `entries` (consecutive, from the log) as a range of the latest batch if it holds them,
    /// else of a new batch.
    fn share(&mut self, entries: &[Entry]) -> SharedEntries {
        let (Some(first), Some(end)) = (entries.first(), entries.last()) else {
            return SharedEntries::default();
        };
        if let Some(last) = &self.last {
            let (lo, hi) = (last[0].index, last[last.len() - 1].index);
            if lo <= first.index && end.index <= hi {
                let start = (first.index - lo) as usize;
                return SharedEntries::range(last.clone(), start, start + entries.len());
            }
        }
        SharedEntries::range(self.last.insert(Arc::from(entries)).clone(), 0, entries.len())
    }
}

impl Clone for SharedBatch {
    fn clone(&self) -> Self {
        SharedBatch::default()
    }
}

impl PartialEq for SharedBatch {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for SharedBatch {}

impl core::fmt::Debug for SharedBatch {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SharedBatch")
    }
}

impl Raft {
    /// A node rebuilt from what is on its disk (empty for a brand-new node). Everything else
    /// (role, leader, timers, progress, applied index) is volatile and starts afresh.
    pub fn new(config: Config, durable: &DurableState) -> Result<Raft, &'static str> {
        config.validate()?;
        let mut hs = durable.hard_state;
        if config.faults.forget_on_restart {
            // Teaching fault: term and vote were only ever in memory.
            hs.term = 0;
            hs.vote = None;
        }
        let base_membership = match &durable.snapshot {
            Some(s) => s.membership.clone(),
            None => Membership::new(config.voters.clone()),
        };
        let restart_guard = config.check_quorum && hs.term > 0;
        let mut raft = Raft {
            membership: base_membership.clone(),
            config_index: 0,
            base_membership,
            snapshot: durable.snapshot.clone(),
            unstable_snapshot: None,
            ticks: 0,
            heartbeat_round: 0,
            pending_reads: VecDeque::new(),
            reads_before_commit: Vec::new(),
            read_states: Vec::new(),
            restart_guard,
            batch: SharedBatch::default(),
            events_off: EventsOff::default(),
            rng: Prng::new(config.seed),
            config,
            term: hs.term,
            vote: hs.vote,
            role: Role::Follower,
            leader: None,
            log: RaftLog::restore(durable.snapshot.as_ref(), durable.entries.clone(), hs.commit),
            election_elapsed: 0,
            heartbeat_elapsed: 0,
            randomized_timeout: 0,
            votes: VecMap::new(),
            progress: VecMap::new(),
            transfer_target: None,
            persisted_hard_state: durable.hard_state,
            reported_role: Role::Follower,
            msgs: Vec::new(),
            msgs_after_persist: Vec::new(),
            events: Vec::new(),
        };
        raft.refresh_membership();
        raft.become_follower(hs.term, None, FollowerReason::Start);
        Ok(raft)
    }

    // ---- Getters -------------------------------------------------------------------------

    pub fn id(&self) -> NodeId {
        self.config.id
    }
    pub fn config(&self) -> &Config {
        &self.config
    }
    pub fn membership(&self) -> &Membership {
        &self.membership
    }
    pub fn term(&self) -> Term {
        self.term
    }
    pub fn vote(&self) -> Option<NodeId> {
        self.vote
    }
    pub fn role(&self) -> Role {
        self.role
    }
    pub fn leader(&self) -> Option<NodeId> {
        self.leader
    }
    pub fn log(&self) -> &RaftLog {
        &self.log
    }
    /// Makes room in the log for `additional` more entries ([`RaftLog::reserve`]); only
    /// capacity changes.
    pub fn reserve_log(&mut self, additional: usize) {
        self.log.reserve(additional);
    }
    pub fn hard_state(&self) -> HardState {
        HardState { term: self.term, vote: self.vote, commit: self.log.committed }
    }
    pub fn election_elapsed(&self) -> u32 {
        self.election_elapsed
    }
    pub fn randomized_timeout(&self) -> u32 {
        self.randomized_timeout
    }
    pub fn progress(&self) -> &VecMap<NodeId, Progress> {
        &self.progress
    }
    pub fn votes(&self) -> &VecMap<NodeId, bool> {
        &self.votes
    }
    pub fn transfer_target(&self) -> Option<NodeId> {
        self.transfer_target
    }
    /// The index of the configuration entry in effect (0: the bootstrap configuration).
    pub fn config_index(&self) -> Index {
        self.config_index
    }
    pub fn snapshot(&self) -> Option<&Snapshot> {
        self.snapshot.as_ref()
    }
    /// Ticks since this node started.
    pub fn ticks(&self) -> u64 {
        self.ticks
    }

    /// Whether this node records its decisions as [`Event`]s in each [`Ready`] (on by default).
    /// A host that discards them (a simulator not recording a timeline) switches them off and
    /// saves building and dropping one per decision; nothing else changes.
    pub fn record_events(&mut self, on: bool) {
        self.events_off = EventsOff(!on);
    }

    /// Records a decision, unless the host switched events off.
    #[inline]
    pub(crate) fn event(&mut self, event: Event) {
        if !self.events_off.0 {
            self.events.push(event);
        }
    }

    // ---- Inputs --------------------------------------------------------------------------

    /// One unit of logical time.
    pub fn tick(&mut self) {
        self.ticks += 1;
        match self.role {
            Role::Leader => self.tick_heartbeat(),
            _ => self.tick_election(),
        }
    }

    /// Starts an election now, as if the election timer had fired (etcd's `Campaign`).
    pub fn campaign(&mut self) {
        if self.role != Role::Leader && self.membership.is_voter(self.id()) {
            self.start_election(CampaignReason::TimeoutNow);
        }
    }

    /// Appends a client command; only the leader accepts. The bytes are shared from here on
    /// (see [`EntryData::Command`]); a host may pass a borrowed buffer it reuses.
    pub fn propose(&mut self, command: impl Into<Arc<[u8]>>) -> Result<Index, ProposeError> {
        self.check_can_propose()?;
        let index = self.log.last_index() + 1;
        self.log.append(&[Entry { term: self.term, index, data: EntryData::Command(command.into()) }]);
        self.event(Event::Proposed { index, term: self.term });
        self.broadcast_append(false);
        Ok(index)
    }

    pub(crate) fn check_can_propose(&self) -> Result<(), ProposeError> {
        if self.role != Role::Leader {
            return Err(ProposeError::NotLeader { leader: self.leader });
        }
        if self.transfer_target.is_some() {
            return Err(ProposeError::TransferInProgress);
        }
        Ok(())
    }

    /// Thesis §3.10: bring `to` up to date, then tell it to time out now.
    pub fn transfer_leadership(&mut self, to: NodeId) -> Result<(), TransferError> {
        if self.role != Role::Leader {
            return Err(TransferError::NotLeader);
        }
        if to == self.id() {
            return Err(TransferError::AlreadyLeader);
        }
        if !self.membership.is_voter(to) {
            return Err(TransferError::NotAVoter);
        }
        self.transfer_target = Some(to);
        // The transfer must finish within an election timeout or it is aborted.
        self.election_elapsed = 0;
        self.event(Event::TransferStarted { to, term: self.term });
        if self.progress.get(&to).is_some_and(|p| p.match_index == self.log.last_index()) {
            self.send(to, self.term, Body::TimeoutNow);
        } else {
            self.send_append(to, true);
        }
        Ok(())
    }

    /// Handles a message from another node.
    pub fn step(&mut self, m: Message) {
        if m.to != self.id() {
            return;
        }
        if m.term > self.term {
            let is_vote_request = matches!(m.body, Body::RequestVote { .. } | Body::PreVote { .. });
            let transfer = matches!(m.body, Body::RequestVote { transfer: true, .. });
            // Thesis §6.2 / §9.6: a node that heard from a leader within the minimum election
            // timeout ignores requests to start a new term (leader stickiness).
            if is_vote_request && !transfer && self.config.check_quorum && self.in_lease() {
                self.event(Event::VoteIgnoredInLease { candidate: m.from, term: m.term, leader: self.leader });
                return;
            }
            match m.body {
                // A pre-vote never changes the voter's term.
                Body::PreVote { .. } => {}
                // A granted pre-vote carries the term we would campaign in, not a newer one.
                Body::PreVoteResponse { granted: true, .. } => {}
                Body::AppendEntries { .. } | Body::Heartbeat { .. } | Body::InstallSnapshot { .. } => {
                    self.become_follower(m.term, Some(m.from), FollowerReason::HigherTerm { from: m.from })
                }
                _ => self.become_follower(m.term, None, FollowerReason::HigherTerm { from: m.from }),
            }
        } else if m.term < self.term {
            self.step_stale(m);
            return;
        }

        match m.body {
            Body::RequestVote { last_log_index, last_log_term, .. } => {
                self.handle_vote_request(m.from, m.term, last_log_index, last_log_term, false)
            }
            Body::PreVote { last_log_index, last_log_term } => {
                self.handle_vote_request(m.from, m.term, last_log_index, last_log_term, true)
            }
            Body::ReadIndex { ctx, lease } => self.handle_read_request(m.from, ctx, lease),
            Body::ReadIndexResponse { ctx, index } => self.handle_read_response(m.from, ctx, index),
            _ => match self.role {
                Role::Leader => self.step_leader(m),
                Role::Candidate | Role::PreCandidate => self.step_candidate(m),
                Role::Follower => self.step_follower(m),
            },
        }
    }

    /// Drains everything the host must do; see [`Ready`] for the order.
    pub fn ready(&mut self) -> Ready {
        let mut rd = Ready::default();
        self.ready_into(&mut rd);
        rd
    }

    /// [`Raft::ready`] into a `Ready` the host keeps from one call to the next. Its vectors
    /// are emptied and refilled, the message and event buffers trading places with the node's,
    /// so a host that reuses one `Ready` stops allocating once the buffers have grown.
    pub fn ready_into(&mut self, rd: &mut Ready) {
        let hs = self.hard_state();
        rd.role = (self.role != self.reported_role).then_some(self.role);
        self.reported_role = self.role;
        // Snapshots are rare: skip rewriting the large field when there is none either side.
        if rd.snapshot.is_some() || self.unstable_snapshot.is_some() {
            rd.snapshot = self.unstable_snapshot.take();
        }
        rd.hard_state = (hs != self.persisted_hard_state).then_some(hs);
        take_into(&mut rd.read_states, &mut self.read_states);
        take_into(&mut rd.messages, &mut self.msgs);
        take_into(&mut rd.persisted_messages, &mut self.msgs_after_persist);
        take_into(&mut rd.events, &mut self.events);
        rd.entries.clear();
        // Most inputs write nothing, and extending by nothing is an out-of-line call.
        let unstable = self.log.unstable();
        if !unstable.is_empty() {
            rd.entries.extend_from_slice(unstable);
        }
        rd.committed_entries.clear();
        self.log.take_committed_into(&mut rd.committed_entries);
    }

    /// True if [`Raft::ready`] would return anything.
    pub fn has_ready(&self) -> bool {
        !self.msgs.is_empty()
            || !self.msgs_after_persist.is_empty()
            || !self.events.is_empty()
            || !self.read_states.is_empty()
            || self.unstable_snapshot.is_some()
            || self.role != self.reported_role
            || self.hard_state() != self.persisted_hard_state
            || self.log.stable < self.log.last_index()
            || self.log.committed > self.log.applied
    }

    /// The host wrote what `ready` asked for.
    pub fn advance(&mut self, ready: &Ready) {
        let stable_before = self.log.stable;
        if let Some(last) = ready.entries.last() {
            self.log.stable_to(last.index, last.term);
        }
        if let Some(hs) = ready.hard_state {
            self.persisted_hard_state = hs;
        }
        // The leader counts its own log only once it is on its own disk, so a write that moved
        // its own mark may commit. Nothing else here changes a quorum's marks (acknowledgements
        // try to commit where they arrive), so without such a write there is nothing to count.
        if self.role == Role::Leader && self.log.stable != stable_before && self.maybe_commit() {
            self.broadcast_append(true);
        }
    }

    // ---- Timers --------------------------------------------------------------------------

    fn tick_election(&mut self) {
        self.election_elapsed += 1;
        if self.election_elapsed >= self.config.election_ticks {
            self.restart_guard = false;
        }
        if self.election_elapsed >= self.randomized_timeout && self.membership.is_voter(self.id()) {
            self.election_elapsed = 0;
            self.event(Event::ElectionTimeout { term: self.term });
            self.start_election(CampaignReason::ElectionTimeout);
        }
    }

    fn tick_heartbeat(&mut self) {
        self.heartbeat_elapsed += 1;
        self.election_elapsed += 1;
        if self.election_elapsed >= self.config.election_ticks {
            self.election_elapsed = 0;
            if self.config.check_quorum {
                let me = self.id();
                let progress = &self.progress;
                let active =
                    self.membership.quorum_active(|id| id == me || progress.get(&id).is_some_and(|p| p.recent_active));
                if !active {
                    self.event(Event::QuorumLost { term: self.term });
                    self.become_follower(self.term, None, FollowerReason::LostQuorum);
                    return;
                }
                for p in self.progress.values_mut() {
                    p.recent_active = false;
                }
            }
            if let Some(to) = self.transfer_target.take() {
                self.event(Event::TransferAborted { to, term: self.term });
            }
        }
        if self.heartbeat_elapsed >= self.config.heartbeat_ticks {
            self.heartbeat_elapsed = 0;
            self.broadcast_heartbeat();
        }
    }

    fn in_lease(&self) -> bool {
        (self.leader.is_some() || self.restart_guard) && self.election_elapsed < self.config.election_ticks
    }

    fn reset_timers(&mut self) {
        self.election_elapsed = 0;
        self.heartbeat_elapsed = 0;
        let et = self.config.election_ticks as u64;
        self.randomized_timeout = self.rng.range(et, 2 * et) as u32;
    }

    // ---- Role changes --------------------------------------------------------------------

    fn become_follower(&mut self, term: Term, leader: Option<NodeId>, reason: FollowerReason) {
        if term != self.term {
            self.term = term;
            self.vote = None;
        }
        self.role = Role::Follower;
        self.leader = leader;
        self.votes.clear();
        self.progress.clear();
        self.batch.last = None;
        self.transfer_target = None;
        self.drop_pending_reads();
        self.reset_timers();
        self.event(Event::BecameFollower { term, leader, reason });
    }

    fn become_pre_candidate(&mut self) {
        // Becoming a pre-candidate changes neither the term nor the vote.
        self.role = Role::PreCandidate;
        self.leader = None;
        self.votes.clear();
        self.reset_timers();
        self.event(Event::BecamePreCandidate { term: self.term });
    }

    fn become_candidate(&mut self, reason: CampaignReason) {
        // §5.2: "a follower increments its current term and transitions to candidate state.
        // It then votes for itself".
        self.term += 1;
        self.vote = Some(self.id());
        self.role = Role::Candidate;
        self.leader = None;
        self.votes.clear();
        self.reset_timers();
        self.event(Event::BecameCandidate { term: self.term, reason });
    }

    fn become_leader(&mut self) {
        self.role = Role::Leader;
        self.leader = Some(self.id());
        self.votes.clear();
        self.reset_timers();
        self.batch.last = None;
        let next = self.log.last_index() + 1;
        let me = self.id();
        self.progress =
            self.membership.members().into_iter().filter(|&id| id != me).map(|id| (id, Progress::new(next))).collect();
        for p in self.progress.values_mut() {
            // Freshly elected: give every follower a full round before check-quorum judges it.
            p.recent_active = true;
        }
        self.event(Event::BecameLeader { term: self.term });
        // §8: "each leader commit a blank no-op entry into the log at the start of its term".
        self.log.append(&[Entry::noop(self.term, next)]);
        self.broadcast_append(true);
    }

    /// Starts a pre-vote when enabled, else a real election.
    fn start_election(&mut self, reason: CampaignReason) {
        self.campaign_with(self.config.pre_vote, reason, false);
    }

    fn campaign_with(&mut self, pre_vote: bool, reason: CampaignReason, transfer: bool) {
        let vote_term = if pre_vote {
            self.become_pre_candidate();
            self.term + 1
        } else {
            self.become_candidate(reason);
            self.term
        };
        let me = self.id();
        self.votes.insert(me, true);
        if self.tally() == VoteResult::Won {
            // A single-voter cluster wins at once.
            return self.on_election_won(pre_vote);
        }
        let (last_log_index, last_log_term) = (self.log.last_index(), self.log.last_term());
        for to in self.membership.all_voters() {
            if to == me {
                continue;
            }
            let body = if pre_vote {
                Body::PreVote { last_log_index, last_log_term }
            } else {
                Body::RequestVote { last_log_index, last_log_term, transfer }
            };
            self.send(to, vote_term, body);
        }
    }

    fn tally(&self) -> VoteResult {
        self.membership.vote_result(|id| self.votes.get(&id).copied())
    }

    fn on_election_won(&mut self, pre_vote: bool) {
        if pre_vote {
            self.campaign_with(false, CampaignReason::PreVoteWon, false);
        } else {
            self.become_leader();
        }
    }

    // ---- Messages ------------------------------------------------------------------------

    /// A message from an older term. Most are dropped; some get an answer carrying our term so
    /// a stale sender learns it is stale (etcd's handling, needed by pre-vote and check-quorum).
    fn step_stale(&mut self, m: Message) {
        match m.body {
            Body::AppendEntries { .. } | Body::Heartbeat { .. } | Body::InstallSnapshot { .. }
                if self.config.check_quorum || self.config.pre_vote =>
            {
                // Without this, a leader cut off long enough that the others moved on would never
                // learn it lost its term (their higher-term vote requests were pre-voted away).
                self.send(m.from, self.term, Body::HeartbeatResponse { round: 0, tick: 0 });
            }
            Body::RequestVote { .. } | Body::PreVote { .. } => {
                let pre_vote = matches!(m.body, Body::PreVote { .. });
                let reason = VoteRefusal::StaleTerm;
                self.event(Event::VoteRefused { candidate: m.from, term: m.term, pre_vote, reason });
                let body = if pre_vote {
                    Body::PreVoteResponse { granted: false, refusal: Some(reason) }
                } else {
                    Body::RequestVoteResponse { granted: false, refusal: Some(reason) }
                };
                self.send(m.from, self.term, body);
            }
            _ => self.event(Event::StaleMessage { from: m.from, term: m.term, our_term: self.term }),
        }
    }

    fn handle_vote_request(&mut self, from: NodeId, term: Term, last_index: Index, last_term: Term, pre_vote: bool) {
        let faults = self.config.faults;
        // §5.2: at most one vote per term, first come first served. A node that already follows
        // a leader in this term does not vote either (etcd).
        let can_vote = self.vote == Some(from)
            || (self.vote.is_none() && self.leader.is_none())
            || (pre_vote && term > self.term)
            || (faults.double_vote && !pre_vote);
        // §5.4.1: only for a candidate whose log is at least as up-to-date as ours.
        let log_ok = faults.vote_without_log_check || self.log.is_up_to_date(last_index, last_term);
        let refusal = if !can_vote {
            Some(match (self.vote, self.leader) {
                (Some(v), _) => VoteRefusal::AlreadyVoted { for_node: v },
                (None, Some(l)) => VoteRefusal::HasLeader { leader: l },
                (None, None) => VoteRefusal::StaleTerm,
            })
        } else if !log_ok {
            Some(VoteRefusal::LogBehind {
                voter_last_term: self.log.last_term(),
                voter_last_index: self.log.last_index(),
            })
        } else {
            None
        };
        let granted = refusal.is_none();
        match refusal {
            None => self.event(Event::VoteGranted { candidate: from, term, pre_vote }),
            Some(reason) => self.event(Event::VoteRefused { candidate: from, term, pre_vote, reason }),
        }
        if pre_vote {
            // A granted pre-vote answers in the proposed term; a refusal tells our own.
            let reply_term = if granted { term } else { self.term };
            self.send(from, reply_term, Body::PreVoteResponse { granted, refusal });
        } else {
            if granted {
                self.vote = Some(from);
                self.election_elapsed = 0;
            }
            self.send(from, self.term, Body::RequestVoteResponse { granted, refusal });
        }
    }

    fn step_leader(&mut self, m: Message) {
        let from = m.from;
        match m.body {
            Body::AppendEntriesResponse { success, index, hint_index, hint_term, .. } => {
                let Some(pr) = self.progress.get_mut(&from) else { return };
                pr.recent_active = true;
                if success {
                    let moved = pr.maybe_update(index);
                    let probe_answered = pr.state == ProgressState::Probe && pr.match_index == index;
                    if moved || probe_answered {
                        if pr.state == ProgressState::Probe
                            || (pr.state == ProgressState::Snapshot && pr.match_index >= pr.pending_snapshot)
                        {
                            pr.become_replicate();
                        }
                        // A mark at or below the commit index cannot lift the quorum's above it
                        // (every other change to the marks counted where it happened), so most
                        // acknowledgements, those after the quorum's, skip the count.
                        if pr.match_index > self.log.committed && self.maybe_commit() {
                            self.broadcast_append(true);
                        }
                    }
                    // Keep streaming while the follower is behind.
                    while self.send_append(from, false) {}
                    self.maybe_finish_transfer(from);
                } else {
                    // etcd's conflict hint: jump over the follower's whole conflicting term.
                    let hint =
                        if hint_term > 0 { self.log.find_conflict_by_term(hint_index, hint_term) } else { hint_index };
                    if pr.maybe_decrease_to(index, hint) {
                        let next_index = pr.next_index;
                        self.event(Event::FollowerRejected { follower: from, next_index });
                        self.send_append(from, true);
                    }
                }
            }
            Body::HeartbeatResponse { round, tick } => {
                let last = self.log.last_index();
                let current_round = self.heartbeat_round;
                let Some(pr) = self.progress.get_mut(&from) else { return };
                pr.recent_active = true;
                pr.probe_sent = false;
                pr.acked_round = pr.acked_round.max(round);
                pr.acked_tick = pr.acked_tick.max(tick);
                // Two rounds after a snapshot went out without an answer, it was probably lost.
                if pr.state == ProgressState::Snapshot && round >= pr.snapshot_round + 2 && round <= current_round {
                    pr.become_probe();
                }
                // If every message that filled the window was lost, free one slot so the next
                // AppendEntries goes out; a rejection then puts the follower back to probing.
                if pr.state == ProgressState::Replicate && pr.inflight.len() >= self.config.max_inflight {
                    pr.inflight.pop_front();
                }
                if pr.match_index < last {
                    self.send_append(from, true);
                }
                self.release_confirmed_reads();
            }
            _ => {}
        }
    }

    fn step_candidate(&mut self, m: Message) {
        match m.body {
            Body::AppendEntries { .. } | Body::Heartbeat { .. } | Body::InstallSnapshot { .. } => {
                // §5.2: a candidate that hears from a leader of its term returns to follower.
                self.become_follower(m.term, Some(m.from), FollowerReason::LeaderExists { leader: m.from });
                self.step_follower(m);
            }
            Body::RequestVoteResponse { granted, .. } | Body::PreVoteResponse { granted, .. } => {
                let pre_vote = matches!(m.body, Body::PreVoteResponse { .. });
                if pre_vote != (self.role == Role::PreCandidate) {
                    return;
                }
                self.votes.insert(m.from, granted);
                self.event(Event::VoteReceived { from: m.from, term: m.term, granted, pre_vote });
                match self.tally() {
                    VoteResult::Won => self.on_election_won(pre_vote),
                    VoteResult::Lost => self.become_follower(self.term, None, FollowerReason::LostElection),
                    VoteResult::Pending => {}
                }
            }
            _ => {}
        }
    }

    fn step_follower(&mut self, m: Message) {
        match m.body {
            Body::AppendEntries { prev_log_index, prev_log_term, entries, leader_commit } => {
                self.election_elapsed = 0;
                self.leader = Some(m.from);
                self.handle_append_entries(m.from, prev_log_index, prev_log_term, &entries, leader_commit);
            }
            Body::Heartbeat { commit, round, tick } => {
                self.election_elapsed = 0;
                self.leader = Some(m.from);
                // The leader sends min(our match, its commit), so this entry is ours.
                let before = self.log.committed;
                if commit <= self.log.last_index() && self.log.commit_to(commit) {
                    self.event(Event::CommitAdvanced { from: before, to: self.log.committed });
                }
                self.send(m.from, self.term, Body::HeartbeatResponse { round, tick });
            }
            Body::InstallSnapshot { snapshot } => {
                self.election_elapsed = 0;
                self.leader = Some(m.from);
                self.handle_snapshot(m.from, *snapshot);
            }
            // A transfer skips pre-vote and may disrupt the old leader (§3.10).
            Body::TimeoutNow if self.membership.is_voter(self.id()) => {
                self.campaign_with(false, CampaignReason::TimeoutNow, true);
            }
            _ => {}
        }
    }

    fn handle_append_entries(
        &mut self,
        leader: NodeId,
        prev: Index,
        prev_term: Term,
        entries: &[Entry],
        leader_commit: Index,
    ) {
        let committed = self.log.committed;
        if prev < committed && !self.config.faults.truncate_on_append {
            // Everything up to our commit index already matches the leader's log.
            self.send(leader, self.term, ok_response(committed));
            return;
        }
        if self.log.match_term(prev, prev_term) {
            let appended = entries.len();
            let last_new = prev + appended as Index;
            let old_last = self.log.last_index();
            let carries_config = entries.iter().any(|e| matches!(e.data, EntryData::Config(_)));
            let truncated_from = if self.config.faults.truncate_on_append {
                // Teaching fault: drop everything after prev, matching or not.
                self.log.truncate_to(prev);
                self.log.append(entries);
                (old_last > prev).then_some(prev + 1)
            } else {
                match self.log.find_conflict(entries) {
                    None => None,
                    Some(conflict) => {
                        // §5.3: "If an existing entry conflicts with a new one (same index but
                        // different terms), delete the existing entry and all that follow it".
                        self.log.truncate_and_append(&entries[(conflict - prev - 1) as usize..]);
                        (conflict <= old_last).then_some(conflict)
                    }
                }
            };
            self.event(Event::AppendAccepted { leader, index: last_new, appended, truncated_from });
            // A configuration takes effect once in the log and is undone if its entry goes.
            let config_removed = truncated_from.is_some_and(|i| i <= self.config_index);
            if config_removed || carries_config {
                self.refresh_membership();
            }
            let before = self.log.committed;
            // §5.3: "set commitIndex = min(leaderCommit, index of last new entry)".
            if self.log.commit_to(leader_commit.min(last_new)) {
                self.event(Event::CommitAdvanced { from: before, to: self.log.committed });
            }
            self.send(leader, self.term, ok_response(last_new));
        } else {
            let last = self.log.last_index();
            let reason = match self.log.term(prev) {
                None => AppendRefusal::Missing { last_index: last },
                Some(found_term) => AppendRefusal::TermMismatch { found_term },
            };
            let hint_index = self.log.find_conflict_by_term(prev.min(last), prev_term);
            let hint_term = self.log.term(hint_index).unwrap_or(0);
            self.event(Event::AppendRejected { leader, prev_index: prev, prev_term, reason });
            let body = Body::AppendEntriesResponse {
                success: false,
                index: prev,
                hint_index,
                hint_term,
                refusal: Some(reason),
            };
            self.send(leader, self.term, body);
        }
    }

    // ---- Replication ---------------------------------------------------------------------

    /// Sends the follower its next batch of entries; returns true if a message went out.
    /// An empty AppendEntries goes out only when `allow_empty` (to probe or spread the commit).
    fn send_append(&mut self, to: NodeId, allow_empty: bool) -> bool {
        let (max_inflight, max_entries) = (self.config.max_inflight, self.config.max_entries_per_msg);
        let Some(pr) = self.progress.get_mut(&to) else { return false };
        if pr.is_paused(max_inflight) {
            return false;
        }
        let prev = pr.next_index - 1;
        let Some(prev_term) = self.log.term(prev) else {
            // The entries this follower needs are compacted: send the snapshot instead.
            return self.send_snapshot(to);
        };
        let entries = self.log.entries_from(pr.next_index, max_entries);
        if entries.is_empty() && !allow_empty {
            return false;
        }
        let last = prev + entries.len() as Index;
        pr.sent(last, entries.len());
        let entries = self.batch.share(entries);
        let leader_commit = self.log.committed;
        self.send(
            to,
            self.term,
            Body::AppendEntries { prev_log_index: prev, prev_log_term: prev_term, entries, leader_commit },
        );
        true
    }

    pub(crate) fn broadcast_append(&mut self, allow_empty: bool) {
        self.for_each_peer(|raft, to| {
            raft.send_append(to, allow_empty);
        });
    }

    pub(crate) fn broadcast_heartbeat(&mut self) {
        self.heartbeat_round += 1;
        let (round, tick) = (self.heartbeat_round, self.ticks);
        let committed = self.log.committed;
        self.for_each_peer(|raft, to| {
            let commit = raft.progress.get(&to).map_or(0, |p| p.match_index.min(committed));
            raft.send(to, raft.term, Body::Heartbeat { commit, round, tick });
        });
    }

    /// Calls `f` for every peer in `progress`, in id order. The ids are copied out first (`f`
    /// needs the node), onto the stack for the usual cluster sizes: this runs on every proposal.
    fn for_each_peer(&mut self, mut f: impl FnMut(&mut Self, NodeId)) {
        let mut stack = [0 as NodeId; 8];
        let heap: Vec<NodeId>;
        let n = self.progress.len();
        let peers: &[NodeId] = if n <= stack.len() {
            for (slot, &id) in stack.iter_mut().zip(self.progress.keys()) {
                *slot = id;
            }
            &stack[..n]
        } else {
            heap = self.progress.keys().copied().collect();
            &heap
        };
        for &to in peers {
            f(self, to);
        }
    }

    /// §5.3/§5.4.2: advance the commit index to the highest index stored on a quorum, but by
    /// counting replicas only for an entry of the leader's current term.
    fn maybe_commit(&mut self) -> bool {
        let faults = self.config.faults;
        let me = self.id();
        let stable = self.log.stable;
        let peers = self.progress.as_slice();
        let quorum = faults.commit_on_first_ack.then_some(2);
        // Each half of the configuration asks for its voters in increasing order, the order of
        // `progress`: a scan that goes on from the last answer replaces a binary search per
        // voter (this runs on most acknowledgements). It starts over when the ids go down.
        let (cursor, last_id) = (Cell::new(0), Cell::new(0));
        let acked = |id: NodeId| {
            if id == me {
                return stable;
            }
            let mut i = if id < last_id.get() { 0 } else { cursor.get() };
            while i < peers.len() && peers[i].0 < id {
                i += 1;
            }
            cursor.set(i);
            last_id.set(id);
            match peers.get(i) {
                Some((peer, p)) if *peer == id => p.match_index,
                _ => 0,
            }
        };
        let index = self.membership.committed_index(acked, quorum);
        let own_term = self.log.term(index) == Some(self.term);
        if index > self.log.committed && (own_term || faults.commit_old_terms) {
            let from = self.log.committed;
            self.log.commit_to(index);
            self.event(Event::CommitAdvanced { from, to: self.log.committed });
            self.after_leader_commit();
            return true;
        }
        false
    }

    /// What a leader does once its commit index moved: serve reads that waited for an entry of
    /// its term, finish a joint change, or step down if it is no longer a voter.
    fn after_leader_commit(&mut self) {
        if self.committed_own_term() {
            self.start_waiting_reads();
        }
        if self.config_index <= self.log.committed {
            if !self.membership.is_voter(self.id()) {
                // Thesis §4.2.2: a removed leader steps down once C_new is committed.
                self.become_follower(self.term, None, FollowerReason::Removed);
            } else if self.membership.is_joint() {
                self.leave_joint();
            }
        }
    }

    /// True once this leader has committed an entry of its own term (§8: only then does it know
    /// the commit index of the cluster).
    pub(crate) fn committed_own_term(&self) -> bool {
        self.log.term(self.log.committed) == Some(self.term)
    }

    fn maybe_finish_transfer(&mut self, from: NodeId) {
        if self.transfer_target == Some(from)
            && self.progress.get(&from).is_some_and(|p| p.match_index == self.log.last_index())
        {
            self.send(from, self.term, Body::TimeoutNow);
        }
    }

    pub(crate) fn send(&mut self, to: NodeId, term: Term, body: Body) {
        let m = Message { from: self.id(), to, term, body };
        // Vote grants and append acknowledgements promise state that must be on disk first
        // (thesis §3.8); so does a candidate's request, which carries its new term and self-vote.
        match m.kind() {
            MessageKind::RequestVote | MessageKind::RequestVoteResponse | MessageKind::AppendEntriesResponse => {
                self.msgs_after_persist.push(m)
            }
            _ => self.msgs.push(m),
        }
    }
}

/// Moves `from`'s items into the emptied `into`, leaving `from` with `into`'s old buffer.
fn take_into<T>(into: &mut Vec<T>, from: &mut Vec<T>) {
    into.clear();
    core::mem::swap(into, from);
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn shared_batch_hands_out_ranges_of_one_allocation() {
        let log: Vec<Entry> = (1..=5).map(|i| Entry::noop(1, i)).collect();
        let mut batch = SharedBatch::default();
        assert!(batch.share(&[]).is_empty());
        let all = batch.share(&log[1..]);
        assert_eq!(&all[..], &log[1..]);
        // A suffix (a follower one entry ahead) and a middle part come from the same batch.
        for part in [&log[3..], &log[2..4]] {
            let shared = batch.share(part);
            assert_eq!(&shared[..], part);
            assert_eq!(shared.as_ptr(), all[part[0].index as usize - 2..].as_ptr());
        }
        // Entries before the batch need a new one.
        let older = batch.share(&log[..2]);
        assert_eq!(&older[..], &log[..2]);
        assert_eq!(older, SharedEntries::from(vec![Entry::noop(1, 1), Entry::noop(1, 2)]));
    }

    /// Drains `raft` and checks that every AppendEntries carries exactly the log's entries.
    fn drain_checked(raft: &mut Raft) -> Vec<Message> {
        let mut out = Vec::new();
        while raft.has_ready() {
            let rd = raft.ready();
            for m in rd.messages.iter().chain(&rd.persisted_messages) {
                if let Body::AppendEntries { entries, .. } = &m.body {
                    for e in entries.iter() {
                        assert_eq!(raft.log.entry(e.index), Some(e), "a shared batch is stale");
                    }
                }
                out.push(m.clone());
            }
            raft.advance(&rd);
        }
        out
    }

    fn elect(raft: &mut Raft) {
        raft.campaign();
        for m in drain_checked(raft) {
            if let Body::RequestVote { .. } = m.body {
                let body = Body::RequestVoteResponse { granted: true, refusal: None };
                raft.step(Message { from: m.to, to: m.from, term: m.term, body });
            }
        }
        assert_eq!(raft.role, Role::Leader);
    }

    #[test]
    fn events_switched_off_change_nothing_else() {
        let new = || Raft::new(Config::new(1, vec![1, 2, 3]), &DurableState::default()).unwrap();
        let (mut on, mut off) = (new(), new());
        off.record_events(false);
        let _ = off.ready();
        let _ = on.ready();
        for raft in [&mut on, &mut off] {
            raft.campaign();
            let body = Body::RequestVoteResponse { granted: true, refusal: None };
            raft.step(Message { from: 2, to: 1, term: 1, body });
            raft.propose(vec![b'a']).unwrap();
        }
        let (mut a, b) = (on.ready(), off.ready());
        assert!(!a.events.is_empty() && b.events.is_empty());
        a.events.clear();
        assert_eq!(a, b);
        assert_eq!(on, off, "the switch is not state");
    }

    #[test]
    fn a_leader_sends_its_log_after_stepping_down_and_being_elected_again() {
        let config = Config { max_entries_per_msg: 1, ..Config::new(1, vec![1, 2, 3]) };
        let mut raft = Raft::new(config, &DurableState::default()).unwrap();
        elect(&mut raft);
        raft.propose(vec![b'a']).unwrap();
        drain_checked(&mut raft);
        // A leader of a later term replaces entry 2, which the last batch holds.
        let term = raft.term + 1;
        let new = Entry::command(term, 2, vec![b'b']);
        let entries = vec![new.clone()].into();
        let body = Body::AppendEntries { prev_log_index: 1, prev_log_term: 1, entries, leader_commit: 0 };
        raft.step(Message { from: 2, to: 1, term, body });
        assert_eq!(raft.log.entry(2), Some(&new));
        drain_checked(&mut raft);
        elect(&mut raft);
        drain_checked(&mut raft);
        // Follower 3 has only entry 1: the leader backs up and sends entry 2 again.
        let body = Body::AppendEntriesResponse { success: false, index: 2, hint_index: 1, hint_term: 0, refusal: None };
        raft.step(Message { from: 3, to: 1, term: raft.term, body });
        let sent = drain_checked(&mut raft);
        assert!(sent
            .iter()
            .any(|m| matches!(&m.body, Body::AppendEntries { entries, .. } if entries[..] == [new.clone()])));
    }
}
