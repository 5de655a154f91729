//! Raft Playground: the page. `raft_sim::Session` is the model; the components map it to SVG
//! and HTML. Messages in flight and election timers are CSS animations the browser runs on its
//! compositor, or, when hundreds of messages fly, a canvas drawn each frame (flights.rs).
//!
//! A library so that tests/components.rs can mount the components in a browser; main.rs
//! only calls `start`.

mod actions_panel;
pub mod app;
mod base64;
mod browser_events;
mod chart;
mod clock;
mod cluster_view;
mod controls;
mod dot_sprites;
mod event_log;
mod flight_elements;
mod flights;
mod inspector;
pub mod json;
mod layout;
mod log_view;
mod membership;
mod membership_panel;
mod pure;
mod reads_panel;
mod safety_panel;
mod scenarios;
mod settings;
mod share;
pub mod shortcuts;
mod snapshot;
mod timer_arcs;
pub mod url_state;
mod util;
mod view_data;

/// Mounts the page into `<body>`, once the file of the scenario the URL names (if any) is
/// fetched: the app starts from it directly, with no flash of another run.
pub fn start() {
    // A panic in wasm would otherwise leave a frozen page with no word of why. Debug builds show
    // its message; the release build aborts without one, and index.html reports the trap.
    #[cfg(debug_assertions)]
    std::panic::set_hook(Box::new(|info| util::show_fatal(&info.to_string())));
    wasm_bindgen_futures::spawn_local(async {
        if let Some(name) = url_state::read().0.setup.scenario {
            // A failure is kept and reported by the app, which falls back to free play.
            let _ = scenarios::load(&name).await;
        }
        yew::Renderer::<app::App>::new().render();
    });
}
