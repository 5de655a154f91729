//! Membership changes, snapshots and reads through the world, as a user drives them: actions in,
//! what the clients and nodes end up with out.

use raft_sim::kv::{Op, ReadMode};
use raft_sim::{Action, NodeRef, Property, SimConfig, World};

fn world(check_quorum: bool) -> World {
    let mut c = SimConfig::default();
    c.cluster.check_quorum = check_quorum;
    c.network.latency_ms = [5, 5];
    let mut w = World::new(c, 3).expect("valid settings");
    w.apply_action(&Action::TimeoutNow { node: NodeRef::Id(1) }).expect("S1 campaigns");
    w.run_until(500);
    assert_eq!(w.leader(), Some(1));
    w
}

fn act(w: &mut World, a: Action) {
    w.apply_action(&a).unwrap_or_else(|e| panic!("{a:?}: {e}"));
    w.run_until(w.now + 300);
}

/// Writes and waits until the client has its answer (it may first try a cut-off leader).
fn write(w: &mut World, key: &str, value: &str) {
    let done = w.completed.len();
    act(w, Action::ClientWrite { key: key.into(), value: value.into(), client: Some(1) });
    let deadline = w.now + 10_000;
    while w.completed.len() == done && w.now < deadline {
        w.run_until(w.now + 100);
    }
    assert!(w.completed.len() > done, "the write of {key}={value} completed");
}

fn read(w: &mut World, mode: ReadMode, at: u64) {
    let a = Action::ClientRead { key: "x".into(), client: Some(2), mode: Some(mode), via: Some(NodeRef::Id(at)) };
    act(w, a);
}

/// The last read completed: its value and whether it was stale.
fn last_read(w: &World) -> Option<(Option<String>, bool)> {
    w.completed.iter().rev().find(|c| matches!(c.op, Op::Read { .. })).map(|c| (c.output.clone(), c.stale))
}

#[test]
fn every_linearizable_mode_reads_the_latest_write() {
    for (mode, at) in [(ReadMode::Log, 1), (ReadMode::ReadIndex, 1), (ReadMode::Lease, 1), (ReadMode::Sync, 4)] {
        let mut w = world(true);
        write(&mut w, "x", "1");
        write(&mut w, "x", "2");
        read(&mut w, mode, at);
        assert_eq!(last_read(&w), Some((Some("2".into()), false)), "{mode:?}");
        assert!(w.checker.ok());
    }
}

#[test]
fn a_local_read_at_a_cut_off_leader_is_stale_but_a_read_index_there_never_answers() {
    let mut w = world(false);
    write(&mut w, "x", "1");
    act(&mut w, Action::Isolate { node: NodeRef::Id(1) });
    w.run_until(w.now + 1500);
    let leader = w.leader().expect("a new leader");
    assert_ne!(leader, 1);
    write(&mut w, "x", "2");
    assert_eq!(w.value_on(leader, "x"), Some("2"));
    read(&mut w, ReadMode::Local, 1);
    assert_eq!(last_read(&w), Some((Some("1".into()), true)), "ZooKeeper-style local reads may be stale");
    assert!(w.checker.ok(), "a local read promises nothing");
    let done = w.completed.len();
    read(&mut w, ReadMode::ReadIndex, 1);
    assert!(w.completed[done..].iter().all(|c| c.served_by != 1), "the old leader cannot confirm a read");
}

#[test]
fn the_linearizability_checker_catches_reads_without_a_heartbeat_round() {
    let mut c = SimConfig::default();
    c.cluster.faults = vec!["read-without-heartbeat".into()];
    c.network.latency_ms = [5, 5];
    let mut w = World::new(c, 3).expect("valid settings");
    w.apply_action(&Action::TimeoutNow { node: NodeRef::Id(1) }).expect("S1 campaigns");
    w.run_until(500);
    write(&mut w, "x", "1");
    act(&mut w, Action::Isolate { node: NodeRef::Id(1) });
    w.run_until(w.now + 1500);
    write(&mut w, "x", "2");
    // The client still believes S1 leads; S1 answers from its stale state.
    read(&mut w, ReadMode::ReadIndex, 1);
    assert!(w.checker.violations.iter().any(|v| v.property == Property::LinearizableReads));
}

#[test]
fn a_node_joins_as_a_learner_is_promoted_and_a_removed_node_shuts_down() {
    let mut w = world(false);
    write(&mut w, "x", "1");
    act(&mut w, Action::AddNode);
    let raft = |w: &World, id: u64| w.nodes[id as usize - 1].raft.clone().expect("running");
    assert!(raft(&w, 1).membership().is_learner(6));
    assert_eq!(w.value_on(6, "x"), Some("1"), "the learner caught up");
    act(&mut w, Action::Promote { node: NodeRef::Id(6) });
    assert_eq!(raft(&w, 1).membership().voters, vec![1, 2, 3, 4, 5, 6]);
    act(&mut w, Action::RemoveNode { node: NodeRef::Id(2) });
    assert!(w.nodes[1].retired && !w.nodes[1].is_up(), "S2 was shut down once removed");
    assert!(w.apply_action(&Action::Restart { node: NodeRef::Id(2) }).is_err());
    write(&mut w, "x", "2");
    assert_eq!(w.value_on(6, "x"), Some("2"));
    assert!(w.checker.ok());
}

#[test]
fn a_follower_behind_the_snapshot_catches_up_through_install_snapshot_and_restarts_from_it() {
    let mut c = SimConfig::default();
    c.cluster.snapshot_entries = 5;
    c.network.latency_ms = [5, 5];
    let mut w = World::new(c, 3).expect("valid settings");
    w.apply_action(&Action::TimeoutNow { node: NodeRef::Id(1) }).expect("S1 campaigns");
    w.run_until(500);
    act(&mut w, Action::Crash { node: NodeRef::Id(5) });
    for i in 0..12 {
        write(&mut w, "x", &i.to_string());
    }
    let snap = w.nodes[0].disk.snapshot.clone().expect("the leader compacted");
    assert!(snap.index >= 5);
    act(&mut w, Action::Restart { node: NodeRef::Id(5) });
    w.run_until(w.now + 1000);
    assert_eq!(w.value_on(5, "x"), Some("11"), "S5 restored the state machine from the snapshot");
    assert!(w.nodes[4].disk.snapshot.is_some());
    act(&mut w, Action::Crash { node: NodeRef::Id(5) });
    act(&mut w, Action::Restart { node: NodeRef::Id(5) });
    assert_eq!(w.value_on(5, "x"), Some("11"), "a restart rebuilds from snapshot and log");
    assert!(w.logs_identical());
    assert!(w.checker.ok());
}

#[test]
fn a_read_queued_behind_a_write_still_goes_to_the_node_the_user_chose() {
    let mut w = world(false);
    w.apply_action(&Action::ClientWrite { key: "x".into(), value: "1".into(), client: Some(2) }).expect("write");
    // Client 2 is busy with the write; the read waits in its queue, then asks S3 as told.
    read(&mut w, ReadMode::Local, 3);
    w.run_until(w.now + 2000);
    let read = w.completed.iter().find(|c| matches!(c.op, Op::Read { .. })).expect("the read completed");
    assert_eq!(read.served_by, 3);
}

#[test]
fn refused_actions_say_why_in_words() {
    let mut w = world(true);
    let refusal = |w: &mut World, a: Action| w.apply_action(&a).expect_err("refused");
    assert_eq!(
        refusal(&mut w, Action::TransferLeadership { to: NodeRef::Id(1) }),
        "S1 cannot transfer to S1: it already leads"
    );
    // Nothing applied since the last snapshot point: there is nothing to compact.
    let mut fresh = World::new(SimConfig::default(), 3).expect("valid settings");
    assert_eq!(
        refusal(&mut fresh, Action::Compact { node: NodeRef::Id(2) }),
        "S2 cannot compact: its log is already compacted up to there"
    );
}
