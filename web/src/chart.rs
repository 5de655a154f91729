//! The run's history at a glance: one lane per node coloured by term (thick while leading,
//! grey while crashed), each node's commit index, and marks for faults and elections.
//! Click anywhere to go to that moment.

use crate::pure::{Pure, View};
use crate::util::{fmt_ms, static_html, term_style, Fx};
use raft_core::{Role, Term};
use raft_sim::session::Sample;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

const W: f64 = 1000.0;
const LANE: f64 = 10.0;
const COMMIT_H: f64 = 44.0;

/// A moment worth marking: a user or scenario action.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub t: u64,
    pub text: String,
    pub fault: bool,
}

/// The chart, its labels and the cursor at `now`. A plain function, not a component: the cursor
/// moves with nearly every render of the page anyway; the lanes are a component of their own.
pub fn chart(
    samples: &Rc<Vec<Sample>>,
    marks: &Rc<Vec<Mark>>,
    nodes: usize,
    end: u64,
    now: u64,
    on_seek: &Callback<u64>,
) -> Html {
    let end = end.max(1);
    let on_click = {
        let on_seek = on_seek.clone();
        Callback::from(move |e: MouseEvent| {
            let Some(el) = e.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
            let r = el.get_bounding_client_rect();
            if r.width() > 0.0 {
                let f = crate::util::clamp((e.client_x() as f64 - r.left()) / r.width(), 0.0, 1.0);
                on_seek.emit((f * end as f64) as u64);
            }
        })
    };
    let cursor = (now as f64 / end as f64 * 100.0).min(100.0);
    html! {
        <div class="chart" style={format!("--n:{nodes}")}>
            <div class="chart-labels" aria-hidden="true">
                { for (1..=nodes).map(|i| html! { <span>{ format!("S{i}") }</span> }) }
                { static_html(r#"<span class="commit-label">commit</span>"#) }
            </div>
            <div class="chart-plot" onclick={on_click} role="img"
                aria-label="History: each node's term and role over time, and commit indexes. Click to go to a moment.">
                <Pure<BodyProps> samples={samples.clone()} marks={marks.clone()} nodes={nodes} end={end} />
                <div class="cursor" style={format!("left:{}%", Fx(cursor))}></div>
            </div>
            <div class="chart-axis" aria-hidden="true"><span>{"0"}</span><span>{ fmt_ms(end / 2) }</span><span>{ fmt_ms(end) }</span></div>
        </div>
    }
}

#[derive(Properties)]
struct BodyProps {
    samples: Rc<Vec<Sample>>,
    marks: Rc<Vec<Mark>>,
    nodes: usize,
    end: u64,
}

/// The samples and marks are replaced (a new `Rc`) only when they change (view_data.rs):
/// comparing pointers skips a walk over every sample.
impl PartialEq for BodyProps {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.samples, &o.samples)
            && Rc::ptr_eq(&self.marks, &o.marks)
            && (self.nodes, self.end) == (o.nodes, o.end)
    }
}

/// Segments of constant (term, role) for node `i`.
fn segments(samples: &[Sample], i: usize) -> Vec<(u64, u64, Term, Option<Role>)> {
    let mut out: Vec<(u64, u64, Term, Option<Role>)> = Vec::new();
    for (k, s) in samples.iter().enumerate() {
        let Some(&(term, _, role)) = s.nodes.get(i) else { continue };
        let next_t = samples.get(k + 1).map_or(s.time_ms, |n| n.time_ms);
        match out.last_mut() {
            Some(last) if last.2 == term && last.3 == role => last.1 = next_t,
            _ => out.push((s.time_ms, next_t, term, role)),
        }
    }
    out
}

impl View for BodyProps {
    fn view(&self) -> Html {
        let p = self;
        let x = |t: u64| t as f64 / p.end as f64 * W;
        let lanes_h = LANE * p.nodes as f64;
        let h = lanes_h + 4.0 + COMMIT_H;
        let max_commit = p.samples.iter().flat_map(|s| s.nodes.iter().map(|n| n.1)).max().unwrap_or(0).max(1);
        let y_commit = |c: u64| h - 1.0 - c as f64 / max_commit as f64 * (COMMIT_H - 4.0);
        html! {
            <svg viewBox={format!("0 0 {} {}", Fx(W), Fx(h))} preserveAspectRatio="none" class="chart-svg">
                { for (0..p.nodes).map(|i| {
                    let y = i as f64 * LANE;
                    html! {
                        <g class="lane">
                            <rect class="lane-bg" x="0" y={Fx(y).to_string()} width={Fx(W).to_string()} height={Fx(LANE - 1.0).to_string()} />
                            { for segments(&p.samples, i).into_iter().map(|(t0, t1, term, role)| {
                                let (cls, inset) = match role {
                                    Some(Role::Leader) => ("lead", 0.0),
                                    Some(Role::Candidate) | Some(Role::PreCandidate) => ("cand", 1.5),
                                    Some(Role::Follower) => ("foll", 3.0),
                                    None => ("down", 3.5),
                                };
                                let w = (x(t1) - x(t0)).max(0.8);
                                html! {
                                    <rect class="seg" data-seg={cls} style={term_style(term)} x={Fx(x(t0)).to_string()} y={Fx(y + inset).to_string()}
                                        width={Fx(w).to_string()} height={Fx((LANE - 1.0 - 2.0 * inset).max(1.0)).to_string()}>
                                        <title>{ format!("S{}: {} in term {term}, {}–{}", i + 1, role.map_or("crashed", |r| r.name()), fmt_ms(t0), fmt_ms(t1)) }</title>
                                    </rect>
                                }
                            }) }
                        </g>
                    }
                }) }
                <rect class="commit-bg" x="0" y={Fx(lanes_h + 4.0).to_string()} width={Fx(W).to_string()} height={Fx(COMMIT_H).to_string()} />
                { for (0..p.nodes).map(|i| {
                    let pts: Vec<String> = p.samples.iter().filter_map(|s| s.nodes.get(i).map(|n| format!("{},{}", Fx(x(s.time_ms)), Fx(y_commit(n.1))))).collect();
                    html! { <polyline class="commit-line" points={pts.join(" ")} /> }
                }) }
                { for p.marks.iter().map(|m| html! {
                    <line class="mark" data-fault={m.fault.then_some("")} x1={Fx(x(m.t)).to_string()} x2={Fx(x(m.t)).to_string()} y1="0" y2={Fx(h).to_string()}>
                        <title>{ format!("{}: {}", fmt_ms(m.t), m.text) }</title>
                    </line>
                }) }
            </svg>
        }
    }
}
