//! Membership changes, snapshots, reads and leadership transfer, in the manner of etcd-io/raft's
//! `testdata/*.txt` interaction tests: a small cluster whose messages are delivered only when the
//! test says so, driven step by step, with the state checked after each step.

use raft_core::{
    Body, ConfChange, Config, DurableState, EntryData, Event, Faults, Message, NodeId, ProposeError, Raft, ReadState,
    Role,
};
use std::collections::{BTreeMap, BTreeSet};

// ---- Harness -----------------------------------------------------------------------------------

/// A node with its host: disk, and a state machine that is the list of applied commands.
struct Node {
    raft: Raft,
    disk: DurableState,
    applied: Vec<String>,
    applied_index: u64,
    read_states: Vec<ReadState>,
    config: Config,
}

impl Node {
    fn boot(config: Config, disk: DurableState) -> Node {
        let raft = Raft::new(config.clone(), &disk).expect("valid config");
        let (applied, applied_index) = match &disk.snapshot {
            Some(s) => (decode(&s.data), s.index),
            None => (Vec::new(), 0),
        };
        Node { raft, disk, applied, applied_index, read_states: Vec::new(), config }
    }

    /// Plays the host for one Ready; returns the messages to send.
    fn handle_ready(&mut self) -> Vec<Message> {
        let rd = self.raft.ready();
        let mut out = rd.messages.clone();
        if let Some(s) = &rd.snapshot {
            self.disk.write_snapshot(s);
            if s.index > self.applied_index {
                self.applied = decode(&s.data);
                self.applied_index = s.index;
            }
        }
        self.disk.write(rd.hard_state, &rd.entries);
        out.extend(rd.persisted_messages.iter().cloned());
        for e in &rd.committed_entries {
            if let EntryData::Command(c) = &e.data {
                self.applied.push(String::from_utf8(c.to_vec()).expect("utf-8"));
            }
            self.applied_index = e.index;
        }
        self.read_states.extend(rd.read_states.iter().copied());
        self.raft.advance(&rd);
        out
    }

    fn snapshot_now(&mut self) {
        let data = encode(&self.applied);
        self.raft.compact(self.applied_index, data).expect("compaction");
    }
}

fn encode(applied: &[String]) -> Vec<u8> {
    applied.join(",").into_bytes()
}

fn decode(data: &[u8]) -> Vec<String> {
    let s = String::from_utf8(data.to_vec()).expect("utf-8");
    if s.is_empty() {
        Vec::new()
    } else {
        s.split(',').map(String::from).collect()
    }
}

/// A cluster whose network delivers messages in order, only when asked, except on cut links.
struct Cluster {
    nodes: BTreeMap<NodeId, Node>,
    queue: Vec<Message>,
    /// Nodes whose messages, in and out, are dropped.
    isolated: BTreeSet<NodeId>,
    check_quorum: bool,
}

impl Cluster {
    /// `voters` bootstrap nodes with check-quorum on and election 10 / heartbeat 1 ticks.
    fn new(voters: &[NodeId], faults: Faults) -> Cluster {
        let mut c =
            Cluster { nodes: BTreeMap::new(), queue: Vec::new(), isolated: BTreeSet::new(), check_quorum: true };
        for &id in voters {
            c.boot(id, voters.to_vec(), faults);
        }
        c
    }

    /// Without check-quorum: followers vote as soon as asked, which some tests need.
    fn without_check_quorum(voters: &[NodeId]) -> Cluster {
        let mut c =
            Cluster { nodes: BTreeMap::new(), queue: Vec::new(), isolated: BTreeSet::new(), check_quorum: false };
        for &id in voters {
            c.boot(id, voters.to_vec(), Faults::default());
        }
        c
    }

    /// Starts a node; an empty `voters` is a node joining an existing cluster.
    fn boot(&mut self, id: NodeId, voters: Vec<NodeId>, faults: Faults) {
        let mut config = Config::new(id, voters);
        config.check_quorum = self.check_quorum;
        config.faults = faults;
        self.nodes.insert(id, Node::boot(config, DurableState::default()));
    }

    fn node(&mut self, id: NodeId) -> &mut Node {
        self.nodes.get_mut(&id).expect("node exists")
    }

    fn raft(&self, id: NodeId) -> &Raft {
        &self.nodes[&id].raft
    }

    /// Delivers messages and processes Readies until nothing moves (etcd's `stabilize`).
    fn stabilize(&mut self) {
        for _ in 0..10_000 {
            let mut moved = false;
            for node in self.nodes.values_mut() {
                while node.raft.has_ready() {
                    self.queue.extend(node.handle_ready());
                    moved = true;
                }
            }
            for m in std::mem::take(&mut self.queue) {
                moved = true;
                if self.isolated.contains(&m.from) || self.isolated.contains(&m.to) {
                    continue;
                }
                if let Some(n) = self.nodes.get_mut(&m.to) {
                    n.raft.step(m);
                }
            }
            if !moved {
                return;
            }
        }
        panic!("the cluster never went quiet");
    }

    /// Ticks every node once, then stabilizes; `n` times.
    fn tick(&mut self, n: usize) {
        for _ in 0..n {
            for node in self.nodes.values_mut() {
                node.raft.tick();
            }
            self.stabilize();
        }
    }

    /// Processes one node's Readies and delivers what it sent, and nothing else.
    fn deliver_from(&mut self, id: NodeId) {
        let mut out = Vec::new();
        while self.raft(id).has_ready() {
            out.extend(self.node(id).handle_ready());
        }
        for m in out {
            if !self.isolated.contains(&m.from) && !self.isolated.contains(&m.to) {
                if let Some(n) = self.nodes.get_mut(&m.to) {
                    n.raft.step(m);
                }
            }
        }
    }

    /// `id` campaigns and the cluster settles; returns its role afterwards.
    fn campaign(&mut self, id: NodeId) -> Role {
        self.node(id).raft.campaign();
        self.stabilize();
        self.raft(id).role()
    }

    /// Makes `id` leader with votes from `voters`, who are then cut off, so the leader's no-op
    /// is not acknowledged: it leads without an entry of its term committed.
    fn elect_without_commit(&mut self, id: NodeId, voters: &[NodeId]) {
        self.isolated.extend(voters);
        self.node(id).raft.campaign();
        for &from in voters {
            let term = self.raft(id).term();
            let body = Body::RequestVoteResponse { granted: true, refusal: None };
            self.node(id).raft.step(Message { from, to: id, term, body });
        }
        self.stabilize();
        assert_eq!(self.raft(id).role(), Role::Leader);
    }

    fn elect(&mut self, id: NodeId) {
        self.campaign(id);
        assert_eq!(self.raft(id).role(), Role::Leader, "S{id} should have won");
    }

    fn propose(&mut self, leader: NodeId, cmd: &str) {
        self.node(leader).raft.propose(cmd.as_bytes().to_vec()).expect("leader accepts");
        self.stabilize();
    }

    fn change(&mut self, leader: NodeId, change: ConfChange) -> Result<u64, ProposeError> {
        let r = self.node(leader).raft.propose_conf_change(change);
        self.stabilize();
        r
    }

    fn leaders(&self) -> Vec<NodeId> {
        self.nodes.iter().filter(|(_, n)| n.raft.role() == Role::Leader).map(|(&id, _)| id).collect()
    }

    /// Crashes and restarts a node from its disk.
    fn restart(&mut self, id: NodeId) {
        let node = self.nodes.remove(&id).expect("node exists");
        self.nodes.insert(id, Node::boot(node.config, node.disk));
    }
}

fn events(raft: &mut Raft) -> Vec<Event> {
    raft.ready().events
}

// ---- Membership --------------------------------------------------------------------------------

#[test]
fn learner_catches_up_without_voting_then_is_promoted() {
    let mut c = Cluster::new(&[1, 2, 3], Faults::default());
    c.elect(1);
    c.propose(1, "a");
    c.boot(4, vec![], Faults::default());
    c.change(1, ConfChange::AddLearner(4)).expect("add learner");
    c.tick(2);
    assert_eq!(c.nodes[&4].applied, ["a"], "the learner received the log");
    assert!(c.raft(4).membership().is_learner(4));
    // A learner never campaigns, however long it waits.
    c.isolated.insert(1);
    c.isolated.insert(4);
    c.tick(40);
    assert_ne!(c.raft(4).role(), Role::Leader);
    assert!(c.raft(4).term() <= 1, "a learner does not start elections");
    c.isolated.clear();
    c.tick(30);
    let leader = c.leaders()[0];
    c.tick(1);
    c.change(leader, ConfChange::AddVoter(4)).expect("promote");
    assert_eq!(c.raft(leader).membership().voters, vec![1, 2, 3, 4]);
    // With four voters, two nodes are no longer a quorum.
    let others: Vec<NodeId> = (1..=4).filter(|&i| i != leader).take(2).collect();
    c.isolated.extend(&others);
    c.propose(leader, "b");
    assert!(c.nodes[&leader].applied.iter().all(|a| a != "b"), "2 of 4 cannot commit");
}

#[test]
fn joint_consensus_needs_both_majorities_then_leaves_the_joint_configuration() {
    let mut c = Cluster::new(&[1, 2, 3], Faults::default());
    c.elect(1);
    c.boot(4, vec![], Faults::default());
    c.boot(5, vec![], Faults::default());
    // While S2 and S3 are unreachable, C_old = {1,2,3} has no majority, so C_old,new cannot
    // commit although C_new = {1,4,5} has one.
    c.isolated.extend([2, 3]);
    let index = c.change(1, ConfChange::Joint(vec![1, 4, 5])).expect("joint change");
    assert!(c.raft(1).membership().is_joint());
    assert!(c.raft(1).log().committed < index, "C_old,new needs a majority of C_old too");
    c.isolated.clear();
    c.tick(2);
    let m = c.raft(1).membership().clone();
    assert!(!m.is_joint(), "the leader left the joint configuration by itself: {m:?}");
    assert_eq!(m.voters, vec![1, 4, 5]);
    assert_eq!(c.raft(1).log().committed, c.raft(1).config_index(), "C_new is committed");
    // The removed voters no longer count: the new configuration commits without them.
    c.isolated.extend([2, 3]);
    c.propose(1, "x");
    assert_eq!(c.nodes[&5].applied, ["x"]);
}

#[test]
fn a_removed_leader_steps_down_once_the_removal_commits() {
    let mut c = Cluster::new(&[1, 2, 3], Faults::default());
    c.elect(1);
    c.tick(1);
    c.change(1, ConfChange::Remove(1)).expect("remove the leader");
    c.tick(1);
    assert_eq!(c.raft(1).role(), Role::Follower);
    assert!(!c.raft(1).membership().is_voter(1));
    c.tick(40);
    let leaders = c.leaders();
    assert_eq!(leaders.len(), 1);
    assert_ne!(leaders[0], 1, "the removed node does not campaign");
}

#[test]
fn one_change_at_a_time_and_only_after_an_own_term_commit() {
    let mut c = Cluster::new(&[1, 2, 3], Faults::default());
    c.elect_without_commit(1, &[2, 3]);
    assert_eq!(c.change(1, ConfChange::AddLearner(4)), Err(ProposeError::OwnTermNotCommitted));
    c.isolated.clear();
    c.tick(1);
    c.isolated.extend([2, 3]);
    c.change(1, ConfChange::AddLearner(4)).expect("after the no-op commits");
    assert_eq!(c.change(1, ConfChange::AddLearner(5)), Err(ProposeError::ChangePending));
    assert!(matches!(c.change(1, ConfChange::Remove(9)), Err(ProposeError::ChangePending)));
    c.isolated.clear();
    c.tick(1);
    assert!(matches!(c.change(1, ConfChange::Remove(9)), Err(ProposeError::InvalidChange(_))));
    c.change(1, ConfChange::AddLearner(5)).expect("the first change committed");
}

#[test]
fn with_the_fault_a_new_leader_changes_membership_before_its_own_commit() {
    let faults = Faults { change_before_own_commit: true, ..Faults::default() };
    let mut c = Cluster::new(&[1, 2, 3], faults);
    c.elect_without_commit(1, &[2, 3]);
    assert!(c.change(1, ConfChange::AddLearner(4)).is_ok());
}

#[test]
fn a_configuration_is_undone_when_its_entry_is_truncated() {
    let mut c = Cluster::new(&[1, 2, 3, 4, 5], Faults::default());
    c.elect(1);
    c.tick(1);
    // S1 appends a change that reaches S2 only.
    c.isolated.extend([3, 4, 5]);
    c.node(1).raft.propose_conf_change(ConfChange::AddLearner(6)).expect("change");
    c.deliver_from(1);
    c.isolated.insert(1);
    c.stabilize();
    assert!(c.raft(2).membership().is_learner(6), "S2 uses the change as soon as it has it");
    // S3, S4 and S5 elect a leader whose log lacks the change; its entries replace S2's.
    c.isolated = [1, 2].into();
    c.tick(40);
    let leader = c.leaders().into_iter().find(|&l| l > 2).expect("a new leader among S3..S5");
    c.isolated.remove(&2);
    c.propose(leader, "y");
    c.tick(2);
    assert!(!c.raft(2).membership().is_learner(6), "the truncated change is undone");
    assert_eq!(c.raft(2).membership().voters, vec![1, 2, 3, 4, 5]);
}

#[test]
fn a_learner_whose_promotion_is_in_its_log_answers_vote_requests() {
    // etcd's campaign_learner_must_vote: S4 is promoted; S1 crashes; S2 needs S4's vote.
    let mut c = Cluster::without_check_quorum(&[1, 2, 3]);
    c.elect(1);
    c.boot(4, vec![], Faults::default());
    c.change(1, ConfChange::AddLearner(4)).expect("learner");
    c.tick(2);
    c.change(1, ConfChange::AddVoter(4)).expect("promote");
    c.tick(2);
    c.isolated.extend([1, 3]);
    assert_eq!(c.campaign(2), Role::Candidate, "2 of 4 is not a quorum");
    c.isolated.remove(&3);
    assert_eq!(c.campaign(2), Role::Leader, "S2, S3 and the promoted S4 elect S2");
}

// ---- Snapshots ---------------------------------------------------------------------------------

#[test]
fn a_follower_behind_the_compacted_log_gets_the_snapshot() {
    let mut c = Cluster::new(&[1, 2, 3], Faults::default());
    c.elect(1);
    c.isolated.insert(3);
    for cmd in ["a", "b", "c", "d"] {
        c.propose(1, cmd);
    }
    c.tick(1);
    c.node(1).snapshot_now();
    c.stabilize();
    assert_eq!(c.raft(1).log().first_index(), 6, "entries 1..=5 are compacted");
    assert!(c.nodes[&1].disk.snapshot.is_some(), "the host stored the snapshot");
    c.isolated.clear();
    c.tick(2);
    assert_eq!(c.nodes[&3].applied, ["a", "b", "c", "d"], "S3 restored the state machine");
    assert_eq!(c.raft(3).log().first_index(), 6);
    assert_eq!(c.raft(3).log().last_index(), c.raft(1).log().last_index());
    // It goes on replicating normally after the snapshot.
    c.propose(1, "e");
    c.tick(1);
    assert_eq!(c.nodes[&3].applied.last().map(String::as_str), Some("e"));
}

#[test]
fn a_restart_rebuilds_from_snapshot_and_log() {
    let mut c = Cluster::new(&[1, 2, 3], Faults::default());
    c.elect(1);
    for cmd in ["a", "b", "c"] {
        c.propose(1, cmd);
    }
    c.tick(1);
    c.node(2).snapshot_now();
    c.stabilize();
    c.propose(1, "d");
    c.tick(1);
    c.restart(2);
    let n = &c.nodes[&2];
    assert_eq!(n.applied, ["a", "b", "c"], "the state machine comes back from the snapshot");
    assert_eq!(n.raft.log().first_index(), 5);
    assert_eq!(n.raft.log().last_index(), c.raft(1).log().last_index());
    assert_eq!(n.raft.membership().voters, vec![1, 2, 3]);
    c.tick(2);
    assert_eq!(c.nodes[&2].applied, ["a", "b", "c", "d"]);
}

#[test]
fn a_new_member_joins_through_a_snapshot() {
    let mut c = Cluster::new(&[1, 2, 3], Faults::default());
    c.elect(1);
    c.propose(1, "a");
    c.tick(1);
    c.node(1).snapshot_now();
    c.boot(4, vec![], Faults::default());
    c.change(1, ConfChange::AddLearner(4)).expect("learner");
    c.tick(3);
    assert_eq!(c.nodes[&4].applied, ["a"]);
    assert!(c.raft(4).membership().is_learner(4), "the configuration came with the snapshot and log");
}

// ---- Reads -------------------------------------------------------------------------------------

#[test]
fn read_index_waits_for_a_heartbeat_quorum() {
    let mut c = Cluster::new(&[1, 2, 3], Faults::default());
    c.elect(1);
    c.propose(1, "a");
    c.isolated.extend([2, 3]);
    c.node(1).raft.read_index(7, false);
    c.stabilize();
    assert!(c.nodes[&1].read_states.is_empty(), "no quorum answered: no read");
    c.isolated.clear();
    c.tick(1);
    let index = c.raft(1).log().committed;
    assert_eq!(c.nodes[&1].read_states, [ReadState { ctx: 7, index: Some(index) }]);
}

#[test]
fn a_follower_forwards_reads_to_the_leader() {
    let mut c = Cluster::new(&[1, 2, 3], Faults::default());
    c.elect(1);
    c.propose(1, "a");
    c.node(3).raft.read_index(9, false);
    c.stabilize();
    let index = c.raft(1).log().committed;
    assert_eq!(c.nodes[&3].read_states, [ReadState { ctx: 9, index: Some(index) }]);
    c.isolated.insert(1);
    c.node(3).raft.read_index(10, false);
    c.stabilize();
    assert_eq!(c.nodes[&3].read_states.len(), 1, "the cut-off leader never answers");
}

#[test]
fn a_deposed_leader_cannot_confirm_a_read_unless_the_fault_is_on() {
    for fault in [false, true] {
        let faults = Faults { read_without_heartbeat: fault, ..Faults::default() };
        let mut c = Cluster::new(&[1, 2, 3], faults);
        c.elect(1);
        c.propose(1, "a");
        c.isolated.insert(1);
        c.node(1).raft.read_index(1, false);
        c.stabilize();
        assert_eq!(!c.nodes[&1].read_states.is_empty(), fault);
    }
}

#[test]
fn a_lease_read_is_served_at_once_while_the_lease_holds() {
    let mut c = Cluster::new(&[1, 2, 3], Faults::default());
    c.elect(1);
    c.propose(1, "a");
    c.tick(1);
    c.node(1).raft.read_index(1, true);
    let ev = events(&mut c.node(1).raft);
    assert!(ev.iter().any(|e| matches!(e, Event::ReadReady { how: raft_core::ReadPath::Lease, .. })), "{ev:?}");
    // Cut off, the leader's lease runs out before any follower may vote for someone else.
    c.isolated.insert(1);
    let lease = c.raft(1).config().lease_ticks() as usize;
    c.tick(lease);
    c.node(1).raft.read_index(2, true);
    c.stabilize();
    let served: Vec<u64> = c.nodes[&1].read_states.iter().map(|r| r.ctx).collect();
    assert!(!served.contains(&2), "an expired lease falls back to a heartbeat round");
}

#[test]
fn lease_reads_need_check_quorum() {
    let mut config = Config::new(1, vec![1]);
    config.check_quorum = false;
    let mut node = Node::boot(config, DurableState::default());
    node.raft.campaign();
    node.handle_ready();
    node.raft.read_index(5, true);
    node.handle_ready();
    assert_eq!(node.read_states, [ReadState { ctx: 5, index: None }]);
}

#[test]
fn a_restarted_node_refuses_votes_for_an_election_timeout() {
    let mut c = Cluster::new(&[1, 2, 3], Faults::default());
    c.elect(1);
    c.restart(2);
    // S3 is cut off from the leader and campaigns; S2 just restarted and might have been inside
    // S1's lease, so it does not help.
    c.isolated.insert(1);
    assert_ne!(c.campaign(3), Role::Leader);
    c.tick(12);
    assert_eq!(c.campaign(3), Role::Leader, "after an election timeout S2 votes again");
}

// ---- Leadership transfer -----------------------------------------------------------------------

#[test]
fn leadership_transfer_makes_the_target_leader() {
    let mut c = Cluster::new(&[1, 2, 3], Faults::default());
    c.elect(1);
    c.propose(1, "a");
    c.node(1).raft.transfer_leadership(3).expect("transfer");
    c.stabilize();
    assert_eq!(c.leaders(), vec![3]);
    assert_eq!(c.raft(1).leader(), Some(3));
}

#[test]
fn a_transfer_to_an_unreachable_node_is_aborted_after_an_election_timeout() {
    let mut c = Cluster::new(&[1, 2, 3], Faults::default());
    c.elect(1);
    c.isolated.insert(3);
    c.node(1).raft.transfer_leadership(3).expect("transfer");
    c.stabilize();
    assert_eq!(c.node(1).raft.propose(b"x".to_vec()), Err(ProposeError::TransferInProgress));
    c.tick(10);
    assert_eq!(c.leaders(), vec![1]);
    assert!(c.raft(1).transfer_target().is_none());
    assert!(c.node(1).raft.propose(b"x".to_vec()).is_ok());
}
