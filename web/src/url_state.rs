//! Everything a run depends on, in the URL: the scenario (or free play), the seed, settings that
//! differ from the scenario's, the user's timed actions and the current time. Opening the URL
//! rebuilds the session, replays the actions and seeks to `t`, so a link reproduces a run.
//!
//! `?scenario=figure-8&seed=3&nodes=7&prevote=1&snapshot=20&retire=0&faults=double-vote&a=<base64url JSON>&t=1200`

use crate::base64;
use raft_sim::Action;

/// What a run is built from, besides the user's actions. `None` means "as the scenario says".
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Setup {
    /// A built-in scenario; None is free play.
    pub scenario: Option<String>,
    pub seed: Option<u64>,
    pub nodes: Option<usize>,
    pub tick_ms: Option<u64>,
    pub election_ticks: Option<u32>,
    pub heartbeat_ticks: Option<u32>,
    pub pre_vote: Option<bool>,
    pub check_quorum: Option<bool>,
    /// Snapshot after this many applied entries (0: never).
    pub snapshot_entries: Option<u64>,
    /// Shut removed nodes down (the simulator's `retire_removed`).
    pub retire_removed: Option<bool>,
    /// Teaching faults switched on in addition to the scenario's own.
    pub faults: Vec<String>,
}

/// The page's state as read from the URL.
#[derive(Clone, Debug, Default)]
pub struct UrlState {
    pub setup: Setup,
    pub actions: Vec<(u64, Action)>,
    pub t: Option<u64>,
    pub speed: Option<f64>,
    pub embed: bool,
}

/// The latest time a link may ask for (one virtual day).
const MAX_T_MS: u64 = 86_400_000;

/// The largest cluster the ring is drawn for.
pub const MAX_NODES: usize = 11;

/// Reads the query and the fragment (the fragment wins). Problems are returned as sentences;
/// a parameter with a problem is ignored.
pub fn read() -> (UrlState, Vec<String>) {
    let loc = web_sys::window().map(|w| w.location());
    let search = loc.as_ref().and_then(|l| l.search().ok()).unwrap_or_default();
    let hash = loc.as_ref().and_then(|l| l.hash().ok()).unwrap_or_default();
    let mut pairs = split(search.trim_start_matches('?'));
    pairs.extend(split(hash.trim_start_matches('#').trim_start_matches('?')));
    parse(&pairs)
}

fn split(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode_component(k), decode_component(v))
        })
        .collect()
}

fn decode_component(s: &str) -> String {
    let s = s.replace('+', " ");
    js_sys::decode_uri_component(&s).map(String::from).unwrap_or(s)
}

fn encode_component(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

fn number<T: std::str::FromStr>(key: &str, v: &str, errors: &mut Vec<String>) -> Option<T> {
    match v.parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.push(format!("URL parameter '{key}': '{v}' is not a valid number; ignored"));
            None
        }
    }
}

fn flag(key: &str, v: &str, errors: &mut Vec<String>) -> Option<bool> {
    match v {
        "1" | "true" | "on" | "" => Some(true),
        "0" | "false" | "off" => Some(false),
        _ => {
            errors.push(format!("URL parameter '{key}': '{v}' is not 1 or 0; ignored"));
            None
        }
    }
}

pub fn parse(pairs: &[(String, String)]) -> (UrlState, Vec<String>) {
    let mut st = UrlState::default();
    let mut errors = Vec::new();
    for (k, v) in pairs {
        let e = &mut errors;
        match k.as_str() {
            "scenario" if v.is_empty() || v == "free-play" => st.setup.scenario = None,
            "scenario" => st.setup.scenario = Some(v.clone()),
            "seed" => st.setup.seed = number(k, v, e),
            "nodes" => {
                st.setup.nodes = number(k, v, e).filter(|n| {
                    let ok = (1..=MAX_NODES).contains(n);
                    if !ok {
                        e.push(format!("URL parameter 'nodes': the page draws 1 to {MAX_NODES} nodes, not {n}"));
                    }
                    ok
                })
            }
            "tick" => st.setup.tick_ms = number(k, v, e),
            "election" => st.setup.election_ticks = number(k, v, e),
            "heartbeat" => st.setup.heartbeat_ticks = number(k, v, e),
            "prevote" => st.setup.pre_vote = flag(k, v, e),
            "checkquorum" => st.setup.check_quorum = flag(k, v, e),
            "snapshot" => st.setup.snapshot_entries = number(k, v, e),
            "retire" => st.setup.retire_removed = flag(k, v, e),
            "faults" => st.setup.faults = v.split(',').filter(|f| !f.is_empty()).map(String::from).collect(),
            "t" => {
                st.t = number(k, v, e).filter(|t| {
                    // Fast-forwarding takes about a second per virtual minute: a day is plenty.
                    let ok = *t <= MAX_T_MS;
                    if !ok {
                        e.push(format!("URL parameter 't': {t} ms is more than a day of virtual time; ignored"));
                    }
                    ok
                })
            }
            "speed" => match crate::util::parse_num(v) {
                Some(s) if (0.001..=100.0).contains(&s) => st.speed = Some(s),
                _ => e.push(format!("URL parameter 'speed': '{v}' is not a speed from 0.001 to 100")),
            },
            "embed" => st.embed = flag(k, v, e).unwrap_or(true),
            "a" => match decode_actions(v) {
                Ok(a) => st.actions = a,
                Err(m) => e.push(format!("URL parameter 'a' (your actions): {m}; the run starts without them")),
            },
            _ => e.push(format!("unknown URL parameter '{k}' ignored")),
        }
    }
    (st, errors)
}

/// The query string for a run (without `t` when `t` is None).
pub fn to_query(setup: &Setup, actions: &[(u64, Action)], t: Option<u64>, embed: bool) -> String {
    let mut q: Vec<String> = Vec::new();
    if let Some(s) = &setup.scenario {
        q.push(format!("scenario={}", encode_component(s)));
    }
    let mut push = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            q.push(format!("{k}={v}"));
        }
    };
    push("seed", setup.seed.map(|v| v.to_string()));
    push("nodes", setup.nodes.map(|v| v.to_string()));
    push("tick", setup.tick_ms.map(|v| v.to_string()));
    push("election", setup.election_ticks.map(|v| v.to_string()));
    push("heartbeat", setup.heartbeat_ticks.map(|v| v.to_string()));
    push("prevote", setup.pre_vote.map(|v| u8::from(v).to_string()));
    push("checkquorum", setup.check_quorum.map(|v| u8::from(v).to_string()));
    push("snapshot", setup.snapshot_entries.map(|v| v.to_string()));
    push("retire", setup.retire_removed.map(|v| u8::from(v).to_string()));
    if !setup.faults.is_empty() {
        push("faults", Some(encode_component(&setup.faults.join(","))));
    }
    if !actions.is_empty() {
        push("a", Some(encode_actions(actions)));
    }
    push("t", t.map(|v| v.to_string()));
    if embed {
        q.push("embed".into());
    }
    if q.is_empty() {
        String::new()
    } else {
        format!("?{}", q.join("&"))
    }
}

/// Puts the state in the address bar without reloading or adding a history entry.
pub fn write(query: &str) {
    let Some(w) = web_sys::window() else { return };
    let path = w.location().pathname().unwrap_or_default();
    if let Ok(h) = w.history() {
        h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("{path}{query}"))).ok();
    }
}

/// The full link for sharing.
pub fn full_url(query: &str) -> String {
    let Some(w) = web_sys::window() else { return query.to_string() };
    let l = w.location();
    format!("{}{}{query}", l.origin().unwrap_or_default(), l.pathname().unwrap_or_default())
}

pub fn encode_actions(actions: &[(u64, Action)]) -> String {
    base64::encode(crate::json::write_actions(actions).as_bytes())
}

pub fn decode_actions(text: &str) -> Result<Vec<(u64, Action)>, String> {
    let bytes = base64::decode(text)?;
    let json = String::from_utf8(bytes).map_err(|_| "not UTF-8 text after base64url decoding".to_string())?;
    let actions = crate::json::actions(&json)?;
    if actions.windows(2).any(|w| w[1].0 < w[0].0) {
        return Err("the actions are not in time order".into());
    }
    Ok(actions)
}
