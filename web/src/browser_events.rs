//! Browser events: keyboard shortcuts, tab visibility and (for an embed) scrolling out of view.

use crate::app::{App, Msg};
use crate::shortcuts;
use gloo::events::{EventListener, EventListenerOptions};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

impl App {
    pub(crate) fn listen(&mut self, ctx: &Context<Self>) {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
        let link = ctx.link().clone();
        let opts = EventListenerOptions::enable_prevent_default();
        let keys = EventListener::new_with_options(&doc, "keydown", opts, move |e| {
            let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else { return };
            if e.ctrl_key() || e.meta_key() || e.alt_key() {
                return;
            }
            // Typing in a field is not a shortcut. Space plays and pauses even when a button has
            // the focus (as in RaftScope; after a click the focus stays on the button); Enter
            // still presses buttons.
            let tag = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).map(|el| el.tag_name());
            let key = e.key();
            match tag.as_deref() {
                Some("INPUT" | "TEXTAREA" | "SELECT") if key != "Escape" => return,
                _ => {}
            }
            if let Some(cmd) = shortcuts::from_key(&key) {
                e.prevent_default();
                link.send_message(Msg::Key(cmd));
            }
        });
        let link = ctx.link().clone();
        let doc2 = doc.clone();
        let vis = EventListener::new(&doc, "visibilitychange", move |_| {
            link.send_message(Msg::Visible(doc2.visibility_state() == web_sys::VisibilityState::Visible));
        });
        self._listeners = vec![keys, vis];
        if self.embed {
            // An embedded playground that scrolls out of view stops, like a hidden tab.
            let link = ctx.link().clone();
            let cb = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
                let visible = entries
                    .iter()
                    .any(|e| e.dyn_into::<web_sys::IntersectionObserverEntry>().is_ok_and(|e| e.is_intersecting()));
                link.send_message(Msg::Visible(visible));
            });
            if let Ok(obs) = web_sys::IntersectionObserver::new(cb.as_ref().unchecked_ref()) {
                if let Some(body) = doc.body() {
                    obs.observe(&body);
                }
                self._observer = Some((obs, cb));
            }
        }
    }
}
