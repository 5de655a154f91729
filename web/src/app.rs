//! The page's root: owns the `Session` (the model) and turns user input into actions. The
//! clock lives in clock.rs, the derived data the components draw in view_data.rs, the markup
//! in layout.rs, the link and the Share button in share.rs, the keyboard and visibility
//! listeners in browser_events.rs.

use crate::chart::Mark;
use crate::clock::Job;
use crate::event_log::EventRow;
use crate::flights::Flights;
use crate::inspector::Selection;
use crate::safety_panel::ExpectRow;
use crate::scenarios::{self, ScenarioInfo};
use crate::settings::Change;
use crate::shortcuts::Cmd;
use crate::snapshot::{LinkView, LogRow, NodeView, Views};
use crate::url_state::{self, Setup};
use crate::util::{emits, perf_now};
use gloo::events::EventListener;
use gloo::render::AnimationFrame;
use gloo::timers::callback::Timeout;
use raft_core::NodeId;
use raft_sim::kv::ReadMode;
use raft_sim::session::Sample;
use raft_sim::{Action, LinkConfig, NodeRef, RunOptions, Session, Violation};
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use yew::prelude::*;

/// Records kept for the event log; older ones are dropped (bounded memory).
const MAX_RECORDS: usize = 1500;
/// Default speed: 1/100x, as RaftScope.
const DEFAULT_SPEED_LOG: f64 = -2.0;

#[derive(Clone)]
pub enum Msg {
    Frame(f64),
    Wake,
    TogglePlay,
    Step,
    Seek(u64),
    JobTick,
    CancelJob,
    Speed(f64),
    Act(Action),
    ToggleLink(NodeId, NodeId),
    Select(Selection),
    Tab(Tab),
    Continue,
    PauseAtCaptions(bool),
    Pick(Option<String>),
    /// A picked scenario's file was fetched (or not).
    Loaded(String, Result<(), String>),
    Setting(Change),
    Share,
    DismissError(usize),
    Help(bool),
    Key(Cmd),
    Visible(bool),
    ClearToast,
    Redraw,
    /// A form field changed: `set` stores the field's new text in `App::forms`.
    Edit(fn(&mut Forms, String), String),
    /// A number field changed (its text).
    Num(Num, String),
    Voters(Option<Vec<NodeId>>),
    Groups(Vec<u8>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Inspect,
    Network,
    Clients,
    Setup,
    Safety,
}

/// What the side panel shows. Its forms' contents belong to it (`App::forms`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Panel {
    #[default]
    Overview,
    Node,
    Msg,
    Clients,
    Network,
    Setup,
    Safety,
}

/// What the visitor typed or picked in the side panel's forms. Kept in the App rather than in
/// a component per panel (each component costs its own code in the wasm), and as a component's
/// state would be: dropped when another panel opens. Every input event stores what was typed,
/// so the page's re-renders while playing never overwrite it.
#[derive(Clone, Debug, PartialEq)]
pub struct Forms {
    /// The voters picked for a joint change; None: the current ones.
    pub voters: Option<Vec<NodeId>>,
    /// The partition group (0-2) of each live node, by position.
    pub groups: Vec<u8>,
    pub key: String,
    pub value: String,
    pub client: u64,
    pub read_mode: ReadMode,
    /// The node a read asks first; 0: the one the client believes leads.
    pub via: u64,
    /// The delay a message is given, ms.
    pub delay: u64,
    /// The network settings being edited; None: as they are.
    pub net: Option<LinkConfig>,
    /// Text typed into a number field that it refused, shown as typed (as by an input left
    /// alone) until the form changes or is drawn for other data (`drawn_for`), as a component's was.
    pub raw: Vec<(Num, String)>,
    pub drawn_for: FormsKey,
}

/// A number field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Num {
    Delay,
    LatencyMin,
    LatencyMax,
    Loss,
    Duplicate,
    Reorder,
}

/// The data a panel's forms are drawn for besides what was typed: the message inspected (with
/// its arrival time and fate), or the network settings.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FormsKey {
    pub msg: Option<(u64, Option<(u64, bool)>)>,
    pub network: LinkConfig,
}

impl Forms {
    /// Stores a number field's text if the field accepts it.
    fn set_num(&mut self, field: Num, text: &str) -> bool {
        if field == Num::Delay {
            return text.parse::<u64>().map(|v| self.delay = v.min(60_000)).is_ok();
        }
        let Some(v) = crate::util::parse_num(text).filter(|v| *v >= 0.0) else { return false };
        let n = self.net.get_or_insert(self.drawn_for.network);
        match field {
            Num::LatencyMin => n.latency_ms[0] = v as u64,
            Num::LatencyMax => n.latency_ms[1] = v as u64,
            Num::Loss => n.loss = (v / 100.0).min(1.0),
            Num::Duplicate => n.duplicate = (v / 100.0).min(1.0),
            _ => n.reorder = (v / 100.0).min(1.0),
        }
        true
    }

    /// Drawn for other data: the refused texts and the network draft go, as an input's would.
    fn draw_for(&mut self, key: FormsKey) {
        if self.drawn_for != key {
            self.drawn_for = key;
            self.raw.clear();
            self.net = None;
        }
    }

    /// A number field's text: as typed if it was refused, else `value`.
    pub fn text(&self, field: Num, value: String) -> String {
        self.raw.iter().find(|(f, _)| *f == field).map_or(value, |(_, t)| t.clone())
    }
}

impl Default for Forms {
    fn default() -> Self {
        Forms {
            voters: None,
            groups: Vec::new(),
            key: "x".into(),
            value: "1".into(),
            client: 1,
            read_mode: ReadMode::Log,
            via: 0,
            delay: 100,
            net: None,
            raw: Vec::new(),
            drawn_for: FormsKey::default(),
        }
    }
}

/// Callbacks made once: a fresh callback each render would defeat the children's memoization.
/// An IntersectionObserver with the closure it calls (kept alive together).
pub(crate) type Observer = (web_sys::IntersectionObserver, Closure<dyn FnMut(js_sys::Array)>);

pub(crate) struct Callbacks {
    /// Any message: buttons that send a fixed one share it (`util::emits`).
    pub(crate) send: Callback<Msg>,
    pub(crate) select: Callback<Selection>,
    pub(crate) link: Callback<(NodeId, NodeId)>,
    pub(crate) act: Callback<Action>,
    pub(crate) seek: Callback<u64>,
    pub(crate) toggle: Callback<MouseEvent>,
    pub(crate) step: Callback<MouseEvent>,
    pub(crate) speed: Callback<f64>,
    pub(crate) cont: Callback<()>,
    pub(crate) pause_caps: Callback<bool>,
    pub(crate) pick: Callback<Option<String>>,
    pub(crate) setting: Callback<Change>,
    pub(crate) help_close: Callback<MouseEvent>,
    /// A click landed on a message's dot (flights.rs), and the stage was resized.
    pub(crate) pick_msg: Callback<u64>,
    pub(crate) redraw: Callback<()>,
}

pub struct App {
    pub(crate) sim: Session,
    pub(crate) setup: Setup,
    pub(crate) captions: Vec<(u64, String)>,
    pub(crate) catalog: Rc<Vec<ScenarioInfo>>,

    pub(crate) playing: bool,
    /// Paused because the tab was hidden (or the embed scrolled away): resume when back.
    pub(crate) auto_paused: bool,
    /// Paused at a caption, waiting for Continue.
    pub(crate) holding: bool,
    pub(crate) pause_at_captions: bool,
    pub(crate) speed_log: f64,
    /// Virtual time with fractions: at 1/100x a virtual millisecond is 100 ms of wall time.
    pub(crate) vclock: f64,
    pub(crate) last_wall: f64,
    pub(crate) lagging: bool,
    /// What Yew draws changed but was not yet rendered (renders are rate-limited while playing).
    pub(crate) dirty: bool,
    pub(crate) last_render: f64,
    /// The virtual time the last render while playing showed.
    pub(crate) rendered_ms: u64,
    /// The next frame of the clock while playing.
    pub(crate) frame: Option<AnimationFrame>,
    pub(crate) wake: Option<Timeout>,
    pub(crate) job: Option<Job>,
    pub(crate) job_timer: Option<Timeout>,

    pub(crate) views: Views,
    pub(crate) nodes: Rc<Vec<NodeView>>,
    /// Messages in flight (a canvas) and timer arcs, drawn outside Yew into `layer`.
    pub(crate) flights: Flights,
    pub(crate) layer: yew::NodeRef,
    pub(crate) links: Rc<Vec<LinkView>>,
    pub(crate) logs: Rc<Vec<LogRow>>,
    pub(crate) events: Rc<Vec<Rc<EventRow>>>,
    /// The records the event rows were made from: count, and the first and last (event, time).
    pub(crate) events_key: (usize, (u64, u64), (u64, u64)),
    /// Wall time of the last refresh of the slow parts (events, chart, expectations).
    pub(crate) slow_at: f64,
    pub(crate) samples: Rc<Vec<Sample>>,
    pub(crate) samples_key: (usize, u64),
    pub(crate) marks: Rc<Vec<Mark>>,
    pub(crate) marks_key: (usize, u64),
    pub(crate) violations: Rc<Vec<Violation>>,
    pub(crate) seen_violations: usize,
    pub(crate) faults: Rc<Vec<String>>,
    pub(crate) expects: Rc<Vec<ExpectRow>>,

    pub(crate) selected: Selection,
    pub(crate) tab: Tab,
    pub(crate) forms: Forms,
    /// The panel `forms` belongs to.
    pub(crate) forms_for: Panel,
    pub(crate) errors: Vec<String>,
    pub(crate) toast: Option<String>,
    pub(crate) toast_timer: Option<Timeout>,
    pub(crate) help: bool,
    pub(crate) embed: bool,
    pub(crate) reduced_motion: bool,
    pub(crate) cb: Callbacks,
    pub(crate) _listeners: Vec<EventListener>,
    pub(crate) _observer: Option<Observer>,
}

/// A session for a setup, with the scenario's captions.
fn build_session(setup: &Setup) -> Result<(Session, Vec<(u64, String)>), String> {
    let scenario = scenarios::build(setup)?;
    let captions = scenarios::captions(&scenario);
    let opts = RunOptions { seed: setup.seed, faults: setup.faults.clone(), record: true };
    let sim = Session::new(scenario, opts, MAX_RECORDS)?;
    Ok((sim, captions))
}

/// Free play with default settings: the fallback when a URL cannot be used.
fn default_session() -> (Session, Vec<(u64, String)>) {
    match build_session(&Setup::default()) {
        Ok(s) => s,
        Err(e) => unreachable!("free play with default settings is valid: {e}"),
    }
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let (url, mut errors) = url_state::read();
        let (setup, (sim, captions), mut actions, t) = match build_session(&url.setup) {
            Ok(s) => (url.setup.clone(), s, url.actions.clone(), url.t),
            Err(e) => {
                errors.push(format!("{e}. Showing free play instead."));
                (Setup::default(), default_session(), Vec::new(), None)
            }
        };
        if actions.len() > 10_000 {
            errors.push("the link holds more than 10000 actions; only the first 10000 are replayed".into());
            actions.truncate(10_000);
        }
        let link = ctx.link();
        let send = link.callback(|m: Msg| m);
        let cb = Callbacks {
            select: link.callback(Msg::Select),
            link: link.callback(|(a, b)| Msg::ToggleLink(a, b)),
            act: link.callback(Msg::Act),
            seek: link.callback(Msg::Seek),
            toggle: emits(&send, Msg::TogglePlay),
            step: emits(&send, Msg::Step),
            speed: link.callback(Msg::Speed),
            cont: emits(&send, Msg::Continue),
            pause_caps: link.callback(Msg::PauseAtCaptions),
            pick: link.callback(Msg::Pick),
            setting: link.callback(Msg::Setting),
            help_close: emits(&send, Msg::Help(false)),
            pick_msg: link.callback(|id| Msg::Select(Selection::Msg(id))),
            redraw: emits(&send, Msg::Redraw),
            send,
        };
        let reduced_motion = crate::util::media_matches("(prefers-reduced-motion: reduce)");
        let mut app = App {
            sim,
            setup,
            captions,
            catalog: Rc::new(scenarios::catalog()),
            playing: false,
            auto_paused: false,
            holding: false,
            // An embed shows no captions, so it does not stop at them.
            pause_at_captions: !url.embed,
            speed_log: url.speed.map_or(DEFAULT_SPEED_LOG, js_sys::Math::log10),
            vclock: 0.0,
            last_wall: perf_now(),
            lagging: false,
            dirty: false,
            last_render: 0.0,
            rendered_ms: 0,
            frame: None,
            wake: None,
            job: None,
            job_timer: None,
            views: Views::default(),
            nodes: Rc::default(),
            flights: Flights::default(),
            layer: yew::NodeRef::default(),
            links: Rc::default(),
            logs: Rc::default(),
            events: Rc::default(),
            events_key: (0, (0, 0), (0, 0)),
            slow_at: 0.0,
            samples: Rc::default(),
            samples_key: (usize::MAX, 0),
            marks: Rc::default(),
            marks_key: (usize::MAX, 0),
            violations: Rc::default(),
            seen_violations: 0,
            faults: Rc::default(),
            expects: Rc::default(),
            selected: Selection::None,
            tab: Tab::Inspect,
            forms: Forms::default(),
            forms_for: Panel::Overview,
            errors,
            toast: None,
            toast_timer: None,
            help: false,
            embed: url.embed,
            reduced_motion,
            cb,
            _listeners: Vec::new(),
            _observer: None,
        };
        app.listen(ctx);
        app.refresh();
        if !actions.is_empty() || t.is_some() {
            // A shared run: replay it, then stay paused at `t` (or play on if no time was given).
            let target = t.unwrap_or_else(|| actions.last().map_or(0, |(at, _)| *at));
            app.start_job(ctx, actions.into(), target, t.is_none());
        } else {
            app.start_fresh(ctx);
        }
        app
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Frame(ts) => return self.on_frame(ctx, ts, false),
            Msg::Wake => {
                self.wake = None;
                return self.on_frame(ctx, perf_now(), true);
            }
            Msg::TogglePlay => {
                if self.job.is_some() {
                    return false;
                }
                if self.playing {
                    self.pause();
                } else {
                    self.play(ctx);
                }
            }
            Msg::Step => {
                if self.job.is_some() {
                    return false;
                }
                self.pause();
                self.holding = false;
                self.step_to_next_moment();
                self.after_jump();
            }
            Msg::Seek(t) => self.seek(ctx, t),
            Msg::JobTick => {
                self.job_timer = None;
                self.run_job(ctx);
            }
            Msg::CancelJob => {
                self.job = None;
                self.job_timer = None;
                self.after_jump();
            }
            Msg::Speed(log) => {
                if self.playing {
                    self.catch_up();
                }
                self.speed_log = crate::util::clamp(log, crate::controls::SPEED_MIN, crate::controls::SPEED_MAX);
                // Every animation's timing depends on the speed: restart them all.
                self.flights.restart();
                self.refresh();
                if self.playing {
                    self.frame = None;
                    self.wake = None;
                    self.schedule(ctx);
                }
            }
            Msg::Act(a) => self.act(a),
            Msg::ToggleLink(a, b) => {
                let cut = &self.sim.runner.world.network.cut;
                let (from, to) = (NodeRef::Id(a), NodeRef::Id(b));
                if cut.contains(&(a, b)) || cut.contains(&(b, a)) {
                    self.act(Action::Uncut { from, to, oneway: false });
                } else {
                    self.act(Action::Cut { from, to, oneway: false });
                }
            }
            Msg::Select(s) => {
                self.selected = if self.selected == s { Selection::None } else { s };
                self.tab = if s == Selection::Clients { Tab::Clients } else { Tab::Inspect };
            }
            Msg::Tab(t) => self.tab = t,
            Msg::Continue => {
                self.holding = false;
                self.play(ctx);
            }
            Msg::PauseAtCaptions(on) => self.pause_at_captions = on,
            Msg::Pick(Some(name)) if !scenarios::is_loaded(&name) => {
                let link = ctx.link().clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let loaded = scenarios::load(&name).await;
                    link.send_message(Msg::Loaded(name, loaded));
                });
                return false;
            }
            Msg::Pick(name) => self.rebuild(ctx, Setup { scenario: name, ..Setup::default() }),
            Msg::Loaded(name, Ok(())) => self.rebuild(ctx, Setup { scenario: Some(name), ..Setup::default() }),
            Msg::Loaded(_, Err(e)) => self.show_toast(e),
            Msg::Setting(ch) => self.change_setting(ctx, ch),
            Msg::Share => self.share(),
            Msg::DismissError(i) => {
                if i < self.errors.len() {
                    self.errors.remove(i);
                }
            }
            Msg::Help(open) => self.help = open,
            Msg::Key(cmd) => self.on_key(ctx, cmd),
            Msg::Visible(visible) => {
                if !visible && self.playing {
                    self.pause();
                    self.auto_paused = true;
                } else if visible && self.auto_paused {
                    self.auto_paused = false;
                    self.play(ctx);
                } else {
                    return false;
                }
            }
            Msg::ClearToast => {
                self.toast = None;
                self.toast_timer = None;
            }
            Msg::Redraw => {
                self.flights.sync(&self.sim.runner.world, self.vclock, self.speed(), self.playing);
                return false;
            }
            Msg::Edit(set, text) => set(&mut self.forms, text),
            Msg::Num(field, text) => {
                let f = &mut self.forms;
                if f.set_num(field, &text) {
                    f.raw.clear();
                } else {
                    f.raw.retain(|(g, _)| *g != field);
                    f.raw.push((field, text));
                }
            }
            Msg::Voters(v) => self.forms.voters = v,
            Msg::Groups(g) => self.forms.groups = g,
        }
        true
    }

    fn view(&self, _ctx: &Context<Self>) -> Html {
        crate::layout::view(self)
    }

    fn rendered(&mut self, ctx: &Context<Self>, _first_render: bool) {
        self.arm_toast(ctx);
        // The forms start afresh when their panel closes; the view drew the defaults already.
        let panel = crate::layout::panel(self);
        if self.forms_for != panel {
            self.forms = Forms::default();
            self.forms_for = panel;
        }
        let key = self.forms_key(panel);
        self.forms.draw_for(key);
        // The layer exists from the first render on; a re-render may also have re-created a
        // node's ring, which `sync` notices.
        let cb = &self.cb;
        self.flights.attach(self.layer.cast::<web_sys::Element>(), &cb.pick_msg, &cb.redraw, self.reduced_motion);
        self.flights.select(match self.selected {
            Selection::Msg(id) => Some(id),
            _ => None,
        });
        self.flights.sync(&self.sim.runner.world, self.vclock, self.speed(), self.playing);
    }
}

// ---- Acting --------------------------------------------------------------------------------

impl App {
    fn act(&mut self, a: Action) {
        if self.job.is_some() {
            return;
        }
        if self.playing {
            self.catch_up();
        }
        let forking = self.sim.horizon_ms > self.sim.now();
        match self.sim.act(a) {
            Ok(()) => {
                if forking {
                    self.show_toast("You acted in the past: the run forks here and what followed is discarded.".into());
                } else if let Some(why) = self.refusal() {
                    // A leader that cannot change its configuration yet says so: an outcome,
                    // not an error, but the visitor pressed a button and deserves to know.
                    self.show_toast(why);
                }
                self.refresh();
                self.write_url();
            }
            Err(e) => self.show_toast(format!("Not possible: {e}")),
        }
    }

    /// The text of the action just applied if the leader refused it.
    fn refusal(&self) -> Option<String> {
        let last = self.sim.runner.world.records.iter().rev().find_map(|r| match &r.kind {
            raft_sim::trace::RecordKind::Action { text } => Some(text),
            _ => None,
        })?;
        crate::util::has_text(last, " refuses ").then(|| last.clone())
    }

    fn on_key(&mut self, ctx: &Context<Self>, cmd: Cmd) {
        let leader = self.sim.runner.world.leader();
        match cmd {
            Cmd::TogglePlay => {
                if self.holding {
                    self.holding = false;
                    self.play(ctx);
                } else if self.playing {
                    self.pause();
                } else {
                    self.play(ctx);
                }
            }
            Cmd::Step => {
                Component::update(self, ctx, Msg::Step);
            }
            Cmd::ClientWrite => {
                let n = self.sim.actions.iter().filter(|(_, a)| matches!(a, Action::ClientWrite { .. })).count();
                self.act(Action::ClientWrite { key: "x".into(), value: (n + 1).to_string(), client: None });
            }
            Cmd::RestartLeader => match leader {
                Some(l) => {
                    self.act(Action::Crash { node: NodeRef::Id(l) });
                    self.act(Action::Restart { node: NodeRef::Id(l) });
                }
                None => self.show_toast("There is no leader to restart.".into()),
            },
            Cmd::CrashLeader => self.act(Action::Crash { node: NodeRef::Leader }),
            Cmd::IsolateLeader => self.act(Action::Isolate { node: NodeRef::Leader }),
            Cmd::Heal => self.act(Action::Heal),
            Cmd::SpreadTimers | Cmd::AlignTimers => self.timers_key(cmd == Cmd::AlignTimers),
            Cmd::Faster | Cmd::Slower => {
                let d = if cmd == Cmd::Faster { 0.25 } else { -0.25 };
                Component::update(self, ctx, Msg::Speed(self.speed_log + d));
            }
            Cmd::Back => self.seek(ctx, self.sim.now().saturating_sub(100)),
            Cmd::Forward => self.seek(ctx, self.sim.now() + 100),
            Cmd::Help => self.help = !self.help,
            Cmd::Close => {
                if self.help {
                    self.help = false;
                } else {
                    self.selected = Selection::None;
                }
            }
        }
    }

    /// RaftScope's T and A. The simulator has no action that sets a timer, and changing one
    /// outside the recorded actions would break replay, so both are "times out now" actions:
    /// A for every live, unpaused node at once (they split the vote), T for the one whose timer
    /// is closest to firing (it campaigns alone).
    fn timers_key(&mut self, align: bool) {
        let w = &self.sim.runner.world;
        if let Some(l) = w.leader() {
            self.show_toast(format!("S{l} leads: its heartbeats keep resetting the other timers. Crash it (K) first."));
            return;
        }
        let live = w.nodes.iter().filter(|n| !n.paused).filter_map(|n| n.raft.as_ref().map(|r| (n.id, r)));
        let ids: Vec<NodeId> = if align {
            live.map(|(id, _)| id).collect()
        } else {
            // Ticks left before the timeout, fewest first.
            live.min_by_key(|(_, r)| r.randomized_timeout().saturating_sub(r.election_elapsed()))
                .map(|(id, _)| id)
                .into_iter()
                .collect()
        };
        if ids.is_empty() {
            self.show_toast("No live server has a timer to fire.".into());
        }
        for id in ids {
            self.act(Action::TimeoutNow { node: NodeRef::Id(id) });
        }
    }

    /// Starts a new run from a setup; on error the current run stays and the error is shown.
    fn rebuild(&mut self, ctx: &Context<Self>, setup: Setup) {
        match build_session(&setup) {
            Ok((sim, captions)) => {
                self.pause();
                self.job = None;
                self.job_timer = None;
                self.sim = sim;
                self.captions = captions;
                self.setup = setup;
                self.views = Views::default();
                self.selected = Selection::None;
                self.seen_violations = 0;
                self.holding = false;
                self.after_jump();
                self.start_fresh(ctx);
            }
            Err(e) => self.show_toast(e),
        }
    }

    fn change_setting(&mut self, ctx: &Context<Self>, ch: Change) {
        // Overrides are kept only where they differ from the scenario, so links stay short.
        let base = match scenarios::build(&Setup { scenario: self.setup.scenario.clone(), ..Setup::default() }) {
            Ok(s) => s,
            Err(e) => return self.show_toast(e),
        };
        let c = &base.cluster;
        let mut s = self.setup.clone();
        match ch {
            Change::Nodes(v) => s.nodes = (v != c.nodes).then_some(v),
            Change::TickMs(v) => s.tick_ms = (v != c.tick_ms).then_some(v),
            Change::ElectionTicks(v) => s.election_ticks = (v != c.election_ticks).then_some(v),
            Change::HeartbeatTicks(v) => s.heartbeat_ticks = (v != c.heartbeat_ticks).then_some(v),
            Change::PreVote(v) => s.pre_vote = (v != c.pre_vote).then_some(v),
            Change::CheckQuorum(v) => s.check_quorum = (v != c.check_quorum).then_some(v),
            Change::SnapshotEntries(v) => s.snapshot_entries = (v != c.snapshot_entries).then_some(v),
            Change::RetireRemoved(v) => s.retire_removed = (v != c.retire_removed).then_some(v),
            Change::Fault(name, on) => {
                s.faults.retain(|f| *f != name);
                if on && !c.faults.contains(&name) {
                    s.faults.push(name);
                }
            }
            Change::Seed(v) => s.seed = (v != base.seed).then_some(v),
            Change::NewSeed => s.seed = Some(crate::util::random_seed()),
        }
        self.rebuild(ctx, s);
    }

    /// The forms as the side panel shows them: the defaults for a panel just opened, without
    /// refused texts and the network draft when drawn for other data.
    pub(crate) fn forms(&self, panel: Panel) -> std::borrow::Cow<'_, Forms> {
        let mut f = if self.forms_for == panel {
            std::borrow::Cow::Borrowed(&self.forms)
        } else {
            std::borrow::Cow::Owned(Forms::default())
        };
        let key = self.forms_key(panel);
        if f.drawn_for != key {
            f.to_mut().draw_for(key);
        }
        f
    }

    fn forms_key(&self, panel: Panel) -> FormsKey {
        let w = &self.sim.runner.world;
        match (panel, self.selected) {
            (Panel::Msg, Selection::Msg(id)) => FormsKey {
                msg: Some((id, w.in_flight.get(&id).map(|m| (m.deliver_ms, m.dropped)))),
                ..FormsKey::default()
            },
            (Panel::Setup, _) => FormsKey { msg: None, network: w.network.default },
            _ => FormsKey::default(),
        }
    }

    pub(crate) fn show_toast(&mut self, text: String) {
        self.toast = Some(text);
        self.toast_timer = None;
    }

    pub fn arm_toast(&mut self, ctx: &Context<Self>) {
        if self.toast.is_some() && self.toast_timer.is_none() {
            let link = ctx.link().clone();
            self.toast_timer = Some(Timeout::new(5000, move || link.send_message(Msg::ClearToast)));
        }
    }
}
