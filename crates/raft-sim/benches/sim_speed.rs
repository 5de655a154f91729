//! Simulation speed and chaos throughput, timed with `std::time::Instant` (no criterion: it
//! costs a lot of compile time). Each figure is the median of several repeats.
//!
//! Run: `cargo bench -p raft-sim --bench sim_speed`. Results and the machine they were taken on
//! are kept in docs/performance.md.

use raft_sim::chaos::{run_seed, ChaosOptions, Failure};
use raft_sim::{SimConfig, World};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Virtual length of one simulation run.
const VIRTUAL_MS: u64 = 60_000;
/// Repeats of each measurement; the median is reported.
const REPEATS: usize = 7;
/// Seeds per chaos repeat.
const CHAOS_SEEDS: u64 = 40;
const CHAOS_REPEATS: usize = 5;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

fn min_max(xs: &[f64]) -> (f64, f64) {
    xs.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)))
}

/// The steady-load world: 5 nodes, 10 ms ticks, 10 clients sharing 100 writes per virtual
/// second, 1% message loss. The safety checkers run after every event (they always do).
fn steady_world(seed: u64) -> World {
    let mut c = SimConfig::default();
    c.cluster.nodes = 5;
    c.cluster.tick_ms = 10;
    c.clients.count = 10;
    c.network.loss = 0.01;
    let mut w = World::new(c, seed).expect("valid settings");
    w.set_workload(100);
    w
}

struct SimRun {
    wall: Duration,
    events: u64,
    completed: usize,
    hash: String,
}

fn sim_run(seed: u64) -> SimRun {
    let start = Instant::now();
    let mut w = steady_world(seed);
    w.run_until(VIRTUAL_MS);
    let wall = start.elapsed();
    assert!(w.checker.ok(), "a healthy cluster broke safety: {:?}", w.checker.violations);
    SimRun { wall, events: w.events, completed: w.completed.len(), hash: black_box(&w.hash).hex() }
}

fn bench_simulation() {
    println!("(a) simulation speed: 5 nodes, 10 ms ticks, 100 writes/virtual s from 10 clients, 1% loss,");
    println!("    checkers on, {} s virtual; median of {REPEATS} runs (seed 1)", VIRTUAL_MS / 1000);
    // One warm-up run (page faults, caches), not counted.
    sim_run(1);
    let runs: Vec<SimRun> = (0..REPEATS).map(|_| sim_run(1)).collect();
    let ratios: Vec<f64> = runs.iter().map(|r| VIRTUAL_MS as f64 / 1000.0 / r.wall.as_secs_f64()).collect();
    let eps: Vec<f64> = runs.iter().map(|r| r.events as f64 / r.wall.as_secs_f64()).collect();
    let walls: Vec<f64> = runs.iter().map(|r| r.wall.as_secs_f64() * 1000.0).collect();
    let (lo, hi) = min_max(&ratios);
    println!("    wall time per run:      {:.1} ms (median)", median(walls));
    println!("    virtual / wall time:    {:.0}x (median; min {lo:.0}x, max {hi:.0}x; goal >= 3000x)", median(ratios));
    println!("    events per wall second: {:.0} (median)", median(eps));
    println!("    events per run:         {}", runs[0].events);
    println!("    writes completed:       {} of {} offered", runs[0].completed, VIRTUAL_MS / 1000 * 100);
    // The same run every time: a change to the simulator that keeps this hash did not change
    // what was simulated.
    println!("    trace hash:             {}", runs[0].hash);
}

fn bench_chaos() {
    let opts = ChaosOptions::default();
    println!();
    println!(
        "(b) chaos throughput: default ChaosOptions ({} nodes, {} s of faults, {} writes/s), one thread;",
        opts.nodes,
        opts.duration_ms / 1000,
        opts.writes_per_sec
    );
    println!("    seeds 1..={CHAOS_SEEDS} per repeat, median of {CHAOS_REPEATS} repeats");
    let mut rates = Vec::new();
    let mut eps = Vec::new();
    let mut failures = 0;
    let mut events = 0;
    for _ in 0..CHAOS_REPEATS {
        let start = Instant::now();
        let mut ev = 0;
        failures = 0;
        for seed in 1..=CHAOS_SEEDS {
            let r = run_seed(seed, &opts).expect("valid settings");
            ev += r.events;
            if let Some(f) = &r.failure {
                failures += 1;
                if let Failure::Safety(v) = f {
                    println!("    seed {seed} broke safety: {v}");
                }
            }
            black_box(&r);
        }
        let wall = start.elapsed().as_secs_f64();
        rates.push(CHAOS_SEEDS as f64 / wall);
        eps.push(ev as f64 / wall);
        events = ev;
    }
    let (lo, hi) = min_max(&rates);
    let rate = median(rates);
    println!("    seeds per wall second:  {rate:.1} (median; min {lo:.1}, max {hi:.1})");
    println!(
        "    virtual s of faults per wall s: {:.0} (seeds/s x {} s; healing not counted)",
        rate * opts.duration_ms as f64 / 1000.0,
        opts.duration_ms / 1000
    );
    println!("    events per wall second: {:.0} (median); {} events per repeat", median(eps), events);
    println!("    failing seeds:          {failures} of {CHAOS_SEEDS}");
}

/// `cargo bench -p raft-sim --bench sim_speed [-- simulation|chaos]` runs both parts, or the
/// one named (cargo also passes `--bench`, which is ignored).
fn main() {
    let wanted: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let run = |part: &str| wanted.is_empty() || wanted.iter().any(|w| part.contains(w.as_str()));
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("raft-sim benchmarks ({cpus} CPUs available; figures are single-threaded)");
    println!();
    if run("simulation") {
        bench_simulation();
    }
    if run("chaos") {
        bench_chaos();
    }
}
