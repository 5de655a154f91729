//! Play/pause, step, speed (log scale), and the timeline scrubber that seeks back and forth.

use crate::app::Callbacks;
use crate::util::{flag, fmt_ms, fmt_speed, parse_num, round, static_html, Fx};
use yew::prelude::*;

/// Speed slider range, as log10 of virtual ms per wall ms: 1/1000x to 100x.
pub const SPEED_MIN: f64 = -3.0;
pub const SPEED_MAX: f64 = 2.0;

const PLAY_ICON: &str = r#"<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M4.5 2.5v11l9-5.5z"></path></svg>"#;
const PAUSE_ICON: &str =
    r#"<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M4 2.5h3v11H4zM9 2.5h3v11H9z"></path></svg>"#;
const STEP_ICON: &str =
    r#"<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M2.5 2.5v11l7.5-5.5zM11 2.5h2.5v11H11z"></path></svg>"#;

/// What the controls show. A plain function, not a component: the clock changes with nearly
/// every render of the page anyway.
pub struct ControlsProps<'a> {
    pub playing: bool,
    pub now: u64,
    /// How far this timeline has been computed.
    pub horizon: u64,
    /// The scrubber's end.
    pub end: u64,
    pub speed_log: f64,
    /// Fast-forward in progress: fraction done.
    pub progress: Option<f64>,
    /// The run cannot keep up with the chosen speed.
    pub lagging: bool,
    pub compact: bool,
    /// Play/pause, step, seek and speed.
    pub cb: &'a Callbacks,
}

pub fn controls(p: &ControlsProps) -> Html {
    let on_seek = p.cb.seek.reform(|e: InputEvent| parse_num(&crate::util::field_value(&e)).unwrap_or(0.0) as u64);
    let on_speed = p.cb.speed.reform(|e: InputEvent| parse_num(&crate::util::field_value(&e)).unwrap_or(-2.0));
    let speed = js_sys::Math::pow(10.0, p.speed_log);
    let end = p.end.max(p.now).max(1);
    let horizon_pct = (p.horizon as f64 / end as f64 * 100.0).min(100.0);
    let play_label = if p.playing { "Pause (space)" } else { "Play (space)" };
    html! {
        <div class="controls" data-compact={flag(p.compact)}>
            <div class="transport">
                <button class="play primary" onclick={p.cb.toggle.clone()} aria-label={play_label} title={play_label}>
                    { static_html(if p.playing { PAUSE_ICON } else { PLAY_ICON }) }
                </button>
                if !p.compact {
                    <button class="step" onclick={p.cb.step.clone()} aria-label="Step to the next event (S)" title="Step to the next event (S)">
                        { static_html(STEP_ICON) }
                    </button>
                }
                <output class="clock" aria-label="Virtual time">{ fmt_ms(p.now) }</output>
                if !p.compact {
                    <label class="speed" title="Speed: virtual time per wall-clock time (− and + keys)">
                        { static_html(r#"<span class="muted">speed</span>"#) }
                        <input type="range" min={Fx(SPEED_MIN).to_string()} max={Fx(SPEED_MAX).to_string()} step="0.01"
                            value={Fx(p.speed_log).to_string()} oninput={on_speed} aria-label="Speed, log scale from 1/1000× to 100×"
                            aria-valuetext={fmt_speed(speed)} />
                        <output>{ fmt_speed(speed) }</output>
                    </label>
                    if p.lagging { { static_html(r#"<span class="lag" title="The simulation cannot keep up with this speed">CPU-bound</span>"#) } }
                }
            </div>
            <div class="scrub">
                <input type="range" class="scrubber" min="0" max={end.to_string()} step="1" value={p.now.to_string()}
                    style={format!("--h:{}%", Fx(horizon_pct))} oninput={on_seek}
                    aria-label="Timeline: drag to travel in time" aria-valuetext={fmt_ms(p.now)} />
                if let Some(f) = p.progress {
                    <div class="ff" role="progressbar" aria-valuenow={round(f * 100.0).to_string()} aria-valuemin="0" aria-valuemax="100">
                        <div class="ff-bar" style={format!("width:{}%", Fx(f * 100.0))}></div>
                        <span>{ format!("computing… {}%", round(f * 100.0)) }</span>
                    </div>
                }
            </div>
        </div>
    }
}
