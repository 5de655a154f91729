//! Inspectors: a node's state (durable vs volatile) with the actions that apply to it, and a
//! message's every field with drop, duplicate and delay.

use crate::app::{Forms, Msg, Num};
use crate::membership::{self, ConfigView, Member};
use crate::snapshot::Status;
use crate::util::{def, emits, flag, fmt_ms, num, static_html, term_style};
use raft_core::{AppendRefusal, Body, Entry, EntryData, Index, NodeId, ProgressState, Term, VoteRefusal};
use raft_sim::kv::{Command, Op};
use raft_sim::network::{InFlight, Payload, Reply};
use raft_sim::{Action, NodeRef, World};
use yew::prelude::*;

/// What the inspector shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Selection {
    #[default]
    None,
    Node(NodeId),
    Msg(u64),
    Clients,
}

/// A log entry in a few characters: `x=1`, `read x`, `no-op`.
pub fn entry_label(e: &Entry) -> String {
    match &e.data {
        EntryData::Noop => "no-op".into(),
        EntryData::Config(m) => format!("config {}", raft_core::describe_membership(m)),
        EntryData::Command(bytes) => {
            Command::decode(bytes).map_or_else(|| format!("{} bytes", bytes.len()), |c| c.label())
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Peer {
    pub id: NodeId,
    /// Links from this node to the peer and back are cut.
    pub out_cut: bool,
    pub in_cut: bool,
    /// As this node's leader sees it: next index, match index, state, heard from recently.
    pub progress: Option<(Index, Index, &'static str, bool)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodeDetail {
    pub id: NodeId,
    pub status: Status,
    pub term: Term,
    pub vote: Option<NodeId>,
    pub leader: Option<NodeId>,
    pub commit: Index,
    pub applied: Index,
    pub last: (Index, Term),
    pub stable: Index,
    /// (ticks elapsed, randomized timeout) of the election timer.
    pub timer: Option<(u32, u32)>,
    pub tick_ms: u64,
    pub heartbeat_ticks: u32,
    pub disk: (Term, Option<NodeId>, Index, usize),
    pub peers: Vec<Peer>,
    pub kv: Vec<(String, String)>,
    /// Messages held while paused.
    pub held: usize,
    pub cluster_has_other_leader: bool,
    /// The configuration this node holds (running) and its place in it.
    pub config: Option<ConfigView>,
    /// The configuration the cluster's leader holds, for the membership buttons.
    pub leader_config: Option<ConfigView>,
    /// Its snapshot: index, term, configuration, bytes of state machine.
    pub snapshot: Option<(Index, Term, String, usize)>,
    /// Entries applied since the snapshot (what "Snapshot now" would cover).
    pub compactable: bool,
}

pub fn node_detail(w: &World, id: NodeId) -> Option<NodeDetail> {
    let node = w.nodes.get((id as usize).checked_sub(1)?)?;
    let raft = node.raft.as_ref();
    let hs = node.disk.hard_state;
    let peers = w
        .nodes
        .iter()
        .filter(|p| p.id != id && !p.retired)
        .map(|p| Peer {
            id: p.id,
            out_cut: w.network.cut.contains(&(id, p.id)),
            in_cut: w.network.cut.contains(&(p.id, id)),
            progress: raft.and_then(|r| r.progress().get(&p.id)).filter(|_| node.is_leader()).map(|pr| {
                let state = match pr.state {
                    ProgressState::Probe => "probe",
                    ProgressState::Replicate => "replicate",
                    ProgressState::Snapshot => "snapshot",
                };
                (pr.next_index, pr.match_index, state, pr.recent_active)
            }),
        })
        .collect();
    Some(NodeDetail {
        id,
        status: Status::of(node),
        term: node.term(),
        vote: raft.map_or(hs.vote, |r| r.vote()),
        leader: raft.and_then(|r| r.leader()),
        commit: raft.map_or(0, |r| r.log().committed),
        applied: raft.map_or(0, |r| r.log().applied),
        last: raft.map_or((0, 0), |r| (r.log().last_index(), r.log().last_term())),
        stable: raft.map_or(0, |r| r.log().stable),
        timer: raft.map(|r| (r.election_elapsed(), r.randomized_timeout())),
        tick_ms: w.config.cluster.tick_ms_of(id),
        heartbeat_ticks: w.config.cluster.heartbeat_ticks,
        disk: (hs.term, hs.vote, hs.commit, node.disk.entries.len()),
        peers,
        kv: node.kv.data.iter().map(|(k, (v, _))| (k.clone(), v.clone())).collect(),
        held: node.held.len(),
        cluster_has_other_leader: w.leader().is_some_and(|l| l != id),
        config: raft.map(|r| ConfigView { from: id, index: r.config_index(), m: r.membership().clone() }),
        leader_config: w.leader().and_then(|_| membership::cluster_config(w)),
        snapshot: raft
            .and_then(|r| r.snapshot())
            .or(node.disk.snapshot.as_ref())
            .map(|s| (s.index, s.term, raft_core::describe_membership(&s.membership), s.data.len())),
        compactable: raft.is_some_and(|r| r.log().applied > r.log().snapshot_point().0),
    })
}

/// A node's inspector. A plain function, not a component: the node's state (its timer) changes
/// with nearly every render of the page anyway.
pub fn node_inspector(d: &NodeDetail, on_act: &Callback<Action>) -> Html {
    let id = d.id;
    let node = NodeRef::Id(id);
    let act = |a: Action| emits(on_act, a);
    let up = d.status.up();
    let removed = d.status == Status::Removed;
    // Its place in the cluster's configuration (the leader's, else its own).
    let place = d.leader_config.as_ref().or(d.config.as_ref()).map(|c| {
        if c.m.is_voter(id) {
            Member::Voter
        } else if c.m.is_learner(id) {
            Member::Learner
        } else {
            Member::Outside
        }
    });
    let votes = place.is_none_or(|m| m == Member::Voter);
    let paused = d.status == Status::Paused;
    let opt = |v: Option<NodeId>| v.map_or("none".to_string(), |v| format!("S{v}"));
    let (dterm, dvote, dcommit, dentries) = d.disk;
    let timer = match (d.status, d.timer) {
        (Status::Leader, _) => format!("none: leads; heartbeat every {} ms", d.heartbeat_ticks as u64 * d.tick_ms),
        (_, Some((e, t))) => format!("{} of {} ticks ({} ms left)", e, t, (t.saturating_sub(e)) as u64 * d.tick_ms),
        _ => "stopped".into(),
    };
    html! {
        <div class="inspector">
            <h3 class="insp-title" style={term_style(d.term)}>
                <span class="swatch"></span>{ format!("S{id}") }
                <span class="role-tag">{ d.status.name() }</span>
                if let Some(m) = place.filter(|m| *m != Member::Voter) { <span class="role-tag">{ m.words() }</span> }
            </h3>
            <div class="btn-row" role="group" aria-label={format!("Actions on S{id}")}>
                if removed {
                    { static_html(r#"<p class="muted small">Removed from the configuration and shut down for good.</p>"#) }
                } else if up {
                    <button onclick={act(Action::Crash { node })} title="Stop it; volatile state is lost">{"Crash"}</button>
                } else {
                    <button class="primary" onclick={act(Action::Restart { node })} title="Start again from its disk">{"Restart"}</button>
                }
                if !removed {
                    if paused {
                        <button onclick={act(Action::Resume { node })}>{"Resume"}</button>
                    } else {
                        <button disabled={!up} onclick={act(Action::Pause { node })} title="Freeze it, as a long GC pause would: messages wait, and on resume its clock has run on, so its election timer may fire at once">{"Pause"}</button>
                    }
                    <button disabled={!up || paused || !votes} onclick={act(Action::TimeoutNow { node })}
                        title={if votes { "Its election timer fires now" } else { "Not now: only a voter campaigns" }}>{"Time out now"}</button>
                    <button onclick={act(Action::LoseDisk { node })} title="Crash, wipe its disk, restart empty">{"Lose disk"}</button>
                    <button onclick={act(Action::Isolate { node })} title="Cut every link to and from it">{"Isolate"}</button>
                }
            </div>
            if !removed {
                { member_actions(d, on_act) }
            }
            <div class="state-grid">
                <section>
                    { static_html(r#"<h4>Durable <small>on disk, survives a crash</small></h4>"#) }
                    <dl>
                        { def("current term", dterm.to_string()) }
                        { def("voted for", opt(dvote)) }
                        { def("log", format!("{dentries} entr{}", if dentries == 1 { "y" } else { "ies" })) }
                        { def("commit index", dcommit.to_string()) }
                    </dl>
                </section>
                <section>
                    { static_html(r#"<h4>Volatile <small>in memory, lost on crash</small></h4>"#) }
                    if up {
                        <dl>
                            { def("role", d.status.name().to_string()) }
                            { def("term / vote", format!("{} / {}", d.term, opt(d.vote))) }
                            { def("leader", opt(d.leader)) }
                            { def("commit index", d.commit.to_string()) }
                            { def("last applied", d.applied.to_string()) }
                            { def("last entry", format!("{} (term {})", d.last.0, d.last.1)) }
                            { def("on disk up to", d.stable.to_string()) }
                            { def("election timer", timer) }
                            if d.held > 0 { { def("held messages", d.held.to_string()) } }
                        </dl>
                    } else {
                        { static_html(r#"<p class="muted">Crashed: nothing in memory. Restart rebuilds it from the disk.</p>"#) }
                    }
                </section>
            </div>
            { config_section(d) }
            { static_html(r#"<h4>Peers</h4>"#) }
            <table class="peers">
                <thead><tr>
                    <th>{"peer"}</th><th>{"link"}</th>
                    if d.status == Status::Leader { <th>{"next"}</th><th>{"match"}</th><th>{"state"}</th> }
                </tr></thead>
                <tbody>
                { for d.peers.iter().map(|peer| {
                    let (a, b) = (NodeRef::Id(id), NodeRef::Id(peer.id));
                    let toggle_out = if peer.out_cut { Action::Uncut { from: a, to: b, oneway: true } } else { Action::Cut { from: a, to: b, oneway: true } };
                    let toggle_in = if peer.in_cut { Action::Uncut { from: b, to: a, oneway: true } } else { Action::Cut { from: b, to: a, oneway: true } };
                    html! {
                        <tr key={peer.id}>
                            <td>{ format!("S{}", peer.id) }</td>
                            <td class="link-btns">
                                <button class="mini" data-cut={flag(peer.out_cut)} onclick={act(toggle_out)}
                                    aria-label={format!("S{id} to S{}: {}", peer.id, if peer.out_cut { "cut; restore" } else { "up; cut" })}>
                                    { format!("→ {}", if peer.out_cut { "cut" } else { "up" }) }
                                </button>
                                <button class="mini" data-cut={flag(peer.in_cut)} onclick={act(toggle_in)}
                                    aria-label={format!("S{} to S{id}: {}", peer.id, if peer.in_cut { "cut; restore" } else { "up; cut" })}>
                                    { format!("← {}", if peer.in_cut { "cut" } else { "up" }) }
                                </button>
                            </td>
                            if let Some((next, m, state, active)) = peer.progress {
                                <td>{ next }</td><td>{ m }</td>
                                <td>{ state }{ if active { "" } else { " (silent)" } }</td>
                            } else if d.status == Status::Leader {
                                <td colspan="3" class="muted">{"–"}</td>
                            }
                        </tr>
                    }
                }) }
                </tbody>
            </table>
            if !d.kv.is_empty() {
                { static_html(r#"<h4>State machine</h4>"#) }
                <dl class="kv">
                { for d.kv.iter().map(|(k, v)| def(k.clone(), v.clone())) }
                </dl>
            }
        </div>
    }
}

/// Membership actions on one node, each disabled with its reason when it cannot apply.
fn member_actions(d: &NodeDetail, on_act: &Callback<Action>) -> Html {
    let node = NodeRef::Id(d.id);
    let act = |a: Action| emits(on_act, a);
    let up = d.status.up();
    let leads = d.status == Status::Leader;
    let lc = d.leader_config.as_ref().map(|c| &c.m);
    let learner = lc.is_some_and(|m| m.is_learner(d.id));
    let voter = lc.is_some_and(|m| m.is_voter(d.id));
    let no_leader = (lc.is_none()).then_some("there is no leader to change the configuration");
    let promote_why = no_leader.or((!learner).then_some("only a learner can be promoted"));
    let remove_why = no_leader.or((!learner && !voter).then_some("it is not a member"));
    let leader_why = if leads {
        Some("it already leads")
    } else if lc.is_none() {
        Some("there is no leader to hand over")
    } else if !voter {
        Some("only a voter can lead")
    } else if !up {
        Some("it is down")
    } else {
        None
    };
    let snap_why = if !up {
        Some("it is down")
    } else if !d.compactable {
        Some("no applied entry follows its last snapshot")
    } else {
        None
    };
    let button = |label: &'static str, why: Option<&'static str>, help: &'static str, a: Action| {
        html! {
            <button disabled={why.is_some()} onclick={act(a)} title={why.map_or(help.to_string(), |w| format!("Not now: {w}"))}>
                { label }
            </button>
        }
    };
    html! {
        <div class="btn-row member-actions" role="group" aria-label={format!("Membership of S{}", d.id)}>
            if learner {
                { button("Promote to voter", promote_why, "The leader proposes it as a voter", Action::Promote { node }) }
            }
            { button("Remove", remove_why, "The leader proposes a configuration without it", Action::RemoveNode { node }) }
            { button("Make leader", leader_why, "The leader brings it up to date, then tells it to time out now (§3.10)",
                Action::TransferLeadership { to: node }) }
            { button("Snapshot now", snap_why, "Write its state machine to disk and discard the log up to there", Action::Compact { node }) }
        </div>
    }
}

/// The node's configuration and its snapshot.
fn config_section(d: &NodeDetail) -> Html {
    let list = |ids: &[NodeId]| if ids.is_empty() { "none".to_string() } else { membership::set(ids) };
    html! {
        <div class="state-grid">
            <section>
                { static_html(r#"<h4>Configuration <small>as this node holds it</small></h4>"#) }
                if let Some(c) = &d.config {
                    <dl>
                        if c.m.is_joint() {
                            { def("C_old", list(&c.m.outgoing)) }
                            { def("C_new", list(&c.m.voters)) }
                        } else {
                            { def("voters", list(&c.m.voters)) }
                        }
                        { def("learners", list(&c.m.learners)) }
                        { def("config index", if c.index == 0 { "0 (initial)".to_string() } else { c.index.to_string() }) }
                        { def("this node", membership::role_in(&c.m, d.id).to_string()) }
                    </dl>
                } else {
                    { static_html(r#"<p class="muted small">Down: it reads its configuration from its log and snapshot on restart.</p>"#) }
                }
            </section>
            <section>
                { static_html(r#"<h4>Snapshot <small>replaces the log up to its index</small></h4>"#) }
                if let Some((i, t, m, bytes)) = &d.snapshot {
                    <dl>
                        { def("last index", i.to_string()) }
                        { def("last term", t.to_string()) }
                        { def("configuration", m.clone()) }
                        { def("state machine", format!("{bytes} bytes")) }
                    </dl>
                } else {
                    { static_html(r#"<p class="muted small">None yet: the log starts at index 1.</p>"#) }
                }
            </section>
        </div>
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct MsgDetail {
    pub id: u64,
    pub kind: &'static str,
    pub dropped: bool,
    pub fields: Vec<(&'static str, String)>,
    pub entries: Vec<(Index, Term, String)>,
}

pub fn msg_detail(m: &InFlight) -> MsgDetail {
    let mut f: Vec<(&'static str, String)> = vec![
        ("id", m.id.to_string()),
        ("from", m.from.to_string()),
        ("to", m.to.to_string()),
        ("sent at", fmt_ms(m.sent_ms)),
        ("arrives at", fmt_ms(m.deliver_ms)),
        ("fate", if m.dropped { "will be lost".into() } else { "will be delivered".into() }),
    ];
    let mut entries = Vec::new();
    match &m.payload {
        Payload::Raft(msg) => {
            f.push(("term", msg.term.to_string()));
            match &msg.body {
                Body::RequestVote { last_log_index, last_log_term, transfer } => {
                    f.push(("last log index", last_log_index.to_string()));
                    f.push(("last log term", last_log_term.to_string()));
                    f.push(("leadership transfer", transfer.to_string()));
                }
                Body::PreVote { last_log_index, last_log_term } => {
                    f.push(("last log index", last_log_index.to_string()));
                    f.push(("last log term", last_log_term.to_string()));
                }
                Body::RequestVoteResponse { granted, refusal } | Body::PreVoteResponse { granted, refusal } => {
                    f.push(("granted", granted.to_string()));
                    if let Some(r) = refusal {
                        f.push(("refusal", vote_refusal(r)));
                    }
                }
                Body::AppendEntries { prev_log_index, prev_log_term, entries: es, leader_commit } => {
                    f.push(("prev log index", prev_log_index.to_string()));
                    f.push(("prev log term", prev_log_term.to_string()));
                    f.push(("leader commit", leader_commit.to_string()));
                    f.push(("entries", es.len().to_string()));
                    entries = es.iter().map(|e| (e.index, e.term, entry_label(e))).collect();
                }
                Body::AppendEntriesResponse { success, index, hint_index, hint_term, refusal } => {
                    f.push(("success", success.to_string()));
                    f.push((if *success { "match index" } else { "rejected index" }, index.to_string()));
                    if !success {
                        f.push(("hint", format!("index {hint_index}, term {hint_term}")));
                    }
                    if let Some(r) = refusal {
                        f.push(("refusal", append_refusal(r)));
                    }
                }
                Body::Heartbeat { commit, round, tick } => {
                    f.push(("commit", commit.to_string()));
                    f.push(("round", round.to_string()));
                    f.push(("leader's tick", tick.to_string()));
                }
                Body::HeartbeatResponse { round, tick } => {
                    f.push(("round", round.to_string()));
                    f.push(("leader's tick", tick.to_string()));
                }
                Body::TimeoutNow => f.push(("meaning", "start an election now (leadership transfer)".into())),
                Body::InstallSnapshot { snapshot: s } => {
                    f.push(("last included index", s.index.to_string()));
                    f.push(("last included term", s.term.to_string()));
                    f.push(("configuration", raft_core::describe_membership(&s.membership)));
                    f.push(("state machine", format!("{} bytes", s.data.len())));
                }
                Body::ReadIndex { ctx, lease } => {
                    f.push(("read", ctx.to_string()));
                    f.push(("lease", lease.to_string()));
                }
                Body::ReadIndexResponse { ctx, index } => {
                    f.push(("read", ctx.to_string()));
                    f.push(("read index", index.map_or("refused".into(), |i| i.to_string())));
                }
            }
        }
        Payload::ClientRequest { client, seq, op } => {
            f.push(("client", format!("C{client}")));
            f.push(("sequence", seq.to_string()));
            f.push((
                "operation",
                match op {
                    Op::Write { key, value } => format!("write {key} = {value}"),
                    Op::Read { key, mode } => format!("read {key} ({})", mode.name()),
                },
            ));
        }
        Payload::ClientReply { seq, reply } => {
            f.push(("sequence", seq.to_string()));
            match reply {
                Reply::Ok { output, index, term, .. } => {
                    f.push(("result", output.clone().unwrap_or_else(|| "(none)".into())));
                    f.push(("applied at", format!("index {index}, term {term}")));
                }
                Reply::NotLeader { leader } => {
                    f.push(("result", "not the leader".into()));
                    f.push(("leader hint", leader.map_or("unknown".into(), |l| format!("S{l}"))));
                }
            }
        }
    }
    MsgDetail { id: m.id, kind: m.kind(), dropped: m.dropped, fields: f, entries }
}

/// A message's fields and what can be done to it; the delay to give it is in `forms`.
pub fn msg_inspector(
    id: u64,
    detail: Option<MsgDetail>,
    forms: &Forms,
    on_act: &Callback<Action>,
    send: &Callback<Msg>,
) -> Html {
    let Some(d) = &detail else {
        return html! { <div class="inspector"><p class="muted">{ format!("Message {id} has arrived or been lost.") }</p></div> };
    };
    let id = d.id;
    let act = |a: Action| emits(on_act, a);
    html! {
        <div class="inspector">
            <h3 class="insp-title">{ format!("Message {id}: {}", d.kind) }</h3>
            <div class="btn-row">
                <button disabled={d.dropped} onclick={act(Action::DropMessage { id })}>{"Drop"}</button>
                <button onclick={act(Action::DuplicateMessage { id })}>{"Duplicate"}</button>
                <span class="delay">
                    <button onclick={act(Action::DelayMessage { id, ms: forms.delay })}>{"Delay by"}</button>
                    <input type="number" min="1" max="60000" value={forms.text(Num::Delay, forms.delay.to_string())}
                        oninput={num(send, Num::Delay)} aria-label="Delay in milliseconds" />
                    {" ms"}
                </span>
            </div>
            <dl class="fields">
            { for d.fields.iter().map(|(k, v)| def(*k, v.clone())) }
            </dl>
            if !d.entries.is_empty() {
                { static_html(r#"<h4>Entries</h4>"#) }
                <ul class="entries">
                { for d.entries.iter().map(|(i, t, l)| html! {
                    <li style={term_style(*t)}><span class="swatch"></span>{ format!("#{i} term {t}: {l}") }</li>
                }) }
                </ul>
            }
        </div>
    }
}

fn vote_refusal(r: &VoteRefusal) -> String {
    match r {
        VoteRefusal::StaleTerm => "the candidate's term is stale".into(),
        VoteRefusal::AlreadyVoted { for_node } => format!("already voted for S{for_node}"),
        VoteRefusal::HasLeader { leader } => format!("follows leader S{leader}"),
        VoteRefusal::LogBehind { voter_last_term, voter_last_index } => {
            format!("candidate's log is behind (voter's ends at {voter_last_index}, term {voter_last_term})")
        }
    }
}

fn append_refusal(r: &AppendRefusal) -> String {
    match r {
        AppendRefusal::Missing { last_index } => format!("no entry there: log ends at {last_index}"),
        AppendRefusal::TermMismatch { found_term } => format!("entry there has term {found_term}"),
    }
}
