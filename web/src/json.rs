//! Scenario files and URL actions, read from the browser's JSON parser and written by hand, in
//! exactly the format raft-sim's serde derives use (docs/scenarios.md). Not serde: its derived
//! deserializers (internally tagged enums buffer everything into `Content`) cost ~35 KB gzip of
//! wasm, a sixth of the page. `write_actions` and `check_name` match raft-sim's types
//! exhaustively, so a new action or check is a compile error here rather than a silent gap;
//! tests/components.rs checks a round trip of every action.
//!
//! Reading does not stop at the first problem: a reader notes it in `Problems` and returns a
//! placeholder (0, "", None), and the document is refused at the end with the first problem
//! noted. With the tables of actions and checks below, this took 2.7 KB gzip off the wasm
//! compared with a `Result` per field, each propagated with `?` (an error path per field).

use raft_sim::config::{ClientConfig, ClusterConfig, LinkConfig};
use raft_sim::kv::ReadMode;
use raft_sim::scenario::{Check, Expectation, Scenario, Step};
use raft_sim::{Action, NodeRef, Property};
use std::cell::Cell;
use std::fmt::{Arguments, Write};
use wasm_bindgen::{JsCast, JsValue};

type R<T> = Result<T, String>;

/// The first problem found in a document (later ones are often its consequences).
#[derive(Default)]
struct Problems(Cell<Option<String>>);

impl Problems {
    /// Notes `msg` at `at`, or at `at.key` if `key` is not empty, unless a problem is noted already.
    fn note(&self, at: &str, key: &str, msg: Arguments) {
        let first = self.0.take().unwrap_or_else(|| {
            let dot = if key.is_empty() { "" } else { "." };
            format!("{at}{dot}{key}: {msg}")
        });
        self.0.set(Some(first));
    }

    /// `value`, or the first problem noted while reading it.
    fn result<T>(self, value: T) -> R<T> {
        match self.0.take() {
            Some(problem) => Err(problem),
            None => Ok(value),
        }
    }
}

/// A JSON object with the path that led to it, for messages.
struct Obj<'a> {
    v: JsValue,
    at: &'a str,
    problems: &'a Problems,
}

fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

impl<'a> Obj<'a> {
    /// `v` as an object; anything else is noted and read as an empty object.
    fn new(v: JsValue, at: &'a str, problems: &'a Problems) -> Self {
        let is_object = v.is_object() && !js_sys::Array::is_array(&v);
        if !is_object {
            problems.note(at, "", format_args!("expected an object"));
        }
        let v = if is_object { v } else { js_sys::Object::new().into() };
        Obj { v, at, problems }
    }

    fn fail(&self, key: &str, msg: Arguments) {
        self.problems.note(self.at, key, msg);
    }

    /// Refuses unknown keys, like serde's `deny_unknown_fields`: a typo must not pass silently.
    fn only(&self, known: &[&str]) {
        for k in js_sys::Object::keys(self.v.unchecked_ref::<js_sys::Object>()).iter() {
            let k = k.as_string().unwrap_or_default();
            if !known.contains(&k.as_str()) {
                self.fail("", format_args!("unknown field '{k}' (expected one of: {})", known.join(", ")));
            }
        }
    }

    /// The value of `key`, None if absent or null.
    fn opt(&self, key: &str) -> Option<JsValue> {
        Some(get(&self.v, key)).filter(|v| !v.is_undefined() && !v.is_null())
    }

    /// Like `opt`, but noting an absent `key`.
    fn req(&self, key: &str) -> Option<JsValue> {
        let v = self.opt(key);
        if v.is_none() {
            self.fail("", format_args!("missing field '{key}'"));
        }
        v
    }

    /// The value of `key` converted by `f`, noting one it refuses (as not `what`).
    fn field<T>(&self, key: &str, required: bool, f: fn(&JsValue) -> Option<T>, what: &str) -> Option<T> {
        let v = if required { self.req(key) } else { self.opt(key) }?;
        let t = f(&v);
        if t.is_none() {
            self.fail(key, format_args!("expected {what}"));
        }
        t
    }

    fn u64(&self, key: &str) -> Option<u64> {
        self.field(key, false, to_u64, "a whole number >= 0")
    }

    fn req_u64(&self, key: &str) -> u64 {
        self.field(key, true, to_u64, "a whole number >= 0").unwrap_or_default()
    }

    fn u32(&self, key: &str) -> Option<u32> {
        let v = self.u64(key)?;
        let small = u32::try_from(v).ok();
        if small.is_none() {
            self.fail(key, format_args!("too large"));
        }
        small
    }

    fn f64(&self, key: &str) -> Option<f64> {
        self.field(key, false, JsValue::as_f64, "a number")
    }

    fn bool(&self, key: &str) -> Option<bool> {
        self.field(key, false, JsValue::as_bool, "true or false")
    }

    fn string(&self, key: &str) -> Option<String> {
        self.field(key, false, JsValue::as_string, "a string")
    }

    fn req_string(&self, key: &str) -> String {
        self.field(key, true, JsValue::as_string, "a string").unwrap_or_default()
    }

    /// A required node (placeholder: the leader).
    fn node(&self, key: &str) -> NodeRef {
        self.req(key).map_or(NodeRef::Leader, |v| self.ok(key, node_ref(&v)).unwrap_or(NodeRef::Leader))
    }

    /// `r`'s value, noting its error at `key`.
    fn ok<T>(&self, key: &str, r: Result<T, &str>) -> Option<T> {
        r.map_err(|e| self.fail(key, format_args!("{e}"))).ok()
    }

    /// The list at `key` (required if `required`), each item read by `f`; a list with a problem
    /// is noted at `key` and read as None.
    fn list<T>(
        &self,
        key: &str,
        required: bool,
        what: &str,
        f: impl Fn(&JsValue) -> Result<T, &'static str>,
    ) -> Option<Vec<T>> {
        let v = if required { self.req(key) } else { self.opt(key) }?;
        let Some(items) = array(&v) else {
            self.fail(key, format_args!("expected {what}"));
            return None;
        };
        let mut out = Vec::new();
        for item in items.iter() {
            out.push(self.ok(key, f(&item))?);
        }
        Some(out)
    }

    fn pair<T>(&self, key: &str, f: fn(&JsValue) -> Result<T, &'static str>) -> Option<[T; 2]> {
        let v = self.opt(key)?;
        let Some(items) = array(&v).filter(|a| a.length() == 2) else {
            self.fail(key, format_args!("expected a pair"));
            return None;
        };
        let item = |i: u32| self.ok(&format!("{key}[{i}]"), f(&items.get(i)));
        Some([item(0)?, item(1)?])
    }
}

fn to_u64(v: &JsValue) -> Option<u64> {
    // 2^53: beyond it a JSON number is no longer an exact integer.
    v.as_f64().filter(|n| *n >= 0.0 && *n <= 9_007_199_254_740_992.0 && n.fract() == 0.0).map(|n| n as u64)
}

fn whole_number(v: &JsValue) -> Result<u64, &'static str> {
    to_u64(v).ok_or("expected a whole number")
}

fn array(v: &JsValue) -> Option<&js_sys::Array> {
    js_sys::Array::is_array(v).then(|| v.unchecked_ref())
}

fn node_ref(v: &JsValue) -> Result<NodeRef, &'static str> {
    let id = match v.as_string() {
        Some(s) if s == "leader" => return Ok(NodeRef::Leader),
        Some(s) if s == "follower" => return Ok(NodeRef::Follower),
        Some(s) => s.strip_prefix('S').unwrap_or(&s).parse::<u64>().ok(),
        None => to_u64(v),
    };
    match id {
        Some(0) => Err("node ids start at 1"),
        Some(id) => Ok(NodeRef::Id(id)),
        None => Err("expected a node id (1, 2, ... or \"S1\") or \"leader\" or \"follower\""),
    }
}

/// Each action's tag (`do`), its other fields, and how it is read. One table rather than a
/// match with a field list per arm: it is a fraction of the code.
#[allow(clippy::type_complexity)]
const ACTIONS: &[(&str, &[&str], fn(&Obj) -> Action)] = &[
    ("crash", &["node"], |o| Action::Crash { node: o.node("node") }),
    ("restart", &["node"], |o| Action::Restart { node: o.node("node") }),
    ("pause", &["node"], |o| Action::Pause { node: o.node("node") }),
    ("resume", &["node"], |o| Action::Resume { node: o.node("node") }),
    ("lose-disk", &["node"], |o| Action::LoseDisk { node: o.node("node") }),
    ("isolate", &["node"], |o| Action::Isolate { node: o.node("node") }),
    ("timeout-now", &["node"], |o| Action::TimeoutNow { node: o.node("node") }),
    ("promote", &["node"], |o| Action::Promote { node: o.node("node") }),
    ("remove-node", &["node"], |o| Action::RemoveNode { node: o.node("node") }),
    ("compact", &["node"], |o| Action::Compact { node: o.node("node") }),
    ("add-node", &[], |_| Action::AddNode),
    ("change-voters", &["voters"], |o| Action::ChangeVoters {
        voters: o.list("voters", true, "a list of nodes", node_ref).unwrap_or_default(),
    }),
    ("partition", &["groups"], |o| {
        let group =
            |g: &JsValue| array(g).ok_or("expected a list of lists of nodes")?.iter().map(|n| node_ref(&n)).collect();
        Action::Partition { groups: o.list("groups", true, "a list of lists of nodes", group).unwrap_or_default() }
    }),
    ("heal", &[], |_| Action::Heal),
    ("cut", &["from", "to", "oneway"], |o| Action::Cut {
        from: o.node("from"),
        to: o.node("to"),
        oneway: o.bool("oneway").unwrap_or(false),
    }),
    ("uncut", &["from", "to", "oneway"], |o| Action::Uncut {
        from: o.node("from"),
        to: o.node("to"),
        oneway: o.bool("oneway").unwrap_or(false),
    }),
    ("set-network", &["link", "latency_ms", "loss", "duplicate", "reorder"], |o| Action::SetNetwork {
        link: o.pair("link", node_ref),
        latency_ms: o.pair("latency_ms", whole_number),
        loss: o.f64("loss"),
        duplicate: o.f64("duplicate"),
        reorder: o.f64("reorder"),
    }),
    ("client-write", &["key", "value", "client"], |o| Action::ClientWrite {
        key: o.req_string("key"),
        value: o.req_string("value"),
        client: o.u64("client"),
    }),
    ("client-read", &["key", "client", "mode", "via"], |o| {
        let mode = o.string("mode").map(|m| {
            READ_MODES.into_iter().find(|mode| read_mode_name(*mode) == m).unwrap_or_else(|| {
                o.fail("mode", format_args!("unknown read mode '{m}'"));
                ReadMode::default()
            })
        });
        let via = o.opt("via").and_then(|v| o.ok("via", node_ref(&v)));
        Action::ClientRead { key: o.req_string("key"), client: o.u64("client"), mode, via }
    }),
    ("transfer-leadership", &["to"], |o| Action::TransferLeadership { to: o.node("to") }),
    ("drop-message", &["id"], |o| Action::DropMessage { id: o.req_u64("id") }),
    ("duplicate-message", &["id"], |o| Action::DuplicateMessage { id: o.req_u64("id") }),
    ("delay-message", &["id", "ms"], |o| Action::DelayMessage { id: o.req_u64("id"), ms: o.req_u64("ms") }),
    ("caption", &["text"], |o| Action::Caption { text: o.req_string("text") }),
];

/// An action: an object tagged by `do`. `extra` are keys the container adds (a timeline's `at`).
fn action(o: &Obj, extra: &[&str]) -> Option<Action> {
    let tag = o.req_string("do");
    let Some((_, fields, read)) = ACTIONS.iter().find(|(name, ..)| *name == tag) else {
        o.fail("", format_args!("unknown action '{tag}'"));
        return None;
    };
    o.only(&[&["do"], extra, fields].concat());
    Some(read(o))
}

/// Read modes, by their names in files (serde's kebab-case) in `read_mode_name`.
const READ_MODES: [ReadMode; 5] =
    [ReadMode::Log, ReadMode::ReadIndex, ReadMode::Lease, ReadMode::Local, ReadMode::Sync];

fn read_mode_name(m: ReadMode) -> &'static str {
    match m {
        ReadMode::Log => "log",
        ReadMode::ReadIndex => "read-index",
        ReadMode::Lease => "lease",
        ReadMode::Local => "local",
        ReadMode::Sync => "sync",
    }
}

/// Each check's tag (`check`), its fields besides `at`, and how it is read.
#[allow(clippy::type_complexity)]
const CHECKS: &[(&str, &[&str], fn(&Obj) -> Check)] = &[
    ("one-leader", &[], |_| Check::OneLeader),
    ("no-leader", &[], |_| Check::NoLeader),
    ("logs-identical", &[], |_| Check::LogsIdentical),
    ("no-violation", &[], |_| Check::NoViolation),
    ("leader-is", &["node"], |o| Check::LeaderIs { node: o.req_u64("node") }),
    ("leader-is-not", &["node"], |o| Check::LeaderIsNot { node: o.req_u64("node") }),
    ("term", &["min", "max"], |o| Check::Term { min: o.u64("min"), max: o.u64("max") }),
    ("committed", &["index", "nodes"], |o| Check::Committed {
        index: o.req_u64("index"),
        nodes: o.req_u64("nodes") as usize,
    }),
    ("value", &["key", "value", "nodes"], |o| Check::Value {
        key: o.req_string("key"),
        value: o.req_string("value"),
        nodes: o.u64("nodes").map(|n| n as usize),
    }),
    ("violation", &["property"], |o| {
        let name = o.req_string("property");
        let property = Property::parse(&name).unwrap_or_else(|| {
            o.fail("property", format_args!("unknown property '{name}'"));
            Property::ElectionSafety
        });
        Check::Violation { property }
    }),
    ("voters", &["voters"], |o| Check::Voters {
        voters: o
            .list("voters", true, "a list of node ids", |v| to_u64(v).ok_or("expected a list of node ids"))
            .unwrap_or_default(),
    }),
    ("snapshot", &["node", "index"], |o| Check::Snapshot { node: o.req_u64("node"), index: o.req_u64("index") }),
    ("stale-reads", &["min", "max"], |o| Check::StaleReads {
        min: o.u64("min").unwrap_or_default() as usize,
        max: o.u64("max").map(|n| n as usize),
    }),
    ("reads-done", &["count"], |o| Check::ReadsDone { count: o.req_u64("count") as usize }),
];

fn check(o: &Obj) -> Option<Check> {
    let tag = o.req_string("check");
    let Some((_, fields, read)) = CHECKS.iter().find(|(name, ..)| *name == tag) else {
        o.fail("", format_args!("unknown check '{tag}'"));
        return None;
    };
    o.only(&[&["check", "at"], *fields].concat());
    let c = read(o);
    // Compiled only for its exhaustive match: a check added to raft-sim fails the build here.
    debug_assert_eq!(check_name(&c), tag);
    Some(c)
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

/// The objects in the list at `key`, each read by `f` (an item that cannot be read is left out:
/// its problem is noted).
fn objects<T>(o: &Obj, key: &str, f: impl Fn(&Obj) -> Option<T>) -> Vec<T> {
    let Some(v) = o.opt(key) else { return Vec::new() };
    let Some(items) = array(&v) else {
        o.fail(key, format_args!("expected a list"));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, v) in items.iter().enumerate() {
        out.extend(f(&Obj::new(v, &format!("{key}[{i}]"), o.problems)));
    }
    out
}

/// A field read from the file, where present, over its default.
fn set<T>(field: &mut T, read: Option<T>) {
    if let Some(v) = read {
        *field = v;
    }
}

/// A scenario's `cluster`: the defaults, with the fields present read over them.
fn cluster(o: Option<Obj>) -> ClusterConfig {
    let mut c = ClusterConfig::default();
    let Some(o) = o else { return c };
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
    ]);
    if let Some(v) = o.opt("clock_ms") {
        let m = Obj::new(v, "cluster.clock_ms", o.problems);
        for k in js_sys::Object::keys(m.v.unchecked_ref::<js_sys::Object>()).iter() {
            let k = k.as_string().unwrap_or_default();
            match k.parse::<u64>() {
                Ok(id) => {
                    c.clock_ms.insert(id, m.req_u64(&k));
                }
                Err(_) => m.fail("", format_args!("'{k}' is not a node id")),
            }
        }
    }
    let names = |f: &JsValue| f.as_string().ok_or("expected a list of names");
    set(&mut c.faults, o.list("faults", false, "a list of names", names));
    set(&mut c.nodes, o.u64("nodes").map(|v| v as usize));
    set(&mut c.tick_ms, o.u64("tick_ms"));
    set(&mut c.election_ticks, o.u32("election_ticks"));
    set(&mut c.heartbeat_ticks, o.u32("heartbeat_ticks"));
    set(&mut c.pre_vote, o.bool("pre_vote"));
    set(&mut c.check_quorum, o.bool("check_quorum"));
    set(&mut c.max_inflight, o.u64("max_inflight").map(|v| v as usize));
    set(&mut c.max_entries_per_msg, o.u64("max_entries_per_msg").map(|v| v as usize));
    set(&mut c.snapshot_entries, o.u64("snapshot_entries"));
    set(&mut c.retire_removed, o.bool("retire_removed"));
    set(&mut c.max_clock_drift_percent, o.u32("max_clock_drift_percent"));
    c
}

/// Parses a scenario file (not yet validated).
pub fn scenario(text: &str) -> R<Scenario> {
    let v = js_sys::JSON::parse(text).map_err(|_| "not valid JSON".to_string())?;
    let problems = Problems::default();
    let o = Obj::new(v, "scenario", &problems);
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
    ]);
    let sub = |key: &'static str| o.opt(key).map(|v| Obj::new(v, key, &problems));
    let mut network = LinkConfig::default();
    if let Some(n) = sub("network") {
        n.only(&["latency_ms", "loss", "duplicate", "reorder"]);
        if let Some(v) = n.pair("latency_ms", whole_number) {
            network.latency_ms = v;
        }
        if let Some(v) = n.f64("loss") {
            network.loss = v;
        }
        if let Some(v) = n.f64("duplicate") {
            network.duplicate = v;
        }
        if let Some(v) = n.f64("reorder") {
            network.reorder = v;
        }
    }
    let mut clients = ClientConfig::default();
    if let Some(c) = sub("clients") {
        c.only(&["count", "timeout_ms"]);
        if let Some(v) = c.u64("count") {
            clients.count = v as usize;
        }
        if let Some(v) = c.u64("timeout_ms") {
            clients.timeout_ms = v;
        }
    }
    let s = Scenario {
        name: o.req_string("name"),
        title: o.string("title").unwrap_or_default(),
        description: o.string("description").unwrap_or_default(),
        seed: o.u64("seed").unwrap_or_default(),
        cluster: cluster(sub("cluster")),
        network,
        clients,
        duration_ms: o.req_u64("duration_ms"),
        timeline: objects(&o, "timeline", |s| Some(Step { at: s.req_u64("at"), action: action(s, &["at"])? })),
        expect: objects(&o, "expect", |e| Some(Expectation { at: e.req_u64("at"), check: check(e)? })),
    };
    problems.result(s)
}

/// Timed actions from the URL: `[[at, action], ...]`.
pub fn actions(text: &str) -> R<Vec<(u64, Action)>> {
    let v = js_sys::JSON::parse(text).map_err(|_| "not valid JSON after base64url decoding".to_string())?;
    let items = array(&v).ok_or("expected a list of [time, action] pairs")?;
    let problems = Problems::default();
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("action {}", i + 1);
        let Some(pair) = array(&item).filter(|p| p.length() == 2) else {
            problems.note(&at, "", format_args!("expected [time, action]"));
            continue;
        };
        let t = to_u64(&pair.get(0));
        if t.is_none() {
            problems.note(&at, "", format_args!("the time is not a whole number of ms"));
        }
        if let Some(a) = action(&Obj::new(pair.get(1), &at, &problems), &[]) {
            out.push((t.unwrap_or_default(), a));
        }
    }
    problems.result(out)
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

/// Written by the browser (the shortest form that reads back as the same number, so a link
/// replays the same run): Rust's float formatting would add ~9 KB to the page's wasm.
fn put_float(out: &mut String, key: &str, v: Option<f64>) {
    if let Some(v) = v {
        let text = js_sys::Number::from(v).to_string_with_radix(10).map(String::from).unwrap_or_default();
        let _ = write!(out, ",\"{key}\":{text}");
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
                put_float(o, "loss", *loss);
                put_float(o, "duplicate", *duplicate);
                put_float(o, "reorder", *reorder);
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
            Action::DropMessage { id } | Action::DuplicateMessage { id } => put_num(o, "id", Some(*id)),
            Action::DelayMessage { id, ms } => {
                put_num(o, "id", Some(*id));
                put_num(o, "ms", Some(*ms));
            }
            Action::Caption { text } => put_str(o, "text", text),
        }
        out.push_str("}]");
    }
    out.push(']');
    out
}
