//! `raftsim chaos`: runs random fault schedules (`raft_sim::chaos::run_many`) and prints every
//! failing seed with a command line that reproduces it, then throughput figures.

use crate::args::ChaosArgs;
use crate::run::{story_lines, Line};
use raft_core::Event;
use raft_sim::chaos::{run_many, ChaosOptions, ChaosResult, Failure, LIVENESS_WINDOW_MS};
use raft_sim::trace::{Record, RecordKind};
use raft_sim::Violation;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Failing seeds printed in full; later ones are only listed by number.
const MAX_DETAILED: usize = 50;
/// Lines of a run printed by `--trace`.
const TRACE_LINES: usize = 200;

#[derive(Default)]
struct Tally {
    seeds: u64,
    safety: u64,
    liveness: u64,
    events: u64,
    /// Virtual milliseconds of the faulty phase (healing time is not reported per seed).
    virtual_ms: u64,
    /// Failing seeds beyond MAX_DETAILED.
    more: Vec<u64>,
}

pub fn chaos(a: &ChaosArgs) -> crate::Outcome {
    let opts = ChaosOptions {
        nodes: a.nodes,
        duration_ms: a.duration_ms,
        fault: a.fault.clone(),
        record: a.trace,
        ..ChaosOptions::default()
    };
    let jobs = a.jobs.min(usize::try_from(a.seeds).unwrap_or(usize::MAX)).max(1);
    let last = a.first + a.seeds - 1;
    let fault = a.fault.as_deref().map_or(String::new(), |f| format!(", teaching fault {f}"));
    say!(
        "chaos: seeds {}..={last}, {} nodes, {} ms of faults then up to {LIVENESS_WINDOW_MS} ms to heal{fault}, {jobs} thread(s)",
        a.first,
        a.nodes,
        a.duration_ms
    );
    crate::flush();

    let start = Instant::now();
    let mut tally = Tally::default();
    let mut traced = None;
    // Chunks let failures show while a long run goes on, and bound how long a runaway seed
    // can run before raftsim gives up.
    let chunk = (jobs as u64) * 8;
    let mut next = a.first;
    while next <= last {
        let count = chunk.min(last - next + 1);
        let limit = time_limit(a, count, jobs);
        let Some(results) = run_chunk(next, count, jobs, &opts, limit) else {
            say!(
                "seeds {next}..={}  RUNAWAY  not finished after {} s of wall time: one of them runs without bound",
                next + count - 1,
                limit.as_secs()
            );
            say!("    (find it with --seeds 1 --first S for each seed; see docs/performance.md). Giving up.");
            return Ok(false);
        };
        for r in results? {
            account(&mut tally, &r, a);
            if a.trace {
                traced = Some(r);
            }
        }
        crate::flush();
        next += count;
    }
    let wall = start.elapsed().as_secs_f64().max(1e-9);

    if let Some(r) = &traced {
        print_trace(r);
    }
    let failures = tally.safety + tally.liveness;
    if !tally.more.is_empty() {
        let seeds: Vec<String> = tally.more.iter().map(u64::to_string).collect();
        say!("... and {} more failing seeds: {}", tally.more.len(), seeds.join(", "));
    }
    say!();
    say!("seeds run:      {} ({}..={last}) on {jobs} thread(s)", tally.seeds, a.first);
    if failures == 0 {
        say!("failures:       none");
    } else {
        say!("failures:       {failures} ({} safety, {} liveness)", tally.safety, tally.liveness);
    }
    say!("wall time:      {wall:.2} s");
    say!("seeds/s:        {:.2}", tally.seeds as f64 / wall);
    say!(
        "virtual s/s:    {:.0} (virtual seconds of faults simulated per wall second; healing not counted)",
        tally.virtual_ms as f64 / 1000.0 / wall
    );
    say!("events/s:       {:.0}", tally.events as f64 / wall);
    Ok(failures == 0)
}

/// Generous wall time for `count` seeds on `jobs` threads: a 60 s seed takes about 15 ms in a
/// release build and 200 ms in a debug build; a runaway one grows memory by about 20 MB/s.
fn time_limit(a: &ChaosArgs, count: u64, jobs: usize) -> Duration {
    let per_seed = 5.0 * (a.duration_ms + LIVENESS_WINDOW_MS) as f64 / 70_000.0 * a.nodes.max(5) as f64 / 5.0;
    let rounds = count.div_ceil(jobs as u64) as f64;
    Duration::from_secs_f64(30.0 + per_seed * rounds)
}

/// Runs seeds on a worker thread; `None` if they do not finish within `limit`. The worker is
/// then left behind: the process ends soon after.
fn run_chunk(
    first: u64,
    count: u64,
    jobs: usize,
    opts: &ChaosOptions,
    limit: Duration,
) -> Option<Result<Vec<ChaosResult>, String>> {
    let (tx, rx) = mpsc::channel();
    let opts = opts.clone();
    std::thread::spawn(move || {
        let _ = tx.send(run_many(first, count, jobs, &opts));
    });
    match rx.recv_timeout(limit) {
        Ok(results) => Some(results),
        Err(mpsc::RecvTimeoutError::Timeout) => None,
        Err(mpsc::RecvTimeoutError::Disconnected) => Some(Err("a chaos worker panicked".into())),
    }
}

fn account(t: &mut Tally, r: &ChaosResult, a: &ChaosArgs) {
    t.seeds += 1;
    t.events += r.events;
    let failed = match &r.failure {
        None => {
            t.virtual_ms += a.duration_ms;
            if a.verbose {
                say!("seed {}  ok  {} writes acknowledged, {} events", r.seed, r.acked, r.events);
            }
            return;
        }
        Some(Failure::Safety(v)) => {
            t.safety += 1;
            t.virtual_ms += v.time_ms.min(a.duration_ms);
            format!("SAFETY  {v}")
        }
        Some(Failure::Liveness(why)) => {
            t.liveness += 1;
            t.virtual_ms += a.duration_ms;
            format!("LIVENESS  {why}")
        }
    };
    if t.safety + t.liveness > MAX_DETAILED as u64 {
        t.more.push(r.seed);
        return;
    }
    say!("seed {}  {failed}", r.seed);
    say!("    settings:  {}", r.settings);
    say!("    reproduce: {}", reproduce(r.seed, a));
}

/// The command line that runs exactly this seed again and prints its story.
fn reproduce(seed: u64, a: &ChaosArgs) -> String {
    let mut cmd = format!("raftsim chaos --first {seed} --seeds 1 --nodes {} --duration {}", a.nodes, a.duration_ms);
    if let Some(f) = &a.fault {
        cmd.push_str(&format!(" --fault {f}"));
    }
    cmd.push_str(" --trace");
    cmd
}

/// The tail of one run's records, with the violation in its place. Heartbeat
/// acknowledgements (empty appends) are left out.
fn print_trace(r: &ChaosResult) {
    let heartbeat = |rec: &Record| {
        matches!(
            rec.kind,
            RecordKind::Raft { event: Event::AppendAccepted { appended: 0, truncated_from: None, .. }, .. }
        )
    };
    let violations: Vec<Violation> = match &r.failure {
        Some(Failure::Safety(v)) => vec![v.clone()],
        _ => Vec::new(),
    };
    let lines: Vec<String> = story_lines(&r.records, &violations, |rec| !heartbeat(rec))
        .into_iter()
        .map(|l| match l {
            Line::Record(rec) => format!("  {:>7} ms  #{:<8} {}", rec.time_ms, rec.event, rec.describe()),
            Line::Violation(v) => format!("  {:>7} ms  #{:<8} VIOLATION {v}", v.time_ms, v.event),
        })
        .collect();
    let from = lines.len().saturating_sub(TRACE_LINES);
    say!();
    say!(
        "trace of seed {}: the last {} of {} lines ({} records in all; heartbeat acknowledgements left out)",
        r.seed,
        lines.len() - from,
        lines.len(),
        r.records.len()
    );
    for l in &lines[from..] {
        say!("{l}");
    }
    if let Some(Failure::Liveness(why)) = &r.failure {
        say!("  LIVENESS: {why}");
    }
}
