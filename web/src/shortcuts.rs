//! Keyboard shortcuts (RaftScope's and a few more) and the help overlay that lists them.

use yew::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmd {
    TogglePlay,
    Step,
    ClientWrite,
    RestartLeader,
    CrashLeader,
    IsolateLeader,
    Heal,
    SpreadTimers,
    AlignTimers,
    Faster,
    Slower,
    Back,
    Forward,
    Help,
    Close,
}

/// (keys, what they do), for the help overlay.
pub const HELP: &[(&str, &str)] = &[
    ("Space", "play / pause"),
    ("S", "step to the next event"),
    ("← / →", "go back / forward 100 ms of virtual time"),
    ("+ / −", "faster / slower"),
    ("C", "client request: write the next value of x"),
    ("R", "restart the leader (crash it and start it again at once)"),
    ("K", "crash the leader"),
    ("I", "isolate the leader"),
    ("H", "heal every link"),
    ("T", "spread timers: the server closest to its timeout times out now, alone (no split vote)"),
    ("A", "align timers: every live server without a leader times out at once (a split vote)"),
    ("?", "this help"),
    ("Esc", "close this help, clear the selection"),
];

pub fn from_key(key: &str) -> Option<Cmd> {
    Some(match key {
        " " | "Spacebar" => Cmd::TogglePlay,
        "s" | "S" => Cmd::Step,
        "c" | "C" => Cmd::ClientWrite,
        "r" | "R" => Cmd::RestartLeader,
        "k" | "K" => Cmd::CrashLeader,
        "i" | "I" => Cmd::IsolateLeader,
        "h" | "H" => Cmd::Heal,
        "t" | "T" => Cmd::SpreadTimers,
        "a" | "A" => Cmd::AlignTimers,
        "+" | "=" => Cmd::Faster,
        "-" | "_" => Cmd::Slower,
        "ArrowLeft" => Cmd::Back,
        "ArrowRight" => Cmd::Forward,
        "?" => Cmd::Help,
        "Escape" => Cmd::Close,
        _ => return None,
    })
}

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub on_close: Callback<()>,
}

#[component]
pub fn HelpOverlay(p: &HelpProps) -> Html {
    let close = p.on_close.reform(|_: MouseEvent| ());
    let stop = Callback::from(|e: MouseEvent| e.stop_propagation());
    html! {
        <div class="overlay" onclick={close.clone()}>
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="help-title" onclick={stop}>
                <h2 id="help-title">{"Keyboard shortcuts"}</h2>
                <table class="keys">
                    { for HELP.iter().map(|(k, what)| html! { <tr><td><kbd>{ *k }</kbd></td><td>{ *what }</td></tr> }) }
                </table>
                <h3>{"Reading the picture"}</h3>
                <ul class="plain small">
                    <li>{"A node’s colour and number are its term; the ring around it is the time left before its election timeout."}</li>
                    <li>{"★ leads. A dashed outline is a candidate, a dotted one a pre-candidate; grey and crossed out is crashed."}</li>
                    <li>{"Dots are messages: round for votes (hollow for pre-votes), square for AppendEntries (with the number of entries), small for heartbeats; replies show ✓ or ✗. Faded dashed messages will be lost."}</li>
                    <li>{"Click a node or a message to inspect it and act on it; click a link to cut it."}</li>
                </ul>
                <p class="muted small">{"T and A work like RaftScope’s through recorded “times out now” actions, so a shared link replays them; while a leader sends heartbeats they have nothing to do."}</p>
                <button class="primary" onclick={close}>{"Close"}</button>
            </div>
        </div>
    }
}
