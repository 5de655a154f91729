//! What moves between simulator events: messages in flight and election-timer arcs. They are
//! kept out of Yew's tree: with 9 nodes and fast heartbeats a dozen messages start and land
//! every frame, and re-rendering the page for each would cost more than a frame. Instead this
//! layer adds and removes just those elements, each keyed by message id (or node), and gives
//! each a CSS animation with the duration and start the virtual clock asks for; the browser
//! moves them on the compositor. `.stage.paused` pauses them all through their own clock.
//!
//! An animation never gets new timing while it runs (the browser would count the wall time
//! already run): when a message's delivery time or a timer's length changes, its element is
//! replaced.

use crate::snapshot::{radius, ring_pos, HUB, HUB_R};
use crate::util::{round, Fx};
use raft_core::{Body, Role, Term};
use raft_sim::network::{Endpoint, InFlight, Payload, Reply};
use raft_sim::World;
use std::collections::BTreeMap;
use std::f64::consts::PI;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element};

struct Flight {
    deliver_ms: u64,
    dropped: bool,
    el: Element,
}

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

/// The imperative layer. Holds the `.msgs` element Yew renders empty, and the stage around it
/// where the nodes' rings are.
#[derive(Default)]
pub struct Flights {
    layer: Option<Element>,
    msgs: BTreeMap<u64, Flight>,
    arcs: Vec<Option<Arc>>,
    selected: Option<u64>,
}

fn doc() -> Option<Document> {
    web_sys::window()?.document()
}

fn el(d: &Document, tag: &str, class: &str) -> Option<Element> {
    let e = d.create_element(tag).ok()?;
    e.set_class_name(class);
    Some(e)
}

impl Flights {
    /// Uses `layer` from now on; a new element (first render, a rebuilt stage) starts afresh.
    pub fn attach(&mut self, layer: Option<Element>) {
        if self.layer != layer {
            self.restart();
            self.layer = layer;
        }
    }

    /// Forgets every animation: after a jump in time or a change of speed, all restart.
    pub fn restart(&mut self) {
        for f in std::mem::take(&mut self.msgs).into_values() {
            f.el.remove();
        }
        for a in std::mem::take(&mut self.arcs).into_iter().flatten() {
            a.el.remove();
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

    /// Brings the drawn messages and arcs in line with the world at virtual time `vclock`.
    pub fn sync(&mut self, w: &World, vclock: f64, speed: f64) {
        let (Some(layer), Some(d)) = (self.layer.clone(), doc()) else { return };
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
        self.sync_arcs(&d, &layer, w, vclock, speed);
    }

    fn sync_arcs(&mut self, d: &Document, layer: &Element, w: &World, vclock: f64, speed: f64) {
        let stage = layer.parent_element();
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
            let ring = stage
                .as_ref()
                .and_then(|s| s.query_selector(&format!("[data-node-id=\"{}\"] .ring", node.id)).ok().flatten());
            let (Some(ring), Some(pie)) = (ring, el(d, "span", if frozen { "pie frozen" } else { "pie" })) else {
                continue;
            };
            pie.set_attribute(
                "style",
                &format!("--dur:{}ms;--delay:{}ms", round(len / speed), round(-elapsed / speed)),
            )
            .ok();
            for class in ["spin", "fill", "mask"] {
                if let Some(i) = el(d, "i", class) {
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
    let (shape, term, ok, badge) = classify(m);

    let path = el(d, "div", "msg-path")?;
    path.set_attribute(
        "style",
        &format!("left:{}%;top:{}%;width:{}%;transform:rotate({}deg)", Fx(sx), Fx(sy), Fx(len), Fx(angle)),
    )
    .ok()?;
    path.set_attribute("data-msg-kind", m.kind()).ok()?;
    path.set_attribute("data-msg-id", &m.id.to_string()).ok()?;
    let fly = el(d, "div", if m.dropped { "msg-fly lost" } else { "msg-fly" })?;
    fly.set_attribute("style", &format!("--dur:{}ms;--delay:{}ms", round(dur), round(-done))).ok()?;
    let mut class = format!("dot {shape}");
    if let Some(t) = term {
        class.push(' ');
        class.push_str(&crate::util::term_class(t));
    }
    class.push_str(match ok {
        Some(true) => " ok",
        Some(false) => " no",
        None => "",
    });
    if selected {
        class.push_str(" selected");
    }
    // A span, not a button: hundreds of dots are in flight at once, a button's UA styles
    // double the style work of every frame, and a dot is gone before a keyboard could reach
    // it. Clicks are handled once for the whole layer.
    let dot = el(d, "span", &class)?;
    let title = format!("{}{}", m.summary(), if m.dropped { " (will be lost)" } else { "" });
    dot.set_attribute("style", &format!("transform:rotate({}deg)", Fx(-angle))).ok()?;
    dot.set_attribute("role", "img").ok()?;
    dot.set_attribute("aria-label", &format!("Message {}: {title}", m.id)).ok()?;
    dot.set_attribute("title", &title).ok()?;
    let glyph = match (badge, ok) {
        (Some(n), _) => n.to_string(),
        (None, Some(true)) => "✓".to_string(),
        (None, Some(false)) => "✗".to_string(),
        _ => String::new(),
    };
    if !glyph.is_empty() {
        dot.set_text_content(Some(&glyph));
    }
    fly.append_child(&dot).ok()?;
    path.append_child(&fly).ok()?;
    Some(path)
}

/// The id of the message whose dot was clicked, from a click anywhere in the layer.
pub fn clicked_message(e: &web_sys::Event) -> Option<u64> {
    let target = e.target()?.dyn_into::<Element>().ok()?;
    target.closest(".dot").ok()??;
    target.closest("[data-msg-id]").ok()??.get_attribute("data-msg-id")?.parse().ok()
}

/// (shape class, term for colour, outcome, entry count) of a message.
fn classify(m: &InFlight) -> (&'static str, Option<Term>, Option<bool>, Option<usize>) {
    match &m.payload {
        Payload::Raft(msg) => {
            let t = Some(msg.term);
            match &msg.body {
                Body::RequestVote { .. } => ("m-vote", t, None, None),
                Body::PreVote { .. } => ("m-prevote", t, None, None),
                Body::RequestVoteResponse { granted, .. } | Body::PreVoteResponse { granted, .. } => {
                    ("m-reply", t, Some(*granted), None)
                }
                Body::AppendEntries { entries, .. } => {
                    ("m-append", t, None, if entries.is_empty() { None } else { Some(entries.len()) })
                }
                Body::AppendEntriesResponse { success, .. } => ("m-reply", t, Some(*success), None),
                Body::Heartbeat { .. } => ("m-heartbeat", t, None, None),
                Body::HeartbeatResponse { .. } => ("m-beat-reply", t, None, None),
                Body::TimeoutNow => ("m-timeout", t, None, None),
                Body::InstallSnapshot { .. } => ("m-snap", t, None, None),
                Body::ReadIndex { .. } => ("m-read", t, None, None),
                Body::ReadIndexResponse { index, .. } => ("m-read", t, Some(index.is_some()), None),
            }
        }
        Payload::ClientRequest { .. } => ("m-client", None, None, None),
        Payload::ClientReply { reply, .. } => ("m-client-reply", None, Some(matches!(reply, Reply::Ok { .. })), None),
    }
}
