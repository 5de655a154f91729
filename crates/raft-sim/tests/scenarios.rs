//! The built-in scenario library: every scenario loads, passes and is deterministic; the
//! teaching pairs show the difference they are about; Figure 8 catches its teaching fault; and
//! malformed scenario files are rejected with the position of the problem.

use raft_core::{NodeId, Term};
use raft_sim::scenario::run;
use raft_sim::{library, Action, Outcome, Property, RunOptions, Runner, Scenario};

fn load(name: &str) -> Scenario {
    let text = library::get(name).unwrap_or_else(|| panic!("no built-in scenario {name}"));
    Scenario::from_json(text).unwrap_or_else(|e| panic!("{name} does not load: {e}"))
}

fn run_with(s: &Scenario, opts: &RunOptions) -> Outcome {
    run(s, opts).unwrap_or_else(|e| panic!("{} does not start: {e}", s.name))
}

/// Everything that went wrong in a run, one line each.
fn failures(o: &Outcome) -> String {
    let mut lines = Vec::new();
    for (at, e) in &o.action_errors {
        lines.push(format!("  action at {at} ms failed: {e}"));
    }
    for (at, check, result) in &o.checks {
        if let Err(found) = result {
            lines.push(format!("  expectation at {at} ms, {check}: {found}"));
        }
    }
    for v in o.violations() {
        lines.push(format!("  violation: {v}"));
    }
    lines.join("\n")
}

#[test]
fn the_library_lists_every_scenario_file_once() {
    let mut names: Vec<&str> = library::SCENARIOS.iter().map(|(n, _)| *n).collect();
    let count = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), count, "duplicate names in the library");
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".json").map(str::to_string))
        .collect();
    files.sort_unstable();
    assert_eq!(files, names, "every file in scenarios/ is built in, and nothing else");
    for required in [
        "initial-election",
        "leader-crash",
        "split-vote",
        "follower-failure",
        "minority-partition",
        "stale-leader",
        "figure-7",
        "figure-8",
        "rejoin-disrupts",
        "rejoin-prevote",
        "partial-connectivity",
        "partial-connectivity-fixed",
        "add-learner-promote",
        "joint-consensus",
        "remove-leader",
        "membership-change-bug",
        "disk-loss-fresh-identity",
        "snapshot-install",
        "stale-reads",
        "lease-read",
        "lease-clock-drift",
        "leadership-transfer",
        "learner-must-vote",
        "removed-server-disrupts",
        "removed-server-ignored",
    ] {
        assert!(library::get(required).is_some(), "{required} is missing");
    }
}

#[test]
fn every_built_in_scenario_is_complete_and_passes() {
    for (name, _) in library::SCENARIOS {
        let s = load(name);
        assert_eq!(s.name, *name, "the file's name field matches its library name");
        assert!(!s.title.is_empty() && !s.description.is_empty(), "{name} has a title and a description");
        assert!(!s.expect.is_empty(), "{name} expects something");
        assert!(s.duration_ms <= 20_000, "{name} runs at most 20 s");
        let captions = s.timeline.iter().filter(|st| matches!(st.action, Action::Caption { .. })).count();
        assert!(captions >= 2, "{name} narrates its key moments");
        let o = run_with(&s, &RunOptions::default());
        assert!(o.passed(), "{name} (seed {}) failed:\n{}", s.seed, failures(&o));
    }
}

#[test]
fn every_built_in_scenario_runs_identically_twice() {
    for (name, _) in library::SCENARIOS {
        let s = load(name);
        let a = run_with(&s, &RunOptions::default());
        let b = run_with(&s, &RunOptions { record: true, ..Default::default() });
        assert_eq!(a.world.hash, b.world.hash, "{name}: same seed, same run (recording changes nothing)");
        assert_eq!(a.world.events, b.world.events, "{name}");
    }
}

#[test]
fn figure_8_is_safe_as_is_and_caught_with_commit_old_terms() {
    let s = load("figure-8");
    let faulty = RunOptions { faults: vec!["commit-old-terms".into()], ..Default::default() };
    // The sequence is driven by partitions, crashes and forced timeouts over a fixed-latency
    // network, so it does not depend on the seed.
    for seed in [s.seed, 2, 3, 42, 1000] {
        let safe = run_with(&s, &RunOptions { seed: Some(seed), ..Default::default() });
        assert!(safe.passed(), "figure-8 seed {seed} failed:\n{}", failures(&safe));
        let o = run_with(&s, &RunOptions { seed: Some(seed), ..faulty.clone() });
        assert!(
            o.violated(Property::LeaderCompleteness),
            "seed {seed}: with commit-old-terms S5 must win term 5 without the entries S1 committed by counting; \
             found: {}",
            failures(&o)
        );
        assert!(o.violated(Property::StateMachineSafety), "seed {seed}: S1 and S5 applied different entries");
    }
}

#[test]
fn membership_change_bug_is_safe_as_is_and_caught_with_change_before_own_commit() {
    let s = load("membership-change-bug");
    let faulty = RunOptions { faults: vec!["change-before-own-commit".into()], ..Default::default() };
    // Fixed latency, partitions, cuts and forced timeouts: the schedule does not depend on the seed.
    for seed in [s.seed, 2, 3, 42, 1000] {
        let safe = run_with(&s, &RunOptions { seed: Some(seed), ..Default::default() });
        assert!(safe.passed(), "membership-change-bug seed {seed} failed:\n{}", failures(&safe));
        let o = run_with(&s, &RunOptions { seed: Some(seed), ..faulty.clone() });
        assert!(
            o.violated(Property::ElectionSafety) && o.violated(Property::ConfigOverlap),
            "seed {seed}: with change-before-own-commit S1 (S1..S5) and S3 (S1, S2, S3) must both win term 4; \
             found: {}",
            failures(&o)
        );
    }
}

#[test]
fn a_slow_clock_breaks_lease_reads_and_a_good_one_does_not() {
    let drift = run_with(&load("lease-clock-drift"), &RunOptions::default());
    assert!(drift.violated(Property::LinearizableReads), "the slow leader served a stale lease read");
    let stale: Vec<_> = drift.world.completed.iter().filter(|c| c.stale).collect();
    assert_eq!(stale.len(), 1, "one stale read");
    assert_eq!(stale[0].served_by, 1, "served by the old leader S1");
    assert_eq!(drift.violations().iter().filter(|v| v.property != Property::LinearizableReads).count(), 0);

    let good = run_with(&load("lease-read"), &RunOptions::default());
    assert!(good.violations().is_empty() && good.world.completed.iter().all(|c| !c.stale));
}

#[test]
fn only_the_local_read_at_a_deposed_leader_is_stale() {
    let o = run_with(&load("stale-reads"), &RunOptions::default());
    assert!(o.violations().is_empty(), "{}", failures(&o));
    let reads: Vec<_> = o.world.completed.iter().filter(|c| matches!(c.op, raft_sim::kv::Op::Read { .. })).collect();
    let stale: Vec<_> = reads.iter().filter(|c| c.stale).collect();
    assert_eq!(stale.len(), 1, "{reads:?}");
    assert!(matches!(&stale[0].op, raft_sim::kv::Op::Read { mode: raft_sim::kv::ReadMode::Local, .. }));
    assert_eq!(stale[0].served_by, 1);
    assert!(reads.iter().filter(|c| !c.stale && c.invoked_ms > 700).all(|c| c.served_by == 2), "{reads:?}");
}

/// Every change of leadership in a run: (time, leader, its term), sampled every millisecond; a
/// gap without any leader is recorded as leader 0.
fn leadership(name: &str) -> Vec<(u64, NodeId, Term)> {
    let s = load(name);
    let mut r = Runner::new(&s, &RunOptions::default()).unwrap();
    let mut history: Vec<(u64, NodeId, Term)> = Vec::new();
    for t in 0..=s.duration_ms {
        r.run_to(t);
        let now = r.world.leaders().into_iter().max_by_key(|&(id, term)| (term, std::cmp::Reverse(id)));
        let (id, term) = now.unwrap_or((0, 0));
        if history.last().is_none_or(|&(_, i, tm)| (i, tm) != (id, term)) {
            history.push((t, id, term));
        }
    }
    assert!(r.finish().passed(), "{name} passes");
    history
}

/// The highest term any node reached by the end of a run.
fn max_term(name: &str) -> Term {
    let o = run_with(&load(name), &RunOptions::default());
    o.world.nodes.iter().map(|n| n.term()).max().unwrap_or(0)
}

#[test]
fn pre_vote_stops_a_rejoining_server_from_disrupting_the_leader() {
    // Without pre-vote: S5 comes back with an inflated term, S1 is deposed, the cluster has no
    // leader for a while, and a later term's leader takes over.
    let without = leadership("rejoin-disrupts");
    let first_s1 = without.iter().position(|&(_, id, _)| id == 1).expect("S1 leads first");
    let after: Vec<_> = without[first_s1 + 1..].to_vec();
    assert!(after.iter().any(|&(_, id, _)| id == 0), "no leader after the rejoin: {without:?}");
    assert!(after.iter().any(|&(_, id, term)| id != 0 && term > 5), "a new leader in a high term: {without:?}");
    assert!(max_term("rejoin-disrupts") > 5);

    // With pre-vote: once S1 leads term 1 it leads it to the end, and no term ever rises.
    let with = leadership("rejoin-prevote");
    let last = *with.last().unwrap();
    assert_eq!((last.1, last.2), (1, 1), "S1 leads term 1 at the end: {with:?}");
    let since = with.iter().position(|&(_, id, _)| id == 1).unwrap();
    assert_eq!(since, with.len() - 1, "S1 is never deposed: {with:?}");
    assert_eq!(max_term("rejoin-prevote"), 1);
}

#[test]
fn check_quorum_and_pre_vote_settle_partial_connectivity() {
    // Without them, leadership keeps changing hands in ever higher terms.
    let churn = leadership("partial-connectivity");
    let leaders: Vec<_> = churn.iter().filter(|&&(t, id, _)| t > 300 && id != 0).collect();
    assert!(leaders.len() >= 4, "the leader is deposed again and again: {churn:?}");
    assert!(max_term("partial-connectivity") >= 10);

    // With both, S1 leads term 1 from its election to the end.
    let settled = leadership("partial-connectivity-fixed");
    assert!(settled.iter().all(|&(t, id, term)| t > 300 || id != 1 || term == 1));
    assert_eq!(settled.last().map(|&(_, id, term)| (id, term)), Some((1, 1)), "{settled:?}");
    assert_eq!(settled.iter().filter(|&&(_, id, _)| id != 0).count(), 1, "one leadership only: {settled:?}");
    assert_eq!(max_term("partial-connectivity-fixed"), 1);
}

#[test]
fn a_retried_client_write_is_applied_once() {
    let o = run_with(&load("client-retry-dedup"), &RunOptions::default());
    let first = o.world.completed.iter().find(|c| c.client == 1 && c.seq == 1).expect("C1's write is answered");
    assert!(first.attempts >= 2, "C1 had to retry");
    for id in 1..=5 {
        assert_eq!(o.world.value_on(id, "x"), Some("2"), "S{id}: the duplicate x=1 was skipped");
    }
}

#[test]
fn malformed_scenarios_are_rejected_with_a_position() {
    let err = |text: &str| Scenario::from_json(text).expect_err("must be rejected");

    let e = err("{ \"name\": \"x\",\n  \"duration_ms\": 100,\n  \"timeline\": [ { \"at\": 0, ");
    assert!(e.position.starts_with("line 3, column"), "bad JSON: {e}");

    let e = err(r#"{ "name": "x", "duration_ms": 100,
        "timeline": [ { "at": 0, "do": "explode", "node": 1 } ] }"#);
    assert!(e.position.starts_with("line 2, column"), "unknown action: {e}");
    assert!(e.message.contains("explode"), "the message names the unknown action: {e}");

    let e = err(r#"{ "name": "x", "duration_ms": 100, "tiemline": [] }"#);
    assert!(e.position.starts_with("line 1, column") && e.message.contains("tiemline"), "unknown field: {e}");

    let e = err(r#"{ "name": "x", "duration_ms": 100,
        "timeline": [ { "at": 0, "do": "heal" }, { "at": 10, "do": "crash", "node": 9 } ] }"#);
    assert_eq!(e.position, "timeline[1]", "{e}");
    assert!(e.message.contains("node 9 does not exist"), "{e}");

    let e = err(
        r#"{ "name": "x", "duration_ms": 100, "timeline": [ { "at": 0, "do": "partition", "groups": [[1, 2], [7]] } ] }"#,
    );
    assert_eq!(e.position, "timeline[0]", "{e}");

    let e = err(r#"{ "name": "x", "duration_ms": 100,
        "timeline": [ { "at": 0, "do": "heal" }, { "at": 150, "do": "heal" } ] }"#);
    assert_eq!(e.position, "timeline[1]", "{e}");
    assert!(e.message.contains("after duration_ms"), "{e}");

    let e = err(r#"{ "name": "x", "duration_ms": 100, "expect": [ { "at": 50, "check": "leader-is", "node": 9 } ] }"#);
    assert_eq!(e.position, "expect[0]", "{e}");

    let e = err(r#"{ "name": "x", "duration_ms": 100, "expect": [ { "at": 500, "check": "one-leader" } ] }"#);
    assert_eq!(e.position, "expect[0]", "{e}");

    let e = err(r#"{ "name": "x", "duration_ms": 100, "cluster": { "nodes": 0 } }"#);
    assert_eq!(e.position, "settings", "{e}");

    // A node written as "S3" is accepted; "leader" resolves when the action runs.
    let ok = Scenario::from_json(
        r#"{ "name": "x", "duration_ms": 100, "timeline": [ { "at": 0, "do": "crash", "node": "S3" } ] }"#,
    );
    assert!(ok.is_ok(), "{ok:?}");
}

#[test]
fn the_example_in_the_format_documentation_passes() {
    let doc = include_str!("../../../docs/scenarios.md");
    let start = doc.find("```json\n").expect("docs/scenarios.md has a JSON example") + "```json\n".len();
    let end = start + doc[start..].find("```").unwrap();
    let s = Scenario::from_json(&doc[start..end]).unwrap_or_else(|e| panic!("the example does not load: {e}"));
    let o = run_with(&s, &RunOptions::default());
    assert!(o.passed(), "the example failed:\n{}", failures(&o));
}
