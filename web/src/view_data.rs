//! The data the components draw, derived from the session after each batch of events and
//! reused (same `Rc`) while unchanged, so memoized components skip it.

use crate::app::App;
use crate::chart::Mark;
use crate::event_log;
use crate::safety_panel::ExpectRow;
use crate::snapshot;
use crate::util::perf_now;
use raft_core::NodeId;
use raft_sim::{Action, NodeRef};
use std::rc::Rc;

/// While playing, refresh the slow parts (and the clock) at most this often; while messages are
/// on the canvas, half as often. Each such refresh re-renders most of the page, 8-13 ms of main
/// thread at 9 nodes: twice a second, those frames made up the slowest 5% (docs/performance.md).
const SLOW_EVERY_MS: f64 = 500.0;
const SLOW_EVERY_BUSY_MS: f64 = 1000.0;

impl App {
    /// How often the slow parts and the clock refresh while playing.
    pub(crate) fn slow_every_ms(&self) -> f64 {
        if self.flights.busy() {
            SLOW_EVERY_BUSY_MS
        } else {
            SLOW_EVERY_MS
        }
    }

    /// Recomputes what the components draw, reusing whatever did not change. While playing,
    /// the slow parts (event log, chart, expectations) refresh only every `slow_every_ms`.
    pub(crate) fn refresh(&mut self) {
        let speed = self.speed();
        let w = &self.sim.runner.world;
        let flagged: Vec<NodeId> = w.checker.violations.last().map(|v| v.nodes.clone()).unwrap_or_default();
        let nodes = self.views.nodes(w, &flagged);
        if *self.nodes != nodes {
            self.nodes = Rc::new(nodes);
        }
        self.flights.sync(w, self.vclock, speed, self.playing);
        let links = snapshot::links(w);
        if *self.links != links {
            self.links = Rc::new(links);
        }
        let logs = self.views.logs(w);
        if *self.logs != logs {
            self.logs = Rc::new(logs);
        }
        if self.violations.len() != w.checker.violations.len() {
            self.violations = Rc::new(w.checker.violations.clone());
        }
        let faults: Vec<String> = w.config.cluster.faults.clone();
        if *self.faults != faults {
            self.faults = Rc::new(faults);
        }
        let now = perf_now();
        if self.playing && now - self.slow_at < self.slow_every_ms() {
            return;
        }
        self.slow_at = now;
        self.refresh_events();
        let s = &self.sim.samples;
        let key = (s.len(), s.last().map_or(0, |x| x.time_ms));
        if key != self.samples_key {
            self.samples_key = key;
            self.samples = Rc::new(s.clone());
        }
        let end = self.timeline_end();
        let key = (self.sim.actions.len(), end);
        if key != self.marks_key {
            self.marks_key = key;
            self.marks = Rc::new(self.compute_marks(end));
        }
        let expects = self.compute_expects();
        if *self.expects != expects {
            self.expects = Rc::new(expects);
        }
    }

    /// Identity of everything drawn besides the clock: unchanged data keeps its `Rc`.
    pub(crate) fn drawn(&self) -> [*const (); 7] {
        [
            Rc::as_ptr(&self.nodes) as *const (),
            Rc::as_ptr(&self.links) as *const (),
            Rc::as_ptr(&self.logs) as *const (),
            Rc::as_ptr(&self.events) as *const (),
            Rc::as_ptr(&self.samples) as *const (),
            Rc::as_ptr(&self.violations) as *const (),
            Rc::as_ptr(&self.expects) as *const (),
        ]
    }

    /// Event rows: appended to while the records only grow, rebuilt when they were trimmed or
    /// replaced (a seek).
    fn refresh_events(&mut self) {
        let r = &self.sim.runner.world.records;
        let at = |i: usize| r.get(i).map_or((0, 0), |x| (x.event, x.time_ms));
        let (len, first, last) = self.events_key;
        let key = (r.len(), at(0), at(r.len().wrapping_sub(1)));
        if key == self.events_key {
            return;
        }
        let grew = r.len() > len && len > 0 && at(0) == first && at(len - 1) == last;
        if grew {
            let mut rows = Vec::with_capacity(r.len());
            rows.extend(self.events.iter().cloned());
            rows.extend(event_log::rows(&r[len..]));
            self.events = Rc::new(rows);
        } else {
            self.events = Rc::new(event_log::rows(r).collect());
        }
        self.events_key = key;
    }

    /// The scrubber's and the chart's end.
    pub fn timeline_end(&self) -> u64 {
        let s = &self.sim;
        let base = if self.setup.scenario.is_some() { s.scenario.duration_ms } else { 2000 };
        // Free play grows in steps so the scale does not creep every frame.
        let reach = s.horizon_ms.max(s.now());
        if reach <= base {
            return base;
        }
        if reach < 10_000 {
            reach.div_ceil(2000) * 2000
        } else {
            reach.div_ceil(10_000) * 10_000
        }
    }

    fn compute_marks(&self, end: u64) -> Vec<Mark> {
        let scripted = self.sim.scenario.timeline.iter().map(|st| (st.at, &st.action));
        let user = self.sim.actions.iter().map(|(at, a)| (*at, a));
        scripted
            .chain(user)
            .filter(|(at, a)| *at <= end && !matches!(a, Action::Caption { .. }))
            .map(|(t, a)| Mark {
                t,
                text: describe_action(a),
                fault: !matches!(
                    a,
                    Action::Heal
                        | Action::Restart { .. }
                        | Action::Resume { .. }
                        | Action::Uncut { .. }
                        | Action::ClientWrite { .. }
                        | Action::ClientRead { .. }
                        | Action::Compact { .. }
                ),
            })
            .collect()
    }

    fn compute_expects(&self) -> Vec<ExpectRow> {
        let checks = &self.sim.runner.checks;
        self.sim
            .scenario
            .expect
            .iter()
            .map(|e| {
                let result = checks.iter().find(|(at, c, _)| *at == e.at && *c == e.check).map(|(_, _, r)| r.clone());
                ExpectRow { at: e.at, what: e.check.to_string(), result }
            })
            .collect()
    }
}

pub fn describe_action(a: &Action) -> String {
    let r = |n: &NodeRef| n.to_string();
    match a {
        Action::Crash { node } => format!("crash {}", r(node)),
        Action::Restart { node } => format!("restart {}", r(node)),
        Action::Pause { node } => format!("pause {}", r(node)),
        Action::Resume { node } => format!("resume {}", r(node)),
        Action::LoseDisk { node } => format!("{} loses its disk", r(node)),
        Action::Partition { groups } => format!(
            "partition {}",
            groups.iter().map(|g| g.iter().map(r).collect::<Vec<_>>().join(",")).collect::<Vec<_>>().join(" | ")
        ),
        Action::Isolate { node } => format!("isolate {}", r(node)),
        Action::Heal => "heal".into(),
        Action::Cut { from, to, oneway } => format!("cut {}{}{}", r(from), if *oneway { "→" } else { "↔" }, r(to)),
        Action::Uncut { from, to, oneway } => {
            format!("restore {}{}{}", r(from), if *oneway { "→" } else { "↔" }, r(to))
        }
        Action::SetNetwork { .. } => "network settings".into(),
        Action::ClientWrite { key, value, .. } => format!("write {key}={value}"),
        Action::ClientRead { key, .. } => format!("read {key}"),
        Action::TimeoutNow { node } => format!("{} times out", r(node)),
        Action::TransferLeadership { to } => format!("transfer leadership to {}", r(to)),
        Action::DropMessage { id } => format!("drop message {id}"),
        Action::DuplicateMessage { id } => format!("duplicate message {id}"),
        Action::DelayMessage { id, ms } => format!("delay message {id} by {ms} ms"),
        Action::Caption { text } => text.clone(),
        Action::AddNode => "add a node".into(),
        Action::Promote { node } => format!("promote {}", r(node)),
        Action::RemoveNode { node } => format!("remove {}", r(node)),
        Action::ChangeVoters { voters } => format!("voters {}", voters.iter().map(r).collect::<Vec<_>>().join(",")),
        Action::Compact { node } => format!("{} snapshots", r(node)),
    }
}
