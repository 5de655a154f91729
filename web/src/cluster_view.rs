//! The cluster: nodes on a ring, the links between them, and messages in flight.
//!
//! Links are static SVG, nodes HTML. Messages in flight and timer arcs are not in this tree:
//! flights.rs draws them into the empty `.msgs` layer (a canvas) and the nodes' rings. Positions are
//! percentages of a square stage.

use crate::inspector::Selection;
use crate::membership::{Half, Member};
use crate::pure::{Pure, View};
use crate::snapshot::{LinkView, NodeView, Status, HUB, HUB_R};
use crate::util::{emits, flag, term_style, Fx};
use raft_core::NodeId;
use std::rc::Rc;
use yew::prelude::*;

/// What the cluster shows. A plain function, not a component: the pills drawn over it change
/// with nearly every render of the page anyway; the links and each node are components that
/// skip what did not change. flights.rs keeps the stage's size unit `--u` current.
pub struct ClusterProps<'a> {
    pub nodes: &'a Rc<Vec<NodeView>>,
    /// The messages' layer, filled by flights.rs.
    pub layer: &'a NodeRef,
    pub links: &'a Rc<Vec<LinkView>>,
    pub selected: Selection,
    /// Animations frozen (the run is paused).
    pub paused: bool,
    /// Requests the clients are waiting on.
    pub waiting: usize,
    pub on_select: &'a Callback<Selection>,
    pub on_link: &'a Callback<(NodeId, NodeId)>,
    /// Drawn over the stage: status pills, the configuration, the safety chip.
    pub children: Html,
}

pub fn cluster_view(p: ClusterProps) -> Html {
    let sel = p.selected;
    let (hx, hy) = HUB;
    let hub_style = format!("left:{}%;top:{}%;width:{}%", Fx(hx), Fx(hy), Fx(HUB_R * 2.0));
    let on_hub = emits(p.on_select, Selection::Clients);
    html! {
        <div class="stage-box">
        <div class="stage" data-paused={flag(p.paused)}>
            <Pure<LinksProps> links={p.links.clone()} nodes={p.nodes.clone()} on_link={p.on_link.clone()} />
            <button class="hub" data-selected={flag(sel == Selection::Clients)} style={hub_style}
                onclick={on_hub} aria-label="Clients: write and read values">
                <span>{"clients"}</span>
                if p.waiting > 0 { <small>{ format!("{} waiting", p.waiting) }</small> }
            </button>
            { for p.nodes.iter().map(|n| html! {
                <Pure<NodeProps> key={n.id} view={n.clone()} selected={sel == Selection::Node(n.id)} on_select={p.on_select.clone()} />
            }) }
            <div class="msgs" ref={p.layer.clone()}></div>
            { p.children }
        </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct LinksProps {
    links: Rc<Vec<LinkView>>,
    nodes: Rc<Vec<NodeView>>,
    on_link: Callback<(NodeId, NodeId)>,
}

impl View for LinksProps {
    fn view(&self) -> Html {
        let p = self;
        let pos = |id: NodeId| p.nodes.get(id as usize - 1).map_or((50.0, 50.0), |n| (n.x, n.y));
        html! {
            <svg class="links" viewBox="0 0 100 100" preserveAspectRatio="none">
            { for p.links.iter().map(|l| {
                let ((x1, y1), (x2, y2)) = (pos(l.a), pos(l.b));
                let (a, b) = (l.a, l.b);
                let onclick = emits(&p.on_link, (a, b));
                let state = match (l.a_to_b_cut, l.b_to_a_cut) {
                    (true, true) => "cut",
                    (false, false) => "up",
                    _ => "oneway",
                };
                let label = match state {
                    "cut" => format!("Link S{a}–S{b} is cut. Restore it"),
                    "up" => format!("Link S{a}–S{b} is up. Cut it"),
                    _ => format!("Link S{a}–S{b} is cut one way. Restore it"),
                };
                // One-way cut: a mark near the node that no longer hears the other.
                let mark = match (l.a_to_b_cut, l.b_to_a_cut) {
                    (true, false) => Some((x1 + (x2 - x1) * 0.72, y1 + (y2 - y1) * 0.72)),
                    (false, true) => Some((x1 + (x2 - x1) * 0.28, y1 + (y2 - y1) * 0.28)),
                    _ => None,
                };
                let (mx, my) = ((x1 + x2) / 2.0, (y1 + y2) / 2.0);
                html! {
                    <g key={format!("{a}-{b}")} class="link" data-state={state} {onclick}>
                        <title>{ label }</title>
                        <line class="hit" x1={Fx(x1).to_string()} y1={Fx(y1).to_string()} x2={Fx(x2).to_string()} y2={Fx(y2).to_string()} />
                        <line class="wire" x1={Fx(x1).to_string()} y1={Fx(y1).to_string()} x2={Fx(x2).to_string()} y2={Fx(y2).to_string()} />
                        if state == "cut" {
                            <path class="cross" d={format!("M{} {}l2.4 2.4m-2.4 0l2.4 -2.4", Fx(mx - 1.2), Fx(my - 1.2))} />
                        }
                        if let Some((cx, cy)) = mark {
                            <circle class="block" cx={Fx(cx).to_string()} cy={Fx(cy).to_string()} r="1.1" />
                        }
                    </g>
                }
            }) }
            </svg>
        }
    }
}

#[derive(Properties, PartialEq)]
struct NodeProps {
    view: NodeView,
    selected: bool,
    on_select: Callback<Selection>,
}

impl View for NodeProps {
    fn view(&self) -> Html {
        let p = self;
        let n = &p.view;
        let id = n.id;
        let onclick = emits(&p.on_select, Selection::Node(id));
        let role_word = match (n.status, n.role, n.member) {
            (Status::Removed, _, _) => "removed".to_string(),
            (Status::Paused, Some(r), _) => format!("paused {}", r.name()),
            (Status::Follower, _, Member::Learner) => "learner".to_string(),
            (s, _, _) => s.name().to_string(),
        };
        let sub = match (n.status, n.votes, n.vote) {
            (Status::Crashed, _, _) => "crashed".to_string(),
            (Status::Removed, _, _) => "removed".to_string(),
            (_, Some((g, total)), _) => format!("{g}/{total} votes"),
            (_, None, Some(v)) => format!("voted S{v}"),
            _ => String::new(),
        };
        let vote_words = n.vote.map_or("has not voted".to_string(), |v| format!("voted for S{v}"));
        let member_words = match (n.member, n.half) {
            (Member::Voter, Some(h)) => format!(", voter in {}", half_words(h)),
            (Member::Voter, None) => String::new(),
            (m, _) => format!(", {}", m.words()),
        };
        let label =
            format!("S{id}, {role_word}{member_words}, term {}, {vote_words}, commit index {}", n.term, n.commit);
        // The name sits above nodes at the top of the ring and below the others, so it never
        // leaves the stage at the sides.
        let above = n.y < 30.0;
        // Many nodes (added at runtime): names only, close to their node; the role is in the label.
        let dense = n.r < 4.0;
        let gap = if dense { 2.2 } else { 4.0 };
        let (lx, ly) = (n.x, if above { n.y - n.r - gap + 0.2 } else { n.y + n.r + gap });
        html! {
            <>
            <div class="node" data-selected={flag(p.selected)} data-flagged={flag(n.flagged)}
                style={format!("left:{}%;top:{}%;width:{}%;--r:{};{}", Fx(n.x), Fx(n.y), Fx(n.r * 2.0), Fx(n.r), term_style(n.term))}
                data-node-id={id.to_string()} data-role={n.status.name()} data-member={n.member.name()}
                data-half={n.half.map(Half::name)}>
                <button class="node-btn" aria-label={label.clone()} aria-pressed={p.selected.to_string()} title={label} {onclick}>
                    // The timer arc is put in by flights.rs.
                    <span class="ring"></span>
                    <span class="body">
                        <span class="term">{ n.term }</span>
                        <span class="sub">{ sub }</span>
                    </span>
                    if n.status == Status::Leader { <span class="badge crown" aria-hidden="true">{"★"}</span> }
                    if n.status == Status::Paused { <span class="badge pause" aria-hidden="true">{"❚❚"}</span> }
                </button>
            </div>
            <div class="node-name" data-status={n.status.name()} data-membership={n.member.name()} style={format!("left:{}%;top:{}%", Fx(lx), Fx(ly))} aria-hidden="true">
                <b>{ format!("S{id}") }{ for n.half.map(|h| html! { <i class="half" data-part={h.name()}>{ h.name() }</i> }) }</b>
                if !dense { <span>{ role_word }</span> }
            </div>
            </>
        }
    }
}

fn half_words(h: Half) -> &'static str {
    match h {
        Half::Old => "the old configuration only (leaving)",
        Half::New => "the new configuration only (joining)",
        Half::Both => "both the old and the new configuration",
    }
}
