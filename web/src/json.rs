//! Scenario files and URL actions, read from the browser's JSON parser and written by hand, in
//! exactly the format raft-sim's serde derives use (docs/scenarios.md). Not serde: its derived
//! deserializers (internally tagged enums buffer everything into `Content`) cost ~35 KB gzip of
//! wasm, a sixth of the page. Matches on raft-sim's types are exhaustive, so a new action or
//! check is a compile error here rather than a silent gap; tests/components.rs checks a
//! round trip of every action.

use raft_sim::config::{ClientConfig, ClusterConfig, LinkConfig};
use raft_sim::kv::ReadMode;
use raft_sim::scenario::{Check, Expectation, Scenario, Step};
use raft_sim::{Action, NodeRef, Property};
use std::fmt::Write;
use wasm_bindgen::{JsCast, JsValue};

type R<T> = Result<T, String>;

/// A JSON object with the path that led to it, for error messages.
struct Obj<'a> {
    v: JsValue,
    at: &'a str,
}

fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn is_object(v: &JsValue) -> bool {
    v.is_object() && !js_sys::Array::is_array(v)
}

impl<'a> Obj<'a> {
    fn new(v: JsValue, at: &'a str) -> R<Self> {
        if !is_object(&v) {
            return Err(format!("{at}: expected an object"));
        }
        Ok(Obj { v, at })
    }

    /// Refuses unknown keys, like serde's `deny_unknown_fields`: a typo must not pass silently.
    fn only(&self, known: &[&str]) -> R<()> {
        for k in js_sys::Object::keys(self.v.unchecked_ref::<js_sys::Object>()).iter() {
            let k = k.as_string().unwrap_or_default();
            if !known.contains(&k.as_str()) {
                return Err(format!("{}: unknown field '{k}' (expected one of: {})", self.at, known.join(", ")));
            }
        }
        Ok(())
    }

    /// The value of `key`, None if absent or null.
    fn opt(&self, key: &str) -> Option<JsValue> {
        Some(get(&self.v, key)).filter(|v| !v.is_undefined() && !v.is_null())
    }

    fn req(&self, key: &str) -> R<JsValue> {
        self.opt(key).ok_or_else(|| format!("{}: missing field '{key}'", self.at))
    }

    fn field<T>(&self, key: &str, f: impl Fn(&JsValue) -> Option<T>, what: &str) -> R<Option<T>> {
        match self.opt(key) {
            None => Ok(None),
            Some(v) => f(&v).map(Some).ok_or_else(|| format!("{}.{key}: expected {what}", self.at)),
        }
    }

    fn u64(&self, key: &str) -> R<Option<u64>> {
        self.field(key, to_u64, "a whole number >= 0")
    }

    fn req_u64(&self, key: &str) -> R<u64> {
        self.u64(key)?.ok_or_else(|| format!("{}: missing field '{key}'", self.at))
    }

    fn f64(&self, key: &str) -> R<Option<f64>> {
        self.field(key, JsValue::as_f64, "a number")
    }

    fn bool(&self, key: &str) -> R<Option<bool>> {
        self.field(key, JsValue::as_bool, "true or false")
    }

    fn string(&self, key: &str) -> R<Option<String>> {
        self.field(key, JsValue::as_string, "a string")
    }

    fn req_string(&self, key: &str) -> R<String> {
        self.string(key)?.ok_or_else(|| format!("{}: missing field '{key}'", self.at))
    }

    fn node(&self, key: &str) -> R<NodeRef> {
        node_ref(&self.req(key)?).map_err(|e| format!("{}.{key}: {e}", self.at))
    }

    fn pair<T>(&self, key: &str, f: impl Fn(&JsValue) -> R<T>) -> R<Option<[T; 2]>> {
        let Some(v) = self.opt(key) else { return Ok(None) };
        let items = array(&v).filter(|a| a.len() == 2).ok_or_else(|| format!("{}.{key}: expected a pair", self.at))?;
        let item = |i: usize| f(&items[i]).map_err(|e| format!("{}.{key}[{i}]: {e}", self.at));
        Ok(Some([item(0)?, item(1)?]))
    }
}

fn to_u64(v: &JsValue) -> Option<u64> {
    // 2^53: beyond it a JSON number is no longer an exact integer.
    v.as_f64().filter(|n| *n >= 0.0 && *n <= 9_007_199_254_740_992.0 && n.fract() == 0.0).map(|n| n as u64)
}

fn array(v: &JsValue) -> Option<Vec<JsValue>> {
    js_sys::Array::is_array(v).then(|| v.unchecked_ref::<js_sys::Array>().iter().collect())
}

fn node_ref(v: &JsValue) -> R<NodeRef> {
    let id = match v.as_string() {
        Some(s) if s == "leader" => return Ok(NodeRef::Leader),
        Some(s) if s == "follower" => return Ok(NodeRef::Follower),
        Some(s) => s.strip_prefix('S').unwrap_or(&s).parse::<u64>().ok(),
        None => to_u64(v),
    };
    match id {
        Some(0) => Err("node ids start at 1".into()),
        Some(id) => Ok(NodeRef::Id(id)),
        None => Err("expected a node id (1, 2, ... or \"S1\") or \"leader\" or \"follower\"".into()),
    }
}

/// An action: an object tagged by `do`. `extra` are keys the container adds (a timeline's `at`).
fn action(o: &Obj, extra: &[&str]) -> R<Action> {
    let tag = o.req_string("do")?;
    let mut known = vec!["do"];
    known.extend_from_slice(extra);
    let mut with = |keys: &[&'static str]| {
        known.extend_from_slice(keys);
        o.only(&known)
    };
    let a = match tag.as_str() {
        "crash" | "restart" | "pause" | "resume" | "lose-disk" | "isolate" | "timeout-now" | "promote"
        | "remove-node" | "compact" => {
            with(&["node"])?;
            let node = o.node("node")?;
            match tag.as_str() {
                "crash" => Action::Crash { node },
                "restart" => Action::Restart { node },
                "pause" => Action::Pause { node },
                "resume" => Action::Resume { node },
                "lose-disk" => Action::LoseDisk { node },
                "isolate" => Action::Isolate { node },
                "promote" => Action::Promote { node },
                "remove-node" => Action::RemoveNode { node },
                "compact" => Action::Compact { node },
                _ => Action::TimeoutNow { node },
            }
        }
        "add-node" => {
            with(&[])?;
            Action::AddNode
        }
        "change-voters" => {
            with(&["voters"])?;
            let voters =
                array(&o.req("voters")?).ok_or_else(|| format!("{}.voters: expected a list of nodes", o.at))?;
            let voters =
                voters.iter().map(node_ref).collect::<R<Vec<_>>>().map_err(|e| format!("{}.voters: {e}", o.at))?;
            Action::ChangeVoters { voters }
        }
        "partition" => {
            with(&["groups"])?;
            let bad = || format!("{}.groups: expected a list of lists of nodes", o.at);
            let groups = array(&o.req("groups")?).ok_or_else(bad)?;
            let groups = groups
                .iter()
                .map(|g| array(g).ok_or_else(bad)?.iter().map(node_ref).collect::<R<Vec<_>>>())
                .collect::<R<Vec<_>>>()
                .map_err(|e| format!("{}.groups: {e}", o.at))?;
            Action::Partition { groups }
        }
        "heal" => {
            with(&[])?;
            Action::Heal
        }
        "cut" | "uncut" => {
            with(&["from", "to", "oneway"])?;
            let (from, to) = (o.node("from")?, o.node("to")?);
            let oneway = o.bool("oneway")?.unwrap_or(false);
            if tag == "cut" {
                Action::Cut { from, to, oneway }
            } else {
                Action::Uncut { from, to, oneway }
            }
        }
        "set-network" => {
            with(&["link", "latency_ms", "loss", "duplicate", "reorder"])?;
            Action::SetNetwork {
                link: o.pair("link", node_ref)?,
                latency_ms: o.pair("latency_ms", |v| to_u64(v).ok_or_else(|| "expected a whole number".into()))?,
                loss: o.f64("loss")?,
                duplicate: o.f64("duplicate")?,
                reorder: o.f64("reorder")?,
            }
        }
        "client-write" => {
            with(&["key", "value", "client"])?;
            Action::ClientWrite { key: o.req_string("key")?, value: o.req_string("value")?, client: o.u64("client")? }
        }
        "client-read" => {
            with(&["key", "client", "mode", "via"])?;
            let mode = match o.string("mode")? {
                None => None,
                Some(m) => Some(
                    READ_MODES
                        .iter()
                        .find(|(_, name)| *name == m)
                        .map(|(mode, _)| *mode)
                        .ok_or_else(|| format!("{}.mode: unknown read mode '{m}'", o.at))?,
                ),
            };
            let via = o.opt("via").map(|v| node_ref(&v).map_err(|e| format!("{}.via: {e}", o.at))).transpose()?;
            Action::ClientRead { key: o.req_string("key")?, client: o.u64("client")?, mode, via }
        }
        "transfer-leadership" => {
            with(&["to"])?;
            Action::TransferLeadership { to: o.node("to")? }
        }
        "drop-message" | "duplicate-message" => {
            with(&["id"])?;
            let id = o.req_u64("id")?;
            if tag == "drop-message" {
                Action::DropMessage { id }
            } else {
                Action::DuplicateMessage { id }
            }
        }
        "delay-message" => {
            with(&["id", "ms"])?;
            Action::DelayMessage { id: o.req_u64("id")?, ms: o.req_u64("ms")? }
        }
        "caption" => {
            with(&["text"])?;
            Action::Caption { text: o.req_string("text")? }
        }
        other => return Err(format!("{}: unknown action '{other}'", o.at)),
    };
    Ok(a)
}

/// Read modes by their names in files (serde's kebab-case).
const READ_MODES: [(ReadMode, &str); 5] = [
    (ReadMode::Log, "log"),
    (ReadMode::ReadIndex, "read-index"),
    (ReadMode::Lease, "lease"),
    (ReadMode::Local, "local"),
    (ReadMode::Sync, "sync"),
];

fn read_mode_name(m: ReadMode) -> &'static str {
    match m {
        ReadMode::Log => "log",
        ReadMode::ReadIndex => "read-index",
        ReadMode::Lease => "lease",
        ReadMode::Local => "local",
        ReadMode::Sync => "sync",
    }
}

fn check(o: &Obj) -> R<Check> {
    let tag = o.req_string("check")?;
    let with = |keys: &[&str]| {
        let mut known = vec!["check", "at"];
        known.extend_from_slice(keys);
        o.only(&known)
    };
    let c = match tag.as_str() {
        "one-leader" => with(&[]).map(|_| Check::OneLeader)?,
        "no-leader" => with(&[]).map(|_| Check::NoLeader)?,
        "logs-identical" => with(&[]).map(|_| Check::LogsIdentical)?,
        "no-violation" => with(&[]).map(|_| Check::NoViolation)?,
        "leader-is" => with(&["node"]).and_then(|_| Ok(Check::LeaderIs { node: o.req_u64("node")? }))?,
        "leader-is-not" => with(&["node"]).and_then(|_| Ok(Check::LeaderIsNot { node: o.req_u64("node")? }))?,
        "term" => with(&["min", "max"]).and_then(|_| Ok(Check::Term { min: o.u64("min")?, max: o.u64("max")? }))?,
        "committed" => {
            with(&["index", "nodes"])?;
            Check::Committed { index: o.req_u64("index")?, nodes: o.req_u64("nodes")? as usize }
        }
        "value" => {
            with(&["key", "value", "nodes"])?;
            Check::Value {
                key: o.req_string("key")?,
                value: o.req_string("value")?,
                nodes: o.u64("nodes")?.map(|n| n as usize),
            }
        }
        "violation" => {
            with(&["property"])?;
            let name = o.req_string("property")?;
            let property =
                Property::parse(&name).ok_or_else(|| format!("{}.property: unknown property '{name}'", o.at))?;
            Check::Violation { property }
        }
        "voters" => {
            with(&["voters"])?;
            let bad = || format!("{}.voters: expected a list of node ids", o.at);
            let voters = array(&o.req("voters")?).ok_or_else(bad)?;
            Check::Voters { voters: voters.iter().map(to_u64).collect::<Option<Vec<_>>>().ok_or_else(bad)? }
        }
        "snapshot" => {
            with(&["node", "index"])?;
            Check::Snapshot { node: o.req_u64("node")?, index: o.req_u64("index")? }
        }
        "stale-reads" => {
            with(&["min", "max"])?;
            Check::StaleReads {
                min: o.u64("min")?.unwrap_or_default() as usize,
                max: o.u64("max")?.map(|n| n as usize),
            }
        }
        "reads-done" => {
            with(&["count"])?;
            Check::ReadsDone { count: o.req_u64("count")? as usize }
        }
        other => return Err(format!("{}: unknown check '{other}'", o.at)),
    };
    // Compiled only for its exhaustive match: a check added to raft-sim fails the build here.
    debug_assert_eq!(check_name(&c), tag);
    Ok(c)
}

fn check_name(c: &Check) -> &'static str {
    match c {
        Check::OneLeader => "one-leader",
        Check::NoLeader => "no-leader",
        Check::LeaderIs { .. } => "leader-is",
        Check::LeaderIsNot { .. } => "leader-is-not",
        Check::Term { .. } => "term",
        Check::Committed { .. } => "committed",
        Check::Value { .. } => "value",
        Check::LogsIdentical => "logs-identical",
        Check::NoViolation => "no-violation",
        Check::Violation { .. } => "violation",
        Check::Voters { .. } => "voters",
        Check::Snapshot { .. } => "snapshot",
        Check::StaleReads { .. } => "stale-reads",
        Check::ReadsDone { .. } => "reads-done",
    }
}

fn list<T>(o: &Obj, key: &str, f: impl Fn(&Obj) -> R<T>) -> R<Vec<T>> {
    let Some(v) = o.opt(key) else { return Ok(Vec::new()) };
    let items = array(&v).ok_or_else(|| format!("{}.{key}: expected a list", o.at))?;
    items.into_iter().enumerate().map(|(i, v)| f(&Obj::new(v, &format!("{key}[{i}]"))?)).collect()
}

fn cluster(o: &Obj) -> R<ClusterConfig> {
    o.only(&[
        "nodes",
        "tick_ms",
        "clock_ms",
        "election_ticks",
        "heartbeat_ticks",
        "pre_vote",
        "check_quorum",
        "max_inflight",
        "max_entries_per_msg",
        "faults",
        "snapshot_entries",
        "retire_removed",
        "max_clock_drift_percent",
    ])?;
    let d = ClusterConfig::default();
    let small = |key: &str| -> R<Option<u32>> {
        o.u64(key)?.map(|v| u32::try_from(v).map_err(|_| format!("{}.{key}: too large", o.at))).transpose()
    };
    let mut clock_ms = d.clock_ms;
    if let Some(v) = o.opt("clock_ms") {
        let m = Obj::new(v, "cluster.clock_ms")?;
        for k in js_sys::Object::keys(m.v.unchecked_ref::<js_sys::Object>()).iter() {
            let k = k.as_string().unwrap_or_default();
            let id = k.parse::<u64>().map_err(|_| format!("cluster.clock_ms: '{k}' is not a node id"))?;
            clock_ms.insert(id, m.req_u64(&k)?);
        }
    }
    let faults = match o.opt("faults") {
        None => d.faults,
        Some(v) => array(&v)
            .and_then(|a| a.iter().map(JsValue::as_string).collect::<Option<Vec<_>>>())
            .ok_or("cluster.faults: expected a list of names")?,
    };
    Ok(ClusterConfig {
        nodes: o.u64("nodes")?.map_or(d.nodes, |v| v as usize),
        tick_ms: o.u64("tick_ms")?.unwrap_or(d.tick_ms),
        clock_ms,
        election_ticks: small("election_ticks")?.unwrap_or(d.election_ticks),
        heartbeat_ticks: small("heartbeat_ticks")?.unwrap_or(d.heartbeat_ticks),
        pre_vote: o.bool("pre_vote")?.unwrap_or(d.pre_vote),
        check_quorum: o.bool("check_quorum")?.unwrap_or(d.check_quorum),
        max_inflight: o.u64("max_inflight")?.map_or(d.max_inflight, |v| v as usize),
        max_entries_per_msg: o.u64("max_entries_per_msg")?.map_or(d.max_entries_per_msg, |v| v as usize),
        faults,
        snapshot_entries: o.u64("snapshot_entries")?.unwrap_or(d.snapshot_entries),
        retire_removed: o.bool("retire_removed")?.unwrap_or(d.retire_removed),
        max_clock_drift_percent: small("max_clock_drift_percent")?.unwrap_or(d.max_clock_drift_percent),
    })
}

/// Parses a scenario file (not yet validated).
pub fn scenario(text: &str) -> R<Scenario> {
    let v = js_sys::JSON::parse(text).map_err(|_| "not valid JSON".to_string())?;
    let o = Obj::new(v, "scenario")?;
    o.only(&[
        "name",
        "title",
        "description",
        "seed",
        "cluster",
        "network",
        "clients",
        "duration_ms",
        "timeline",
        "expect",
    ])?;
    let sub = |key: &'static str| o.opt(key).map(|v| Obj::new(v, key)).transpose();
    let network = match sub("network")? {
        None => LinkConfig::default(),
        Some(n) => {
            n.only(&["latency_ms", "loss", "duplicate", "reorder"])?;
            let d = LinkConfig::default();
            LinkConfig {
                latency_ms: n
                    .pair("latency_ms", |v| to_u64(v).ok_or_else(|| "expected a whole number".into()))?
                    .unwrap_or(d.latency_ms),
                loss: n.f64("loss")?.unwrap_or(d.loss),
                duplicate: n.f64("duplicate")?.unwrap_or(d.duplicate),
                reorder: n.f64("reorder")?.unwrap_or(d.reorder),
            }
        }
    };
    let clients = match sub("clients")? {
        None => ClientConfig::default(),
        Some(c) => {
            c.only(&["count", "timeout_ms"])?;
            let d = ClientConfig::default();
            ClientConfig {
                count: c.u64("count")?.map_or(d.count, |v| v as usize),
                timeout_ms: c.u64("timeout_ms")?.unwrap_or(d.timeout_ms),
            }
        }
    };
    Ok(Scenario {
        name: o.req_string("name")?,
        title: o.string("title")?.unwrap_or_default(),
        description: o.string("description")?.unwrap_or_default(),
        seed: o.u64("seed")?.unwrap_or_default(),
        cluster: sub("cluster")?.map_or(Ok(ClusterConfig::default()), |c| cluster(&c))?,
        network,
        clients,
        duration_ms: o.req_u64("duration_ms")?,
        timeline: list(&o, "timeline", |s| Ok(Step { at: s.req_u64("at")?, action: action(s, &["at"])? }))?,
        expect: list(&o, "expect", |e| Ok(Expectation { at: e.req_u64("at")?, check: check(e)? }))?,
    })
}

/// Timed actions from the URL: `[[at, action], ...]`.
pub fn actions(text: &str) -> R<Vec<(u64, Action)>> {
    let v = js_sys::JSON::parse(text).map_err(|_| "not valid JSON after base64url decoding".to_string())?;
    let items = array(&v).ok_or("expected a list of [time, action] pairs")?;
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let at = format!("action {}", i + 1);
            let pair = array(&item).filter(|p| p.len() == 2).ok_or_else(|| format!("{at}: expected [time, action]"))?;
            let t = to_u64(&pair[0]).ok_or_else(|| format!("{at}: the time is not a whole number of ms"))?;
            Ok((t, action(&Obj::new(pair[1].clone(), &at)?, &[])?))
        })
        .collect()
}

/// JSON text of a string (the browser escapes it).
fn quote(out: &mut String, s: &str) {
    out.push_str(&js_sys::JSON::stringify(&JsValue::from_str(s)).map(String::from).unwrap_or_default());
}

fn node_val(out: &mut String, n: &NodeRef) {
    match n {
        NodeRef::Id(id) => {
            let _ = write!(out, "{id}");
        }
        NodeRef::Leader => out.push_str("\"leader\""),
        NodeRef::Follower => out.push_str("\"follower\""),
    }
}

fn put_node(out: &mut String, key: &str, n: &NodeRef) {
    let _ = write!(out, ",\"{key}\":");
    node_val(out, n);
}

fn put_num(out: &mut String, key: &str, v: Option<impl std::fmt::Display>) {
    if let Some(v) = v {
        let _ = write!(out, ",\"{key}\":{v}");
    }
}

fn put_str(out: &mut String, key: &str, v: &str) {
    let _ = write!(out, ",\"{key}\":");
    quote(out, v);
}

/// Writes `[[at, action], ...]` as JSON, as serde would (false and absent fields left out).
pub fn write_actions(actions: &[(u64, Action)]) -> String {
    let mut out = String::from("[");
    for (i, (at, a)) in actions.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let tag = match a {
            Action::Crash { .. } => "crash",
            Action::Restart { .. } => "restart",
            Action::Pause { .. } => "pause",
            Action::Resume { .. } => "resume",
            Action::LoseDisk { .. } => "lose-disk",
            Action::Partition { .. } => "partition",
            Action::Isolate { .. } => "isolate",
            Action::Heal => "heal",
            Action::Cut { .. } => "cut",
            Action::Uncut { .. } => "uncut",
            Action::SetNetwork { .. } => "set-network",
            Action::ClientWrite { .. } => "client-write",
            Action::ClientRead { .. } => "client-read",
            Action::TimeoutNow { .. } => "timeout-now",
            Action::AddNode => "add-node",
            Action::Promote { .. } => "promote",
            Action::RemoveNode { .. } => "remove-node",
            Action::ChangeVoters { .. } => "change-voters",
            Action::Compact { .. } => "compact",
            Action::TransferLeadership { .. } => "transfer-leadership",
            Action::DropMessage { .. } => "drop-message",
            Action::DuplicateMessage { .. } => "duplicate-message",
            Action::DelayMessage { .. } => "delay-message",
            Action::Caption { .. } => "caption",
        };
        let _ = write!(out, "[{at},{{\"do\":\"{tag}\"");
        let o = &mut out;
        match a {
            Action::Crash { node }
            | Action::Restart { node }
            | Action::Pause { node }
            | Action::Resume { node }
            | Action::LoseDisk { node }
            | Action::Isolate { node }
            | Action::TimeoutNow { node }
            | Action::Promote { node }
            | Action::RemoveNode { node }
            | Action::Compact { node } => put_node(o, "node", node),
            Action::AddNode => {}
            Action::ChangeVoters { voters } => {
                o.push_str(",\"voters\":[");
                for (k, n) in voters.iter().enumerate() {
                    o.push_str(if k > 0 { "," } else { "" });
                    node_val(o, n);
                }
                o.push(']');
            }
            Action::Partition { groups } => {
                o.push_str(",\"groups\":[");
                for (j, g) in groups.iter().enumerate() {
                    o.push_str(if j > 0 { ",[" } else { "[" });
                    for (k, n) in g.iter().enumerate() {
                        o.push_str(if k > 0 { "," } else { "" });
                        node_val(o, n);
                    }
                    o.push(']');
                }
                o.push(']');
            }
            Action::Heal => {}
            Action::Cut { from, to, oneway } | Action::Uncut { from, to, oneway } => {
                put_node(o, "from", from);
                put_node(o, "to", to);
                if *oneway {
                    o.push_str(",\"oneway\":true");
                }
            }
            Action::SetNetwork { link, latency_ms, loss, duplicate, reorder } => {
                if let Some([a, b]) = link {
                    o.push_str(",\"link\":[");
                    node_val(o, a);
                    o.push(',');
                    node_val(o, b);
                    o.push(']');
                }
                if let Some([lo, hi]) = latency_ms {
                    let _ = write!(o, ",\"latency_ms\":[{lo},{hi}]");
                }
                put_num(o, "loss", *loss);
                put_num(o, "duplicate", *duplicate);
                put_num(o, "reorder", *reorder);
            }
            Action::ClientWrite { key, value, client } => {
                put_str(o, "key", key);
                put_str(o, "value", value);
                put_num(o, "client", *client);
            }
            Action::ClientRead { key, client, mode, via } => {
                put_str(o, "key", key);
                put_num(o, "client", *client);
                if let Some(m) = mode {
                    put_str(o, "mode", read_mode_name(*m));
                }
                if let Some(n) = via {
                    put_node(o, "via", n);
                }
            }
            Action::TransferLeadership { to } => put_node(o, "to", to),
            Action::DropMessage { id } | Action::DuplicateMessage { id } => put_num(o, "id", Some(id)),
            Action::DelayMessage { id, ms } => {
                put_num(o, "id", Some(id));
                put_num(o, "ms", Some(ms));
            }
            Action::Caption { text } => put_str(o, "text", text),
        }
        out.push_str("}]");
    }
    out.push(']');
    out
}
