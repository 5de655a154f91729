//! Time travel: seeking reproduces the same states, acting in the past forks, and history
//! stays bounded.

use raft_sim::scenario::RunOptions;
use raft_sim::{library, Action, NodeRef, Scenario, Session};

fn session() -> Session {
    let s = Scenario::from_json(library::get("initial-election").unwrap()).unwrap();
    let mut s = s;
    s.duration_ms = 3_600_000;
    Session::new(s, RunOptions::default(), 1000).unwrap()
}

#[test]
fn seeking_back_and_forth_reproduces_the_same_states() {
    let mut a = session();
    a.advance_to(2500);
    a.act(Action::Crash { node: NodeRef::Leader }).unwrap();
    a.advance_to(6000);
    let at_6000 = a.runner.world.hash;
    let mut fresh = session();
    fresh.advance_to(2500);
    fresh.act(Action::Crash { node: NodeRef::Leader }).unwrap();
    fresh.advance_to(4000);
    let at_4000 = fresh.runner.world.hash;

    a.seek(4000);
    assert_eq!(a.now(), 4000);
    assert_eq!(a.runner.world.hash, at_4000);
    a.seek(1000);
    a.seek(6000);
    assert_eq!(a.runner.world.hash, at_6000, "the recorded crash replays");
    assert_eq!(a.horizon_ms, 6000);
}

#[test]
fn acting_in_the_past_forks_the_timeline() {
    let mut s = session();
    s.advance_to(2000);
    s.act(Action::ClientWrite { key: "a".into(), value: "1".into(), client: None }).unwrap();
    s.advance_to(5000);
    s.seek(1000);
    s.act(Action::ClientWrite { key: "b".into(), value: "2".into(), client: None }).unwrap();
    assert_eq!(s.actions.len(), 1, "the later write is gone");
    assert_eq!(s.horizon_ms, 1000);
    s.advance_to(4000);
    let w = &s.runner.world;
    assert!(w.nodes.iter().all(|n| !n.kv.data.contains_key("a")));
    assert!(w.nodes.iter().any(|n| n.kv.data.get("b").map(|(v, _)| v.as_str()) == Some("2")));
}

#[test]
fn a_refused_action_changes_nothing() {
    let mut s = session();
    s.advance_to(1000);
    let before = s.runner.world.hash;
    assert!(s.act(Action::Restart { node: NodeRef::Id(1) }).is_err());
    assert!(s.actions.is_empty());
    assert_eq!(s.runner.world.hash, before);
}

#[test]
fn history_stays_bounded_over_a_long_run() {
    let mut s = session();
    s.runner.world.set_workload(20);
    s.advance_to(600_000);
    let (checkpoints, samples, records) = s.history_sizes();
    assert!(checkpoints <= 64 && samples <= 1200 && records <= 1000, "{checkpoints} {samples} {records}");
    s.seek(123_456);
    assert_eq!(s.now(), 123_456);
    assert!(s.runner.world.checker.ok());
}
