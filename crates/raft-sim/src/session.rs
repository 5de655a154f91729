//! An interactive run, as the page drives it: advance through time, jump back and forth (time
//! travel), and act at any moment. Acting in the past forks the run: the actions that followed
//! are discarded. Seeking restores the nearest earlier checkpoint and replays from there, so a
//! session is fully described by its scenario, seed and the user's timed actions.

use crate::action::Action;
use crate::scenario::{RunOptions, Runner, Scenario};
use raft_core::{Index, Role, Term};
use serde::{Deserialize, Serialize};

/// Checkpoint spacing to start with; it doubles each time the list is thinned.
const CHECKPOINT_EVERY_MS: u64 = 1000;
/// At most this many checkpoints (and chart samples): memory stays bounded.
const MAX_CHECKPOINTS: usize = 64;
const MAX_SAMPLES: usize = 1200;
const SAMPLE_EVERY_MS: u64 = 50;

/// One point of the history chart: each node's term, commit index and role.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub time_ms: u64,
    /// Per node: (term, commit index, role; None when crashed).
    pub nodes: Vec<(Term, Index, Option<Role>)>,
}

#[derive(Clone, Debug)]
struct Checkpoint {
    runner: Runner,
    /// How many user actions had been applied when it was taken.
    applied: usize,
}

#[derive(Clone, Debug)]
pub struct Session {
    pub scenario: Scenario,
    pub options: RunOptions,
    pub runner: Runner,
    /// The user's actions with their virtual times, in order.
    pub actions: Vec<(u64, Action)>,
    applied: usize,
    checkpoints: Vec<Checkpoint>,
    checkpoint_every_ms: u64,
    pub samples: Vec<Sample>,
    sample_every_ms: u64,
    /// The furthest time this timeline has reached (the end of the scrubber).
    pub horizon_ms: u64,
}

impl Session {
    pub fn new(scenario: Scenario, mut options: RunOptions, max_records: usize) -> Result<Session, String> {
        options.record = true;
        let mut runner = Runner::new(&scenario, &options)?;
        runner.world.max_records = max_records;
        runner.run_to(0);
        let mut s = Session {
            scenario,
            options,
            checkpoints: vec![Checkpoint { runner: runner.clone(), applied: 0 }],
            runner,
            actions: Vec::new(),
            applied: 0,
            checkpoint_every_ms: CHECKPOINT_EVERY_MS,
            samples: Vec::new(),
            sample_every_ms: SAMPLE_EVERY_MS,
            horizon_ms: 0,
        };
        s.sample();
        Ok(s)
    }

    pub fn now(&self) -> u64 {
        self.runner.world.now
    }

    /// Runs forward to `t` (no-op if `t` is not ahead), replaying recorded actions on the way.
    pub fn advance_to(&mut self, t: u64) {
        while self.now() < t {
            let next_cp = self.checkpoints.last().map_or(0, |c| c.runner.world.now) + self.checkpoint_every_ms;
            let next_sample = self.samples.last().map_or(0, |s| s.time_ms) + self.sample_every_ms;
            let next_action = self.actions.get(self.applied).map(|(at, _)| *at);
            let mut stop = t.min(next_cp).min(next_sample);
            if let Some(at) = next_action {
                stop = stop.min(at);
            }
            self.runner.run_to(stop);
            while let Some((_, a)) = self.actions.get(self.applied).cloned().filter(|(at, _)| *at <= stop) {
                // Replaying an action that applied before: the world is the same, so it applies again.
                let _ = self.runner.act_now(a);
                self.applied += 1;
            }
            if stop >= next_sample {
                self.sample();
            }
            if stop >= next_cp {
                self.checkpoint();
            }
        }
        self.horizon_ms = self.horizon_ms.max(self.now());
    }

    /// Processes just the next event (the page's "step" button).
    pub fn step_event(&mut self) {
        if let Some(t) = self.runner.world.next_event_ms() {
            let t = self.runner.next_item_ms().map_or(t, |i| i.min(t)).max(self.now());
            if t == self.now() {
                self.runner.world.step();
                self.horizon_ms = self.horizon_ms.max(self.now());
            } else {
                self.advance_to(t);
            }
        }
    }

    /// Jumps to `t`, backward or forward.
    pub fn seek(&mut self, t: u64) {
        if t < self.now() {
            let cp = self.checkpoints.iter().rev().find(|c| c.runner.world.now <= t).unwrap_or(&self.checkpoints[0]);
            self.runner = cp.runner.clone();
            self.applied = cp.applied;
        }
        self.advance_to(t);
    }

    /// Applies a user action now. If the timeline had continued past now, that future is
    /// discarded first (a fork). On error nothing changes.
    pub fn act(&mut self, action: Action) -> Result<(), String> {
        let now = self.now();
        self.runner.act_now(action.clone())?;
        if self.applied < self.actions.len() || self.horizon_ms > now {
            self.actions.truncate(self.applied);
            self.checkpoints.retain(|c| c.runner.world.now <= now);
            self.samples.retain(|s| s.time_ms <= now);
            self.horizon_ms = now;
        }
        self.actions.push((now, action));
        self.applied += 1;
        Ok(())
    }

    fn checkpoint(&mut self) {
        self.checkpoints.push(Checkpoint { runner: self.runner.clone(), applied: self.applied });
        if self.checkpoints.len() > MAX_CHECKPOINTS {
            // Keep every other one (always the first): older history gets coarser.
            let mut i = 0;
            self.checkpoints.retain(|_| {
                i += 1;
                i % 2 == 1
            });
            self.checkpoint_every_ms *= 2;
        }
    }

    fn sample(&mut self) {
        let w = &self.runner.world;
        let nodes =
            w.nodes.iter().map(|n| (n.term(), n.raft.as_ref().map_or(0, |r| r.log().committed), n.role())).collect();
        self.samples.push(Sample { time_ms: w.now, nodes });
        if self.samples.len() > MAX_SAMPLES {
            let mut i = 0;
            self.samples.retain(|_| {
                i += 1;
                i % 2 == 1
            });
            self.sample_every_ms *= 2;
        }
    }

    /// Memory held by history: (checkpoints, samples, records).
    pub fn history_sizes(&self) -> (usize, usize, usize) {
        (self.checkpoints.len(), self.samples.len(), self.runner.world.records.len())
    }
}
