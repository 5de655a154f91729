//! `raftsim run FILE|NAME`: runs one scenario with recording on and prints its story: a
//! filtered timeline, every expectation with PASS/FAIL, the trace hash and a summary (or, with
//! `--json`, one JSON object with every record).

use crate::args::RunArgs;
use raft_core::{Event, FollowerReason};
use raft_sim::trace::{Record, RecordKind};
use raft_sim::{library, Action, Outcome, RunOptions, Scenario, Violation};
use serde_json::{json, Value};
use std::path::Path;

/// Lost messages are printed only when there are at most this many; otherwise counted.
const MAX_DROPPED_SHOWN: usize = 20;

/// Runs the scenario; `Ok(passed)`, or `Err` for bad input.
pub fn run(args: &RunArgs) -> crate::Outcome {
    let (label, text) = load(&args.target)?;
    let scenario = Scenario::from_json(&text).map_err(|e| format!("{label}: {}: {}", e.position, e.message))?;
    let opts = RunOptions { seed: args.seed, faults: args.faults.clone(), record: true };
    let outcome = raft_sim::scenario::run(&scenario, &opts).map_err(|e| format!("{label}: {e}"))?;
    if args.json {
        say!("{}", to_json(&scenario, &outcome)?);
    } else {
        print_story(&scenario, &outcome, &args.faults);
    }
    Ok(outcome.passed())
}

/// Finds the scenario text: a built-in name first, else a file. Returns a label for messages
/// (the file name, or "built-in scenario NAME") and the text.
fn load(target: &str) -> Result<(String, String), String> {
    if let Some(text) = library::get(target) {
        return Ok((format!("built-in scenario '{target}'"), text.to_string()));
    }
    let path = Path::new(target);
    if !path.exists() && !target.contains(['/', '\\']) && !target.ends_with(".json") {
        let names: Vec<&str> = library::SCENARIOS.iter().map(|(n, _)| *n).collect();
        return Err(format!(
            "'{target}' is neither a built-in scenario nor a file (built-in: {}; see 'raftsim list')",
            names.join(", ")
        ));
    }
    match std::fs::read_to_string(path) {
        Ok(text) => Ok((target.to_string(), text)),
        Err(e) => Err(format!("{target}: cannot read the scenario file: {e}")),
    }
}

/// Whether a record belongs in the printed timeline (lost messages are decided separately).
fn in_story(r: &Record) -> bool {
    match &r.kind {
        RecordKind::Raft { event, .. } => match event {
            // Every node starts as a follower: only restarts are news.
            Event::BecameFollower { reason: FollowerReason::Start, .. } => r.event > 0,
            Event::BecameFollower { .. }
            | Event::BecamePreCandidate { .. }
            | Event::BecameCandidate { .. }
            | Event::BecameLeader { .. }
            | Event::VoteGranted { .. }
            | Event::VoteRefused { .. }
            | Event::VoteIgnoredInLease { .. }
            | Event::CommitAdvanced { .. }
            | Event::QuorumLost { .. }
            | Event::TransferStarted { .. }
            | Event::TransferAborted { .. }
            | Event::ConfigChanged { .. }
            | Event::SnapshotTaken { .. }
            | Event::SnapshotInstalled { .. }
            | Event::ReadRefused { .. } => true,
            // A follower erasing conflicting entries is a turning point; plain appends are not.
            Event::AppendAccepted { truncated_from, .. } => truncated_from.is_some(),
            Event::ElectionTimeout { .. }
            | Event::VoteReceived { .. }
            | Event::StaleMessage { .. }
            | Event::AppendRejected { .. }
            | Event::FollowerRejected { .. }
            | Event::Proposed { .. }
            | Event::SnapshotSent { .. }
            | Event::ReadReady { .. } => false,
        },
        RecordKind::Action { .. }
        | RecordKind::Caption { .. }
        | RecordKind::Client { .. }
        | RecordKind::Violation { .. } => true,
        RecordKind::Dropped { .. } => false,
    }
}

/// A line of a printed run: a record, or a violation the checker found.
pub enum Line<'a> {
    Record(&'a Record),
    Violation(&'a Violation),
}

/// The records `keep` accepts, in order, with each violation placed right after the event that
/// revealed it (unless the world recorded violations itself).
pub fn story_lines<'a>(
    records: &'a [Record],
    violations: &'a [Violation],
    keep: impl Fn(&Record) -> bool,
) -> Vec<Line<'a>> {
    let recorded = records.iter().any(|r| matches!(r.kind, RecordKind::Violation { .. }));
    let mut found: Vec<&Violation> = if recorded { Vec::new() } else { violations.iter().collect() };
    found.sort_by_key(|v| v.event);
    let mut found = found.into_iter().peekable();
    let mut lines = Vec::new();
    for r in records {
        while let Some(v) = found.next_if(|v| v.event < r.event) {
            lines.push(Line::Violation(v));
        }
        if keep(r) {
            lines.push(Line::Record(r));
        }
    }
    lines.extend(found.map(Line::Violation));
    lines
}

fn line(time_ms: u64, text: &str) -> String {
    format!("  {time_ms:>7} ms  {text}")
}

/// The timeline lines and how many records were left out.
fn timeline(outcome: &Outcome) -> (Vec<String>, usize) {
    let records = &outcome.world.records;
    let dropped = records.iter().filter(|r| matches!(r.kind, RecordKind::Dropped { .. })).count();
    let show_dropped = dropped <= MAX_DROPPED_SHOWN;
    let keep = |r: &Record| in_story(r) || (show_dropped && matches!(r.kind, RecordKind::Dropped { .. }));
    let mut shown = 0;
    let lines = story_lines(records, outcome.violations(), keep)
        .into_iter()
        .map(|l| match l {
            Line::Record(r) => {
                shown += 1;
                line(r.time_ms, &r.describe())
            }
            Line::Violation(v) => line(v.time_ms, &format!("VIOLATION {v}")),
        })
        .collect();
    (lines, records.len() - shown)
}

fn print_story(s: &Scenario, outcome: &Outcome, extra_faults: &[String]) {
    let w = &outcome.world;
    let title = if s.title.is_empty() { String::new() } else { format!(": {}", s.title) };
    say!("scenario {}{title}", s.name);
    let mut faults: Vec<&str> = s.cluster.faults.iter().map(String::as_str).collect();
    faults.extend(extra_faults.iter().map(String::as_str).filter(|f| !s.cluster.faults.iter().any(|g| g == f)));
    let faults = if faults.is_empty() { String::new() } else { format!(", teaching faults: {}", faults.join(", ")) };
    say!("seed {}, {} nodes, {} ms{faults}", w.seed, s.cluster.nodes, s.duration_ms);
    for l in wrap(&s.description, 96) {
        say!("  {l}");
    }

    say!();
    say!("timeline:");
    let (lines, hidden) = timeline(outcome);
    for l in &lines {
        say!("{l}");
    }
    if hidden > 0 {
        say!("  ({hidden} routine records not shown: appends, heartbeats, lost messages...; --json has them all)");
    }

    say!();
    say!("expectations:");
    if outcome.checks.is_empty() {
        say!("  (none)");
    }
    for (at, check, result) in &outcome.checks {
        match result {
            Ok(()) => say!("  PASS {at:>7} ms  {check}"),
            Err(found) => say!("  FAIL {at:>7} ms  {check}; {found}"),
        }
    }
    for (at, e) in &outcome.action_errors {
        say!("  FAIL {at:>7} ms  action could not be applied: {e}");
    }
    let violations = outcome.violations();
    match violations.len() {
        0 => say!("  PASS  always     no safety property violated"),
        _ => {
            for v in violations {
                let verdict = if outcome.expects_violation(v.property) { "SEEN" } else { "FAIL" };
                say!("  {verdict}  always     {v}");
            }
        }
    }

    say!();
    say!("trace hash: {}", w.hash.hex());
    let failed_checks = outcome.checks.iter().filter(|(_, _, r)| r.is_err()).count();
    let mut problems = Vec::new();
    if failed_checks > 0 {
        problems.push(format!("{failed_checks} of {} expectations failed", outcome.checks.len()));
    }
    let actions = s.timeline.iter().filter(|st| !matches!(st.action, Action::Caption { .. })).count();
    if !outcome.action_errors.is_empty() {
        problems.push(format!("{} of {actions} actions could not be applied", outcome.action_errors.len()));
    }
    let unexpected: Vec<_> = violations.iter().filter(|v| !outcome.expects_violation(v.property)).collect();
    if !unexpected.is_empty() {
        let names: Vec<String> = unexpected.iter().map(|v| v.property.to_string()).collect();
        problems.push(format!("safety violated ({})", names.join(", ")));
    }
    let stats = format!(
        "{} ms of virtual time, {} events, {} completed",
        w.now,
        w.events,
        plural(w.completed.len(), "client operation")
    );
    if outcome.passed() {
        let safety = if violations.is_empty() { "no safety violation" } else { "only the expected violations" };
        say!(
            "PASSED: {} held, {} applied, {safety} ({stats})",
            plural(outcome.checks.len(), "expectation"),
            plural(actions, "action")
        );
    } else {
        say!("FAILED: {} ({stats})", problems.join("; "));
    }
}

fn to_json(s: &Scenario, outcome: &Outcome) -> Result<String, String> {
    let w = &outcome.world;
    let checks: Vec<Value> = outcome
        .checks
        .iter()
        .map(|(at, check, result)| {
            let detail = match result {
                Ok(()) => Value::Null,
                Err(found) => Value::String(found.clone()),
            };
            json!({ "at": at, "check": check.to_string(), "passed": result.is_ok(), "detail": detail })
        })
        .collect();
    let action_errors: Vec<Value> =
        outcome.action_errors.iter().map(|(at, e)| json!({ "at": at, "error": e })).collect();
    let to_value = |v: Result<Value, serde_json::Error>| v.map_err(|e| format!("cannot write JSON: {e}"));
    let doc = json!({
        "scenario": s.name,
        "title": s.title,
        "seed": w.seed,
        "trace_hash": w.hash.hex(),
        "passed": outcome.passed(),
        "duration_ms": s.duration_ms,
        "events": w.events,
        "violations": to_value(serde_json::to_value(outcome.violations()))?,
        "checks": checks,
        "action_errors": action_errors,
        "records": to_value(serde_json::to_value(&w.records))?,
    });
    serde_json::to_string_pretty(&doc).map_err(|e| format!("cannot write JSON: {e}"))
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Greedy word wrap.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        if !cur.is_empty() && cur.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_words_whole() {
        assert_eq!(wrap("a bb ccc dddd", 6), vec!["a bb", "ccc", "dddd"]);
        assert!(wrap("  ", 10).is_empty());
    }

    #[test]
    fn unknown_names_and_missing_files_are_explained() {
        let e = load("no-such-scenario").unwrap_err();
        assert!(e.contains("neither a built-in scenario nor a file"), "{e}");
        let e = load("missing/file.json").unwrap_err();
        assert!(e.contains("missing/file.json") && e.contains("cannot read"), "{e}");
    }
}
