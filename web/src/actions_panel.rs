//! Acting on the network (partitions and their presets, heal) and as a client (write, read).

use crate::reads_panel::{read_list, recent_reads, ReadForm, ReadRow};
use crate::util::{emits, fmt_ms, static_html};
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

#[derive(Properties, PartialEq)]
pub struct NetworkProps {
    /// The nodes still in the cluster (removed ones are left out).
    pub nodes: Vec<NodeId>,
    pub leader: Option<NodeId>,
    pub cuts: usize,
    pub on_act: Callback<Action>,
}

#[component]
pub fn NetworkPanel(p: &NetworkProps) -> Html {
    let groups = use_state(|| vec![0u8; p.nodes.len()]);
    let ids = &p.nodes;
    let n = ids.len();
    let g: Vec<u8> = (0..n).map(|i| groups.get(i).copied().unwrap_or(0)).collect();
    let act = |a: Action| emits(&p.on_act, a);
    let minority = minority_with_leader(ids, p.leader);
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
                <button disabled={p.leader.is_none()} onclick={act(Action::Isolate { node: NodeRef::Leader })}>{"Isolate the leader"}</button>
                <button disabled={n < 3} onclick={act(Action::Partition { groups: vec![minority.iter().map(|i| NodeRef::Id(*i)).collect()] })}
                    title={format!("{minority_text} on one side, the rest on the other")}>
                    { format!("Split: {minority_text} | rest") }
                </button>
                <button class="primary" disabled={p.cuts == 0} onclick={act(Action::Heal)}>{"Heal all links"}</button>
            </div>
            { static_html(r#"<h4>Partition into groups</h4>"#) }
            { static_html(r#"<p class="muted small">Click a node to move it between groups A, B and C, then apply.</p>"#) }
            <div class="groups">
                { for (0..n).map(|i| {
                    let groups = groups.clone();
                    let g2 = g.clone();
                    let onclick = Callback::from(move |_: MouseEvent| {
                        let mut v = g2.clone();
                        v[i] = (v[i] + 1) % 3;
                        groups.set(v);
                    });
                    let letter = ["A", "B", "C"][g[i] as usize];
                    let id = ids[i];
                    html! { <button class={classes!("group-chip", format!("g{}", g[i]))} {onclick}
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

#[derive(Properties, PartialEq)]
pub struct ClientsProps {
    pub view: ClientsView,
    pub on_act: Callback<Action>,
}

#[component]
pub fn ClientsPanel(p: &ClientsProps) -> Html {
    let key = use_state(|| "x".to_string());
    let value = use_state(|| "1".to_string());
    let client = use_state(|| 1u64);
    let text_input = |s: &UseStateHandle<String>| {
        let s = s.clone();
        Callback::from(move |e: InputEvent| s.set(crate::util::input_value(&e).chars().take(32).collect()))
    };
    let on_client = {
        let client = client.clone();
        Callback::from(move |e: Event| client.set(crate::util::select_value(&e).parse().unwrap_or(1)))
    };
    let c = Some(*client).filter(|c| *c != 1);
    let write = {
        let (k, v, on_act, value) = ((*key).clone(), (*value).clone(), p.on_act.clone(), value.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if k.is_empty() {
                return;
            }
            on_act.emit(Action::ClientWrite { key: k.clone(), value: v.clone(), client: c });
            // Suggest the next value so repeated writes are distinguishable.
            if let Ok(n) = v.parse::<u64>() {
                value.set((n + 1).to_string());
            }
        })
    };
    let v = &p.view;
    html! {
        <div class="clients-panel">
            <form class="client-form" onsubmit={write}>
                <select onchange={on_client} aria-label="Client">
                    { for (1..=v.count as u64).map(|i| html! { <option value={i.to_string()} selected={*client == i}>{ format!("C{i}") }</option> }) }
                </select>
                <input value={(*key).clone()} oninput={text_input(&key)} aria-label="Key" placeholder="key" size="6" />
                {"="}
                <input value={(*value).clone()} oninput={text_input(&value)} aria-label="Value" placeholder="value" size="6" />
                <button type="submit" class="primary">{"Write"}</button>
            </form>
            <ReadForm read_key={(*key).clone()} client={c} nodes={v.nodes.clone()} check_quorum={v.check_quorum} on_act={p.on_act.clone()} />
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
