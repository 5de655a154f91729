//! Quorums over a configuration. A configuration is C_new alone or the joint C_old,new (§6);
//! a joint decision needs a majority of each half. With a static membership the outgoing half is
//! empty and counts as "agrees to anything", so one code path serves both.

use crate::types::{Index, NodeId};
use alloc::vec::Vec;

/// Outcome of counting votes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoteResult {
    Pending,
    Won,
    Lost,
}

/// The members of a cluster: voters of the current (incoming) configuration, during a joint
/// change the voters of the outgoing one, and learners, who receive the log but do not vote.
/// Every list is sorted and without duplicates; a learner is never a voter of either half.
#[derive(Clone, Debug, PartialEq, Eq, Default, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Membership {
    pub voters: Vec<NodeId>,
    pub outgoing: Vec<NodeId>,
    #[cfg_attr(feature = "serde", serde(default))]
    pub learners: Vec<NodeId>,
}

impl Membership {
    pub fn new(voters: Vec<NodeId>) -> Self {
        Membership { voters: sorted(voters), outgoing: Vec::new(), learners: Vec::new() }
    }

    /// A configuration from its three lists, put in canonical form.
    pub fn from_parts(voters: Vec<NodeId>, outgoing: Vec<NodeId>, learners: Vec<NodeId>) -> Self {
        let (voters, outgoing) = (sorted(voters), sorted(outgoing));
        let learners = sorted(learners).into_iter().filter(|l| !voters.contains(l) && !outgoing.contains(l)).collect();
        Membership { voters, outgoing, learners }
    }

    pub fn is_voter(&self, id: NodeId) -> bool {
        self.voters.contains(&id) || self.outgoing.contains(&id)
    }

    pub fn is_learner(&self, id: NodeId) -> bool {
        self.learners.contains(&id)
    }

    pub fn is_member(&self, id: NodeId) -> bool {
        self.is_voter(id) || self.is_learner(id)
    }

    /// In C_old,new: decisions need a majority of both halves (§6).
    pub fn is_joint(&self) -> bool {
        !self.outgoing.is_empty()
    }

    /// Every voter and learner, sorted.
    pub fn members(&self) -> Vec<NodeId> {
        sorted(self.all_voters().into_iter().chain(self.learners.iter().copied()).collect())
    }

    /// Every voter of either half, sorted, without duplicates.
    pub fn all_voters(&self) -> Vec<NodeId> {
        sorted(self.voters.iter().chain(&self.outgoing).copied().collect())
    }

    /// The highest index acknowledged by a quorum, given each voter's acknowledged index.
    /// `quorum` overrides the majority size (used only by the `commit_on_first_ack` fault).
    pub fn committed_index(&self, acked: impl Fn(NodeId) -> Index, quorum: Option<usize>) -> Index {
        let a = majority_committed(&self.voters, &acked, quorum);
        let b = majority_committed(&self.outgoing, &acked, quorum);
        a.min(b)
    }

    /// The election outcome, given who voted how (`None` = not yet answered).
    pub fn vote_result(&self, vote: impl Fn(NodeId) -> Option<bool>) -> VoteResult {
        let a = majority_vote(&self.voters, &vote);
        let b = majority_vote(&self.outgoing, &vote);
        match (a, b) {
            (VoteResult::Won, VoteResult::Won) => VoteResult::Won,
            (VoteResult::Lost, _) | (_, VoteResult::Lost) => VoteResult::Lost,
            _ => VoteResult::Pending,
        }
    }

    /// True if the nodes for which `active` holds form a quorum.
    pub fn quorum_active(&self, active: impl Fn(NodeId) -> bool) -> bool {
        self.vote_result(|id| Some(active(id))) == VoteResult::Won
    }
}

/// Node ids in increasing order, without duplicates. An insertion sort: sets of node ids are
/// small, and the library's sort is ~3 KB of the page's wasm.
pub fn sorted(mut ids: Vec<NodeId>) -> Vec<NodeId> {
    for i in 1..ids.len() {
        let mut j = i;
        while j > 0 && ids[j - 1] > ids[j] {
            ids.swap(j - 1, j);
            j -= 1;
        }
    }
    ids.dedup();
    ids
}

fn majority_committed(voters: &[NodeId], acked: &impl Fn(NodeId) -> Index, quorum: Option<usize>) -> Index {
    if voters.is_empty() {
        return Index::MAX;
    }
    let q = quorum.unwrap_or(voters.len() / 2 + 1).clamp(1, voters.len());
    // Called on every acknowledgement: sort on the stack for the usual cluster sizes.
    let mut stack = [0 as Index; 8];
    let mut heap;
    let indexes: &mut [Index] = if voters.len() <= stack.len() {
        &mut stack[..voters.len()]
    } else {
        heap = alloc::vec![0; voters.len()];
        &mut heap
    };
    // Insertion sort, largest first: for a handful of voters it is a few compares, where
    // `sort_unstable` cost more than the lookups.
    for (n, &id) in voters.iter().enumerate() {
        let v = acked(id);
        let mut i = n;
        while i > 0 && indexes[i - 1] < v {
            indexes[i] = indexes[i - 1];
            i -= 1;
        }
        indexes[i] = v;
    }
    indexes[q - 1]
}

fn majority_vote(voters: &[NodeId], vote: &impl Fn(NodeId) -> Option<bool>) -> VoteResult {
    if voters.is_empty() {
        return VoteResult::Won;
    }
    let q = voters.len() / 2 + 1;
    let (mut yes, mut missing) = (0, 0);
    for &id in voters {
        match vote(id) {
            Some(true) => yes += 1,
            Some(false) => {}
            None => missing += 1,
        }
    }
    if yes >= q {
        VoteResult::Won
    } else if yes + missing >= q {
        VoteResult::Pending
    } else {
        VoteResult::Lost
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// A deliberately naive committed index: the largest i that at least a majority reached.
    fn naive_committed(voters: &[NodeId], acked: &[Index]) -> Index {
        if voters.is_empty() {
            return Index::MAX;
        }
        (0..=20).rev().find(|&i| acked.iter().filter(|&&a| a >= i).count() > voters.len() / 2).unwrap_or(0)
    }

    #[test]
    fn committed_index_matches_naive_majority() {
        let mut rng = crate::rng::Prng::new(1);
        for _ in 0..2000 {
            let n = rng.range(1, 8) as usize;
            let voters: Vec<NodeId> = (1..=n as u64).collect();
            let acked: Vec<Index> = (0..n).map(|_| rng.range(0, 21)).collect();
            let m = Membership::new(voters.clone());
            let got = m.committed_index(|id| acked[id as usize - 1], None);
            assert_eq!(got, naive_committed(&voters, &acked), "acked {acked:?}");
        }
    }

    #[test]
    fn joint_quorum_needs_both_halves() {
        let m = Membership::from_parts(vec![1, 2, 3], vec![3, 4, 5], vec![]);
        // 1 and 2 are a majority of C_new but not of C_old.
        assert_eq!(m.vote_result(|id| Some(id <= 2)), VoteResult::Lost);
        assert_eq!(m.vote_result(|id| if id <= 3 { Some(true) } else { None }), VoteResult::Pending);
        assert_eq!(m.vote_result(|id| Some(id != 5)), VoteResult::Won);
        let acked = |id: NodeId| [0, 9, 9, 5, 1, 1][id as usize];
        assert_eq!(m.committed_index(acked, None), 1);
    }

    #[test]
    fn sorted_orders_and_dedups_like_the_library() {
        let mut rng = crate::rng::Prng::new(7);
        for _ in 0..500 {
            let ids: Vec<NodeId> = (0..rng.range(0, 12)).map(|_| rng.range(1, 9)).collect();
            let mut want = ids.clone();
            want.sort_unstable();
            want.dedup();
            assert_eq!(sorted(ids), want);
        }
    }

    #[test]
    fn vote_result_single_majority() {
        let m = Membership::new(vec![1, 2, 3, 4, 5]);
        assert_eq!(m.vote_result(|id| if id <= 3 { Some(true) } else { None }), VoteResult::Won);
        assert_eq!(m.vote_result(|id| if id <= 2 { Some(true) } else { None }), VoteResult::Pending);
        assert_eq!(m.vote_result(|id| Some(id <= 2)), VoteResult::Lost);
    }
}
