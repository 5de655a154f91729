//! Determinism is a feature: the same configuration, seed and actions give the same run, and a
//! world can be cloned or serialized mid-run and continue identically.

use raft_sim::{Action, NodeRef, SimConfig, World};

fn busy_world(seed: u64) -> World {
    let mut c = SimConfig::default();
    c.network.loss = 0.02;
    c.network.duplicate = 0.02;
    c.network.reorder = 0.05;
    let mut w = World::new(c, seed).unwrap();
    w.set_workload(50);
    w
}

fn poke(w: &mut World) {
    for a in [
        Action::Crash { node: NodeRef::Leader },
        Action::Partition { groups: vec![vec![NodeRef::Id(1), NodeRef::Id(2)]] },
        Action::ClientWrite { key: "x".into(), value: "1".into(), client: Some(2) },
    ] {
        w.apply_action(&a).unwrap();
        w.run_until(w.now + 700);
    }
    w.apply_action(&Action::Heal).unwrap();
}

#[test]
fn same_seed_and_actions_give_the_same_trace_hash() {
    let run = |seed| {
        let mut w = busy_world(seed);
        w.run_until(1000);
        poke(&mut w);
        w.run_until(6000);
        (w.hash, w.events)
    };
    let (a, b) = (run(11), run(11));
    assert_eq!(a, b);
    assert!(a.1 > 1000, "the run did something");
    assert_ne!(run(12).0, a.0, "another seed gives another run");
}

#[test]
fn a_clone_and_a_json_round_trip_continue_identically() {
    let mut w = busy_world(5);
    // Recording on: the records go through JSON too.
    w.recording = true;
    w.run_until(1500);
    poke(&mut w);
    let mut clone = w.clone();
    let json = serde_json::to_string(&w).unwrap();
    let mut restored: World = serde_json::from_str(&json).unwrap();
    for x in [&mut w, &mut clone, &mut restored] {
        x.run_until(8000);
    }
    assert_eq!(w.hash, clone.hash);
    assert_eq!(w.hash, restored.hash);
    assert_eq!(w, restored);
}

#[test]
fn healthy_cluster_elects_replicates_and_acknowledges_every_write_once() {
    let mut w = busy_world(3);
    w.run_until(20_000);
    w.set_workload(0);
    w.run_until(25_000);
    assert!(w.checker.ok(), "{:?}", w.checker.violations);
    assert_eq!(w.leaders().len(), 1);
    let writes = w.completed.len();
    assert!(writes > 500, "only {writes} writes completed");
    // Deduplication: each (client, seq) is acknowledged once and applied on every node.
    let mut seen = std::collections::BTreeSet::new();
    for c in &w.completed {
        assert!(seen.insert((c.client, c.seq)));
        assert!(w.nodes.iter().all(|n| n.kv.has_applied(c.client, c.seq)));
    }
}

#[test]
fn actions_on_missing_or_wrong_nodes_are_refused_with_a_reason() {
    let mut w = World::new(SimConfig::default(), 1).unwrap();
    let before = w.hash;
    let err = w.apply_action(&Action::Crash { node: NodeRef::Id(9) }).unwrap_err();
    assert!(err.contains("S9"), "{err}");
    assert!(w.apply_action(&Action::Restart { node: NodeRef::Id(1) }).unwrap_err().contains("running"));
    assert!(w.apply_action(&Action::Crash { node: NodeRef::Leader }).unwrap_err().contains("no leader"));
    assert!(w.apply_action(&Action::DropMessage { id: 999 }).is_err());
    let bad_net =
        Action::SetNetwork { link: None, latency_ms: Some([50, 10]), loss: None, duplicate: None, reorder: None };
    assert!(w.apply_action(&bad_net).is_err());
    w.run_until(50);
    assert_ne!(w.hash, before, "time passes: the first ticks happened");
    assert!(World::new(
        SimConfig { cluster: raft_sim::ClusterConfig { nodes: 26, ..Default::default() }, ..Default::default() },
        1
    )
    .is_err());
}

#[test]
fn paused_node_keeps_its_messages_until_it_resumes() {
    let mut w = World::new(SimConfig::default(), 4).unwrap();
    w.run_until(1000);
    let leader = w.leader().unwrap();
    let f = if leader == 1 { 2 } else { 1 };
    w.apply_action(&Action::Pause { node: NodeRef::Id(f) }).unwrap();
    w.apply_action(&Action::ClientWrite { key: "k".into(), value: "v".into(), client: None }).unwrap();
    w.run_until(3000);
    assert!(!w.nodes[f as usize - 1].held.is_empty());
    assert_eq!(w.value_on(f, "k"), None);
    w.apply_action(&Action::Resume { node: NodeRef::Id(f) }).unwrap();
    w.run_until(4000);
    assert_eq!(w.value_on(f, "k"), Some("v"));
    assert!(w.checker.ok());
}

#[test]
fn crash_loses_volatile_state_and_restart_rebuilds_from_disk() {
    let mut w = World::new(SimConfig::default(), 8).unwrap();
    w.run_until(1000);
    w.apply_action(&Action::ClientWrite { key: "a".into(), value: "1".into(), client: None }).unwrap();
    w.run_until(2000);
    let id = w.leader().unwrap();
    let disk = w.nodes[id as usize - 1].disk.clone();
    w.apply_action(&Action::Crash { node: NodeRef::Id(id) }).unwrap();
    assert!(w.nodes[id as usize - 1].kv.data.is_empty());
    assert_eq!(w.nodes[id as usize - 1].disk, disk, "the disk survives a crash");
    w.apply_action(&Action::Restart { node: NodeRef::Id(id) }).unwrap();
    w.run_until(4000);
    let n = &w.nodes[id as usize - 1];
    assert_eq!(n.raft.as_ref().unwrap().term(), w.nodes.iter().map(|n| n.term()).max().unwrap());
    assert_eq!(w.value_on(id, "a"), Some("1"), "re-applied from the log");
    assert!(w.checker.ok());
}
