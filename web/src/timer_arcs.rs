//! Election-timer arcs: one CSS animation per node, put into the node's ring (which Yew
//! renders) and replaced only when the timer is reset or changes length. The browser drains
//! them on the compositor, so between simulator events the main thread has nothing to do for
//! them. An animation never gets new timing while it runs (the browser would count the wall
//! time already run): when a timer's length changes, its element is replaced.

use crate::util::{element, round};
use raft_core::{Role, Term};
use raft_sim::World;
use web_sys::Element;

struct Arc {
    term: Term,
    role: Role,
    timeout: u32,
    frozen: bool,
    /// Virtual time the arc started draining, and the elapsed time when it was made.
    start: f64,
    elapsed: f64,
    el: Element,
}

#[derive(Default)]
pub struct TimerArcs {
    arcs: Vec<Option<Arc>>,
}

impl TimerArcs {
    /// Forgets every arc: after a jump in time or a change of speed, all restart.
    pub fn restart(&mut self) {
        for a in std::mem::take(&mut self.arcs).into_iter().flatten() {
            a.el.remove();
        }
    }

    /// Brings the arcs in line with the world at virtual time `vclock`; `stage` holds the rings.
    pub fn sync(&mut self, stage: &Element, w: &World, vclock: f64, speed: f64) {
        let Some(d) = stage.owner_document() else { return };
        for a in self.arcs.drain(w.nodes.len().min(self.arcs.len())..).flatten() {
            a.el.remove();
        }
        self.arcs.resize_with(w.nodes.len(), || None);
        for (i, node) in w.nodes.iter().enumerate() {
            let Some(raft) = node.raft.as_ref().filter(|r| r.role() != Role::Leader) else {
                if let Some(a) = self.arcs[i].take() {
                    a.el.remove();
                }
                continue;
            };
            let tick = w.config.cluster.tick_ms_of(node.id) as f64;
            let len = (raft.randomized_timeout() as f64 * tick).max(1.0);
            let elapsed = (raft.election_elapsed() as f64 * tick).min(len);
            let frozen = node.paused;
            if let Some(a) = &self.arcs[i] {
                let same = a.term == raft.term()
                    && a.role == raft.role()
                    && a.timeout == raft.randomized_timeout()
                    && a.frozen == frozen;
                // Ticks advance `elapsed` in steps while the clock runs smoothly; a reset shows
                // as the two drifting apart by more than a tick. A reset while the arc has
                // drained less than 5% keeps it: heartbeats reset followers' timers many times
                // a second, and each new arc costs the browser style work.
                let drift = (vclock - a.start) - elapsed;
                let on_track = if frozen {
                    a.elapsed == elapsed
                } else {
                    drift >= -1.5 * tick && drift <= (1.5 * tick).max(0.05 * len)
                };
                // Yew may have re-created the node (and its ring): the arc moves into the new one.
                if same && on_track && a.el.is_connected() {
                    continue;
                }
            }
            if let Some(a) = self.arcs[i].take() {
                a.el.remove();
            }
            let ring = stage.query_selector(&format!("[data-node-id=\"{}\"] .ring", node.id)).ok().flatten();
            let (Some(ring), Some(pie)) = (ring, element(&d, "span", if frozen { "pie frozen" } else { "pie" })) else {
                continue;
            };
            pie.set_attribute(
                "style",
                &format!("--dur:{}ms;--delay:{}ms", round(len / speed), round(-elapsed / speed)),
            )
            .ok();
            for class in ["spin", "fill", "mask"] {
                if let Some(i) = element(&d, "i", class) {
                    pie.append_child(&i).ok();
                }
            }
            ring.append_child(&pie).ok();
            self.arcs[i] = Some(Arc {
                term: raft.term(),
                role: raft.role(),
                timeout: raft.randomized_timeout(),
                frozen,
                start: vclock - elapsed,
                elapsed,
                el: pie,
            });
        }
    }
}
