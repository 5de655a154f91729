//! The checkers' live status: Raft's safety properties, each violation with where and when, the
//! teaching faults that are on, and a scenario's expectations.

use crate::util::{emits, fmt_ms, static_html};
use raft_sim::{Property, Violation};
use yew::prelude::*;

/// A scenario expectation: when, what, and how it went (None: not reached yet).
#[derive(Clone, Debug, PartialEq)]
pub struct ExpectRow {
    pub at: u64,
    pub what: String,
    pub result: Option<Result<(), String>>,
}

fn plain(p: Property) -> &'static str {
    match p {
        Property::ElectionSafety => "at most one leader per term",
        Property::LeaderAppendOnly => "a leader never overwrites its log",
        Property::LogMatching => "logs that share an entry agree before it",
        Property::LeaderCompleteness => "a leader holds every committed entry",
        Property::StateMachineSafety => "no two nodes apply different entries at an index",
        Property::CommittedNeverLost => "committed entries are never lost",
        Property::ConfigOverlap => "two configurations never decide alone at once",
        Property::LinearizableReads => "a read never returns a value older than an acknowledged write",
    }
}

pub fn safety_panel(
    violations: &[Violation],
    faults: &[String],
    expects: &[ExpectRow],
    on_seek: &Callback<u64>,
) -> Html {
    html! {
        <div class="safety">
            if !faults.is_empty() {
                <p class="warn" role="note">
                    { static_html(r#"<b>This Raft is deliberately broken. </b>"#) }
                    { format!("Teaching faults on: {}. Watch the checkers catch it.", faults.join(", ")) }
                </p>
            }
            <ul class="props">
            { for Property::ALL.iter().map(|prop| {
                let v = violations.iter().find(|v| v.property == *prop);
                html! {
                    <li data-state={if v.is_some() { "bad" } else { "good" }}>
                        <span class="icon" aria-hidden="true">{ if v.is_some() { "✗" } else { "✓" } }</span>
                        <span class="pname">{ prop.name() }</span>
                        <span class="muted">{ plain(*prop) }</span>
                        if let Some(v) = v {
                            <div class="violation">
                                { v.detail.clone() }
                                {" "}
                                <button class="mini" onclick={emits(on_seek, v.time_ms)}>
                                    { format!("at {} ({})", fmt_ms(v.time_ms), v.nodes.iter().map(|n| format!("S{n}")).collect::<Vec<_>>().join(", ")) }
                                </button>
                            </div>
                        }
                    </li>
                }
            }) }
            </ul>
            if !expects.is_empty() {
                { static_html(r#"<h4>Scenario expectations</h4>"#) }
                <ul class="expects">
                { for expects.iter().map(|e| {
                    let (cls, icon) = match &e.result {
                        None => ("pending", "…"),
                        Some(Ok(())) => ("good", "✓"),
                        Some(Err(_)) => ("bad", "✗"),
                    };
                    html! {
                        <li data-state={cls}>
                            <span class="icon" aria-hidden="true">{ icon }</span>
                            { format!("at {}: {}", fmt_ms(e.at), e.what) }
                            if let Some(Err(why)) = &e.result { <div class="muted">{ why.clone() }</div> }
                        </li>
                    }
                }) }
                </ul>
            }
        </div>
    }
}
