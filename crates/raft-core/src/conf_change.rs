//! Membership changes (thesis chapter 4): single-server changes, learners, and joint consensus.
//!
//! A configuration entry carries the whole new configuration. A node uses the latest one in its
//! log, committed or not, and falls back to an earlier one if that entry is truncated away
//! (thesis §4.1). One change is in progress at a time. A joint change (C_old,new) is left
//! automatically: once it commits, the leader appends C_new.

use crate::event::Event;
use crate::progress::Progress;
use crate::quorum::Membership;
use crate::raft::{ProposeError, Raft};
use crate::types::{Entry, EntryData, Index, NodeId, Role};
use alloc::boxed::Box;
use alloc::vec::Vec;

/// A requested change of the cluster's members.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ConfChange {
    /// Add a non-voting member that receives the log (to catch up before promotion).
    AddLearner(NodeId),
    /// Make a node a voter: promotes a learner, or adds a new node directly.
    AddVoter(NodeId),
    /// Remove a voter or a learner.
    Remove(NodeId),
    /// Joint consensus: move to these voters through C_old,new.
    Joint(Vec<NodeId>),
}

impl ConfChange {
    /// The configuration this change makes from `m`, or why it cannot.
    pub fn apply(&self, m: &Membership) -> Result<Membership, &'static str> {
        if m.is_joint() {
            return Err("a joint change is still in progress");
        }
        let (mut voters, mut learners) = (m.voters.clone(), m.learners.clone());
        match self {
            ConfChange::AddLearner(id) => {
                if m.is_member(*id) {
                    return Err("the node is already a member");
                }
                learners.push(*id);
            }
            ConfChange::AddVoter(id) => {
                if m.is_voter(*id) {
                    return Err("the node is already a voter");
                }
                learners.retain(|l| l != id);
                voters.push(*id);
            }
            ConfChange::Remove(id) => {
                if !m.is_member(*id) {
                    return Err("the node is not a member");
                }
                voters.retain(|v| v != id);
                learners.retain(|l| l != id);
                if voters.is_empty() {
                    return Err("a configuration needs at least one voter");
                }
            }
            ConfChange::Joint(new_voters) => {
                let next = Membership::new(new_voters.clone());
                if next.voters.is_empty() {
                    return Err("a configuration needs at least one voter");
                }
                if next.voters == m.voters {
                    return Err("the new voters are the current ones");
                }
                return Ok(Membership::from_parts(next.voters, m.voters.clone(), learners));
            }
        }
        Ok(Membership::from_parts(voters, Vec::new(), learners))
    }
}

impl Raft {
    /// Appends a membership change (leader only). Refused while another change is in progress,
    /// and until this leader has committed an entry of its own term.
    pub fn propose_conf_change(&mut self, change: ConfChange) -> Result<Index, ProposeError> {
        self.check_can_propose()?;
        if self.config_index > self.log.committed || self.membership.is_joint() {
            return Err(ProposeError::ChangePending);
        }
        // Without this rule two leaders of different terms can each append a change from the
        // same base, and the two results need not share a quorum (raft-dev, July 2015).
        if !self.committed_own_term() && !self.config.faults.change_before_own_commit {
            return Err(ProposeError::OwnTermNotCommitted);
        }
        let next = change.apply(&self.membership).map_err(ProposeError::InvalidChange)?;
        Ok(self.append_config(next))
    }

    /// C_old,new has committed: append C_new.
    pub(crate) fn leave_joint(&mut self) {
        let m = &self.membership;
        let next = Membership::from_parts(m.voters.clone(), Vec::new(), m.learners.clone());
        self.append_config(next);
    }

    fn append_config(&mut self, next: Membership) -> Index {
        let index = self.log.last_index() + 1;
        self.log.append(&[Entry { term: self.term, index, data: EntryData::Config(Box::new(next.clone())) }]);
        self.event(Event::Proposed { index, term: self.term });
        self.set_membership(next, index);
        self.broadcast_append(false);
        index
    }

    /// The configuration in effect at `index`: the latest at or before it.
    pub(crate) fn membership_at(&self, index: Index) -> (Membership, Index) {
        let first = self.log.first_index();
        for i in (first..=index.min(self.log.last_index())).rev() {
            if let Some(Entry { data: EntryData::Config(m), .. }) = self.log.entry(i) {
                return (Membership::clone(m), i);
            }
        }
        (self.base_membership.clone(), self.log.snapshot_point().0)
    }

    /// Re-reads the latest configuration from the log (after a truncation, an append that
    /// carried one, a snapshot, or a restart).
    pub(crate) fn refresh_membership(&mut self) {
        let (m, index) = self.membership_at(self.log.last_index());
        if m != self.membership || index != self.config_index {
            self.set_membership(m, index);
        }
    }

    fn set_membership(&mut self, m: Membership, index: Index) {
        self.event(Event::ConfigChanged { index, membership: m.clone() });
        self.membership = m;
        self.config_index = index;
        if self.role == Role::Leader {
            // Track exactly the members of the new configuration.
            let me = self.id();
            let members = self.membership.members();
            self.progress.retain(|id, _| members.contains(id));
            // Start probing at the last entry, so a new member's first AppendEntries carries it.
            let next = self.log.last_index().max(1);
            for id in members.into_iter().filter(|&id| id != me) {
                self.progress.get_or_insert_with(id, || {
                    let mut p = Progress::new(next);
                    p.recent_active = true;
                    p
                });
            }
        }
    }
}
