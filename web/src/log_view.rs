//! Every node's log side by side: one row per node, one column per index, entries coloured by
//! term, committed entries filled, entries not yet on disk dashed, and the leader's next/match
//! index for each follower. Long logs page back in windows instead of being cut off.

use crate::inspector::Selection;
use crate::membership::Member;
use crate::snapshot::{LogRow, Status};
use crate::util::{emits, flag, static_html, term_style};
use raft_core::{Index, NodeId};
use std::rc::Rc;
use yew::prelude::*;

/// Columns shown at once; older ones are a click away.
const WINDOW: u64 = 48;

#[derive(Properties, PartialEq)]
pub struct LogProps {
    pub rows: Rc<Vec<LogRow>>,
    /// Entries named by a safety violation.
    pub flagged_index: Option<Index>,
    pub flagged_nodes: Vec<NodeId>,
    pub on_select: Callback<Selection>,
}

/// The logs; its state is how many windows back from the newest it shows.
pub struct LogView {
    back: u64,
    scroller: NodeRef,
    /// The newest index shown when it last scrolled to the end.
    scrolled_to: u64,
}

/// The columns shown when `back` windows back: (first, last, newest index, windows before it).
fn window(p: &LogProps, back: u64) -> (Index, Index, Index, u64) {
    let max = p
        .rows
        .iter()
        .map(|r| (r.snapshot.0 + r.cells.len() as u64).max(r.progress.map_or(0, |(next, _, _)| next)))
        .max()
        .unwrap_or(0)
        .max(1);
    let pages = (max - 1) / WINDOW;
    let hi = max - back.min(pages) * WINDOW;
    (hi.saturating_sub(WINDOW - 1).max(1), hi, max, pages)
}

impl Component for LogView {
    /// Windows back to show.
    type Message = u64;
    type Properties = LogProps;

    fn create(_: &Context<Self>) -> Self {
        LogView { back: 0, scroller: NodeRef::default(), scrolled_to: 0 }
    }

    fn update(&mut self, _: &Context<Self>, back: u64) -> bool {
        self.back = back;
        true
    }

    /// Keeps the newest entries in view as the log grows.
    fn rendered(&mut self, ctx: &Context<Self>, _first: bool) {
        let (_, hi, _, _) = window(ctx.props(), self.back);
        if hi != self.scrolled_to {
            self.scrolled_to = hi;
            if let Some(el) = self.scroller.cast::<web_sys::Element>() {
                el.set_scroll_left(el.scroll_width());
            }
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let p = ctx.props();
        let (lo, hi, max, pages) = window(p, self.back);
        let back_n = self.back.min(pages);
        let earlier = ctx.link().callback(move |_: MouseEvent| back_n + 1);
        let later = ctx.link().callback(move |_: MouseEvent| back_n.saturating_sub(1));
        let scroller = self.scroller.clone();
        let cols = hi - lo + 1;
        let grid = format!("grid-template-columns: 6.2em repeat({cols}, var(--cell))");
        html! {
            <div class="logs">
                <div class="log-scroll" ref={scroller}>
                    <div class="log-grid" style={grid} role="table" aria-label="Logs of all nodes">
                        <div class="lh corner" role="columnheader">{"index"}</div>
                        { for (lo..=hi).map(|i| html! {
                            <div class="lh" data-flagged={flag(p.flagged_index == Some(i))} role="columnheader">{ i }</div>
                        }) }
                        { for p.rows.iter().map(|r| row(r, lo, hi, p)) }
                    </div>
                </div>
                <div class="log-foot">
                    if pages > 0 {
                        <button class="mini" disabled={back_n >= pages} onclick={earlier}>{"◀ earlier"}</button>
                        <span class="muted">{ format!("indexes {lo}–{hi} of {max}") }</span>
                        <button class="mini" disabled={back_n == 0} onclick={later}>{"later ▶"}</button>
                    }
                    { static_html(concat!(
                        r#"<span class="legend">"#,
                        r#"<span class="cell demo t1" data-committed>1</span>committed"#,
                        r#"<span class="cell t1 demo">1</span>not committed"#,
                        r#"<span class="cell demo t1" data-unsaved>1</span>not yet on disk"#,
                        r#"<span class="cell demo t1" data-config data-committed>1</span>configuration"#,
                        r#"<span class="snap t1 demo">≤5</span>snapshot"#,
                        r#"<span class="mk">m</span>/<span class="mk" data-next>n</span>leader's match / next index"#,
                        "</span>"
                    )) }
                </div>
            </div>
        }
    }
}

fn row(r: &LogRow, lo: Index, hi: Index, p: &LogProps) -> Html {
    let id = r.id;
    let onclick = emits(&p.on_select, Selection::Node(id));
    let flagged_row = p.flagged_nodes.contains(&id);
    let (next, matched) = r.progress.map_or((0, 0), |(n, m, _)| (n, m));
    let head = match (r.status, r.member) {
        (Status::Leader, _) => "★ leader".to_string(),
        (Status::Crashed, _) => "disk".to_string(),
        (Status::Follower, Member::Learner) => "learner".to_string(),
        (s, _) => s.name().to_string(),
    };
    let (snap, snap_term) = r.snapshot;
    // The snapshot stands in for the entries it replaced: one block over their columns.
    let snap_cols = if snap >= lo { snap.min(hi) - lo + 1 } else { 0 };
    let snap_block = (snap_cols > 0).then(|| {
        let text = match snap_cols {
            1 => "▣".to_string(),
            2 | 3 => format!("≤{snap}"),
            _ => format!("snapshot ≤ {snap} ({snap_term})"),
        };
        html! {
            <div role="cell" class="snap" style={format!("grid-column: span {snap_cols};{}", term_style(snap_term))}
                data-snapshot-index={snap.to_string()}
                title={format!("S{id} snapshot: entries up to {snap} (term {snap_term}) are replaced by the state machine")}>
                { text }
            </div>
        }
    });
    html! {
        <>
        <button class="rh" data-status={r.status.name()} data-membership={r.member.name()} data-flagged={flag(flagged_row)} role="rowheader" {onclick}
            data-node={id.to_string()} data-commit={r.committed.to_string()} data-last-index={(r.snapshot.0 + r.cells.len() as u64).to_string()}
            title={format!("S{id}: commit index {}, last applied {}, on disk up to {}", r.committed, r.applied, r.stable)}>
            <b>{ format!("S{id}") }</b><small>{ head }</small><small class="ci">{ format!("commit {}", r.committed) }</small>
        </button>
        { for snap_block }
        { for (lo.max(snap + 1)..=hi).map(|i| {
            let cell = r.cells.get((i - snap - 1) as usize);
            let mark = if i == next && r.progress.is_some() {
                Some((true, "n"))
            } else if i == matched && matched > 0 {
                Some((false, "m"))
            } else {
                None
            };
            let mk = mark.map(|(next, t)| html! { <span class="mk" data-next={flag(next)}>{ t }</span> });
            match cell {
                Some(c) => {
                    let committed = i <= r.committed;
                    let flagged = flagged_row && p.flagged_index == Some(i);
                    html! {
                        <div role="cell" class="cell" style={term_style(c.term)} data-committed={flag(committed)} data-config={flag(c.config)}
                                data-unsaved={flag(i > r.stable)} data-disk={flag(r.from_disk)} data-flagged={flag(flagged)}
                            title={format!("S{id} index {i}, term {}: {}{}", c.term, c.label, if committed { ", committed" } else { "" })}>
                            { c.term }{ mk }
                        </div>
                    }
                }
                None => html! { <div role="cell" class="cell empty">{ mk }</div> },
            }
        }) }
        </>
    }
}
