//! How a message in flight looks: as classes for a dot element (flight_elements.rs), as a
//! shape flights.rs adds to one canvas path per look (`trace`), or, for dots with glyphs,
//! stripes or fading, drawn once into a small off-screen canvas (a sprite) that flights.rs
//! stamps each frame. Colours come from the page's CSS variables, so dark mode and the term
//! palette stay defined in one place (style.css).

use raft_core::Body;
use raft_sim::network::{InFlight, Payload, Reply};
use std::f64::consts::PI;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Shape {
    Vote,
    PreVote,
    Append,
    Heartbeat,
    Reply,
    BeatReply,
    Timeout,
    Snapshot,
    Read,
    Client,
    ClientReply,
}

/// Terms take one of eight colours (`--t1`..`--t8`); 0 is term 0's grey, NONE the muted colour.
const NONE: u8 = u8::MAX;

/// Everything that decides a dot's pixels.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Look {
    pub shape: Shape,
    colour: u8,
    /// Granted / succeeded (true), refused / failed (false).
    ok: Option<bool>,
    /// Entries an AppendEntries carries.
    badge: u32,
    lost: bool,
}

impl Look {
    pub fn of(m: &InFlight) -> Look {
        let (shape, term, ok, badge) = match &m.payload {
            Payload::Raft(msg) => {
                let t = Some(msg.term);
                match &msg.body {
                    Body::RequestVote { .. } => (Shape::Vote, t, None, 0),
                    Body::PreVote { .. } => (Shape::PreVote, t, None, 0),
                    Body::RequestVoteResponse { granted, .. } | Body::PreVoteResponse { granted, .. } => {
                        (Shape::Reply, t, Some(*granted), 0)
                    }
                    Body::AppendEntries { entries, .. } => (Shape::Append, t, None, entries.len() as u32),
                    Body::AppendEntriesResponse { success, .. } => (Shape::Reply, t, Some(*success), 0),
                    Body::Heartbeat { .. } => (Shape::Heartbeat, t, None, 0),
                    Body::HeartbeatResponse { .. } => (Shape::BeatReply, t, None, 0),
                    Body::TimeoutNow => (Shape::Timeout, t, None, 0),
                    Body::InstallSnapshot { .. } => (Shape::Snapshot, t, None, 0),
                    Body::ReadIndex { .. } => (Shape::Read, t, None, 0),
                    Body::ReadIndexResponse { index, .. } => (Shape::Read, t, Some(index.is_some()), 0),
                }
            }
            Payload::ClientRequest { .. } => (Shape::Client, None, None, 0),
            Payload::ClientReply { reply, .. } => {
                (Shape::ClientReply, None, Some(matches!(reply, Reply::Ok { .. })), 0)
            }
        };
        Look { shape, colour: term.map_or(NONE, crate::util::term_colour), ok, badge, lost: m.dropped }
    }

    /// Diameter in CSS px on a stage whose width is 100 `u`: a share of the stage with a floor,
    /// so dots stay clickable on a phone.
    pub fn size(&self, u: f64) -> f64 {
        let (share, floor) = match self.shape {
            Shape::Vote | Shape::PreVote => (2.7, 10.0),
            Shape::Append => (3.1, 11.0),
            Shape::Heartbeat => (1.6, 7.0),
            Shape::Reply => (2.3, 9.0),
            Shape::BeatReply => (1.1, 5.0),
            Shape::Timeout => (2.9, 11.0),
            Shape::Snapshot => (3.6, 13.0),
            Shape::Read => (1.9, 8.0),
            Shape::Client | Shape::ClientReply => (2.2, 9.0),
        };
        (share * u).max(floor)
    }

    /// The classes style.css gives the same look to a dot element: shape, term colour, outcome.
    pub fn classes(&self) -> String {
        let shape = match self.shape {
            Shape::Vote => "m-vote",
            Shape::PreVote => "m-prevote",
            Shape::Append => "m-append",
            Shape::Heartbeat => "m-heartbeat",
            Shape::Reply => "m-reply",
            Shape::BeatReply => "m-beat-reply",
            Shape::Timeout => "m-timeout",
            Shape::Snapshot => "m-snap",
            Shape::Read => "m-read",
            Shape::Client => "m-client",
            Shape::ClientReply => "m-client-reply",
        };
        let colour = if self.colour == NONE { String::new() } else { format!(" t{}", self.colour) };
        let ok = match self.ok {
            Some(true) => " ok",
            Some(false) => " no",
            None => "",
        };
        format!("dot {shape}{colour}{ok}")
    }

    pub fn glyph(&self) -> Option<String> {
        match (self.badge, self.ok) {
            (n, _) if n > 0 => Some(n.to_string()),
            (_, Some(true)) => Some("✓".into()),
            (_, Some(false)) => Some("✗".into()),
            _ => None,
        }
    }
}

/// The page's colours, read from its CSS variables.
pub struct Palette {
    terms: Vec<String>,
    good: String,
    bad: String,
    text: String,
    pub surface: String,
    muted: String,
    pub accent: String,
    /// The drained part of an election timer's ring.
    pub track: String,
}

impl Palette {
    pub fn read() -> Palette {
        let style = web_sys::window()
            .zip(web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()))
            .and_then(|(w, root)| w.get_computed_style(&root).ok().flatten());
        let var = |name: &str, fallback: &str| {
            style
                .as_ref()
                .and_then(|s| s.get_property_value(name).ok())
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| fallback.to_string())
        };
        Palette {
            terms: (0..=8).map(|i| var(&format!("--t{i}"), "#888888")).collect(),
            good: var("--good", "#27915a"),
            bad: var("--bad", "#d1433b"),
            text: var("--text", "#1c2230"),
            surface: var("--surface", "#ffffff"),
            muted: var("--muted", "#667085"),
            accent: var("--accent", "#3565d0"),
            track: var("--track", "#e6e9ef"),
        }
    }

    fn term(&self, colour: u8) -> &str {
        self.terms.get(colour as usize).unwrap_or(&self.muted)
    }

    /// (fill, glyph colour) of a dot that is not lost.
    pub fn fill(&self, look: &Look) -> (String, &str) {
        let tc = self.term(look.colour);
        match (look.shape, look.ok) {
            (Shape::Reply | Shape::Read | Shape::ClientReply, Some(true)) => (self.good.clone(), "#fff"),
            (Shape::Reply | Shape::Read | Shape::ClientReply, Some(false)) => (self.bad.clone(), "#fff"),
            (Shape::Client | Shape::ClientReply, _) => (self.text.clone(), &self.surface),
            (Shape::BeatReply, _) => (mix(tc, &self.muted, 0.6), "#fff"),
            (Shape::Timeout, _) => (self.term(4).to_string(), "#fff"),
            _ => (tc.to_string(), "#fff"),
        }
    }
}

/// `a` weighted `wa` against `b`, for two `#rrggbb` colours (`a` otherwise).
fn mix(a: &str, b: &str, wa: f64) -> String {
    let rgb = |s: &str| -> Option<[f64; 3]> {
        let h = s.strip_prefix('#').filter(|h| h.len() == 6)?;
        let c = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok().map(f64::from);
        Some([c(0)?, c(2)?, c(4)?])
    };
    match (rgb(a), rgb(b)) {
        (Some(x), Some(y)) => {
            let c = |i: usize| (x[i] * wa + y[i] * (1.0 - wa)).round() as u8;
            format!("#{:02x}{:02x}{:02x}", c(0), c(1), c(2))
        }
        _ => a.to_string(),
    }
}

/// A drawn look: its canvas and its side in CSS px, outline included.
pub struct Sprite {
    pub canvas: HtmlCanvasElement,
    pub side: f64,
}

/// Room around a dot for its outline.
const PAD: f64 = 3.5;

/// Sprites by look, for one stage size, pixel ratio and palette.
#[derive(Default)]
pub struct Sprites {
    /// A few dozen looks in practice, searched in order for every dot of every frame.
    by_look: Vec<(Look, Sprite)>,
    /// (u, pixel ratio) the sprites were drawn for.
    scale: (f64, f64),
    palette: Option<Palette>,
}

impl Sprites {
    /// Forgets every sprite and the palette (the colour scheme changed).
    pub fn clear(&mut self) {
        self.by_look.clear();
        self.palette = None;
    }

    pub fn palette(&mut self) -> &Palette {
        self.palette.get_or_insert_with(Palette::read)
    }

    pub fn get(&mut self, look: Look, u: f64, dpr: f64) -> Option<&Sprite> {
        if self.scale != (u, dpr) {
            self.by_look.clear();
            self.scale = (u, dpr);
        }
        let i = match self.by_look.iter().position(|(l, _)| *l == look) {
            Some(i) => i,
            None => {
                let sprite = draw(&look, look.size(u), dpr, self.palette.get_or_insert_with(Palette::read))?;
                self.by_look.push((look, sprite));
                self.by_look.len() - 1
            }
        };
        Some(&self.by_look[i].1)
    }
}

fn context_2d(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok()??.dyn_into().ok()
}

/// Starts a path with the outline of `shape`, of diameter `d`, around the origin.
fn outline(c: &CanvasRenderingContext2d, shape: Shape, d: f64) {
    c.begin_path();
    let r = d / 2.0;
    match shape {
        Shape::Append | Shape::Client | Shape::ClientReply | Shape::Snapshot => {
            let corner = match shape {
                Shape::Append => 0.22 * d,
                Shape::Snapshot => 3.0,
                _ => 0.3 * d,
            };
            c.round_rect_with_f64(-r, -r, d, d, corner).ok();
        }
        Shape::Timeout => {
            c.move_to(0.0, -r);
            c.line_to(r, 0.0);
            c.line_to(0.0, r);
            c.line_to(-r, 0.0);
            c.close_path();
        }
        Shape::Read => {
            c.move_to(0.0, -r);
            c.line_to(r, r);
            c.line_to(-r, r);
            c.close_path();
        }
        _ => {
            c.arc(0.0, 0.0, r, 0.0, 2.0 * PI).ok();
        }
    }
}

/// Draws one look, as style.css once drew the dots: a fill (striped for snapshots, a ring for
/// PreVote), a thin ring of the page's background so dots stand out over links, a glyph
/// (entries carried, granted or refused); a message that will be lost is a dashed red outline.
fn draw(look: &Look, d: f64, dpr: f64, pal: &Palette) -> Option<Sprite> {
    let px = ((d + 2.0 * PAD) * dpr).ceil() as u32;
    // The side in CSS px of the whole device pixels drawn, so the dot is centred where placed.
    let side = px as f64 / dpr;
    let canvas: HtmlCanvasElement = web_sys::window()?.document()?.create_element("canvas").ok()?.dyn_into().ok()?;
    canvas.set_width(px);
    canvas.set_height(px);
    let c = context_2d(&canvas)?;
    c.scale(dpr, dpr).ok();
    c.translate(side / 2.0, side / 2.0).ok();
    let tc = pal.term(look.colour);
    let glyph_colour = if look.lost {
        c.set_stroke_style_str(&pal.bad);
        c.set_line_width(1.5);
        outline(&c, look.shape, d - 1.5);
        c.stroke();
        c.set_global_alpha(0.7);
        c.set_line_dash(&js_sys::Array::of2(&3.0.into(), &2.0.into())).ok();
        outline(&c, look.shape, d + 4.0);
        c.stroke();
        c.set_global_alpha(1.0);
        pal.bad.as_str()
    } else {
        c.set_fill_style_str(&pal.surface);
        outline(&c, look.shape, d + 3.0);
        c.fill();
        let (fill, glyph) = pal.fill(look);
        match look.shape {
            Shape::PreVote => {
                let w = (0.6 * d / 2.7).max(2.0);
                c.set_stroke_style_str(tc);
                c.set_line_width(w);
                outline(&c, look.shape, d - w);
                c.stroke();
            }
            Shape::Snapshot => {
                c.set_fill_style_str(&fill);
                outline(&c, look.shape, d);
                c.fill();
                c.save();
                c.clip();
                c.set_stroke_style_str(&mix(tc, &pal.surface, 0.55));
                c.set_line_width(2.0);
                let mut x = -d;
                while x < d {
                    c.begin_path();
                    c.move_to(x, d / 2.0);
                    c.line_to(x + d, -d / 2.0);
                    c.stroke();
                    x += 4.5;
                }
                c.restore();
                c.set_stroke_style_str(tc);
                c.set_line_width(1.5);
                outline(&c, look.shape, d + 4.5);
                c.stroke();
            }
            _ => {
                c.set_fill_style_str(&fill);
                outline(&c, look.shape, d);
                c.fill();
            }
        }
        glyph
    };
    if let Some(g) = look.glyph() {
        let share = if look.shape == Shape::Reply { 0.7 } else { 0.62 };
        c.set_font(&format!("800 {}px system-ui, sans-serif", crate::util::round(d * share)));
        c.set_text_align("center");
        c.set_text_baseline("middle");
        c.set_fill_style_str(glyph_colour);
        c.fill_text(&g, 0.0, d * 0.04).ok();
    }
    Some(Sprite { canvas, side })
}
