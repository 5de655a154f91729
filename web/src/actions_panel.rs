//! Acting on the network (partitions and their presets, heal) and as a client (write, read).

use crate::app::{Forms, Msg};
use crate::reads_panel::{read_form, read_list, recent_reads, ReadRow};
use crate::util::{edit, emits, fmt_ms, static_html};
use raft_core::NodeId;
use raft_sim::kv::Op;
use raft_sim::{Action, NodeRef, World};
use yew::prelude::*;

/// A leader-plus-followers minority of `ids`: the leader loses its quorum when cut off with it.
pub fn minority_with_leader(ids: &[NodeId], leader: Option<NodeId>) -> Vec<NodeId> {
    let size = (ids.len().saturating_sub(1) / 2).max(1).min(ids.len());
    let start = leader.and_then(|l| ids.iter().position(|&i| i == l)).unwrap_or(0);
    (0..size).map(|k| ids[(start + k) % ids.len()]).collect()
}

/// Partitions: presets, and groups picked per node (`groups`, by position in `ids`).
pub fn network_panel(
    ids: &[NodeId],
    leader: Option<NodeId>,
    cuts: usize,
    groups: &[u8],
    on_act: &Callback<Action>,
    send: &Callback<Msg>,
) -> Html {
    let n = ids.len();
    let g: Vec<u8> = (0..n).map(|i| groups.get(i).copied().unwrap_or(0)).collect();
    let act = |a: Action| emits(on_act, a);
    let minority = minority_with_leader(ids, leader);
    let minority_text = minority.iter().map(|i| format!("S{i}")).collect::<Vec<_>>().join(", ");
    let custom: Vec<Vec<NodeRef>> = (0..3u8)
        .map(|k| (0..n).filter(|i| g[*i] == k).map(|i| NodeRef::Id(ids[i])).collect::<Vec<_>>())
        .filter(|grp| !grp.is_empty())
        .collect();
    let custom_ok = custom.len() > 1;
    html! {
        <div class="network-panel">
            { static_html(r#"<p class="muted small">Click a link in the cluster to cut or restore it; a node’s inspector cuts links one way.</p>"#) }
            <div class="btn-row">
                <button disabled={leader.is_none()} onclick={act(Action::Isolate { node: NodeRef::Leader })}>{"Isolate the leader"}</button>
                <button disabled={n < 3} onclick={act(Action::Partition { groups: vec![minority.iter().map(|i| NodeRef::Id(*i)).collect()] })}
                    title={format!("{minority_text} on one side, the rest on the other")}>
                    { format!("Split: {minority_text} | rest") }
                </button>
                <button class="primary" disabled={cuts == 0} onclick={act(Action::Heal)}>{"Heal all links"}</button>
            </div>
            { static_html(r#"<h4>Partition into groups</h4>"#) }
            { static_html(r#"<p class="muted small">Click a node to move it between groups A, B and C, then apply.</p>"#) }
            <div class="groups">
                { for (0..n).map(|i| {
                    let mut next = g.clone();
                    next[i] = (next[i] + 1) % 3;
                    let onclick = emits(send, Msg::Groups(next));
                    let letter = ["A", "B", "C"][g[i] as usize];
                    let id = ids[i];
                    html! { <button class="group-chip" data-group={g[i].to_string()} {onclick}
                        aria-label={format!("S{id} in group {letter}")}>{ format!("S{id} ") }<b>{ letter }</b></button> }
                }) }
                <button class="primary" disabled={!custom_ok} onclick={act(Action::Partition { groups: custom })}>{"Apply partition"}</button>
            </div>
        </div>
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ClientsView {
    pub count: usize,
    /// Per client: what it waits for, if anything.
    pub waiting: Vec<(u64, String)>,
    /// Latest completed writes, newest first.
    pub done: Vec<String>,
    /// Latest completed reads, newest first.
    pub reads: Vec<ReadRow>,
    /// Nodes a client may ask (not removed).
    pub nodes: Vec<NodeId>,
    pub check_quorum: bool,
    /// The leader's state machine (or the most advanced node's).
    pub kv: Vec<(String, String)>,
    pub kv_from: Option<NodeId>,
}

pub fn clients_view(w: &World) -> ClientsView {
    let op_text = |op: &Op| match op {
        Op::Write { key, value } => format!("write {key}={value}"),
        Op::Read { key, mode } => format!("read {key} ({})", mode.name()),
    };
    let waiting = w
        .clients
        .iter()
        .filter_map(|c| {
            c.current.as_ref().map(|o| {
                let extra = if c.queue.is_empty() { String::new() } else { format!(" (+{} queued)", c.queue.len()) };
                (c.id, format!("{} → S{}, attempt {}{extra}", op_text(&o.op), o.target, o.attempt))
            })
        })
        .collect();
    let done = w
        .completed
        .iter()
        .rev()
        .filter(|d| matches!(d.op, Op::Write { .. }))
        .take(8)
        .map(|d| {
            format!(
                "C{} {} → {} at index {} ({}, {} attempt{})",
                d.client,
                op_text(&d.op),
                d.output.clone().unwrap_or_else(|| "(none)".into()),
                d.index,
                fmt_ms(d.completed_ms - d.invoked_ms),
                d.attempts,
                if d.attempts == 1 { "" } else { "s" }
            )
        })
        .collect();
    let src = w.leader().or_else(|| {
        w.nodes
            .iter()
            .filter(|n| n.is_up())
            .max_by_key(|n| n.raft.as_ref().map_or(0, |r| r.log().applied))
            .map(|n| n.id)
    });
    let kv = src
        .and_then(|id| w.nodes.get(id as usize - 1))
        .map(|n| n.kv.data.iter().map(|(k, (v, _))| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    ClientsView {
        count: w.clients.len(),
        waiting,
        done,
        reads: recent_reads(w, 8),
        nodes: crate::membership::live_ids(w),
        check_quorum: w.config.cluster.check_quorum,
        kv,
        kv_from: src,
    }
}

/// Writes and reads as a client, and what the clients wait for and got.
pub fn clients_panel(v: &ClientsView, forms: &Forms, on_act: &Callback<Action>, send: &Callback<Msg>) -> Html {
    let c = Some(forms.client).filter(|c| *c != 1);
    let write = {
        let (k, v, send) = (forms.key.clone(), forms.value.clone(), send.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if k.is_empty() {
                return;
            }
            send.emit(Msg::Act(Action::ClientWrite { key: k.clone(), value: v.clone(), client: c }));
            // Suggest the next value so repeated writes are distinguishable.
            if let Ok(n) = v.parse::<u64>() {
                send.emit(Msg::Edit(|f, s| f.value = s, (n + 1).to_string()));
            }
        })
    };
    html! {
        <div class="clients-panel">
            <form class="client-form" onsubmit={write}>
                <select onchange={edit::<Event>(send, |f, s| f.client = s.parse().unwrap_or(1))} aria-label="Client">
                    { for (1..=v.count as u64).map(|i| html! { <option value={i.to_string()} selected={forms.client == i}>{ format!("C{i}") }</option> }) }
                </select>
                <input value={forms.key.clone()} oninput={edit::<InputEvent>(send, |f, s| f.key = s.chars().take(32).collect())} aria-label="Key" placeholder="key" size="6" />
                {"="}
                <input value={forms.value.clone()} oninput={edit::<InputEvent>(send, |f, s| f.value = s.chars().take(32).collect())} aria-label="Value" placeholder="value" size="6" />
                <button type="submit" class="primary">{"Write"}</button>
            </form>
            { read_form(&forms.key, c, &v.nodes, v.check_quorum, forms, on_act, send) }
            { static_html(r#"<p class="muted small">The client sends to the node it believes leads; followers redirect it, and it retries after a timeout.</p>"#) }
            if !v.waiting.is_empty() {
                { static_html(r#"<h4>Waiting</h4>"#) }
                <ul class="plain">{ for v.waiting.iter().map(|(c, t)| html! { <li>{ format!("C{c}: {t}") }</li> }) }</ul>
            }
            { static_html(r#"<h4>Recent reads</h4>"#) }
            { read_list(&v.reads) }
            { static_html(r#"<h4>Completed writes</h4>"#) }
            if v.done.is_empty() { { static_html(r#"<p class="muted small">No write has completed yet.</p>"#) } }
            <ul class="plain">{ for v.done.iter().map(|t| html! { <li>{ t.clone() }</li> }) }</ul>
            if let Some(src) = v.kv_from {
                <h4>{ format!("State machine on S{src}") }</h4>
                if v.kv.is_empty() { { static_html(r#"<p class="muted small">empty</p>"#) } }
                <dl class="kv">{ for v.kv.iter().map(|(k, val)| crate::util::def(k.clone(), val.clone())) }</dl>
            }
        </div>
    }
}
