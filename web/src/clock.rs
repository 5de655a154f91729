//! The clock: play, pause, step, seek, fast-forward in chunks. While playing, virtual time
//! advances by wall time x speed. When events come every frame, one requestAnimationFrame loop
//! advances it; when the next event is further away, the page sleeps (a timer) until it is due
//! and handles it in the timer's task, with no frame at all unless something drawn changed (a
//! node tick usually changes nothing). Messages and timer arcs are CSS animations, except when
//! so many messages fly that a canvas draws them every frame (flights.rs). Nothing runs while
//! paused, and a hidden tab pauses the run (browser_events.rs).

use crate::app::{App, Msg, Tab};
use crate::util::{clamp, fmt_ms, perf_now};
use gloo::render::request_animation_frame;
use gloo::timers::callback::Timeout;
use raft_sim::Action;
use std::collections::VecDeque;
use yew::prelude::*;

/// Virtual time per advance slice, so long advances can stop at a time budget.
const SLICE_MS: u64 = 25;
/// Main-thread time a frame may spend simulating before the run counts as CPU-bound: with
/// style and paint it must stay well inside a 16 ms frame.
const FRAME_BUDGET_MS: f64 = 5.0;
/// Wall time one frame may advance at most.
const MAX_STEP_MS: f64 = 100.0;
/// Time a fast-forward chunk may take before yielding to the browser.
const JOB_BUDGET_MS: f64 = 24.0;
/// Sleep instead of running frames when the next event is further away than this.
const SLEEP_OVER_MS: f64 = 50.0;
/// While playing, re-render Yew's tree at most this often (messages and arcs are not in it).
const RENDER_EVERY_MS: f64 = 30.0;

/// A fast-forward (and a URL's replay) done in chunks, so the page stays responsive.
pub(crate) struct Job {
    pub(crate) pending: VecDeque<(u64, Action)>,
    pub(crate) target: u64,
    pub(crate) from: u64,
    /// Play once done.
    pub(crate) resume: bool,
    pub(crate) failed: Vec<String>,
}

impl App {
    pub fn speed(&self) -> f64 {
        js_sys::Math::pow(10.0, self.speed_log)
    }

    pub(crate) fn start_fresh(&mut self, ctx: &Context<Self>) {
        // A scenario that opens with a caption starts paused on it; free play starts at once.
        let opens_with_caption = self.captions.first().is_some_and(|(at, _)| *at == 0);
        if opens_with_caption && self.pause_at_captions {
            self.holding = true;
        } else if !self.reduced_motion {
            self.play(ctx);
        }
    }

    pub(crate) fn play(&mut self, ctx: &Context<Self>) {
        if self.job.is_some() || self.playing {
            return;
        }
        self.playing = true;
        self.holding = false;
        self.vclock = self.vclock.max(self.sim.now() as f64);
        // rAF timestamps share performance.now()'s time base.
        self.last_wall = perf_now();
        self.schedule(ctx);
    }

    pub(crate) fn pause(&mut self) {
        if self.playing {
            self.catch_up();
        }
        self.playing = false;
        self.lagging = false;
        self.frame = None;
        self.wake = None;
        self.refresh();
        self.write_url();
    }

    /// Brings virtual time up to this wall-clock moment (the loop may have been asleep).
    pub(crate) fn catch_up(&mut self) {
        let now = perf_now();
        self.vclock += clamp(now - self.last_wall, 0.0, 1000.0) * self.speed();
        self.last_wall = now;
        let before = self.sim.runner.world.events;
        self.sim.advance_to(self.vclock as u64);
        if self.sim.runner.world.events != before {
            self.refresh();
        }
    }

    pub(crate) fn request_frame(&mut self, ctx: &Context<Self>) {
        let link = ctx.link().clone();
        self.frame = Some(request_animation_frame(move |ts| link.send_message(Msg::Frame(ts))));
    }

    /// Wakes for the next frame, or sleeps until shortly before the next event is due.
    pub(crate) fn schedule(&mut self, ctx: &Context<Self>) {
        let w = &self.sim.runner.world;
        let now = self.sim.now();
        let next_caption = self.captions.iter().map(|(at, _)| *at).find(|at| *at > now && self.pause_at_captions);
        let next = [w.next_event_ms(), self.sim.runner.next_item_ms(), next_caption].into_iter().flatten().min();
        let wait = next.map_or(1000.0, |t| ((t as f64 - self.vclock) / self.speed()).min(1000.0));
        if wait > SLEEP_OVER_MS && !self.dirty && !self.flights.moving(w) {
            let link = ctx.link().clone();
            self.wake = Some(Timeout::new(wait.ceil() as u32, move || link.send_message(Msg::Wake)));
        } else {
            self.request_frame(ctx);
        }
    }

    /// One step of the clock: from a frame, or from the timer that slept until an event.
    pub(crate) fn on_frame(&mut self, ctx: &Context<Self>, ts: f64, woke: bool) -> bool {
        self.frame = None;
        if !self.playing || self.job.is_some() {
            return false;
        }
        // A long frame (or a throttled tab) does not make the next one catch up all at once;
        // a planned sleep counts in full.
        let dt = clamp(ts - self.last_wall, 0.0, if woke { 1000.0 } else { MAX_STEP_MS });
        self.last_wall = ts;
        self.vclock += dt * self.speed();
        let now = self.sim.now();
        let mut target = self.vclock as u64;
        let caption = if self.pause_at_captions {
            self.captions.iter().map(|(at, _)| *at).find(|at| *at > now && *at <= target)
        } else {
            None
        };
        if let Some(at) = caption {
            target = at;
        }
        let events = self.sim.runner.world.events;
        let was_lagging = self.lagging;
        self.lagging = !self.advance_within(target, FRAME_BUDGET_MS);
        if self.lagging {
            // Fall back to what the CPU manages: messages are drawn where this time puts them.
            self.vclock = self.sim.now() as f64;
        }
        let changed = self.sim.runner.world.events != events || was_lagging != self.lagging;
        if self.sim.runner.world.checker.violations.len() > self.seen_violations {
            self.on_violation();
            return true;
        }
        if caption.is_some_and(|at| self.sim.now() >= at) {
            self.vclock = self.sim.now() as f64;
            self.pause();
            self.holding = true;
            self.flights.restart();
            self.refresh();
            return true;
        }
        if changed {
            // Cheap: derived data is compared and reused, messages and arcs synced in place.
            let before = self.drawn();
            self.refresh();
            self.dirty |= self.drawn() != before;
        }
        // Yew re-renders only when something it draws changed, at most every 30 ms; the clock
        // alone (the time shown) as often as the slow parts.
        let since = ts - self.last_render;
        let render = (self.dirty && since >= RENDER_EVERY_MS)
            || (self.sim.now() != self.rendered_ms && since >= self.slow_every_ms());
        if render {
            self.dirty = false;
            self.last_render = ts;
            self.rendered_ms = self.sim.now();
        }
        self.flights.draw(&self.sim.runner.world, self.vclock, true);
        self.schedule(ctx);
        render
    }

    /// Goes to the next moment anything happens, processing every event due then. (Stopping
    /// between two events of the same millisecond would make a state that a shared link,
    /// which replays by time, cannot reproduce.)
    pub(crate) fn step_to_next_moment(&mut self) {
        let now = self.sim.now();
        let next = [self.sim.runner.world.next_event_ms(), self.sim.runner.next_item_ms()].into_iter().flatten().min();
        if let Some(t) = next {
            self.sim.advance_to(t.max(now + 1));
        }
    }

    /// Advances toward `target` for at most `budget_ms` of wall time; true if it got there.
    pub(crate) fn advance_within(&mut self, target: u64, budget_ms: f64) -> bool {
        let deadline = perf_now() + budget_ms;
        let seen = self.seen_violations;
        while self.sim.now() < target {
            self.sim.advance_to((self.sim.now() + SLICE_MS).min(target));
            if self.sim.runner.world.checker.violations.len() > seen {
                return true;
            }
            if perf_now() > deadline {
                return self.sim.now() >= target;
            }
        }
        true
    }

    pub(crate) fn on_violation(&mut self) {
        self.seen_violations = self.sim.runner.world.checker.violations.len();
        self.vclock = self.sim.now() as f64;
        self.pause();
        self.flights.restart();
        self.refresh();
        self.tab = Tab::Safety;
        if let Some(v) = self.sim.runner.world.checker.violations.last() {
            self.show_toast(format!("Safety violated: {} at {}. The run is paused.", v.property, fmt_ms(v.time_ms)));
        }
    }

    /// After a jump in time (seek, step): animations restart from the new moment.
    pub(crate) fn after_jump(&mut self) {
        self.slow_at = 0.0;
        self.vclock = self.sim.now() as f64;
        self.last_wall = perf_now();
        self.seen_violations = self.sim.runner.world.checker.violations.len();
        self.flights.restart();
        self.refresh();
        if !self.playing {
            self.write_url();
        }
    }

    pub(crate) fn seek(&mut self, ctx: &Context<Self>, t: u64) {
        if self.job.is_some() {
            self.job = None;
            self.job_timer = None;
        }
        self.holding = false;
        if t <= self.sim.now() {
            self.sim.seek(t);
            self.after_jump();
        } else {
            let resume = self.playing;
            self.start_job(ctx, VecDeque::new(), t, resume);
        }
    }

    pub(crate) fn start_job(
        &mut self,
        ctx: &Context<Self>,
        pending: VecDeque<(u64, Action)>,
        target: u64,
        resume: bool,
    ) {
        self.playing = false;
        self.frame = None;
        self.wake = None;
        self.job = Some(Job { pending, target, from: self.sim.now(), resume, failed: Vec::new() });
        self.run_job(ctx);
    }

    pub(crate) fn run_job(&mut self, ctx: &Context<Self>) {
        let Some(mut job) = self.job.take() else { return };
        let deadline = perf_now() + JOB_BUDGET_MS;
        let done = loop {
            let goal = job.pending.front().map_or(job.target, |(at, _)| *at);
            self.sim.advance_to((self.sim.now() + SLICE_MS * 8).min(goal));
            while job.pending.front().is_some_and(|(at, _)| *at <= self.sim.now()) {
                if let Some((at, a)) = job.pending.pop_front() {
                    if let Err(e) = self.sim.act(a) {
                        job.failed.push(format!("at {}: {e}", fmt_ms(at)));
                    }
                }
            }
            if job.pending.is_empty() && self.sim.now() >= job.target {
                break true;
            }
            if perf_now() > deadline {
                break false;
            }
        };
        if !done {
            self.job = Some(job);
            let link = ctx.link().clone();
            self.job_timer = Some(Timeout::new(0, move || link.send_message(Msg::JobTick)));
            return;
        }
        if job.target < self.sim.now() {
            // The link's time is before its last action: go back to it (the actions stay).
            self.sim.seek(job.target);
        }
        if !job.failed.is_empty() {
            self.errors.push(format!(
                "{} of the link's actions could not be applied ({}); the run continues without them",
                job.failed.len(),
                job.failed[..job.failed.len().min(3)].join("; ")
            ));
        }
        let before = self.seen_violations;
        self.after_jump();
        if self.seen_violations > before {
            // A link to a broken run opens on the checkers' verdict.
            self.tab = Tab::Safety;
        }
        if job.resume {
            self.play(ctx);
        } else {
            self.write_url();
        }
    }

    /// Fraction of the current fast-forward done.
    pub fn job_progress(&self) -> Option<f64> {
        let job = self.job.as_ref()?;
        let end = job.pending.back().map_or(job.target, |(at, _)| (*at).max(job.target));
        let span = end.saturating_sub(job.from).max(1);
        Some((self.sim.now().saturating_sub(job.from) as f64 / span as f64).min(1.0))
    }
}
