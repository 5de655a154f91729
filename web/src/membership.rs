//! Who is in the cluster, as the page draws it: the configuration in effect (the leader's, or
//! the newest a live node holds), and each node's place in it: voter, learner, removed, and
//! during a joint change (C_old,new) which half it belongs to.

use raft_core::{Index, Membership, NodeId};
use raft_sim::node::SimNode;
use raft_sim::World;

/// A node's place in the configuration the page shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Member {
    #[default]
    Voter,
    /// Receives the log, does not vote.
    Learner,
    /// Shut down for good after leaving the configuration (or its machine was replaced).
    Removed,
    /// Running, but the configuration does not name it.
    Outside,
}

impl Member {
    /// `data-member` (on a node), `data-membership` (on its name and log row).
    pub fn name(self) -> &'static str {
        match self {
            Member::Voter => "voter",
            Member::Learner => "learner",
            Member::Removed => "removed",
            Member::Outside => "outside",
        }
    }

    /// What the page says about it.
    pub fn words(self) -> &'static str {
        match self {
            Member::Voter => "voter",
            Member::Learner => "learner",
            Member::Removed => "removed",
            Member::Outside => "not a member",
        }
    }
}

/// During a joint change: the halves a voter belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Half {
    /// Only in C_old: it leaves when C_new takes over.
    Old,
    /// Only in C_new: it joins.
    New,
    Both,
}

impl Half {
    pub fn name(self) -> &'static str {
        match self {
            Half::Old => "old",
            Half::New => "new",
            Half::Both => "old+new",
        }
    }
}

/// The configuration the page shows and whose it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigView {
    /// The node it was read from (the leader when there is one).
    pub from: NodeId,
    pub index: Index,
    pub m: Membership,
}

/// The leader's configuration, or else the newest one among running nodes.
pub fn cluster_config(w: &World) -> Option<ConfigView> {
    let of = |n: &SimNode| {
        n.raft.as_ref().map(|r| ConfigView { from: n.id, index: r.config_index(), m: r.membership().clone() })
    };
    if let Some(c) = w.leader().and_then(|l| w.nodes.get(l as usize - 1)).and_then(of) {
        return Some(c);
    }
    w.nodes.iter().filter_map(of).max_by_key(|c| (c.index, std::cmp::Reverse(c.from)))
}

/// The nodes still in service (removed ones are left out).
pub fn live_ids(w: &World) -> Vec<NodeId> {
    w.nodes.iter().filter(|n| !n.retired).map(|n| n.id).collect()
}

/// A node's place in `config`.
pub fn place(config: Option<&ConfigView>, n: &SimNode) -> (Member, Option<Half>) {
    if n.retired {
        return (Member::Removed, None);
    }
    let Some(c) = config else { return (Member::Voter, None) };
    let m = &c.m;
    let id = n.id;
    if m.is_voter(id) {
        let half = m.is_joint().then(|| match (m.outgoing.contains(&id), m.voters.contains(&id)) {
            (true, true) => Half::Both,
            (true, false) => Half::Old,
            _ => Half::New,
        });
        (Member::Voter, half)
    } else if m.is_learner(id) {
        (Member::Learner, None)
    } else {
        (Member::Outside, None)
    }
}

/// `{S1,S2,S3}`.
pub fn set(ids: &[NodeId]) -> String {
    let names: Vec<String> = ids.iter().map(|i| format!("S{i}")).collect();
    format!("{{{}}}", names.join(","))
}

/// What a node's role in `m` is, in words.
pub fn role_in(m: &Membership, id: NodeId) -> String {
    if m.is_joint() {
        match (m.outgoing.contains(&id), m.voters.contains(&id)) {
            (true, true) => return "voter in both C_old and C_new".into(),
            (true, false) => return "voter in C_old only: leaves when C_new takes over".into(),
            (false, true) => return "voter in C_new only: joins when C_new takes over".into(),
            _ => {}
        }
    }
    if m.is_voter(id) {
        "voter".into()
    } else if m.is_learner(id) {
        "learner: receives the log, does not vote".into()
    } else {
        "not a member".into()
    }
}
