//! Small helpers shared by the components: formatting, the browser clock, the fatal banner.

use raft_core::Term;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

/// Shows a panic as a banner at the top of the page (text only, never HTML); the same banner as
/// index.html's for a trap, which then stays alone.
#[cfg(debug_assertions)]
pub fn show_fatal(text: &str) {
    web_sys::console::error_1(&text.into());
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(body) = doc.body() else { return };
    if let Ok(div) = doc.create_element("div") {
        div.set_class_name("fatal");
        div.set_attribute("role", "alert").ok();
        div.set_text_content(Some(&format!(
            "The playground stopped because of a bug: {text}. Reload the page to start again; \
             the address bar still holds your run."
        )));
        body.prepend_with_node_1(&div).ok();
    }
}

/// Milliseconds from the browser's monotonic clock.
pub fn perf_now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// "1.234 s" for virtual times.
pub fn fmt_ms(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{}.{:03} s", ms / 1000, ms % 1000)
    } else {
        format!("{}:{:02}.{:03}", ms / 60_000, ms / 1000 % 60, ms % 1000)
    }
}

/// "1/100×", "2.5×".
pub fn fmt_speed(speed: f64) -> String {
    if speed >= 10.0 {
        format!("{}×", round(speed))
    } else if speed >= 1.0 {
        format!("{}×", Fx(round(speed * 10.0) as f64 / 10.0))
    } else {
        format!("1/{}×", round(1.0 / speed))
    }
}

/// Which of the eight term colours (`--t1`..`--t8`) a term takes; term 0 is the neutral `--t0`.
pub fn term_colour(term: Term) -> u8 {
    if term == 0 {
        0
    } else {
        ((term - 1) % 8 + 1) as u8
    }
}

/// Inline style giving an element its term colour (`--tc`, as the `.t1`..`.t8` classes do for
/// fixed markup).
pub fn term_style(term: Term) -> String {
    format!("--tc:var(--t{})", term_colour(term))
}

/// A new element with a class, for the layers drawn outside Yew.
pub fn element(d: &web_sys::Document, tag: &str, class: &str) -> Option<web_sys::Element> {
    let e = d.create_element(tag).ok()?;
    e.set_class_name(class);
    Some(e)
}

/// The value of the form field (an `<input>` or a `<select>`) an event came from.
pub fn field_value(e: &web_sys::Event) -> String {
    let value = e.target().and_then(|t| js_sys::Reflect::get(&t, &"value".into()).ok());
    value.and_then(|v| v.as_string()).unwrap_or_default()
}

pub fn input_checked(e: &web_sys::Event) -> bool {
    e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()).is_some_and(|i| i.checked())
}

/// A random seed from the browser (seeds only pick a run; the run itself is deterministic).
pub fn random_seed() -> u64 {
    (js_sys::Math::random() * 1_000_000.0) as u64 + 1
}

pub fn media_matches(query: &str) -> bool {
    web_sys::window().and_then(|w| w.match_media(query).ok().flatten()).is_some_and(|m| m.matches())
}

/// Formats a float with at most two decimals using integer arithmetic: core's float formatting
/// with a precision costs several KB of wasm.
pub struct Fx(pub f64);

impl std::fmt::Display for Fx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = self.0;
        let n = (v * 100.0 + if v < 0.0 { -0.5 } else { 0.5 }) as i64;
        let (sign, n) = if n < 0 { ("-", -n) } else { ("", n) };
        let (i, d) = (n / 100, n % 100);
        if d == 0 {
            write!(f, "{sign}{i}")
        } else if d % 10 == 0 {
            write!(f, "{sign}{i}.{}", d / 10)
        } else {
            write!(f, "{sign}{i}.{d:02}")
        }
    }
}

/// `v.clamp(lo, hi)` without the standard one's check that `lo <= hi`, whose panic message
/// prints the floats and so links core's float formatting (~9 KB of wasm) into the page.
pub fn clamp(v: f64, lo: f64, hi: f64) -> f64 {
    v.max(lo).min(hi)
}

/// Rounds to the nearest integer, for CSS milliseconds.
pub fn round(v: f64) -> i64 {
    (v + if v < 0.0 { -0.5 } else { 0.5 }) as i64
}

/// Parses a number typed by the user with the browser's parser (Rust's float parser would add
/// ~10 KB of wasm); None if it is not a finite number.
pub fn parse_num(s: &str) -> Option<f64> {
    Some(js_sys::Number::parse_float(s.trim())).filter(|v| v.is_finite())
}

/// Whether `text` contains `part`. A plain scan of bytes (a match of UTF-8 bytes is a match of
/// text): `str::contains` links a two-way searcher, ~1 KB of gzip wasm, for a few short texts.
pub fn has_text(text: &str, part: &str) -> bool {
    part.is_empty() || text.as_bytes().windows(part.len()).any(|w| w == part.as_bytes())
}

/// A boolean data attribute: present (empty) when `on`, absent otherwise. Elements vary by data
/// attributes rather than by classes (`.cell[data-committed]` in style.css): a class that varies
/// makes Yew build its `Classes` set for it, whose index set and hashing cost ~2.4 KB of gzip wasm.
pub fn flag(on: bool) -> Option<&'static str> {
    on.then_some("")
}

/// A callback that sends `v`, whatever the event: one closure type for every button that sends a
/// fixed value, where a closure at each button would cost its own code in the wasm.
pub fn emits<IN, T: Clone + 'static>(cb: &yew::Callback<T>, v: T) -> yew::Callback<IN> {
    cb.reform(move |_| v.clone())
}

/// Markup that never changes, written by us (never user text), rendered as is: one string
/// instead of the code that builds each element, which costs far more wasm than its text.
pub fn static_html(html: &'static str) -> yew::Html {
    yew::Html::from_html_unchecked(yew::AttrValue::Static(html))
}

/// A `<dt>term</dt><dd>value</dd>` pair. Written once here rather than in each `html!`: every
/// element costs about 200 bytes of wasm where the macro expands it.
pub fn def(term: impl Into<yew::AttrValue>, value: String) -> yew::Html {
    def_pair(term.into(), value)
}

/// `def`'s body, one copy whatever the type of the term.
#[inline(never)]
fn def_pair(term: yew::AttrValue, value: String) -> yew::Html {
    yew::html! { <><dt>{ term }</dt><dd>{ value }</dd></> }
}

/// A form field's callback: sends the field's new text (an input's or a select's value) to
/// `set`, which stores it in `App::forms`. One closure type for every field.
pub fn edit<E: AsRef<web_sys::Event>>(
    send: &yew::Callback<crate::app::Msg>,
    set: fn(&mut crate::app::Forms, String),
) -> yew::Callback<E> {
    send.reform(move |e: E| crate::app::Msg::Edit(set, field_value(e.as_ref())))
}

/// A number field's callback: sends the text typed (`Msg::Num`).
pub fn num(send: &yew::Callback<crate::app::Msg>, field: crate::app::Num) -> yew::Callback<web_sys::InputEvent> {
    send.reform(move |e: web_sys::InputEvent| crate::app::Msg::Num(field, field_value(&e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_text_agrees_with_str_contains() {
        let texts = ["", "a", "S3 refused to vote for S1", "S13 won", "überall — ✓ done", "aaab"];
        let parts = ["", "a", "S1", "S13", "vote", "✓", "— ✓", "über", "aab", "aaaab", "x", "refused to vote for S1"];
        for t in texts {
            for p in parts {
                assert_eq!(has_text(t, p), t.contains(p), "{t:?} contains {p:?}");
            }
        }
    }
}
