//! Random fault schedules, in the manner of TigerBeetle's VOPR: one seed derives the cluster's
//! settings and every fault. Safety is checked after every event while faults run; then the
//! faults stop, everything heals, and the cluster must elect a leader and bring every
//! acknowledged write to every node within the liveness window.

use crate::action::{Action, NodeRef};
use crate::checker::Violation;
use crate::config::SimConfig;
use crate::kv::{Op, ReadMode};
use crate::world::World;
use raft_core::{NodeId, Prng};

/// How long the healed cluster has to converge.
pub const LIVENESS_WINDOW_MS: u64 = 10_000;

#[derive(Clone, Debug)]
pub struct ChaosOptions {
    pub nodes: usize,
    /// Length of the faulty phase in virtual ms.
    pub duration_ms: u64,
    /// A teaching fault to switch on.
    pub fault: Option<String>,
    /// Client writes per virtual second during the faulty phase.
    pub writes_per_sec: u64,
    /// Keep the run's readable records (for printing a failing seed's story).
    pub record: bool,
}

impl Default for ChaosOptions {
    fn default() -> Self {
        ChaosOptions { nodes: 5, duration_ms: 60_000, fault: None, writes_per_sec: 20, record: false }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    Safety(Violation),
    Liveness(String),
}

#[derive(Clone, Debug)]
pub struct ChaosResult {
    pub seed: u64,
    pub failure: Option<Failure>,
    /// Writes acknowledged to clients.
    pub acked: usize,
    pub events: u64,
    /// Virtual time when the run ended.
    pub end_ms: u64,
    /// The settings this seed chose, for the reproduction line.
    pub settings: String,
    /// The run's records, when `record` was on.
    pub records: Vec<crate::trace::Record>,
}

/// The settings a seed derives (swarm testing: each seed gets its own fault profile).
pub fn config_for(seed: u64, opts: &ChaosOptions) -> SimConfig {
    let mut rng = Prng::new(seed ^ 0x5EED_C4A0_5000_0000);
    let mut c = SimConfig::default();
    c.cluster.nodes = opts.nodes;
    c.cluster.pre_vote = rng.chance(0.5);
    c.cluster.check_quorum = rng.chance(0.5);
    // Small batches and windows stress flow control, yet must still catch a node up on a
    // 60 s backlog within the liveness window.
    c.cluster.max_entries_per_msg = rng.range(4, 65) as usize;
    c.cluster.max_inflight = rng.range(1, 9) as usize;
    c.cluster.faults = opts.fault.iter().cloned().collect();
    c.cluster.snapshot_entries = [0, 8, 40][rng.range(0, 3) as usize];
    c.clients.count = 5;
    let lo = rng.range(1, 15);
    c.network.latency_ms = [lo, lo + rng.range(0, 40)];
    c
}

/// Runs one seed.
pub fn run_seed(seed: u64, opts: &ChaosOptions) -> Result<ChaosResult, String> {
    let config = config_for(seed, opts);
    let settings = format!(
        "nodes={} pre_vote={} check_quorum={} latency={:?} max_inflight={} max_entries={}",
        config.cluster.nodes,
        config.cluster.pre_vote,
        config.cluster.check_quorum,
        config.network.latency_ms,
        config.cluster.max_inflight,
        config.cluster.max_entries_per_msg
    );
    let mut world = World::new(config, seed)?;
    world.recording = opts.record;
    let mut rng = Prng::new(seed ^ 0xFA17_5000);
    world.set_workload(opts.writes_per_sec);
    let mut t = 0;
    while t < opts.duration_ms {
        t += rng.range(50, 600);
        world.run_until(t.min(opts.duration_ms));
        if !world.checker.ok() {
            break;
        }
        let action = random_action(&mut rng, &world);
        // Some actions do not apply in the current state (restart a running node): skip them.
        if let Action::Crash { node: NodeRef::Id(id) } = action {
            // Sometimes a crash is a dead disk: the node is removed and replaced by a fresh
            // identity (a new id) later, as the thesis recommends over reusing the old one.
            if rng.chance(0.2)
                && can_lose_a_voter(&world)
                && world.apply_action(&Action::RemoveNode { node: NodeRef::Id(id) }).is_ok()
            {
                world.retire(id);
                continue;
            }
        }
        let _ = world.apply_action(&action);
    }
    let result = |world: &World, failure| ChaosResult {
        seed,
        failure,
        acked: world.completed.iter().filter(|c| matches!(c.op, Op::Write { .. })).count(),
        events: world.events,
        end_ms: world.now,
        settings: settings.clone(),
        records: world.records.clone(),
    };
    if let Some(v) = world.checker.violations.first() {
        return Ok(result(&world, Some(Failure::Safety(v.clone()))));
    }
    heal_everything(&mut world);
    let deadline = world.now + LIVENESS_WINDOW_MS;
    while world.now < deadline {
        world.run_until(world.now + 100);
        if let Some(v) = world.checker.violations.first() {
            return Ok(result(&world, Some(Failure::Safety(v.clone()))));
        }
        if converged(&world).is_ok() {
            return Ok(result(&world, None));
        }
    }
    let why = converged(&world).err().unwrap_or_default();
    Ok(result(&world, Some(Failure::Liveness(why))))
}

fn random_action(rng: &mut Prng, world: &World) -> Action {
    let n = world.nodes.len() as NodeId;
    let node = NodeRef::Id(rng.range(1, n + 1));
    if rng.chance(0.25) {
        return random_extension_action(rng, world, node);
    }
    match rng.range(0, 100) {
        0..=14 => Action::Crash { node },
        15..=34 => Action::Restart { node },
        35..=39 => Action::Crash { node: NodeRef::Leader },
        40..=49 => {
            let mut groups = vec![Vec::new(), Vec::new()];
            for id in 1..=n {
                groups[rng.range(0, 2) as usize].push(NodeRef::Id(id));
            }
            Action::Partition { groups }
        }
        50..=54 => Action::Isolate { node: NodeRef::Leader },
        55..=69 => Action::Heal,
        70..=74 => Action::Cut { from: node, to: NodeRef::Id(rng.range(1, n + 1)), oneway: rng.chance(0.5) },
        75..=79 => Action::Pause { node },
        80..=87 => Action::Resume { node },
        88..=93 => Action::SetNetwork {
            link: None,
            latency_ms: None,
            loss: Some([0.0, 0.01, 0.05, 0.2][rng.range(0, 4) as usize]),
            duplicate: Some([0.0, 0.02, 0.1][rng.range(0, 3) as usize]),
            reorder: Some([0.0, 0.05, 0.2][rng.range(0, 3) as usize]),
        },
        _ => Action::TimeoutNow { node },
    }
}

/// True if the leader's configuration has at least four voters and none is shut down for good,
/// so that losing one for good (before its removal commits) still leaves a majority once
/// everything restarts. With fewer, a dead voter can stall the cluster forever (etcd's
/// two-member removal problem).
fn can_lose_a_voter(world: &World) -> bool {
    let Some(raft) = world.leader().and_then(|l| world.nodes[l as usize - 1].raft.as_ref()) else { return false };
    let voters = raft.membership().all_voters();
    voters.len() >= 4 && voters.iter().all(|&v| !world.nodes[v as usize - 1].retired)
}

/// Membership changes, reads and snapshots.
fn random_extension_action(rng: &mut Prng, world: &World, node: NodeRef) -> Action {
    let voters = world.leader().and_then(|l| world.nodes[l as usize - 1].raft.as_ref()).map(|r| r.membership().clone());
    let live: Vec<NodeId> = world.nodes.iter().filter(|n| !n.retired).map(|n| n.id).collect();
    match rng.range(0, 100) {
        0..=11 if world.nodes.len() < 9 => Action::AddNode,
        0..=19 => {
            let learner = voters.as_ref().and_then(|m| m.learners.first().copied());
            Action::Promote { node: learner.map_or(node, NodeRef::Id) }
        }
        // Keep at least three voters, so a crash or two cannot stall the cluster for good.
        20..=27 if can_lose_a_voter(world) => Action::RemoveNode { node },
        28..=33 if live.len() >= 3 => {
            let mut pick: Vec<NodeId> = live.iter().copied().filter(|_| rng.chance(0.7)).collect();
            if pick.len() < 3 {
                pick = live[..3].to_vec();
            }
            Action::ChangeVoters { voters: pick.into_iter().map(NodeRef::Id).collect() }
        }
        34..=39 => Action::Compact { node },
        _ => {
            let modes = [ReadMode::Log, ReadMode::ReadIndex, ReadMode::Lease, ReadMode::Local, ReadMode::Sync];
            let mut mode = modes[rng.range(0, modes.len() as u64) as usize];
            if mode == ReadMode::Lease && !world.config.cluster.check_quorum {
                mode = ReadMode::ReadIndex;
            }
            let client = rng.range(1, world.clients.len() as u64 + 1);
            Action::ClientRead {
                key: format!("k{}", rng.range(0, 8)),
                client: Some(client),
                mode: Some(mode),
                via: Some(node),
            }
        }
    }
}

/// Faults stop: the network heals and loses nothing, paused nodes resume, crashed ones restart.
fn heal_everything(world: &mut World) {
    world.set_workload(0);
    // Clients stop starting new writes, so "every acknowledged write everywhere" is a fixed
    // target rather than one that keeps moving while a backlog drains.
    world.drop_queued_client_ops();
    let _ = world.apply_action(&Action::Heal);
    let calm =
        Action::SetNetwork { link: None, latency_ms: None, loss: Some(0.0), duplicate: Some(0.0), reorder: Some(0.0) };
    let _ = world.apply_action(&calm);
    world.network.links.clear();
    for id in 1..=world.nodes.len() as NodeId {
        let node = NodeRef::Id(id);
        let _ = world.apply_action(&Action::Resume { node });
        let _ = world.apply_action(&Action::Restart { node });
    }
}

/// A leader exists and every acknowledged write is applied on every member of its
/// configuration (nodes shut down for good are not waited for).
pub fn converged(world: &World) -> Result<(), String> {
    let leaders = world.leaders();
    if leaders.len() != 1 {
        return Err(format!("{} leaders after healing: {leaders:?}", leaders.len()));
    }
    let Some(config) = world.nodes[leaders[0].0 as usize - 1].raft.as_ref().map(|r| r.membership().clone()) else {
        return Err("the leader is down".into());
    };
    let members = || world.nodes.iter().filter(|n| !n.retired && config.is_member(n.id));
    for c in world.completed.iter().filter(|c| matches!(c.op, Op::Write { .. })) {
        if let Some(n) = members().find(|n| !n.kv.has_applied(c.client, c.seq)) {
            return Err(format!(
                "S{} has not applied C{} #{} (acknowledged at index {}) after healing",
                n.id, c.client, c.seq, c.index
            ));
        }
    }
    Ok(())
}

/// Runs seeds `first..first + count` on `jobs` threads; results in seed order.
pub fn run_many(first: u64, count: u64, jobs: usize, opts: &ChaosOptions) -> Result<Vec<ChaosResult>, String> {
    let jobs = jobs.clamp(1, 64) as u64;
    let chunks: Vec<Result<Vec<ChaosResult>, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..jobs)
            .map(|j| {
                s.spawn(move || {
                    (first..first + count).filter(|seed| seed % jobs == j).map(|seed| run_seed(seed, opts)).collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("a chaos worker panicked".into()))).collect()
    });
    let mut all = Vec::new();
    for c in chunks {
        all.extend(c?);
    }
    all.sort_by_key(|r| r.seed);
    Ok(all)
}
