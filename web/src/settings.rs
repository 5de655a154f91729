//! Settings: the cluster (size, timing, pre-vote, check-quorum, seed, teaching faults), which
//! restart the run, and the network (latency, loss, duplication, reordering), which changes
//! from the current moment as a recorded action.

use crate::app::{Forms, Msg, Num};
use crate::util::{flag, num, static_html};
use raft_core::Faults;
use raft_sim::{Action, ClusterConfig, LinkConfig};
use yew::prelude::*;

/// A change to the settings a run is built from.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    Nodes(usize),
    TickMs(u64),
    ElectionTicks(u32),
    HeartbeatTicks(u32),
    PreVote(bool),
    CheckQuorum(bool),
    SnapshotEntries(u64),
    RetireRemoved(bool),
    Fault(String, bool),
    Seed(u64),
    NewSeed,
}

pub struct SettingsProps<'a> {
    /// The cluster as the run uses it (scenario settings, overrides and faults applied).
    pub cluster: &'a ClusterConfig,
    /// Faults the scenario itself switches on (they cannot be switched off here).
    pub scenario_faults: &'a [String],
    pub seed: u64,
    pub network: LinkConfig,
    pub on_change: &'a Callback<Change>,
    pub on_act: &'a Callback<Action>,
    /// The network draft being edited.
    pub forms: &'a Forms,
    pub send: &'a Callback<Msg>,
}

fn parse_change<T: std::str::FromStr>(f: fn(T) -> Change) -> impl Fn(Event) -> Option<Change> {
    move |e: Event| crate::util::field_value(&e).trim().parse::<T>().ok().map(f)
}

pub fn settings(p: SettingsProps) -> Html {
    let c = p.cluster;
    let emit = |f: fn(Event) -> Option<Change>| {
        let cb = p.on_change.clone();
        Callback::from(move |e: Event| {
            if let Some(ch) = f(e) {
                cb.emit(ch);
            }
        })
    };
    let on_nodes = emit(|e| parse_change(Change::Nodes)(e));
    let on_tick = emit(|e| parse_change(Change::TickMs)(e));
    let on_election = emit(|e| parse_change(Change::ElectionTicks)(e));
    let on_heartbeat = emit(|e| parse_change(Change::HeartbeatTicks)(e));
    let on_seed = emit(|e| parse_change(Change::Seed)(e));
    let on_snap = emit(|e| parse_change(Change::SnapshotEntries)(e));
    let on_prevote = emit(|e| Some(Change::PreVote(crate::util::input_checked(&e))));
    let on_cq = emit(|e| Some(Change::CheckQuorum(crate::util::input_checked(&e))));
    let on_retire = emit(|e| Some(Change::RetireRemoved(crate::util::input_checked(&e))));
    let new_seed = p.on_change.reform(|_: MouseEvent| Change::NewSeed);
    let et = c.election_ticks as u64 * c.tick_ms;
    html! {
        <div class="settings">
            { static_html(r#"<p class="muted small">Changing these starts a new run from time 0.</p>"#) }
            <div class="form-grid">
                { static_html(r#"<label for="set-nodes">nodes</label>"#) }
                <select id="set-nodes" onchange={on_nodes}>
                    { for (1..=crate::url_state::MAX_NODES).map(|n| html! { <option value={n.to_string()} selected={c.nodes == n}>{ n }</option> }) }
                </select>
                { static_html(r#"<label for="set-seed">seed</label>"#) }
                <span class="inline">
                    <input id="set-seed" type="number" min="0" value={p.seed.to_string()} onchange={on_seed} />
                    <button class="mini" onclick={new_seed} title="Pick a random seed">{"new seed"}</button>
                </span>
                { static_html(r#"<label for="set-tick">tick</label>"#) }
                <span class="inline"><input id="set-tick" type="number" min="1" max="1000" value={c.tick_ms.to_string()} onchange={on_tick} />{" ms"}</span>
                { static_html(r#"<label for="set-et">election timeout</label>"#) }
                <span class="inline"><input id="set-et" type="number" min="2" max="1000" value={c.election_ticks.to_string()} onchange={on_election} />
                    { format!(" ticks ({}–{} ms)", et, 2 * et) }</span>
                { static_html(r#"<label for="set-hb">heartbeat</label>"#) }
                <span class="inline"><input id="set-hb" type="number" min="1" max="999" value={c.heartbeat_ticks.to_string()} onchange={on_heartbeat} />
                    { format!(" ticks ({} ms)", c.heartbeat_ticks as u64 * c.tick_ms) }</span>
                { static_html(r#"<label for="set-snap">snapshot every</label>"#) }
                <span class="inline"><input id="set-snap" type="number" min="0" max="100000" value={c.snapshot_entries.to_string()} onchange={on_snap} />
                    { if c.snapshot_entries == 0 { " applied entries (0: never)".to_string() } else { " applied entries: then the log before them is discarded".to_string() } }</span>
            </div>
            <label class="check"><input type="checkbox" checked={c.pre_vote} onchange={on_prevote} />
                { static_html(r#"<span><b>pre-vote</b> — ask “would you vote for me?” first, so a rejoining node cannot disrupt the cluster (§9.6)</span>"#) }</label>
            <label class="check"><input type="checkbox" checked={c.check_quorum} onchange={on_cq} />
                { static_html(r#"<span><b>check-quorum</b> — a leader that hears from no majority steps down (§6.2); lease reads need it</span>"#) }</label>
            <label class="check"><input type="checkbox" checked={c.retire_removed} onchange={on_retire} />
                { static_html(r#"<span><b>shut down removed nodes</b> — as operators do; off, a removed node that never learns it was removed keeps campaigning (§4.2.3)</span>"#) }</label>
            { network_form(p.network, p.forms, p.on_act, p.send) }
            { static_html(r#"<h4>Teaching faults</h4><p class="muted small">Each switch breaks one rule of Raft on purpose. The checkers should catch it.</p>"#) }
            { for Faults::ALL.iter().map(|f| {
                let on = c.faults.iter().any(|x| x == f.name);
                let fixed = p.scenario_faults.iter().any(|x| x == f.name);
                let name = f.name.to_string();
                let cb = p.on_change.clone();
                let onchange = Callback::from(move |e: Event| cb.emit(Change::Fault(name.clone(), crate::util::input_checked(&e))));
                html! {
                    <label class="check fault" data-on={flag(on)}>
                        <input type="checkbox" checked={on} disabled={fixed} {onchange} />
                        <span><b>{ f.name }</b>{" — "}{ f.description }</span>
                    </label>
                }
            }) }
        </div>
    }
}

/// Edits a copy of the network settings (`forms.net`); Apply records a set-network action at
/// the current time.
fn network_form(network: LinkConfig, forms: &Forms, on_act: &Callback<Action>, send: &Callback<Msg>) -> Html {
    let d = forms.net.unwrap_or(network);
    let apply = {
        let on_act = on_act.clone();
        Callback::from(move |_: MouseEvent| {
            on_act.emit(Action::SetNetwork {
                link: None,
                latency_ms: Some(d.latency_ms),
                loss: Some(d.loss),
                duplicate: Some(d.duplicate),
                reorder: Some(d.reorder),
            })
        })
    };
    let pct = |field: Num, v: f64| forms.text(field, crate::util::Fx(v * 100.0).to_string());
    html! {
        <fieldset class="net">
            { static_html(r#"<legend>Network (applies from now, recorded in the run)</legend>"#) }
            <div class="form-grid">
                { static_html(r#"<label for="net-lo">latency</label>"#) }
                <span class="inline">
                    <input id="net-lo" type="number" min="0" max="60000" value={forms.text(Num::LatencyMin, d.latency_ms[0].to_string())} oninput={num(send, Num::LatencyMin)} aria-label="Minimum latency, ms" />
                    {" – "}
                    <input type="number" min="0" max="60000" value={forms.text(Num::LatencyMax, d.latency_ms[1].to_string())} oninput={num(send, Num::LatencyMax)} aria-label="Maximum latency, ms" />
                    {" ms"}
                </span>
                { static_html(r#"<label for="net-loss">loss</label>"#) }
                <span class="inline"><input id="net-loss" type="number" min="0" max="100" step="1" value={pct(Num::Loss, d.loss)} oninput={num(send, Num::Loss)} />{" %"}</span>
                { static_html(r#"<label for="net-dup">duplicate</label>"#) }
                <span class="inline"><input id="net-dup" type="number" min="0" max="100" step="1" value={pct(Num::Duplicate, d.duplicate)} oninput={num(send, Num::Duplicate)} />{" %"}</span>
                { static_html(r#"<label for="net-reorder">reorder</label>"#) }
                <span class="inline"><input id="net-reorder" type="number" min="0" max="100" step="1" value={pct(Num::Reorder, d.reorder)} oninput={num(send, Num::Reorder)} />{" %"}</span>
            </div>
            <button class="primary" disabled={d == network} onclick={apply}>{"Apply to all links"}</button>
        </fieldset>
    }
}
