//! Settings of a simulated cluster, its network and its clients. Every field has a default so
//! scenario files name only what they change.

use raft_core::{Config, Faults, NodeId, VecMap};
use serde::{Deserialize, Serialize};

pub const MAX_NODES: usize = 25;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterConfig {
    /// Number of nodes, 1 to 25; they are named S1..Sn.
    pub nodes: usize,
    /// Length of one tick of a node's clock, in virtual milliseconds.
    pub tick_ms: u64,
    /// Per-node tick length overrides (clock drift): node id -> tick length in ms.
    pub clock_ms: VecMap<NodeId, u64>,
    pub election_ticks: u32,
    pub heartbeat_ticks: u32,
    pub pre_vote: bool,
    pub check_quorum: bool,
    pub max_inflight: usize,
    pub max_entries_per_msg: usize,
    /// Names of teaching faults to switch on (see `raftsim list`).
    pub faults: Vec<String>,
    /// A node snapshots its state machine and compacts its log once this many applied entries
    /// follow its last snapshot (0: never).
    pub snapshot_entries: u64,
    /// A node removed from the configuration is shut down once it applies its removal, as
    /// operators do; off, it keeps running (and may disrupt the cluster, thesis §4.2.3).
    pub retire_removed: bool,
    /// The clock drift lease reads assume at most, in percent (see raft-core's Config).
    pub max_clock_drift_percent: u32,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            nodes: 5,
            tick_ms: 10,
            clock_ms: VecMap::new(),
            election_ticks: 15,
            heartbeat_ticks: 5,
            pre_vote: false,
            check_quorum: false,
            max_inflight: 4,
            max_entries_per_msg: 16,
            faults: Vec::new(),
            snapshot_entries: 0,
            retire_removed: true,
            max_clock_drift_percent: 10,
        }
    }
}

impl ClusterConfig {
    /// Checks ranges and fault names; the error is a sentence for the user.
    pub fn validate(&self) -> Result<(), String> {
        if self.nodes == 0 || self.nodes > MAX_NODES {
            return Err(format!("cluster.nodes must be between 1 and {MAX_NODES}, not {}", self.nodes));
        }
        if self.tick_ms == 0 {
            return Err("cluster.tick_ms must be at least 1".into());
        }
        for (&id, &ms) in &self.clock_ms {
            if id == 0 || id as usize > MAX_NODES {
                return Err(format!("cluster.clock_ms names node {id}, which does not exist"));
            }
            if ms == 0 {
                return Err(format!("cluster.clock_ms for node {id} must be at least 1"));
            }
        }
        self.faults()?;
        self.raft_config(1).validate().map_err(|e| format!("cluster: {e}"))
    }

    pub fn faults(&self) -> Result<Faults, String> {
        let mut faults = Faults::default();
        for name in &self.faults {
            if !faults.enable(name) {
                let known: Vec<&str> = Faults::ALL.iter().map(|f| f.name).collect();
                return Err(format!("unknown teaching fault '{name}' (known: {})", known.join(", ")));
            }
        }
        Ok(faults)
    }

    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> {
        1..=self.nodes as NodeId
    }

    #[inline]
    pub fn tick_ms_of(&self, id: NodeId) -> u64 {
        self.clock_ms.get(&id).copied().unwrap_or(self.tick_ms)
    }

    /// The raft-core settings of node `id` (its seed is set by the world).
    /// Nodes beyond the bootstrap ones join with an empty configuration: they learn it from
    /// the leader.
    pub fn raft_config(&self, id: NodeId) -> Config {
        let voters = if id as usize <= self.nodes { self.node_ids().collect() } else { Vec::new() };
        let mut c = Config::new(id, voters);
        c.max_clock_drift_percent = self.max_clock_drift_percent;
        c.election_ticks = self.election_ticks;
        c.heartbeat_ticks = self.heartbeat_ticks;
        c.pre_vote = self.pre_vote;
        c.check_quorum = self.check_quorum;
        c.max_inflight = self.max_inflight;
        c.max_entries_per_msg = self.max_entries_per_msg;
        c.faults = self.faults().unwrap_or_default();
        c
    }
}

/// Link behaviour. Latency is drawn uniformly from `latency_ms` for each message, so messages
/// reorder naturally when the range is wide; `reorder` adds an extra delay to some of them.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinkConfig {
    pub latency_ms: [u64; 2],
    /// Probability that a message is lost.
    pub loss: f64,
    /// Probability that a message is delivered twice.
    pub duplicate: f64,
    /// Probability that a message is held back by up to 4x the maximum latency.
    pub reorder: f64,
}

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig { latency_ms: [10, 30], loss: 0.0, duplicate: 0.0, reorder: 0.0 }
    }
}

impl LinkConfig {
    pub fn validate(&self) -> Result<(), String> {
        let [lo, hi] = self.latency_ms;
        if lo > hi {
            return Err(format!("latency_ms [{lo}, {hi}]: the minimum is above the maximum"));
        }
        if hi > 60_000 {
            return Err(format!("latency_ms maximum {hi} is above 60000"));
        }
        for (name, p) in [("loss", self.loss), ("duplicate", self.duplicate), ("reorder", self.reorder)] {
            if !(0.0..=1.0).contains(&p) {
                return Err(format!("{name} must be between 0 and 1, not {p}"));
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientConfig {
    /// Number of clients, named C1..Cn.
    pub count: usize,
    /// A request not answered within this time is retried (same sequence number).
    pub timeout_ms: u64,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig { count: 3, timeout_ms: 400 }
    }
}

/// Everything that defines a world besides its seed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimConfig {
    pub cluster: ClusterConfig,
    pub network: LinkConfig,
    pub clients: ClientConfig,
}

impl SimConfig {
    pub fn validate(&self) -> Result<(), String> {
        self.cluster.validate()?;
        self.network.validate().map_err(|e| format!("network.{e}"))?;
        if self.clients.count == 0 || self.clients.count > 100 {
            return Err(format!("clients.count must be between 1 and 100, not {}", self.clients.count));
        }
        if self.clients.timeout_ms == 0 {
            return Err("clients.timeout_ms must be at least 1".into());
        }
        Ok(())
    }
}
