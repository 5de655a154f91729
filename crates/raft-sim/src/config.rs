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
                // Without the value: printing any float would link core's float formatting into
                // the page (~9 KB of wasm), and the field's name says which value is wrong.
                return Err(format!("{name} must be between 0 and 1"));
            }
        }
        Ok(())
    }
}

/// Prints a probability (a float in [0, 1]) without core's float formatting, which would add
/// ~9 KB to the page's wasm. A value with up to 15 significant digits, as people type them,
/// prints exactly as `{}` prints it: the shortest decimal that reads back as the same float.
/// Others (0.1 + 0.2, say) print rounded to 17 significant digits, the last one approximate.
pub struct Probability(pub f64);

impl std::fmt::Display for Probability {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (n, digits) = decimal(self.0);
        if digits == 0 {
            return write!(f, "{n}");
        }
        // n < 10^17, so from 19 decimals on it has no whole part.
        let (whole, frac) = if digits < 19 { (n / 10u64.pow(digits), n % 10u64.pow(digits)) } else { (0, n) };
        let text = format!("{whole}.{frac:0width$}", width = digits as usize);
        f.write_str(text.trim_end_matches('0').trim_end_matches('.'))
    }
}

/// `p` as n * 10^-digits with the fewest digits that read back as `p`, else 17 significant
/// digits (or 22 decimals, for the smallest).
fn decimal(p: f64) -> (u64, u32) {
    const EXACT: f64 = (1u64 << 53) as f64;
    let mut scale = 1.0;
    for digits in 0..=22 {
        let x = p * scale;
        if x >= EXACT {
            return ((x * 10.0 + 0.5) as u64, digits + 1);
        }
        // Below 2^53, `n` and `scale` (a power of ten up to 10^22) are exact floats, so
        // `n / scale` is the float that the decimal n * 10^-digits reads back as.
        let n = (x + 0.5) as u64;
        if n as f64 / scale == p {
            return (n, digits);
        }
        scale *= 10.0;
    }
    ((p * 1e22 + 0.5) as u64, 22)
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

#[cfg(test)]
mod tests {
    use super::Probability;

    #[test]
    fn probabilities_print_as_rust_prints_them() {
        // As typed: up to 15 significant digits.
        let mut typed = vec!["0", "1", "0.5", "0.01", "0.1", "0.2", "0.3", "0.05", "0.25", "0.123456789"];
        typed.extend(["0.00001", "0.000025", "0.0000000001", "0.999999999999999", "0.333333333333333"]);
        for t in typed {
            let v: f64 = t.parse().unwrap();
            assert_eq!(Probability(v).to_string(), v.to_string(), "{t}");
        }
        // Random decimals with 1 to 15 digits after the point.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..20_000 {
            let digits = 1 + next() % 15;
            let unit = 10u64.pow(digits as u32);
            let v = (next() % unit) as f64 / unit as f64;
            assert_eq!(Probability(v).to_string(), v.to_string(), "{v:e}");
        }
        // Floats that need 16 or 17 digits: within the 17th digit.
        for v in [0.1 + 0.2, 1.0 / 3.0, 2.0 / 3.0, 0.999_999_999_999_999_9] {
            let back: f64 = Probability(v).to_string().parse().unwrap();
            assert!((back - v).abs() <= 1e-16, "{v:e} printed as {back:e}");
        }
        // The tiniest run out of decimals: 22 of them.
        assert_eq!(Probability(f64::EPSILON).to_string(), "0.0000000000000002220446");
    }
}
