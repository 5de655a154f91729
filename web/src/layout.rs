//! The page's layout: header, narration, the cluster with its timeline, the side panel, logs
//! and events; or, with `?embed`, just the cluster, play/pause and the scrubber.

use crate::actions_panel::{clients_panel, clients_view, network_panel};
use crate::app::{App, Msg, Panel, Tab};
use crate::chart::chart;
use crate::cluster_view::{cluster_view, ClusterProps};
use crate::controls::{controls, ControlsProps};
use crate::event_log::EventLog;
use crate::inspector::{msg_detail, msg_inspector, node_detail, node_inspector, Selection};
use crate::log_view::LogView;
use crate::membership::{cluster_config, live_ids, set, Member};
use crate::membership_panel::{membership_panel, MembershipProps};
use crate::safety_panel::safety_panel;
use crate::scenarios::{scenario_picker, NarrationProps};
use crate::settings::{settings, SettingsProps};
use crate::shortcuts::help_overlay;
use crate::util::{emits, flag, static_html, term_style};
use raft_core::NodeId;
use raft_sim::{Action, NodeRef};
use yew::prelude::*;

pub fn view(app: &App) -> Html {
    let w = &app.sim.runner.world;
    let hash = w.hash.hex();
    let now = w.now.to_string();
    let errors = html! {
        { for app.errors.iter().enumerate().map(|(i, e)| html! {
            <div class="banner error" role="alert">
                <span>{ e.clone() }</span>
                <button class="mini" onclick={emits(&app.cb.send, Msg::DismissError(i))} aria-label="Dismiss">{"✕"}</button>
            </div>
        }) }
    };
    let controls = controls(&ControlsProps {
        playing: app.playing,
        now: w.now,
        horizon: app.sim.horizon_ms,
        end: app.timeline_end(),
        speed_log: app.speed_log,
        progress: app.job_progress(),
        lagging: app.lagging,
        compact: app.embed,
        cb: &app.cb,
    });
    if app.embed {
        return html! {
            <div class="app" data-embed="" data-trace-hash={hash} data-time-ms={now}>
                { errors }
                { stage(app) }
                { controls }
            </div>
        };
    }
    let toast = app.toast.clone().map(|t| {
        html! {
            <div class="toast" role="status">
                { t }<button class="mini" onclick={emits(&app.cb.send, Msg::ClearToast)} aria-label="Dismiss">{"✕"}</button>
            </div>
        }
    });
    html! {
        <div class="app" data-trace-hash={hash} data-time-ms={now}>
            <header class="topbar">
                { static_html(r#"<h1><span class="logo" aria-hidden="true">◉</span>Raft Playground</h1>"#) }
                { scenario_picker(&app.catalog, &app.setup.scenario, &app.cb.pick) }
                <span class="spacer"></span>
                <button onclick={emits(&app.cb.send, Msg::Share)} title="Copy a link that reproduces this run">{"Share link"}</button>
                <button class="icon" onclick={emits(&app.cb.send, Msg::Help(true))} aria-label="Keyboard shortcuts and help (?)" title="Help (?)">{"?"}</button>
            </header>
            if !app.faults.is_empty() {
                <div class="banner broken" role="note">
                    { static_html(r#"<b>This Raft is deliberately broken</b>"#) }
                    { format!(" — teaching faults on: {}.", app.faults.join(", ")) }
                </div>
            }
            { errors }
            <main class="layout">
                { narration(app) }
                <section class="card cluster-card" aria-label="Cluster and timeline">
                    { stage(app) }
                    { controls }
                    { chart(&app.samples, &app.marks, w.nodes.len(), app.timeline_end(), w.now, &app.cb.seek) }
                    { legend() }
                </section>
                <aside class="card side" aria-label="Inspect and act"><div class="side-inner">{ side(app) }</div></aside>
                <section class="card logs-card" aria-labelledby="logs-h">
                    { static_html(r#"<h2 id="logs-h">Logs</h2>"#) }
                    <LogView rows={app.logs.clone()} flagged_index={app.violations.last().and_then(|v| v.index)}
                        flagged_nodes={app.violations.last().map(|v| v.nodes.clone()).unwrap_or_default()}
                        on_select={app.cb.select.clone()} />
                </section>
                <section class="card events-card" aria-labelledby="events-h">
                    { static_html(r#"<h2 id="events-h">Events</h2>"#) }
                    <EventLog rows={app.events.clone()} nodes={w.nodes.len()} on_seek={app.cb.seek.clone()} />
                </section>
            </main>
            <footer class="foot muted small">
                { format!("seed {} · trace {} · {} events · deterministic: the same link replays the same run", w.seed, w.hash.hex(), w.events) }
            </footer>
            if app.help { { help_overlay(&app.cb.help_close) } }
            { for toast }
        </div>
    }
}

fn stage(app: &App) -> Html {
    let w = &app.sim.runner.world;
    let leader = w.leader();
    let term = w.nodes.iter().map(|n| n.term()).max().unwrap_or(0);
    let status = match leader {
        Some(l) => format!("S{l} leads term {}", w.nodes[l as usize - 1].term()),
        None => "no leader".to_string(),
    };
    let nviol = w.checker.violations.len();
    let waiting = w.clients.iter().filter(|c| c.current.is_some()).count();
    let paused = !app.playing || app.job.is_some();
    let config = cluster_config(w);
    // Under the clients' hub: the configuration, when it is more than "everyone votes".
    let caption = config.filter(|c| c.m.is_joint() || !c.m.learners.is_empty()).map(|c| {
        let learners = (!c.m.learners.is_empty()).then(|| format!("learners {}", set(&c.m.learners)));
        html! {
            <div class="config-cap" role="note" aria-label="Configuration">
                if c.m.is_joint() {
                    { static_html(r#"<b>joint consensus</b>"#) }
                    <span><i class="half" data-part="old">{"old"}</i>{ format!(" {}", set(&c.m.outgoing)) }</span>
                    <span>{"→ "}<i class="half" data-part="new">{"new"}</i>{ format!(" {}", set(&c.m.voters)) }</span>
                } else {
                    <span>{ format!("voters {}", set(&c.m.voters)) }</span>
                }
                if let Some(l) = learners { <span class="muted">{ l }</span> }
            </div>
        }
    });
    let children = html! {
        <>
            { for caption }
            <div class="stage-status">
                <span class="pill" style={term_style(term)}><span class="swatch"></span>{ format!("term {term}") }</span>
                <span class="pill">{ status }</span>
            </div>
            if !app.embed {
                <button class="pill safety-chip" data-state={if nviol > 0 { "bad" } else { "good" }}
                    onclick={emits(&app.cb.send, Msg::Tab(Tab::Safety))}
                    title="Raft's safety properties, checked after every event">
                    { if nviol > 0 { format!("✗ {nviol} violated") } else { "✓ safe".to_string() } }
                </button>
            }
            if app.job.is_some() {
                <div class="busy" role="status">
                    <span>{ format!("Computing the run… {}%", crate::util::round(app.job_progress().unwrap_or(0.0) * 100.0)) }</span>
                    <button class="mini" onclick={emits(&app.cb.send, Msg::CancelJob)}>{"Stop here"}</button>
                </div>
            }
        </>
    };
    cluster_view(ClusterProps {
        nodes: &app.nodes,
        layer: &app.layer,
        links: &app.links,
        selected: app.selected,
        paused,
        waiting,
        on_select: &app.cb.select,
        on_link: &app.cb.link,
        children,
    })
}

fn legend() -> Html {
    static_html(concat!(
        r#"<div class="legend-row" aria-label="Message legend">"#,
        r#"<span><i class="lg m-vote t1"></i>RequestVote</span>"#,
        r#"<span><i class="lg m-prevote t1"></i>PreVote</span>"#,
        r#"<span><i class="lg m-append t1"></i>AppendEntries</span>"#,
        r#"<span><i class="lg m-heartbeat t1"></i>heartbeat</span>"#,
        r#"<span><i class="lg m-reply ok"></i>granted / ok</span>"#,
        r#"<span><i class="lg m-reply no"></i>refused / failed</span>"#,
        r#"<span><i class="lg m-snap t1"></i>InstallSnapshot</span>"#,
        r#"<span><i class="lg m-read t1"></i>ReadIndex</span>"#,
        r#"<span><i class="lg m-client"></i>client</span>"#,
        r#"<span><i class="lg lost-demo"></i>will be lost</span>"#,
        "</div>"
    ))
}

fn narration(app: &App) -> Html {
    if app.setup.scenario.is_none() {
        return html! {};
    }
    let now = app.sim.now();
    let s = &app.sim.scenario;
    let reached = app.captions.iter().filter(|(at, _)| *at <= now).map(|(at, _)| *at).max();
    let current: Vec<String> = match reached {
        Some(t) => app.captions.iter().filter(|(at, _)| *at == t).map(|(_, c)| c.clone()).collect(),
        None => Vec::new(),
    };
    let step = app.captions.iter().filter(|(at, _)| Some(*at) <= reached).count();
    crate::scenarios::narration(NarrationProps {
        title: &s.title,
        description: &s.description,
        captions: current,
        step,
        total: app.captions.len(),
        holding: app.holding,
        pause_at_captions: app.pause_at_captions,
        on_continue: &app.cb.cont,
        on_toggle_pause: &app.cb.pause_caps,
    })
}

fn side(app: &App) -> Html {
    let w = &app.sim.runner.world;
    let nviol = w.checker.violations.len();
    let tabs = [
        (Tab::Inspect, "Inspect".to_string()),
        (Tab::Network, "Network".to_string()),
        (Tab::Clients, "Clients".to_string()),
        (Tab::Setup, "Setup".to_string()),
        (Tab::Safety, if nviol > 0 { format!("Safety ✗{nviol}") } else { "Safety".to_string() }),
    ];
    let kind = panel(app);
    let forms = app.forms(kind);
    let (act, send) = (&app.cb.act, &app.cb.send);
    let panel = match (kind, app.selected) {
        (Panel::Node, Selection::Node(id)) => {
            node_detail(w, id).map_or_else(Html::default, |d| node_inspector(&d, act))
        }
        (Panel::Msg, Selection::Msg(id)) => msg_inspector(id, w.in_flight.get(&id).map(msg_detail), &forms, act, send),
        (Panel::Clients, _) => clients_panel(&clients_view(w), &forms, act, send),
        (Panel::Network, _) => network_panel(&live_ids(w), w.leader(), w.network.cut.len(), &forms.groups, act, send),
        (Panel::Setup, _) => settings(SettingsProps {
            cluster: &w.config.cluster,
            scenario_faults: &app.sim.scenario.cluster.faults,
            seed: w.seed,
            network: w.network.default,
            on_change: &app.cb.setting,
            on_act: act,
            forms: &forms,
            send,
        }),
        (Panel::Safety, _) => safety_panel(&app.violations, &app.faults, &app.expects, &app.cb.seek),
        _ => overview(app, &forms.voters),
    };
    html! {
        <>
        <div class="tabs" role="tablist">
            { for tabs.into_iter().map(|(t, name)| {
                let on = app.tab == t;
                html! {
                    <button role="tab" aria-selected={on.to_string()} class="tab" data-bad={flag(t == Tab::Safety && nviol > 0)}
                        onclick={emits(&app.cb.send, Msg::Tab(t))}>{ name }</button>
                }
            }) }
        </div>
        <div class="panel" role="tabpanel">{ panel }</div>
        </>
    }
}

/// Which panel the side shows: the tab's, or on the Inspect tab the selection's.
pub fn panel(app: &App) -> Panel {
    let w = &app.sim.runner.world;
    match (app.tab, app.selected) {
        (Tab::Inspect, Selection::Node(id)) if (id as usize).checked_sub(1).is_some_and(|i| i < w.nodes.len()) => {
            Panel::Node
        }
        (Tab::Inspect, Selection::Msg(_)) => Panel::Msg,
        (Tab::Inspect, Selection::Clients) | (Tab::Clients, _) => Panel::Clients,
        (Tab::Inspect, _) => Panel::Overview,
        (Tab::Network, _) => Panel::Network,
        (Tab::Setup, _) => Panel::Setup,
        (Tab::Safety, _) => Panel::Safety,
    }
}

/// With nothing selected: quick actions, the membership controls and every node's state in one
/// table. A plain function, not a component: it changes with the nodes, as the page does.
fn overview(app: &App, voters: &Option<Vec<NodeId>>) -> Html {
    let w = &app.sim.runner.world;
    let act = |a: Action| emits(&app.cb.act, a);
    let leader = w.leader();
    let none = leader.is_none();
    let v = app.sim.actions.iter().filter(|(_, a)| matches!(a, Action::ClientWrite { .. })).count() + 1;
    html! {
        <div class="overview">
            { static_html(r#"<p class="muted small">Click a node or a message in the cluster to inspect it and act on it, or a link to cut it.</p>"#) }
            <div class="btn-row" role="group" aria-label="Quick actions">
                <button disabled={none} onclick={act(Action::Crash { node: NodeRef::Leader })}>{"Crash the leader"}</button>
                <button disabled={none} onclick={act(Action::Isolate { node: NodeRef::Leader })}>{"Isolate the leader"}</button>
                <button disabled={w.network.cut.is_empty()} onclick={act(Action::Heal)}>{"Heal"}</button>
                <button onclick={act(Action::ClientWrite { key: "x".into(), value: v.to_string(), client: None })}>
                    { format!("Client writes x={v}") }
                </button>
            </div>
            { membership_panel(MembershipProps {
                config: cluster_config(w),
                leader,
                candidates: live_ids(w),
                total: w.nodes.len(),
                draft: voters,
                on_act: &app.cb.act,
                send: &app.cb.send,
            }) }
            <table class="nodes-table">
                <thead><tr><th>{"node"}</th><th>{"role"}</th><th>{"term"}</th><th>{"vote"}</th><th>{"commit"}</th><th>{"last"}</th></tr></thead>
                <tbody>
                { for app.nodes.iter().map(|n| {
                    let id = n.id;
                    let onclick = emits(&app.cb.select, Selection::Node(id));
                    html! {
                        <tr key={id} data-status={n.status.name()}>
                            <td><button class="mini node-chip" style={term_style(n.term)} {onclick}>{ format!("S{id}") }</button></td>
                            <td>{ n.status.name() }{ if matches!(n.member, Member::Learner | Member::Outside) { format!(" · {}", n.member.words()) } else { String::new() } }</td>
                            <td>{ n.term }</td>
                            <td>{ n.vote.map_or("–".to_string(), |v| format!("S{v}")) }</td>
                            <td>{ n.commit }</td>
                            <td>{ n.last }</td>
                        </tr>
                    }
                }) }
                </tbody>
            </table>
        </div>
    }
}
