//! Scenarios: a cluster, a seed, a timeline of actions and captions, and expectations, as JSON.
//! The format is documented in docs/scenarios.md; the built-in library uses the same files.

use crate::action::{Action, NodeRef};
use crate::checker::{Property, Violation};
use crate::config::{ClientConfig, ClusterConfig, LinkConfig, SimConfig};
use crate::world::World;
use raft_core::{Index, NodeId, Term};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short identifier, e.g. `leader-crash`.
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub seed: u64,
    #[serde(default)]
    pub cluster: ClusterConfig,
    #[serde(default)]
    pub network: LinkConfig,
    #[serde(default)]
    pub clients: ClientConfig,
    /// The run ends at this virtual time.
    pub duration_ms: u64,
    #[serde(default)]
    pub timeline: Vec<Step>,
    #[serde(default)]
    pub expect: Vec<Expectation>,
}

/// An action at a moment of virtual time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub at: u64,
    #[serde(flatten)]
    pub action: Action,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Expectation {
    pub at: u64,
    #[serde(flatten)]
    pub check: Check,
}

/// Something that must hold at a given time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "check", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Check {
    /// Exactly one live node believes it leads.
    OneLeader,
    /// No live node believes it leads.
    NoLeader,
    /// The leader of the highest term is this node.
    LeaderIs { node: NodeId },
    /// There is a leader and it is not this node.
    LeaderIsNot { node: NodeId },
    /// The highest term of any node lies within the bounds.
    Term {
        #[serde(default)]
        min: Option<Term>,
        #[serde(default)]
        max: Option<Term>,
    },
    /// At least `nodes` nodes have a commit index of at least `index`.
    Committed { index: Index, nodes: usize },
    /// At least `nodes` nodes (default: every live node) have applied `key = value`.
    Value {
        key: String,
        value: String,
        #[serde(default)]
        nodes: Option<usize>,
    },
    /// Every live node holds the same log.
    LogsIdentical,
    /// No safety property has been violated so far.
    NoViolation,
    /// This property has been violated (a teaching scenario that shows a broken guarantee).
    Violation { property: Property },
    /// The leader's configuration has exactly these voters (and is not joint).
    Voters { voters: Vec<NodeId> },
    /// The node has a snapshot covering at least `index`.
    Snapshot { node: NodeId, index: Index },
    /// At least `min` (and at most `max`) completed reads returned stale values.
    StaleReads {
        #[serde(default)]
        min: usize,
        #[serde(default)]
        max: Option<usize>,
    },
    /// At least `count` reads completed.
    ReadsDone { count: usize },
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Check::OneLeader => write!(f, "exactly one leader"),
            Check::NoLeader => write!(f, "no leader"),
            Check::LeaderIs { node } => write!(f, "S{node} leads"),
            Check::LeaderIsNot { node } => write!(f, "a leader other than S{node}"),
            Check::Term { min, max } => {
                write!(f, "highest term in [{}, {}]", min.unwrap_or(0), max.map_or("any".into(), |m| m.to_string()))
            }
            Check::Committed { index, nodes } => write!(f, "commit index >= {index} on >= {nodes} nodes"),
            Check::Value { key, value, nodes: None } => write!(f, "{key}={value} on every live node"),
            Check::Value { key, value, nodes: Some(n) } => write!(f, "{key}={value} on >= {n} nodes"),
            Check::LogsIdentical => write!(f, "logs identical"),
            Check::NoViolation => write!(f, "no safety violation"),
            Check::Violation { property } => write!(f, "{} violated", property.name()),
            Check::Voters { voters } => write!(f, "voters are {}", crate::world::node_list(voters, ", ")),
            Check::Snapshot { node, index } => write!(f, "S{node} has a snapshot up to >= {index}"),
            Check::StaleReads { min, max: None } => write!(f, ">= {min} stale reads"),
            Check::StaleReads { min, max: Some(m) } => write!(f, "{min} to {m} stale reads"),
            Check::ReadsDone { count } => write!(f, ">= {count} reads completed"),
        }
    }
}

impl Check {
    /// Evaluates the check; the error says what was found instead.
    pub fn evaluate(&self, w: &World) -> Result<(), String> {
        let live = || w.nodes.iter().filter(|n| n.is_up());
        let leaders = w.leaders();
        let max_term = w.nodes.iter().map(|n| n.term()).max().unwrap_or(0);
        let ok = match self {
            Check::OneLeader => leaders.len() == 1,
            Check::NoLeader => leaders.is_empty(),
            Check::LeaderIs { node } => w.leader() == Some(*node),
            Check::LeaderIsNot { node } => w.leader().is_some_and(|l| l != *node),
            Check::Term { min, max } => min.is_none_or(|m| max_term >= m) && max.is_none_or(|m| max_term <= m),
            Check::Committed { index, nodes } => {
                live().filter(|n| n.raft.as_ref().is_some_and(|r| r.log().committed >= *index)).count() >= *nodes
            }
            Check::Value { key, value, nodes } => {
                let have = live().filter(|n| n.kv.data.get(key).map(|(v, _)| v) == Some(value)).count();
                have >= nodes.unwrap_or_else(|| live().count())
            }
            Check::LogsIdentical => w.logs_identical(),
            Check::NoViolation => w.checker.ok(),
            Check::Violation { property } => w.checker.violations.iter().any(|v| v.property == *property),
            Check::Voters { voters } => w
                .leader()
                .and_then(|l| w.nodes[l as usize - 1].raft.as_ref())
                .is_some_and(|r| !r.membership().is_joint() && r.membership().voters == *voters),
            Check::Snapshot { node, index } => w
                .nodes
                .get(*node as usize - 1)
                .and_then(|n| n.disk.snapshot.as_ref())
                .is_some_and(|s| s.index >= *index),
            Check::StaleReads { min, max } => {
                let stale = w.completed.iter().filter(|c| c.stale).count();
                stale >= *min && max.is_none_or(|m| stale <= m)
            }
            Check::ReadsDone { count } => {
                w.completed.iter().filter(|c| matches!(c.op, crate::kv::Op::Read { .. })).count() >= *count
            }
        };
        if ok {
            return Ok(());
        }
        let roles: Vec<String> = w
            .nodes
            .iter()
            .map(|n| match &n.raft {
                Some(r) => format!("S{} {} t{} commit {}", n.id, r.role().name(), r.term(), r.log().committed),
                None => format!("S{} crashed", n.id),
            })
            .collect();
        Err(match self {
            Check::NoViolation => {
                format!("found: {}", w.checker.violations.first().map_or(String::new(), |v| v.to_string()))
            }
            _ => format!("found: {}", roles.join("; ")),
        })
    }
}

/// A problem in a scenario file: where and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// e.g. "line 4, column 12" or "timeline[2]".
    pub position: String,
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.position, self.message)
    }
}

impl Scenario {
    /// Parses and validates a scenario file.
    #[cfg(feature = "json")]
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        let s: Scenario = serde_json::from_str(text).map_err(|e| ScenarioError {
            position: format!("line {}, column {}", e.line(), e.column()),
            message: e.to_string().split(" at line ").next().unwrap_or_default().to_string(),
        })?;
        s.validate()?;
        Ok(s)
    }

    pub fn sim_config(&self) -> SimConfig {
        SimConfig { cluster: self.cluster.clone(), network: self.network, clients: self.clients }
    }

    /// Checks what the JSON grammar cannot: ranges, node ids, times.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let err = |position: String, message: String| ScenarioError { position, message };
        self.sim_config().validate().map_err(|m| err("settings".into(), m))?;
        if self.duration_ms == 0 || self.duration_ms > 3_600_000 {
            return Err(err("duration_ms".into(), "must be between 1 and 3600000".into()));
        }
        // Nodes added during the run get the next ids.
        let added = self.timeline.iter().filter(|s| s.action == Action::AddNode).count();
        let n = (self.cluster.nodes + added) as NodeId;
        let check_node = |id: NodeId| {
            if id == 0 || id > n {
                Err(format!("node {id} does not exist (nodes are 1..{n})"))
            } else {
                Ok(())
            }
        };
        for (i, step) in self.timeline.iter().enumerate() {
            let position = format!("timeline[{i}]");
            if step.at > self.duration_ms {
                return Err(err(position, format!("at {} is after duration_ms {}", step.at, self.duration_ms)));
            }
            for r in step.action.node_refs() {
                if let NodeRef::Id(id) = r {
                    check_node(id).map_err(|m| err(position.clone(), m))?;
                }
            }
            if let Action::ClientWrite { client: Some(c), .. } | Action::ClientRead { client: Some(c), .. } =
                step.action
            {
                if c == 0 || c as usize > self.clients.count {
                    return Err(err(
                        position,
                        format!("client {c} does not exist (clients are 1..{})", self.clients.count),
                    ));
                }
            }
        }
        for (i, e) in self.expect.iter().enumerate() {
            let position = format!("expect[{i}]");
            if e.at > self.duration_ms {
                return Err(err(position, format!("at {} is after duration_ms {}", e.at, self.duration_ms)));
            }
            match &e.check {
                Check::LeaderIs { node } | Check::LeaderIsNot { node } | Check::Snapshot { node, .. } => {
                    check_node(*node).map_err(|m| err(position, m))?
                }
                Check::Committed { nodes, .. } | Check::Value { nodes: Some(nodes), .. } if *nodes > n as usize => {
                    return Err(err(position, format!("nodes {nodes} is more than the cluster's {n}")));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

impl Action {
    /// Every node this action names.
    pub fn node_refs(&self) -> Vec<NodeRef> {
        match self {
            Action::Crash { node }
            | Action::Restart { node }
            | Action::Pause { node }
            | Action::Resume { node }
            | Action::LoseDisk { node }
            | Action::Isolate { node }
            | Action::TimeoutNow { node }
            | Action::Promote { node }
            | Action::RemoveNode { node }
            | Action::Compact { node } => vec![*node],
            Action::ChangeVoters { voters } => voters.clone(),
            Action::ClientRead { via: Some(via), .. } => vec![*via],
            Action::TransferLeadership { to } => vec![*to],
            Action::Cut { from, to, .. } | Action::Uncut { from, to, .. } => vec![*from, *to],
            Action::SetNetwork { link: Some(l), .. } => l.to_vec(),
            Action::Partition { groups } => groups.iter().flatten().copied().collect(),
            _ => Vec::new(),
        }
    }
}

/// How a run went.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub world: World,
    /// Actions that could not be applied, with when and why.
    pub action_errors: Vec<(u64, String)>,
    /// Every expectation with its result.
    pub checks: Vec<(u64, Check, Result<(), String>)>,
}

impl Outcome {
    pub fn violations(&self) -> &[Violation] {
        &self.world.checker.violations
    }

    pub fn violated(&self, p: Property) -> bool {
        self.violations().iter().any(|v| v.property == p)
    }

    /// The scenario expects this property to break (it teaches a broken guarantee).
    pub fn expects_violation(&self, p: Property) -> bool {
        self.checks.iter().any(|(_, c, _)| *c == Check::Violation { property: p })
    }

    /// Every expectation held, every action applied, and no property broke except those the
    /// scenario expects to break.
    pub fn passed(&self) -> bool {
        self.action_errors.is_empty()
            && self.checks.iter().all(|(_, _, r)| r.is_ok())
            && self.violations().iter().all(|v| self.expects_violation(v.property))
    }
}

/// Options that override a scenario's own settings.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    pub seed: Option<u64>,
    /// Extra teaching faults to switch on.
    pub faults: Vec<String>,
    /// Keep readable records of the run.
    pub record: bool,
}

/// Steps a scenario through time; the page drives one of these, the CLI runs it to the end.
#[derive(Clone, Debug)]
pub struct Runner {
    pub world: World,
    items: Vec<(u64, Item)>,
    next: usize,
    pub action_errors: Vec<(u64, String)>,
    pub checks: Vec<(u64, Check, Result<(), String>)>,
    pub duration_ms: u64,
}

#[derive(Clone, Debug)]
enum Item {
    Act(Action),
    Expect(Check),
}

impl Runner {
    pub fn new(s: &Scenario, opts: &RunOptions) -> Result<Runner, String> {
        let mut config = s.sim_config();
        for f in &opts.faults {
            // World::new validates the names.
            if !config.cluster.faults.contains(f) {
                config.cluster.faults.push(f.clone());
            }
        }
        let mut world = World::new(config, opts.seed.unwrap_or(s.seed))?;
        world.recording = opts.record;
        let mut items: Vec<(u64, Item)> = s.timeline.iter().map(|st| (st.at, Item::Act(st.action.clone()))).collect();
        items.extend(s.expect.iter().map(|e| (e.at, Item::Expect(e.check.clone()))));
        // Stable: at equal times, actions (listed first) run before expectations, in file order.
        // An insertion sort: files are nearly in order, and the library's stable sort is ~3 KB
        // of the page's wasm.
        for i in 1..items.len() {
            let mut j = i;
            while j > 0 && items[j - 1].0 > items[j].0 {
                items.swap(j - 1, j);
                j -= 1;
            }
        }
        Ok(Runner { world, items, next: 0, action_errors: Vec::new(), checks: Vec::new(), duration_ms: s.duration_ms })
    }

    /// Runs the world to `t`, applying actions and evaluating expectations as their times come.
    pub fn run_to(&mut self, t: u64) {
        while let Some((at, item)) = self.items.get(self.next).filter(|(at, _)| *at <= t).cloned() {
            self.next += 1;
            self.world.run_until(at);
            match item {
                Item::Act(a) => {
                    if let Err(e) = self.world.apply_action(&a) {
                        self.action_errors.push((at, e));
                    }
                }
                Item::Expect(c) => {
                    let r = c.evaluate(&self.world);
                    self.checks.push((at, c, r));
                }
            }
        }
        self.world.run_until(t);
    }

    /// Queues an action at `at` (not before the items already processed), after any other
    /// item due at the same time.
    pub fn schedule(&mut self, at: u64, action: Action) {
        let pos = self.next + self.items[self.next..].iter().take_while(|(t, _)| *t <= at).count();
        self.items.insert(pos, (at, Item::Act(action)));
    }

    /// Applies an action now; on error nothing is recorded and the world is unchanged.
    pub fn act_now(&mut self, action: Action) -> Result<(), String> {
        let now = self.world.now;
        self.world.apply_action(&action)?;
        self.items.insert(self.next, (now, Item::Act(action)));
        self.next += 1;
        Ok(())
    }

    /// When the next timeline item is due.
    pub fn next_item_ms(&self) -> Option<u64> {
        self.items.get(self.next).map(|(at, _)| *at)
    }

    pub fn finish(mut self) -> Outcome {
        self.run_to(self.duration_ms);
        Outcome { world: self.world, action_errors: self.action_errors, checks: self.checks }
    }
}

/// Runs a scenario to its end.
pub fn run(s: &Scenario, opts: &RunOptions) -> Result<Outcome, String> {
    Ok(Runner::new(s, opts)?.finish())
}
