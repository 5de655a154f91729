//! Client reads: the form (key, read mode, which node to ask) and the recent reads with who
//! served them and whether the value was stale.

use crate::app::{Forms, Msg};
use crate::util::{edit, emits, fmt_ms, static_html};
use raft_core::NodeId;
use raft_sim::kv::{Op, ReadMode};
use raft_sim::{Action, NodeRef, World};
use yew::prelude::*;

/// One line on each mode: what it costs and what it promises.
pub fn mode_help(m: ReadMode) -> &'static str {
    match m {
        ReadMode::Log => "Through the log like a write (Chubby-style): always linearizable, costs a log entry and a commit.",
        ReadMode::ReadIndex => "The leader confirms it still leads with one heartbeat round, then answers (§6.4): linearizable, no log entry.",
        ReadMode::Lease => "The leader answers at once while its lease from the last acknowledged heartbeats holds: no round trip, but only as safe as the clocks.",
        ReadMode::Local => "The node asked answers from its own state (ZooKeeper's default read): fast, may be stale, promises nothing.",
        ReadMode::Sync => "The node asked first learns the leader's commit index and applies up to it (ZooKeeper's sync, then read): linearizable.",
    }
}

/// A completed read.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadRow {
    pub client: u64,
    pub key: String,
    pub mode: ReadMode,
    pub served_by: NodeId,
    pub value: Option<String>,
    pub stale: bool,
    pub at_ms: u64,
    pub took_ms: u64,
}

/// The latest completed reads, newest first.
pub fn recent_reads(w: &World, max: usize) -> Vec<ReadRow> {
    w.completed
        .iter()
        .rev()
        .filter_map(|d| match &d.op {
            Op::Read { key, mode } => Some(ReadRow {
                client: d.client,
                key: key.to_string(),
                mode: *mode,
                served_by: d.served_by,
                value: d.output.clone(),
                stale: d.stale,
                at_ms: d.completed_ms,
                took_ms: d.completed_ms.saturating_sub(d.invoked_ms),
            }),
            Op::Write { .. } => None,
        })
        .take(max)
        .collect()
}

/// A read of `key` (the write form's key) by a client (None: the first), in the mode and at
/// the node picked in `forms`.
pub fn read_form(
    key: &str,
    client: Option<u64>,
    nodes: &[NodeId],
    check_quorum: bool,
    forms: &Forms,
    on_act: &Callback<Action>,
    send: &Callback<Msg>,
) -> Html {
    let (mode, via) = (forms.read_mode, forms.via);
    let read = (!key.is_empty()).then(|| {
        let via = (via > 0).then_some(NodeRef::Id(via));
        emits(
            on_act,
            Action::ClientRead { key: key.to_string(), client, mode: Some(mode).filter(|m| *m != ReadMode::Log), via },
        )
    });
    let on_mode = edit::<Event>(send, |f, s| f.read_mode = ReadMode::parse(&s).unwrap_or_default());
    let on_via = edit::<Event>(send, |f, s| f.via = s.parse().unwrap_or(0));
    html! {
        <div class="read-form">
            <div class="inline">
                <button type="button" onclick={read} disabled={key.is_empty()}>{ format!("Read {key}") }</button>
                <label>{"mode "}
                    <select onchange={on_mode} aria-label="Read mode">
                        { for ReadMode::ALL.iter().map(|m| html! { <option value={m.name()} selected={mode == *m}>{ m.name() }</option> }) }
                    </select>
                </label>
                <label>{"ask "}
                    <select onchange={on_via} aria-label="Node to ask" title="The client sends the read there first (once its earlier requests are done)">
                        <option value="0" selected={via == 0}>{"the leader"}</option>
                        { for nodes.iter().map(|&i| html! { <option value={i.to_string()} selected={via == i}>{ format!("S{i}") }</option> }) }
                    </select>
                </label>
            </div>
            <p class="muted small">{ mode_help(mode) }</p>
            if mode == ReadMode::Lease && !check_quorum {
                { static_html(r#"<p class="warn small" role="note">Lease reads need check-quorum (Setup): without it a deposed leader cannot know its lease ended, so the leader refuses them.</p>"#) }
            }
        </div>
    }
}

/// The recent reads, stale ones marked.
pub fn read_list(rows: &[ReadRow]) -> Html {
    if rows.is_empty() {
        return static_html(r#"<p class="muted small">No read has completed yet.</p>"#);
    }
    html! {
        <ul class="plain reads">
        { for rows.iter().map(|r| {
            let served = if r.served_by == 0 { String::new() } else { format!(" by S{}", r.served_by) };
            html! {
                <li data-read-mode={r.mode.name()} data-stale={r.stale.to_string()}>
                    if r.stale {
                        { static_html(r#"<span class="stale-tag" title="It returned a value older than a write acknowledged before the read began">stale</span>"#) }
                    }
                    { format!("C{} read {} ({}){served} → {} at {} ({})", r.client, r.key, r.mode.name(),
                        r.value.clone().unwrap_or_else(|| "(none)".into()), fmt_ms(r.at_ms), fmt_ms(r.took_ms)) }
                </li>
            }
        }) }
        </ul>
    }
}
