//! The event log: the core's decisions in plain words, the actions, lost messages and client
//! results, filterable, newest first. Each time links to its moment on the timeline.

use crate::util::{emits, fmt_ms, has_text, static_html};
use raft_core::{Event as CoreEvent, FollowerReason, NodeId};
use raft_sim::trace::{Record, RecordKind};
use std::rc::Rc;
use yew::prelude::*;

/// Rows shown at most (the world keeps a bounded number of records anyway).
const MAX_ROWS: usize = 250;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cat {
    Election,
    Replication,
    Client,
    Action,
    Lost,
}

impl Cat {
    const ALL: [(Cat, &'static str); 5] = [
        (Cat::Election, "elections"),
        (Cat::Replication, "replication"),
        (Cat::Client, "clients"),
        (Cat::Action, "actions"),
        (Cat::Lost, "lost messages"),
    ];

    fn class(self) -> &'static str {
        match self {
            Cat::Election => "ev-election",
            Cat::Replication => "ev-repl",
            Cat::Client => "ev-client",
            Cat::Action => "ev-action",
            Cat::Lost => "ev-lost",
        }
    }
}

#[derive(Clone, Debug)]
pub struct EventRow {
    pub time_ms: u64,
    pub node: Option<NodeId>,
    pub cat: Cat,
    /// A turning point (shown by default) rather than routine detail.
    pub story: bool,
    pub text: String,
}

pub fn rows(records: &[Record]) -> impl Iterator<Item = Rc<EventRow>> + '_ {
    records.iter().map(|r| {
        let (node, cat, story, text) = match &r.kind {
            RecordKind::Raft { node, event } => {
                let (cat, story) = classify(event, r.event);
                (Some(*node), cat, story, event.describe())
            }
            RecordKind::Action { text } => (None, Cat::Action, true, text.clone()),
            RecordKind::Caption { text } => (None, Cat::Action, true, format!("“{text}”")),
            RecordKind::Dropped { summary } => (None, Cat::Lost, true, format!("lost: {summary}")),
            RecordKind::Client { text } => (None, Cat::Client, true, text.clone()),
            RecordKind::Violation { violation } => (None, Cat::Action, true, format!("VIOLATION {violation}")),
        };
        Rc::new(EventRow { time_ms: r.time_ms, node, cat, story, text })
    })
}

fn classify(e: &CoreEvent, event_no: u64) -> (Cat, bool) {
    use CoreEvent::*;
    match e {
        // Every node starts as a follower: only restarts are news.
        BecameFollower { reason: FollowerReason::Start, .. } => (Cat::Election, event_no > 0),
        BecameFollower { .. }
        | BecamePreCandidate { .. }
        | BecameCandidate { .. }
        | BecameLeader { .. }
        | VoteGranted { .. }
        | VoteRefused { .. }
        | VoteIgnoredInLease { .. }
        | QuorumLost { .. }
        | TransferStarted { .. }
        | TransferAborted { .. } => (Cat::Election, true),
        ElectionTimeout { .. } | VoteReceived { .. } => (Cat::Election, false),
        CommitAdvanced { .. } => (Cat::Replication, true),
        Proposed { .. } => (Cat::Client, true),
        // As in `raftsim run`: a follower erasing conflicting entries is a turning point; plain
        // appends and rejections (repeated while the leader probes back) are detail.
        AppendAccepted { truncated_from, .. } => (Cat::Replication, truncated_from.is_some()),
        AppendRejected { .. } | StaleMessage { .. } | FollowerRejected { .. } => (Cat::Replication, false),
        ConfigChanged { .. } => (Cat::Replication, true),
        SnapshotTaken { .. } | SnapshotSent { .. } | SnapshotInstalled { .. } => (Cat::Replication, false),
        ReadReady { .. } | ReadRefused { .. } => (Cat::Client, false),
    }
}

#[derive(Properties)]
pub struct EventLogProps {
    pub rows: Rc<Vec<Rc<EventRow>>>,
    pub nodes: usize,
    pub on_seek: Callback<u64>,
}

/// The rows are replaced (a new `Rc`) only when they change (view_data.rs): comparing pointers
/// skips a walk over every row.
impl PartialEq for EventLogProps {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.rows, &o.rows) && self.nodes == o.nodes && self.on_seek == o.on_seek
    }
}

/// The event log's filters.
#[derive(Clone, Default)]
pub struct Filter {
    query: String,
    hidden: Vec<Cat>,
    details: bool,
    /// Only events about this node; 0: all.
    node: u64,
}

/// The event log; its state is the filters, its one message a changed filter.
pub struct EventLog {
    filter: Filter,
}

impl Component for EventLog {
    type Message = Filter;
    type Properties = EventLogProps;

    fn create(_: &Context<Self>) -> Self {
        EventLog { filter: Filter::default() }
    }

    fn update(&mut self, _: &Context<Self>, filter: Filter) -> bool {
        self.filter = filter;
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let p = ctx.props();
        let Filter { query, hidden, details, node } = &self.filter;
        let (details, node) = (*details, *node);
        let q = query.to_ascii_lowercase();
        let tag = format!("S{node}");
        let shown: Vec<&Rc<EventRow>> = p
            .rows
            .iter()
            .rev()
            .filter(|r| (details || r.story) && !hidden.contains(&r.cat))
            .filter(|r| node == 0 || r.node == Some(node) || has_text(&r.text, &tag))
            .filter(|r| q.is_empty() || has_text(&r.text.to_ascii_lowercase(), &q))
            .take(MAX_ROWS)
            .collect();
        // A filter changed by an event: a copy of the current one, changed.
        let change = |f: fn(&mut Filter, &Event)| {
            let filter = self.filter.clone();
            ctx.link().callback(move |e: Event| {
                let mut next = filter.clone();
                f(&mut next, &e);
                next
            })
        };
        let on_query = change(|f, e| f.query = crate::util::field_value(e));
        let on_query = on_query.reform(|e: InputEvent| e.into());
        let on_details = change(|f, e| f.details = crate::util::input_checked(e));
        let on_node = change(|f, e| f.node = crate::util::field_value(e).parse().unwrap_or(0));
        html! {
            <div class="event-log">
                <div class="filters" role="group" aria-label="Filter events">
                    <input type="search" placeholder="Filter…" value={query.clone()} oninput={on_query} aria-label="Filter events by text" />
                    <select onchange={on_node} aria-label="Only events about a node">
                        <option value="0" selected={node == 0}>{"all nodes"}</option>
                        { for (1..=p.nodes as u64).map(|i| html! { <option value={i.to_string()} selected={node == i}>{ format!("S{i}") }</option> }) }
                    </select>
                    { for Cat::ALL.iter().map(|(cat, name)| {
                        let on = !hidden.contains(cat);
                        let mut next = self.filter.clone();
                        if let Some(i) = next.hidden.iter().position(|c| c == cat) { next.hidden.remove(i); } else { next.hidden.push(*cat); }
                        let onclick = ctx.link().callback(move |_: MouseEvent| next.clone());
                        html! { <button class="chip" data-cat={cat.class()} aria-pressed={on.to_string()} {onclick}>{ *name }</button> }
                    }) }
                    <label class="check small"><input type="checkbox" checked={details} onchange={on_details} />{"routine detail"}</label>
                </div>
                <ol class="events" aria-label="Events, newest first">
                    if shown.is_empty() {
                        { static_html(r#"<li class="muted">Nothing yet. Events appear here as the run goes on.</li>"#) }
                    }
                    { for shown.into_iter().map(|r| {
                        let t = r.time_ms;
                        let onclick = emits(&p.on_seek, t);
                        html! {
                            <li data-cat={r.cat.class()}>
                                <button class="time" {onclick} title="Go to this moment">{ fmt_ms(t) }</button>
                                if let Some(n) = r.node { <span class="who">{ format!("S{n}") }</span> }
                                <span class="what">{ r.text.clone() }</span>
                            </li>
                        }
                    }) }
                </ol>
            </div>
        }
    }
}
