//! Messages in flight as elements, for when few are in flight: each gets a CSS animation with
//! the duration and start the virtual clock asks for, and the browser moves it on the
//! compositor, so between simulator events the main thread has nothing to do. (With hundreds in
//! flight the style work of so many elements costs more than a frame; flights.rs then draws
//! them on a canvas instead.)
//!
//! An animation never gets new timing while it runs (the browser would count the wall time
//! already run): when a message's delivery time changes, its element is replaced.

use crate::dot_sprites::Look;
use crate::snapshot::{radius, ring_pos, HUB, HUB_R};
use crate::util::{element, round, Fx};
use raft_core::VecMap;
use raft_sim::network::{Endpoint, InFlight};
use raft_sim::World;
use std::f64::consts::PI;
use web_sys::{Document, Element};

struct Flight {
    deliver_ms: u64,
    dropped: bool,
    el: Element,
}

#[derive(Default)]
pub struct FlightElements {
    msgs: VecMap<u64, Flight>,
    selected: Option<u64>,
}

impl FlightElements {
    /// Removes every element: after a jump in time or a change of speed, all restart.
    pub fn clear(&mut self) {
        for f in std::mem::take(&mut self.msgs).into_values() {
            f.el.remove();
        }
    }

    /// Marks the selected message's dot.
    pub fn select(&mut self, id: Option<u64>) {
        if self.selected == id {
            return;
        }
        for (old, on) in [(self.selected, false), (id, true)] {
            if let Some(dot) =
                old.and_then(|i| self.msgs.get(&i)).and_then(|f| f.el.query_selector(".dot").ok().flatten())
            {
                dot.class_list().toggle_with_force("selected", on).ok();
            }
        }
        self.selected = id;
    }

    /// Brings the elements in `layer` in line with the world at virtual time `vclock`.
    pub fn sync(&mut self, layer: &Element, w: &World, vclock: f64, speed: f64) {
        let Some(d) = layer.owner_document() else { return };
        self.msgs.retain(|id, f| {
            let keep = w.in_flight.contains_key(id);
            if !keep {
                f.el.remove();
            }
            keep
        });
        let n = w.nodes.len();
        for m in w.in_flight.values() {
            if let Some(f) = self.msgs.get(&m.id) {
                if f.deliver_ms == m.deliver_ms && f.dropped == m.dropped {
                    continue;
                }
                f.el.remove();
            }
            if let Some(e) = message(&d, m, n, vclock, speed, self.selected == Some(m.id)) {
                layer.append_child(&e).ok();
                self.msgs.insert(m.id, Flight { deliver_ms: m.deliver_ms, dropped: m.dropped, el: e });
            }
        }
    }
}

fn endpoint_pos(e: Endpoint, n: usize) -> ((f64, f64), f64) {
    match e {
        Endpoint::Node(id) => (ring_pos(id, n), radius(n)),
        Endpoint::Client(_) => (HUB, HUB_R),
    }
}

/// A message's elements: a path placed at the sender and turned toward the receiver, an inner
/// element that flies along it, and the dot, turned back upright.
fn message(d: &Document, m: &InFlight, n: usize, vclock: f64, speed: f64, selected: bool) -> Option<Element> {
    let ((x0, y0), r0) = endpoint_pos(m.from, n);
    let ((x1, y1), r1) = endpoint_pos(m.to, n);
    let (dx, dy) = (x1 - x0, y1 - y0);
    let dist = js_sys::Math::hypot(dx, dy).max(0.001);
    let (ux, uy) = (dx / dist, dy / dist);
    // Requests and replies travel in separate lanes, each to the right of its direction.
    let lane = 1.1;
    let (px, py) = (-uy * lane, ux * lane);
    let (sx, sy) = (x0 + ux * r0 + px, y0 + uy * r0 + py);
    let len = (dist - r0 - r1).max(0.5);
    let angle = js_sys::Math::atan2(dy, dx) * 180.0 / PI;
    let dur = (m.deliver_ms.saturating_sub(m.sent_ms).max(1)) as f64 / speed;
    let done = (vclock - m.sent_ms as f64).max(0.0) / speed;
    let look = Look::of(m);

    let path = element(d, "div", "msg-path")?;
    path.set_attribute(
        "style",
        &format!("left:{}%;top:{}%;width:{}%;transform:rotate({}deg)", Fx(sx), Fx(sy), Fx(len), Fx(angle)),
    )
    .ok()?;
    path.set_attribute("data-msg-kind", m.kind()).ok()?;
    path.set_attribute("data-msg-id", &m.id.to_string()).ok()?;
    let fly = element(d, "div", if m.dropped { "msg-fly lost" } else { "msg-fly" })?;
    fly.set_attribute("style", &format!("--dur:{}ms;--delay:{}ms", round(dur), round(-done))).ok()?;
    let mut class = look.classes();
    if selected {
        class.push_str(" selected");
    }
    // A span, not a button: a button's UA styles double the style work of every frame, and a
    // dot is gone before a keyboard could reach it. Clicks are found by the stage (flights.rs).
    let dot = element(d, "span", &class)?;
    let title = format!("{}{}", m.summary(), if m.dropped { " (will be lost)" } else { "" });
    dot.set_attribute("style", &format!("transform:rotate({}deg)", Fx(-angle))).ok()?;
    dot.set_attribute("role", "img").ok()?;
    dot.set_attribute("aria-label", &format!("Message {}: {title}", m.id)).ok()?;
    dot.set_attribute("title", &title).ok()?;
    if let Some(glyph) = look.glyph() {
        dot.set_text_content(Some(&glyph));
    }
    fly.append_child(&dot).ok()?;
    path.append_child(&fly).ok()?;
    Some(path)
}
