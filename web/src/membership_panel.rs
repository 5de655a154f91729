//! Changing who is in the cluster: add a node (it joins as a learner), and a joint change of
//! the voters (C_old,new first, then C_new on its own). Per-node promote, remove and
//! leadership transfer are in the node's inspector.

use crate::app::Msg;
use crate::membership::{set, ConfigView};
use crate::util::{emits, static_html};
use raft_core::NodeId;
use raft_sim::{Action, NodeRef};
use yew::prelude::*;

/// The most nodes the simulator runs (raft-sim's MAX_NODES).
pub const MAX_NODES: usize = 25;

pub struct MembershipProps<'a> {
    /// The configuration the page shows.
    pub config: Option<ConfigView>,
    pub leader: Option<NodeId>,
    /// Nodes that can still be members (not removed), and how many nodes there are in all.
    pub candidates: Vec<NodeId>,
    pub total: usize,
    /// The voters picked for a joint change; None: the current ones.
    pub draft: &'a Option<Vec<NodeId>>,
    pub on_act: &'a Callback<Action>,
    pub send: &'a Callback<Msg>,
}

pub fn membership_panel(p: MembershipProps) -> Html {
    let current: Vec<NodeId> = p.config.as_ref().map(|c| c.m.voters.clone()).unwrap_or_default();
    let picked: Vec<NodeId> = match p.draft {
        Some(d) => p.candidates.iter().copied().filter(|id| d.contains(id)).collect(),
        None => current.clone(),
    };
    let joint = p.config.as_ref().is_some_and(|c| c.m.is_joint());
    let add_why = if p.leader.is_none() {
        Some("there is no leader to propose it".to_string())
    } else if p.total >= MAX_NODES {
        Some(format!("the simulator runs at most {MAX_NODES} nodes"))
    } else {
        None
    };
    let change_why = if p.leader.is_none() {
        Some("there is no leader to propose it")
    } else if joint {
        Some("a joint change is in progress")
    } else if picked.is_empty() {
        Some("pick at least one voter")
    } else if picked == current {
        Some("pick a set of voters other than the current one")
    } else {
        None
    };
    let add = emits(p.on_act, Action::AddNode);
    let start = {
        let (send, picked) = (p.send.clone(), picked.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            send.emit(Msg::Act(Action::ChangeVoters { voters: picked.iter().map(|i| NodeRef::Id(*i)).collect() }));
            send.emit(Msg::Voters(None));
        })
    };
    let describe = match &p.config {
        Some(c) if c.m.is_joint() => format!("joint: {} → {}", set(&c.m.outgoing), set(&c.m.voters)),
        Some(c) => format!("voters {}", set(&c.m.voters)),
        None => "unknown: every node is down".to_string(),
    };
    let learners = p.config.as_ref().filter(|c| !c.m.learners.is_empty()).map(|c| set(&c.m.learners));
    html! {
        <section class="membership" aria-labelledby="members-h">
            { static_html(r#"<h4 id="members-h">Membership</h4>"#) }
            <p class="small">
                { describe }
                if let Some(l) = learners { { format!(" · learners {l}") } }
                if let Some(c) = &p.config { <span class="muted">{ format!(" (S{}’s, config index {})", c.from, c.index) }</span> }
            </p>
            <div class="btn-row">
                <button disabled={add_why.is_some()} onclick={add} aria-describedby={add_why.is_some().then_some("add-why")}
                    title="A new server with the next id joins as a learner: it receives the log but does not vote">
                    {"Add node"}
                </button>
                if let Some(why) = &add_why { <span id="add-why" class="muted small">{ format!("Not now: {why}.") }</span> }
            </div>
            <form class="joint-form" onsubmit={start}>
                <fieldset>
                    { static_html(r#"<legend>Change voters to</legend>"#) }
                    { for p.candidates.iter().map(|&id| {
                        let on = picked.contains(&id);
                        let mut v: Vec<NodeId> = picked.iter().copied().filter(|x| *x != id).collect();
                        if !on {
                            v.push(id);
                        }
                        let onchange = emits(p.send, Msg::Voters(Some(raft_core::quorum::sorted(v))));
                        html! {
                            <label class="pick" key={id}>
                                <input type="checkbox" checked={on} {onchange} aria-label={format!("S{id} votes in the new configuration")} />
                                { format!("S{id}") }
                            </label>
                        }
                    }) }
                </fieldset>
                <button type="submit" class="primary" disabled={change_why.is_some()}
                    title={change_why.map_or("C_old,new first: decisions need a majority of both; then C_new alone (§4.3)".to_string(), |w| format!("Not now: {w}"))}>
                    {"Start joint change"}
                </button>
                if let Some(why) = change_why.filter(|_| p.leader.is_none() || joint) {
                    <span class="muted small">{ format!("Not now: {why}.") }</span>
                }
            </form>
            { static_html(r#"<p class="muted small">Select a node to promote a learner, remove it, make it the leader or snapshot it.</p>"#) }
        </section>
    }
}
