//! Sharing a run: the query string that reproduces it, kept in the address bar, and the Share
//! button that copies the link.

use crate::app::App;
use crate::url_state;
use wasm_bindgen::closure::Closure;

impl App {
    fn query(&self, with_time: bool) -> String {
        let now = self.sim.now();
        url_state::to_query(&self.setup, &self.sim.actions, (with_time && now > 0).then_some(now), self.embed)
    }

    pub(crate) fn write_url(&self) {
        url_state::write(&self.query(true));
    }

    pub(crate) fn share(&mut self) {
        if self.playing {
            self.catch_up();
        }
        let q = self.query(true);
        url_state::write(&q);
        let url = url_state::full_url(&q);
        let clipboard = web_sys::window().map(|w| w.navigator().clipboard());
        match clipboard {
            Some(c) => {
                // Without focus or permission the write is refused: the address bar has the link.
                let ignore = Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(|_: wasm_bindgen::JsValue| {});
                let _ = c.write_text(&url).catch(&ignore);
                ignore.forget();
                self.show_toast("Link copied. It reproduces this run exactly, up to this moment.".into());
            }
            None => self.show_toast("The link in the address bar reproduces this run.".into()),
        }
    }
}
