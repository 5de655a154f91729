//! End-to-end tests of the `raftsim` binary, and a check that every teaching fault is caught.

use raft_core::Faults;
use raft_sim::chaos::{run_many, ChaosOptions, Failure};
use raft_sim::{library, RunOptions, Scenario};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

fn raftsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_raftsim")).args(args).output().expect("the raftsim binary runs")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("raftsim exits normally, not by a signal")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A file in cargo's scratch directory for integration tests.
fn scratch_file(name: &str, text: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).expect("write a scratch file");
    path
}

const BUILT_IN: &str = "initial-election";

#[test]
fn running_a_built_in_scenario_passes() {
    let o = raftsim(&["run", BUILT_IN]);
    let out = stdout(&o);
    assert_eq!(code(&o), 0, "{out}{}", stderr(&o));
    assert!(out.contains("PASS"), "{out}");
    assert!(out.contains("PASSED"), "{out}");
    assert!(out.contains("trace hash: "), "{out}");
    assert!(!out.contains("FAIL "), "{out}");
}

fn run_json(args: &[&str]) -> Value {
    let o = raftsim(args);
    assert!(code(&o) <= 1, "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("--json prints one JSON object")
}

#[test]
fn json_output_parses_and_its_trace_hash_is_deterministic() {
    let a = run_json(&["run", BUILT_IN, "--json"]);
    let b = run_json(&["run", BUILT_IN, "--json"]);
    for key in ["scenario", "seed", "trace_hash", "passed", "violations", "checks", "records"] {
        assert!(a.get(key).is_some(), "missing {key}");
    }
    assert_eq!(a["scenario"], BUILT_IN);
    assert_eq!(a["passed"], true);
    let hash = a["trace_hash"].as_str().expect("a string");
    assert_eq!(hash.len(), 16);
    assert_eq!(a["trace_hash"], b["trace_hash"], "same seed, same run");
    assert!(!a["records"].as_array().expect("an array").is_empty());
    let check = &a["checks"][0];
    for key in ["at", "check", "passed", "detail"] {
        assert!(check.get(key).is_some(), "a check lacks {key}");
    }
    let other = run_json(&["run", BUILT_IN, "--json", "--seed", "12345"]);
    assert_eq!(other["seed"], 12345);
    assert_ne!(other["trace_hash"], a["trace_hash"], "another seed, another run");
}

#[test]
fn a_teaching_fault_is_reported_in_the_run_output() {
    // The fault may or may not break this short scenario; either way the run must not crash
    // and must say which faults were on.
    let o = raftsim(&["run", BUILT_IN, "--fault", "double-vote"]);
    assert!(code(&o) <= 1, "{}", stderr(&o));
    assert!(stdout(&o).contains("teaching faults: double-vote"), "{}", stdout(&o));
}

#[test]
fn a_malformed_file_is_bad_input_with_its_name_and_line() {
    let path = scratch_file("malformed.json", "{\n  \"name\": \"x\",\n  \"duration_ms\": 10,,\n}\n");
    let o = raftsim(&["run", path.to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(err.contains("malformed.json"), "{err}");
    assert!(err.contains("line 3"), "{err}");
    assert!(o.stdout.is_empty());
}

#[test]
fn an_invalid_scenario_is_bad_input_with_its_position() {
    let text = r#"{ "name": "x", "duration_ms": 100, "timeline": [ { "at": 500, "do": "heal" } ] }"#;
    let path = scratch_file("invalid.json", text);
    let o = raftsim(&["run", path.to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(err.contains("invalid.json") && err.contains("timeline[0]"), "{err}");

    let path = scratch_file("unknown-field.json", r#"{ "name": "x", "duration_ms": 100, "colour": 1 }"#);
    let o = raftsim(&["run", path.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("colour"), "{}", stderr(&o));
}

#[test]
fn unknown_names_missing_files_and_bad_flags_are_bad_input() {
    for args in [
        &["run", "no-such-scenario"][..],
        &["run", "missing/dir/file.json"],
        &["run"],
        &["run", BUILT_IN, "--seed", "seven"],
        &["run", BUILT_IN, "--seed"],
        &["run", BUILT_IN, "--fault", "no-such-fault"],
        &["run", BUILT_IN, "--colour"],
        &["chaos", "--seeds", "0"],
        &["chaos", "--nodes", "26"],
        &["chaos", "--nodes", "0"],
        &["chaos", "--seeds", "3", "--trace"],
        &["frobnicate"],
        &["--frobnicate"],
    ] {
        let o = raftsim(args);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{args:?}: {err}");
        assert!(err.starts_with("raftsim: error: "), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    let o = raftsim(&["run", "no-such-scenario"]);
    assert!(stderr(&o).contains("no-such-scenario"));
    let o = raftsim(&["run", "missing/dir/file.json"]);
    assert!(stderr(&o).contains("missing/dir/file.json"));
}

#[test]
fn help_prints_usage() {
    for args in [&["--help"][..], &["help"], &[], &["chaos", "--help"]] {
        let o = raftsim(args);
        assert_eq!(code(&o), 0, "{args:?}");
        assert!(stdout(&o).contains("USAGE"), "{args:?}");
    }
}

#[test]
fn list_names_every_scenario_and_fault() {
    let o = raftsim(&["list"]);
    let out = stdout(&o);
    assert_eq!(code(&o), 0);
    for (name, _) in library::SCENARIOS {
        assert!(out.contains(name), "{name} missing from\n{out}");
    }
    for f in &Faults::ALL {
        assert!(out.contains(f.name), "{} missing from\n{out}", f.name);
        assert!(out.contains(f.description), "{} missing from\n{out}", f.description);
    }
    assert!(out.contains("exposed by scenario figure-8"), "{out}");
}

#[test]
fn chaos_without_faults_passes() {
    let o = raftsim(&["chaos", "--seeds", "20", "--duration", "10000"]);
    let out = stdout(&o);
    assert_eq!(code(&o), 0, "{out}{}", stderr(&o));
    assert!(out.contains("failures:       none"), "{out}");
    assert!(out.contains("seeds/s"), "{out}");
}

#[test]
fn chaos_with_a_fault_fails_and_names_a_reproducible_seed() {
    let o = raftsim(&["chaos", "--fault", "double-vote", "--seeds", "50"]);
    let out = stdout(&o);
    assert_eq!(code(&o), 1, "{out}{}", stderr(&o));
    let line = out.lines().find(|l| l.starts_with("seed ")).expect("a failing seed is named");
    let seed: u64 = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("a seed number");
    assert!(line.contains("SAFETY"), "{line}");
    let repro = out.lines().find_map(|l| l.trim().strip_prefix("reproduce: raftsim ")).expect("a reproduction line");
    assert!(repro.contains(&format!("--first {seed} --seeds 1")), "{repro}");

    // The reproduction line reproduces the failure and prints the run's last records.
    let args: Vec<&str> = repro.split_whitespace().collect();
    let o = raftsim(&args);
    let out = stdout(&o);
    assert_eq!(code(&o), 1, "{out}");
    assert!(out.contains(&format!("seed {seed}  SAFETY")), "{out}");
    assert!(out.contains(&format!("trace of seed {seed}")), "{out}");
    assert!(out.contains("VIOLATION"), "{out}");
}

/// Whether chaos finds a safety violation with `fault` within `seeds` seeds; stops at the
/// first chunk that does. Returns the failing seed.
fn chaos_exposes(fault: &str, seeds: u64) -> Option<u64> {
    const CHUNK: u64 = 10;
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let opts = ChaosOptions { fault: Some(fault.to_string()), duration_ms: 60_000, ..ChaosOptions::default() };
    let mut first = 1;
    while first <= seeds {
        let count = CHUNK.min(seeds - first + 1);
        let results = run_many(first, count, jobs, &opts).expect("chaos runs");
        // Liveness failures can have other causes; a teaching fault must break safety.
        if let Some(r) = results.iter().find(|r| matches!(r.failure, Some(Failure::Safety(_)))) {
            return Some(r.seed);
        }
        first += count;
    }
    None
}

/// The built-in scenario `raftsim list` says exposes `fault`, if any.
fn exposing_scenario(fault: &str) -> Option<String> {
    let out = stdout(&raftsim(&["list"]));
    let mut lines = out.lines().skip_while(|l| !l.trim_start().starts_with(&format!("{fault} ")));
    lines.nth(1)?.split("by scenario ").nth(1).map(|s| s.split_whitespace().next().unwrap_or_default().to_string())
}

/// Whether the built-in scenario `name`, run with the fault, breaks safety. `None` when the
/// scenario is not built in.
fn scenario_exposes(name: &str, fault: &str) -> Option<bool> {
    let text = library::get(name)?;
    let scenario = Scenario::from_json(text).expect("the scenario loads");
    let opts = RunOptions { faults: vec![fault.to_string()], ..RunOptions::default() };
    let outcome = raft_sim::scenario::run(&scenario, &opts).expect("the scenario runs");
    Some(!outcome.violations().is_empty())
}

#[test]
fn every_teaching_fault_is_caught() {
    let mut missed = Vec::new();
    for f in &Faults::ALL {
        // Some faults need an exact schedule: `raftsim list` names the scenario that has it.
        let by_scenario = exposing_scenario(f.name).map(|name| (scenario_exposes(&name, f.name), name));
        match by_scenario {
            Some((Some(true), _)) => continue,
            Some((None, name)) => missed.push(format!("{}: scenario {name} is not built in", f.name)),
            Some((Some(false), name)) => missed.push(format!("{}: scenario {name} finds no violation", f.name)),
            None if chaos_exposes(f.name, 500).is_none() => {
                missed.push(format!("{}: no safety violation in 500 chaos seeds", f.name))
            }
            None => {}
        }
    }
    assert!(missed.is_empty(), "teaching faults not caught:\n{}", missed.join("\n"));
}
