//! Keyboard shortcuts (RaftScope's and a few more) and the help overlay that lists them.

use crate::util::static_html;
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

/// The help overlay's text: the keys and what they do, and how to read the picture.
const HELP: &str = concat!(
    r#"<h2 id="help-title">Keyboard shortcuts</h2>"#,
    r#"<table class="keys"><tbody>"#,
    r#"<tr><td><kbd>Space</kbd></td><td>play / pause</td></tr>"#,
    r#"<tr><td><kbd>S</kbd></td><td>step to the next event</td></tr>"#,
    r#"<tr><td><kbd>← / →</kbd></td><td>go back / forward 100 ms of virtual time</td></tr>"#,
    r#"<tr><td><kbd>+ / −</kbd></td><td>faster / slower</td></tr>"#,
    r#"<tr><td><kbd>C</kbd></td><td>client request: write the next value of x</td></tr>"#,
    r#"<tr><td><kbd>R</kbd></td><td>restart the leader (crash it and start it again at once)</td></tr>"#,
    r#"<tr><td><kbd>K</kbd></td><td>crash the leader</td></tr>"#,
    r#"<tr><td><kbd>I</kbd></td><td>isolate the leader</td></tr>"#,
    r#"<tr><td><kbd>H</kbd></td><td>heal every link</td></tr>"#,
    r#"<tr><td><kbd>T</kbd></td><td>spread timers: the server closest to its timeout times out now, alone (no split vote)</td></tr>"#,
    r#"<tr><td><kbd>A</kbd></td><td>align timers: every live server without a leader times out at once (a split vote)</td></tr>"#,
    r#"<tr><td><kbd>?</kbd></td><td>this help</td></tr>"#,
    r#"<tr><td><kbd>Esc</kbd></td><td>close this help, clear the selection</td></tr>"#,
    "</tbody></table>",
    r#"<h3>Reading the picture</h3>"#,
    r#"<ul class="plain small">"#,
    "<li>A node’s colour and number are its term; the ring around it is the time left before its election timeout.</li>",
    "<li>★ leads. A dashed outline is a candidate, a dotted one a pre-candidate; grey and crossed out is crashed.</li>",
    "<li>Dots are messages: round for votes (hollow for pre-votes), square for AppendEntries (with the number of entries), small for heartbeats; replies show ✓ or ✗. Faded dashed messages will be lost.</li>",
    "<li>Click a node or a message to inspect it and act on it; click a link to cut it.</li>",
    "</ul>",
    r#"<p class="muted small">T and A work like RaftScope’s through recorded “times out now” actions, so a shared link replays them; while a leader sends heartbeats they have nothing to do.</p>"#,
);

pub fn help_overlay(close: &Callback<MouseEvent>) -> Html {
    let stop = Callback::from(|e: MouseEvent| e.stop_propagation());
    html! {
        <div class="overlay" onclick={close.clone()}>
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="help-title" onclick={stop}>
                { static_html(HELP) }
                <button class="primary" onclick={close}>{"Close"}</button>
            </div>
        </div>
    }
}
