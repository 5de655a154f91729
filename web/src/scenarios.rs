//! The scenario library from raft-sim, free play, and the narration box that shows a scenario's
//! captions as the run reaches them.
//!
//! The page carries only the catalog (names and titles, written by build.rs); a scenario's file
//! is fetched from `scenarios/NAME.json` beside the page when it is first opened, and kept.

use crate::url_state::Setup;
use crate::util::static_html;
use raft_sim::scenario::Scenario;
use raft_sim::Action;
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

include!(concat!(env!("OUT_DIR"), "/catalog.rs"));

thread_local! {
    /// Scenario files fetched so far, by name: the text, or why it could not be fetched.
    static LOADED: RefCell<Vec<(String, Result<String, String>)>> = const { RefCell::new(Vec::new()) };
}

#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioInfo {
    pub name: &'static str,
    pub title: String,
}

/// Name and title of every built-in scenario.
pub fn catalog() -> Vec<ScenarioInfo> {
    CATALOG.iter().map(|(name, title)| ScenarioInfo { name, title: title.to_string() }).collect()
}

/// Whether `name` is a built-in scenario.
fn known(name: &str) -> bool {
    CATALOG.iter().any(|(n, _)| *n == name)
}

/// Whether `name`'s file has been fetched, so `build` can use it at once.
pub fn is_loaded(name: &str) -> bool {
    LOADED.with_borrow(|l| l.iter().any(|(n, r)| n == name && r.is_ok()))
}

/// Fetches the file of built-in scenario `name` (once) and keeps it, or why it failed, for `build`.
pub async fn load(name: &str) -> Result<(), String> {
    if is_loaded(name) {
        return Ok(());
    }
    // Only catalog names reach the URL below; anything else is reported by `build`.
    if !known(name) {
        return Ok(());
    }
    let got = fetch_text(&format!("scenarios/{name}.json"))
        .await
        .map_err(|e| format!("scenario '{name}' could not be loaded: {e}"));
    let result = got.as_ref().map(|_| ()).map_err(Clone::clone);
    LOADED.with_borrow_mut(|l| {
        l.retain(|(n, _)| n != name);
        l.push((name.to_string(), got));
    });
    result
}

async fn fetch_text(url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let resp = JsFuture::from(window.fetch_with_str(url)).await.map_err(|e| {
        e.dyn_ref::<js_sys::Error>().map_or_else(|| "the request failed".into(), |e| String::from(e.message()))
    })?;
    let resp: web_sys::Response = resp.dyn_into().map_err(|_| "not a response")?;
    if !resp.ok() {
        return Err(format!("{url} answered {} {}", resp.status(), resp.status_text()));
    }
    let text = resp.text().map_err(|_| "the response has no text")?;
    let text = JsFuture::from(text).await.map_err(|_| "the response could not be read")?;
    text.as_string().ok_or_else(|| "the response is not text".into())
}

/// Parses a scenario with the browser's JSON parser (serde_json would cost ~25 KB gzip, serde's
/// derived deserializers ~35 KB more).
pub fn parse(text: &str) -> Result<Scenario, String> {
    let s = crate::json::scenario(text)?;
    s.validate().map_err(|e| e.to_string())?;
    Ok(s)
}

pub fn free_play() -> Scenario {
    Scenario {
        name: "free-play".into(),
        title: "Free play".into(),
        description: "Five servers and three clients, no script: crash nodes, cut links, write values, \
                      rewind time."
            .into(),
        seed: 1,
        cluster: Default::default(),
        network: Default::default(),
        clients: Default::default(),
        duration_ms: 3_600_000,
        timeline: Vec::new(),
        expect: Vec::new(),
    }
}

/// The scenario a setup names, with the setup's settings applied and checked.
pub fn build(setup: &Setup) -> Result<Scenario, String> {
    let mut s = match &setup.scenario {
        None => free_play(),
        Some(name) => {
            if !known(name) {
                let names: Vec<&str> = CATALOG.iter().map(|(n, _)| *n).collect();
                return Err(format!("there is no built-in scenario '{name}' (there are: {})", names.join(", ")));
            }
            let text = LOADED.with_borrow(|l| l.iter().find(|(n, _)| n == name).map(|(_, r)| r.clone()));
            let text = text.unwrap_or_else(|| Err(format!("scenario '{name}' is not loaded yet")))?;
            parse(&text).map_err(|e| format!("scenario '{name}': {e}"))?
        }
    };
    let c = &mut s.cluster;
    c.nodes = setup.nodes.unwrap_or(c.nodes);
    c.tick_ms = setup.tick_ms.unwrap_or(c.tick_ms);
    c.election_ticks = setup.election_ticks.unwrap_or(c.election_ticks);
    c.heartbeat_ticks = setup.heartbeat_ticks.unwrap_or(c.heartbeat_ticks);
    c.pre_vote = setup.pre_vote.unwrap_or(c.pre_vote);
    c.check_quorum = setup.check_quorum.unwrap_or(c.check_quorum);
    c.snapshot_entries = setup.snapshot_entries.unwrap_or(c.snapshot_entries);
    c.retire_removed = setup.retire_removed.unwrap_or(c.retire_removed);
    if c.nodes > crate::url_state::MAX_NODES {
        return Err(format!("the page draws at most {} nodes", crate::url_state::MAX_NODES));
    }
    s.validate().map_err(|e| format!("these settings do not fit scenario '{}': {e}", s.name))?;
    Ok(s)
}

/// The scenario's captions in time order.
pub fn captions(s: &Scenario) -> Vec<(u64, String)> {
    let mut c: Vec<(u64, String)> = s
        .timeline
        .iter()
        .filter_map(|st| match &st.action {
            Action::Caption { text } => Some((st.at, text.clone())),
            _ => None,
        })
        .collect();
    // Insertion sort: scenario files are almost always in order already, and a library sort
    // would add another few KB of wasm.
    for i in 1..c.len() {
        let mut j = i;
        while j > 0 && c[j - 1].0 > c[j].0 {
            c.swap(j - 1, j);
            j -= 1;
        }
    }
    c
}

/// The scenario menu. A plain function, not a component: a component's machinery costs more wasm
/// than rendering a dozen options with the page.
pub fn scenario_picker(catalog: &[ScenarioInfo], current: &Option<String>, on_pick: &Callback<Option<String>>) -> Html {
    let onchange = on_pick.reform(|e: Event| {
        let v = crate::util::field_value(&e);
        if v.is_empty() {
            None
        } else {
            Some(v)
        }
    });
    let cur = current.as_deref().unwrap_or_default();
    html! {
        <select class="scenario-pick" aria-label="Scenario" {onchange}>
            <option value="" selected={cur.is_empty()}>{"Free play"}</option>
            <optgroup label="Guided scenarios">
            { for catalog.iter().map(|s| html! {
                <option value={s.name} selected={cur == s.name}>{ s.title.clone() }</option>
            }) }
            </optgroup>
        </select>
    }
}

/// The scenario's title, description and the captions reached.
pub struct NarrationProps<'a> {
    pub title: &'a str,
    pub description: &'a str,
    /// Captions at the latest caption time reached.
    pub captions: Vec<String>,
    pub step: usize,
    pub total: usize,
    /// Paused at a caption: offer Continue.
    pub holding: bool,
    pub pause_at_captions: bool,
    pub on_continue: &'a Callback<()>,
    pub on_toggle_pause: &'a Callback<bool>,
}

pub fn narration(p: NarrationProps) -> Html {
    let on_continue = p.on_continue.reform(|_: MouseEvent| ());
    let on_toggle = p.on_toggle_pause.reform(|e: Event| crate::util::input_checked(&e));
    html! {
        <section class="narration" aria-live="polite" aria-label="Scenario narration">
            <div class="narration-head">
                <h2>{ p.title.to_string() }</h2>
                if p.total > 0 {
                    <span class="muted">{ format!("caption {} of {}", p.step, p.total) }</span>
                }
                <label class="check small">
                    <input type="checkbox" checked={p.pause_at_captions} onchange={on_toggle} />
                    {"pause at each caption"}
                </label>
            </div>
            if p.captions.is_empty() {
                <p class="caption muted">{ p.description.to_string() }</p>
            } else {
                { for p.captions.iter().map(|c| html! { <p class="caption">{ c.clone() }</p> }) }
            }
            if p.holding {
                <button class="primary" onclick={on_continue}>{"Continue ▸"}</button>
            }
            if !p.captions.is_empty() && !p.description.is_empty() {
                <details class="about">{ static_html(r#"<summary>About this scenario</summary>"#) }<p>{ p.description.to_string() }</p></details>
            }
        </section>
    }
}
