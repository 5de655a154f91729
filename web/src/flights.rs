//! Messages in flight. While few fly and they come slowly (the default 1/100x), each is an
//! element with a CSS animation the browser runs on its compositor (flight_elements.rs):
//! nothing to do between simulator events. At 1x, or with hundreds in flight, a dozen start and
//! land every frame; as elements they would cost the browser most of every frame in style work,
//! so they (and the election-timer arcs) are drawn on one canvas instead, placed by the virtual
//! clock every frame, each dot stamped from a sprite of its look (dot_sprites.rs).
//!
//! Clicks on a dot are found by the stage before the nodes and links under it see them: by the
//! element clicked, or on the canvas by position. A paused run's canvas also gets a
//! transparent element over each dot, with `data-msg-kind`, a tooltip and an accessible name.

use crate::dot_sprites::{Look, Sprites};
use crate::flight_elements::FlightElements;
use crate::snapshot::{radius, ring_pos, HUB, HUB_R};
use crate::timer_arcs::TimerArcs;
use crate::util::{clamp, Fx};
use gloo::events::{EventListener, EventListenerOptions, EventListenerPhase};
use raft_core::Role;
use raft_sim::network::{Endpoint, InFlight};
use raft_sim::World;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, Element, HtmlCanvasElement, HtmlElement, MouseEvent};
use yew::Callback;

/// Where a message was last drawn, in CSS px from the stage's corner.
#[derive(Clone, Copy)]
struct Hit {
    id: u64,
    x: f64,
    y: f64,
    r: f64,
}

/// What the canvas shows; drawing again with the same key would give the same pixels.
#[derive(Clone, Copy, PartialEq)]
struct Drawn {
    events: u64,
    vclock: f64,
    in_flight: usize,
    selected: Option<u64>,
    size: (f64, f64),
    live: bool,
}

/// Listeners and observers that live as long as the canvas.
struct Wiring {
    resize: web_sys::ResizeObserver,
    _on_resize: Closure<dyn FnMut(js_sys::Array)>,
    _click: EventListener,
    _hover: EventListener,
    _scheme: Option<EventListener>,
}

impl Drop for Wiring {
    /// An observer outlives its Rust handle while it observes an element, and would call the
    /// dropped closure (a JS error) when that element resizes or leaves the page, as the old
    /// stage does when a scenario is opened.
    fn drop(&mut self) {
        self.resize.disconnect();
    }
}

/// The canvas takes over above this many messages in flight or sent per wall second, and hands
/// back below both `ELEMENTS_UNDER` and `CHURN_LOW` (apart, so a figure hovering around one
/// threshold does not flip it). An element costs the browser style, layout and layer work when
/// it comes and goes, and timer arcs are replaced on every heartbeat; the canvas costs about the
/// same every frame. Measured: 5 nodes at the default 1/100x (~2 messages a second) 34 ms/s as
/// elements, 84 on the canvas; 7 nodes at 1x (~240 a second) 451 ms/s as elements, 79 on the
/// canvas.
const CANVAS_OVER: usize = 64;
const ELEMENTS_UNDER: usize = 40;
const CHURN_HIGH: f64 = 8.0;
const CHURN_LOW: f64 = 4.0;

/// Messages sent per wall second while playing, over windows of at least half a second.
#[derive(Default)]
struct Churn {
    /// Messages sent and the wall time at the window's start; None while paused.
    from: Option<(u64, f64)>,
    per_sec: f64,
}

impl Churn {
    fn update(&mut self, sent: u64, live: bool) {
        let now = crate::util::perf_now();
        match self.from {
            // A pause, a seek back or a new run: start a new window (keep the last rate).
            _ if !live => self.from = None,
            Some((s, at)) if sent >= s => {
                if now - at >= 500.0 {
                    self.per_sec = (sent - s) as f64 * 1000.0 / (now - at);
                    self.from = Some((sent, now));
                }
            }
            _ => self.from = Some((sent, now)),
        }
    }
}

/// The messages (as elements or on the canvas), and the timer arcs.
#[derive(Default)]
pub struct Flights {
    /// The `.msgs` element Yew renders empty; its parent is the stage.
    layer: Option<Element>,
    canvas: Option<(HtmlCanvasElement, CanvasRenderingContext2d)>,
    /// Messages are drawn on the canvas (else as `elements`).
    on_canvas: bool,
    churn: Churn,
    elements: FlightElements,
    /// The count `data-in-flight` shows.
    shown_count: Option<usize>,
    wiring: Option<Wiring>,
    /// Stage width in CSS px and the device pixel ratio, kept by a ResizeObserver.
    size: Rc<Cell<(f64, f64)>>,
    hits: Rc<RefCell<Vec<Hit>>>,
    drawn: Option<Drawn>,
    sprites: Sprites,
    /// Set when the colour scheme changes: the sprites and palette are drawn anew.
    repaint: Rc<Cell<bool>>,
    /// Elements over the dots of a paused run, and the moment they were made for.
    targets: Vec<Element>,
    targets_for: Option<(u64, f64)>,
    selected: Option<u64>,
    reduced_motion: bool,
    arcs: TimerArcs,
}

impl Flights {
    /// Uses `layer` from now on; a new element (first render, a rebuilt stage) starts afresh.
    /// `pick` is told which message a click landed on, `redraw` that the stage was resized.
    pub fn attach(
        &mut self,
        layer: Option<Element>,
        pick: &Callback<u64>,
        redraw: &Callback<()>,
        reduced_motion: bool,
    ) {
        if self.layer == layer {
            return;
        }
        self.restart();
        self.canvas = None;
        self.shown_count = None;
        self.wiring = None;
        self.layer = layer;
        self.reduced_motion = reduced_motion;
        let Some(layer) = self.layer.clone() else { return };
        let Some(canvas) = layer
            .owner_document()
            .and_then(|d| d.create_element("canvas").ok())
            .and_then(|c| c.dyn_into::<HtmlCanvasElement>().ok())
        else {
            return;
        };
        canvas.set_attribute("aria-hidden", "true").ok();
        layer.append_child(&canvas).ok();
        // A desynchronized (low-latency) canvas reaches the screen without waiting for the
        // page's compositor commit, which otherwise copies the whole canvas every frame.
        let opts = js_sys::Object::new();
        js_sys::Reflect::set(&opts, &"desynchronized".into(), &true.into()).ok();
        let ctx = canvas.get_context_with_context_options("2d", &opts).ok().flatten().and_then(|c| c.dyn_into().ok());
        if let Some(ctx) = ctx {
            self.canvas = Some((canvas, ctx));
        }
        self.wiring =
            wire(&layer, self.size.clone(), self.hits.clone(), pick.clone(), redraw.clone(), self.repaint.clone());
    }

    /// Forgets what was drawn: after a jump in time or a change of speed, all is drawn afresh
    /// (a running animation cannot be given new timing).
    pub fn restart(&mut self) {
        self.drawn = None;
        self.elements.clear();
        self.arcs.restart();
        self.clear_targets();
    }

    /// Marks the selected message's dot.
    pub fn select(&mut self, id: Option<u64>) {
        self.selected = id;
        self.elements.select(id);
    }

    /// Whether messages are many or fast enough to be on the canvas.
    pub fn busy(&self) -> bool {
        self.on_canvas
    }

    /// True while the canvas shows moving messages or draining timers, so the clock must draw
    /// every frame.
    pub fn moving(&self, w: &World) -> bool {
        let draining =
            |n: &raft_sim::node::SimNode| !n.paused && n.raft.as_ref().is_some_and(|r| r.role() != Role::Leader);
        self.on_canvas && (!w.in_flight.is_empty() || w.nodes.iter().any(draining))
    }

    /// Brings the messages, the arcs and (when paused) the canvas's dot elements in line with
    /// the world at virtual time `vclock`. `live`: the run is playing.
    pub fn sync(&mut self, w: &World, vclock: f64, speed: f64, live: bool) {
        let Some(layer) = self.layer.clone() else { return };
        let n = w.in_flight.len();
        self.churn.update(w.messages_sent(), live);
        let churn = self.churn.per_sec;
        let on_canvas = if self.on_canvas {
            n >= ELEMENTS_UNDER || churn >= CHURN_LOW
        } else {
            n > CANVAS_OVER || churn > CHURN_HIGH
        };
        if on_canvas != self.on_canvas {
            self.on_canvas = on_canvas;
            self.restart();
            self.hits.borrow_mut().clear();
            if let Some((canvas, ctx)) = &self.canvas {
                ctx.clear_rect(0.0, 0.0, canvas.width() as f64, canvas.height() as f64);
            }
        }
        self.show_count(n);
        if !self.on_canvas {
            if let Some(stage) = layer.parent_element() {
                self.arcs.sync(&stage, w, vclock, speed);
            }
            self.elements.sync(&layer, w, vclock, speed);
            return;
        }
        self.draw(w, vclock, live);
        if live {
            self.clear_targets();
        } else if self.targets_for != Some((w.events, vclock)) {
            self.place_targets(w);
            self.targets_for = Some((w.events, vclock));
        }
    }

    /// For scripts and tests: how many messages are in flight, on the canvas element.
    fn show_count(&mut self, n: usize) {
        if self.shown_count != Some(n) {
            self.shown_count = Some(n);
            if let Some((canvas, _)) = &self.canvas {
                canvas.set_attribute("data-in-flight", &n.to_string()).ok();
            }
        }
    }

    /// Draws every message in flight on the canvas where it is at virtual time `vclock` (when
    /// the canvas shows them).
    pub fn draw(&mut self, w: &World, vclock: f64, live: bool) {
        if !self.on_canvas {
            return;
        }
        self.show_count(w.in_flight.len());
        let Some((canvas, ctx)) = self.canvas.as_ref() else { return };
        let (width, dpr) = self.size.get();
        let key = Drawn {
            events: w.events,
            vclock,
            in_flight: w.in_flight.len(),
            selected: self.selected,
            size: (width, dpr),
            live,
        };
        let repaint = self.repaint.replace(false);
        if repaint {
            self.sprites.clear();
        }
        if (self.drawn == Some(key) && !repaint) || width <= 0.0 {
            return;
        }
        if self.drawn.is_none_or(|d| d.size != key.size) {
            let px = (width * dpr).round() as u32;
            canvas.set_width(px);
            canvas.set_height(px);
        } else {
            ctx.clear_rect(0.0, 0.0, width * dpr, width * dpr);
        }
        self.drawn = Some(key);
        let u = width / 100.0;
        let geo = Geometry::new(w.nodes.len());
        let pal = self.sprites.palette();
        draw_timers(ctx, &pal.track, w, vclock, &geo, u * dpr);
        // Every dot is stamped from its look's sprite: a whole-pixel copy rasterizes several
        // times faster than stroking and filling the same shapes as paths each frame.
        let mut stamped = Vec::with_capacity(w.in_flight.len());
        let mut hits = self.hits.borrow_mut();
        hits.clear();
        for m in w.in_flight.values() {
            let look = Look::of(m);
            let (x, y, p) = geo.place(m, vclock, self.reduced_motion);
            let (x, y) = (x * u, y * u);
            hits.push(Hit { id: m.id, x, y, r: look.size(u) / 2.0 });
            stamped.push((look, x, y, if m.dropped { fade(p) } else { 1.0 }));
        }
        let accent = pal.accent.clone();
        for (look, x, y, alpha) in stamped {
            let Some(sprite) = self.sprites.get(look, u, dpr) else { continue };
            let half = sprite.side / 2.0;
            if alpha < 1.0 {
                ctx.set_global_alpha(alpha);
            }
            // Whole device pixels and the sprite's own size: a plain copy, no resampling.
            ctx.draw_image_with_html_canvas_element(
                &sprite.canvas,
                ((x - half) * dpr).round(),
                ((y - half) * dpr).round(),
            )
            .ok();
            if alpha < 1.0 {
                ctx.set_global_alpha(1.0);
            }
        }
        if let Some(h) = self.selected.and_then(|id| hits.iter().find(|h| h.id == id)) {
            ctx.set_stroke_style_str(&accent);
            ctx.set_line_width(2.5 * dpr);
            ctx.begin_path();
            ctx.arc(h.x * dpr, h.y * dpr, (h.r + 2.5) * dpr, 0.0, std::f64::consts::TAU).ok();
            ctx.stroke();
        }
    }

    fn clear_targets(&mut self) {
        for t in self.targets.drain(..) {
            t.remove();
        }
        self.targets_for = None;
    }

    /// One transparent element over each dot of the paused run (`data-msg-kind`, a tooltip).
    fn place_targets(&mut self, w: &World) {
        self.clear_targets();
        let Some(layer) = self.layer.clone() else { return };
        let Some(doc) = layer.owner_document() else { return };
        let (width, _) = self.size.get();
        let u = width / 100.0;
        let hits = self.hits.borrow();
        for h in hits.iter() {
            let Some(m) = w.in_flight.get(&h.id) else { continue };
            let Ok(e) = doc.create_element("span") else { continue };
            e.set_class_name("dot-hit");
            let title = format!("{}{}", m.summary(), if m.dropped { " (will be lost)" } else { "" });
            let (x, y, d) = (h.x / u, h.y / u, 2.0 * h.r);
            e.set_attribute("style", &format!("left:{}%;top:{}%;width:{}px;height:{}px", Fx(x), Fx(y), Fx(d), Fx(d)))
                .ok();
            e.set_attribute("data-msg-kind", m.kind()).ok();
            e.set_attribute("data-msg-id", &m.id.to_string()).ok();
            e.set_attribute("role", "img").ok();
            e.set_attribute("aria-label", &format!("Message {}: {title}", m.id)).ok();
            e.set_attribute("title", &title).ok();
            layer.append_child(&e).ok();
            self.targets.push(e);
        }
    }
}

/// Election timers as the CSS arcs show them (timer_arcs.rs), which would be replaced on
/// every heartbeat: the drained part of each follower's ring, clockwise from the top.
fn draw_timers(ctx: &CanvasRenderingContext2d, track: &str, w: &World, vclock: f64, geo: &Geometry, px: f64) {
    ctx.set_stroke_style_str(track);
    ctx.set_line_width(0.2 * geo.r * px);
    let now = w.now as f64;
    for (node, &(x, y)) in w.nodes.iter().zip(&geo.nodes) {
        let Some(raft) = node.raft.as_ref().filter(|r| r.role() != Role::Leader) else { continue };
        let tick = w.config.cluster.tick_ms_of(node.id) as f64;
        let len = (raft.randomized_timeout() as f64 * tick).max(1.0);
        // Between ticks the timer drains smoothly, as the CSS arc does; a paused node's stays.
        let since_tick = if node.paused { 0.0 } else { clamp(vclock - now, 0.0, tick) };
        let done = ((raft.election_elapsed() as f64 * tick + since_tick) / len).min(1.0);
        if done <= 0.0 {
            continue;
        }
        let top = -std::f64::consts::FRAC_PI_2;
        ctx.begin_path();
        ctx.arc(x * px, y * px, 0.9 * geo.r * px, top, top + std::f64::consts::TAU * done).ok();
        ctx.stroke();
    }
}

/// Opacity of a message that will be lost, `p` of the way along: it fades out as it goes.
fn fade(p: f64) -> f64 {
    if p < 0.6 {
        1.0 - 0.15 * p / 0.6
    } else {
        0.85 * (1.0 - (p - 0.6) / 0.4)
    }
}

/// Node centres and radius (percent of the stage) for one frame.
struct Geometry {
    nodes: Vec<(f64, f64)>,
    r: f64,
}

impl Geometry {
    fn new(n: usize) -> Geometry {
        Geometry { nodes: (1..=n as u64).map(|id| ring_pos(id, n)).collect(), r: radius(n) }
    }

    fn end(&self, e: Endpoint) -> ((f64, f64), f64) {
        match e {
            Endpoint::Node(id) => (self.nodes.get(id as usize - 1).copied().unwrap_or(HUB), self.r),
            Endpoint::Client(_) => (HUB, HUB_R),
        }
    }

    /// Where `m` is at `vclock` (percent of the stage), and the share of its way done. It
    /// leaves the sender's edge and stops at the receiver's; requests and replies keep to
    /// their own lane, each to the right of its direction.
    fn place(&self, m: &InFlight, vclock: f64, steps: bool) -> (f64, f64, f64) {
        let ((x0, y0), r0) = self.end(m.from);
        let ((x1, y1), r1) = self.end(m.to);
        let (dx, dy) = (x1 - x0, y1 - y0);
        let dist = (dx * dx + dy * dy).sqrt().max(0.001);
        let (ux, uy) = (dx / dist, dy / dist);
        let lane = 1.1;
        let len = (dist - r0 - r1).max(0.5);
        let span = m.deliver_ms.saturating_sub(m.sent_ms).max(1) as f64;
        let mut p = clamp((vclock - m.sent_ms as f64) / span, 0.0, 1.0);
        if steps {
            // Reduced motion: four jumps instead of a glide.
            p = (p * 4.0).floor() / 4.0;
        }
        let along = r0 + len * p;
        (x0 + ux * along - uy * lane, y0 + uy * along + ux * lane, p)
    }
}

/// Keeps `size` and the stage's size unit current, and turns clicks (and hovers) over a dot into picks (and a pointer).
fn wire(
    layer: &Element,
    size: Rc<Cell<(f64, f64)>>,
    hits: Rc<RefCell<Vec<Hit>>>,
    pick: Callback<u64>,
    redraw: Callback<()>,
    repaint: Rc<Cell<bool>>,
) -> Option<Wiring> {
    let stage: HtmlElement = layer.parent_element()?.dyn_into().ok()?;
    let measure = {
        let stage = stage.clone();
        move || (stage.client_width() as f64, web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()))
    };
    size.set(measure());
    let on_resize = {
        let (redraw, stage) = (redraw.clone(), stage.clone());
        Closure::<dyn FnMut(js_sys::Array)>::new(move |_: js_sys::Array| {
            let now = measure();
            // Sizes inside the stage scale with it: --u is one percent of its width in px.
            stage.style().set_property("--u", &format!("{}px", Fx(now.0 / 100.0))).ok();
            if size.get() != now {
                size.set(now);
                redraw.emit(());
            }
        })
    };
    // The dots' colours come from CSS variables that change with the colour scheme.
    let scheme =
        web_sys::window().and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten()).map(|q| {
            EventListener::new(&q, "change", move |_| {
                repaint.set(true);
                redraw.emit(());
            })
        });
    let resize = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok()?;
    resize.observe(&stage);
    let find = {
        let stage = stage.clone();
        move |e: &web_sys::Event| -> Option<u64> {
            let e = e.dyn_ref::<MouseEvent>()?;
            let rect = stage.get_bounding_client_rect();
            let (x, y) = (e.client_x() as f64 - rect.left(), e.client_y() as f64 - rect.top());
            // A click on a paused run's element over a dot (a keyboard, a script) names it.
            let named =
                e.target().and_then(|t| t.dyn_into::<Element>().ok()).and_then(|t| t.closest("[data-msg-id]").ok()?);
            if let Some(id) = named.and_then(|t| t.get_attribute("data-msg-id")?.parse().ok()) {
                return Some(id);
            }
            let hits = hits.borrow();
            // The dot drawn last is on top.
            hits.iter()
                .rev()
                .find(|h| (h.x - x).powi(2) + (h.y - y).powi(2) <= (h.r.max(6.0) + 1.0).powi(2))
                .map(|h| h.id)
        }
    };
    let capture = EventListenerOptions { phase: EventListenerPhase::Capture, passive: false };
    let click = {
        let find = find.clone();
        EventListener::new_with_options(&stage, "click", capture, move |e| {
            if let Some(id) = find(e) {
                e.stop_propagation();
                e.prevent_default();
                pick.emit(id);
            }
        })
    };
    let hover = {
        let stage = stage.clone();
        EventListener::new_with_options(&stage.clone(), "mousemove", EventListenerOptions::default(), move |e| {
            let cursor = if find(e).is_some() { "pointer" } else { "" };
            stage.style().set_property("cursor", cursor).ok();
        })
    };
    Some(Wiring { resize, _on_resize: on_resize, _click: click, _hover: hover, _scheme: scheme })
}
