//! Component tests in headless Chromium: the page is mounted into a div and its DOM checked the
//! way a visitor (or an embedding script) sees it. Run (from the repository root):
//!
//! CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=120 WASM_BINDGEN_TEST_DRIVER_TIMEOUT=60 \
//!   CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!   cargo test -p raft-playground-web --target wasm32-unknown-unknown --test components
// Browser only: `cargo test --workspace` on the host skips this file.
#![cfg(target_arch = "wasm32")]

use raft_playground_web::app::App;
use raft_playground_web::json;
use raft_sim::kv::ReadMode;
use raft_sim::{Action, NodeRef};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().and_then(|w| w.document()).expect("a browser document")
}

/// Waits `ms` of wall time, letting the page's timers and frames run.
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .expect("a window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("a timer");
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.expect("the timer fires");
}

/// Checks `cond` every 50 ms of wall time for up to 5 s; whether it came to hold.
async fn wait_for(mut cond: impl FnMut() -> bool) -> bool {
    for _ in 0..100 {
        if cond() {
            return true;
        }
        sleep(50).await;
    }
    cond()
}

/// Mounts the page, with `query` as the URL's query, into a fresh div.
async fn mount(query: &str) -> Mounted {
    let w = web_sys::window().expect("a window");
    let path = w.location().pathname().unwrap_or_default();
    w.history()
        .expect("history")
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("{path}{query}")))
        .ok();
    let host = document().create_element("div").expect("a div");
    document().body().expect("a body").append_child(&host).expect("appended");
    let app = yew::Renderer::<App>::with_root(host.clone()).render();
    // A leader is elected within a few hundred virtual ms; at speed 10 that is well under a second.
    wait_for(|| host.query_selector("[data-role=leader]").ok().flatten().is_some()).await;
    Mounted { root: host, app }
}

struct Mounted {
    root: Element,
    app: yew::AppHandle<App>,
}

impl Mounted {
    /// Stops the page (its clock and listeners) and removes it.
    fn unmount(self) {
        self.app.destroy();
        self.root.remove();
    }
}

fn all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).expect("a valid selector");
    (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<Element>().ok()).collect()
}

fn one(root: &Element, selector: &str) -> Element {
    root.query_selector(selector).ok().flatten().unwrap_or_else(|| panic!("no element matches {selector}"))
}

fn time_ms(root: &Element) -> u64 {
    one(root, "[data-time-ms]").get_attribute("data-time-ms").and_then(|t| t.parse().ok()).expect("a time")
}

#[wasm_bindgen_test]
async fn nodes_carry_their_id_and_role_and_the_root_its_trace_hash() {
    let page = mount("?speed=10").await;
    let root = page.root.clone();
    let nodes = all(&root, "[data-node-id]");
    assert_eq!(nodes.len(), 5, "free play has five nodes");
    let roles: Vec<String> = nodes.iter().filter_map(|n| n.get_attribute("data-role")).collect();
    for r in &roles {
        assert!(["follower", "pre-candidate", "candidate", "leader"].contains(&r.as_str()), "role {r}");
    }
    assert_eq!(roles.iter().filter(|r| *r == "leader").count(), 1, "one leader: {roles:?}");
    let hash = one(&root, "[data-trace-hash]").get_attribute("data-trace-hash").unwrap_or_default();
    assert_eq!(hash.len(), 16, "a 64-bit hash in hex: {hash}");
    page.unmount();
}

fn in_flight(root: &Element) -> usize {
    one(root, ".msgs canvas").get_attribute("data-in-flight").and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// Clicks a message's dot; the inspector then shows that message.
async fn click_inspects(root: &Element, dot: &Element, id: &str) {
    dot.dyn_ref::<HtmlElement>().expect("an HTML element").click();
    sleep(50).await;
    let inspector = one(root, ".inspector").text_content().unwrap_or_default();
    assert!(inspector.contains(&format!("Message {id}: ")), "the inspector shows message {id}: {inspector}");
}

#[wasm_bindgen_test]
async fn few_slow_messages_fly_as_elements_and_a_click_inspects_one() {
    // Paused at 2 s with links of 100-200 ms: a few dozen messages in flight, none coming.
    let page = mount("?t=2000&a=W1swLHsiZG8iOiJzZXQtbmV0d29yayIsImxhdGVuY3lfbXMiOlsxMDAsMjAwXX1dXQ").await;
    let root = page.root.clone();
    wait_for(|| !all(&root, "[data-msg-kind] .dot").is_empty()).await;
    let msgs = all(&root, "[data-msg-kind] .dot");
    let dot = msgs.first().expect("a message in flight").clone();
    let id =
        dot.closest("[data-msg-id]").ok().flatten().and_then(|p| p.get_attribute("data-msg-id")).unwrap_or_default();
    click_inspects(&root, &dot, &id).await;
    page.unmount();
}

#[wasm_bindgen_test]
async fn many_messages_are_drawn_on_a_canvas_and_a_click_on_a_dot_inspects_it() {
    // Nine nodes, heartbeats every 20 ms over links of 300-600 ms: well over 64 in flight.
    let page = mount("?nodes=9&election=100&heartbeat=2&speed=1&a=W1swLHsiZG8iOiJzZXQtbmV0d29yayIsImxhdGVuY3lfbXMiOlszMDAsNjAwXX1dXQ").await;
    let root = page.root.clone();
    wait_for(|| in_flight(&root) > 64).await;
    assert!(in_flight(&root) > 64, "many messages in flight: {}", in_flight(&root));
    assert!(all(&root, "[data-msg-kind]").is_empty(), "while playing, the dots are only pixels");
    one(&root, "button.play").dyn_ref::<HtmlElement>().expect("a button").click();
    sleep(50).await;
    // Paused: an element over each dot names its message.
    let dots = all(&root, "[data-msg-kind]");
    assert_eq!(dots.len(), in_flight(&root), "one element per message drawn");
    let dot = dots.last().expect("a message in flight").clone();
    let id = dot.get_attribute("data-msg-id").unwrap_or_default();
    // (A click on the canvas is found by position; tests/e2e checks that with the page's CSS.)
    click_inspects(&root, &dot, &id).await;
    page.unmount();
}

#[wasm_bindgen_test]
async fn play_pause_toggles_and_time_stops() {
    let page = mount("?speed=10").await;
    let root = page.root.clone();
    let play = one(&root, "button.play");
    assert_eq!(play.get_attribute("aria-label").as_deref(), Some("Pause (space)"), "it plays at once");
    play.dyn_ref::<HtmlElement>().expect("a button").click();
    sleep(50).await;
    assert_eq!(play.get_attribute("aria-label").as_deref(), Some("Play (space)"));
    let t = time_ms(&root);
    sleep(300).await;
    assert_eq!(time_ms(&root), t, "paused: virtual time stands still");
    play.dyn_ref::<HtmlElement>().expect("a button").click();
    sleep(700).await;
    assert!(time_ms(&root) > t, "playing again: time moves");
    page.unmount();
}

#[wasm_bindgen_test]
async fn the_scrubber_travels_back_in_time() {
    let page = mount("?speed=10").await;
    let root = page.root.clone();
    one(&root, "button.play").dyn_ref::<HtmlElement>().expect("a button").click();
    sleep(50).await;
    assert!(time_ms(&root) > 100, "the run got somewhere");
    let scrubber: HtmlInputElement = one(&root, "input.scrubber").dyn_into().expect("a range input");
    scrubber.set_value("100");
    let input = web_sys::InputEvent::new("input").expect("an event");
    scrubber.dispatch_event(&input).expect("dispatched");
    sleep(50).await;
    assert_eq!(time_ms(&root), 100);
    page.unmount();
}

#[wasm_bindgen_test]
async fn user_text_is_shown_as_text() {
    let evil = "<img src=x onerror=alert(1)>";
    let actions = vec![(10, Action::ClientWrite { key: evil.into(), value: "<b>1</b>".into(), client: None })];
    let a = base64url(json::write_actions(&actions).as_bytes());
    let page = mount(&format!("?speed=10&t=600&a={a}")).await;
    let root = page.root.clone();
    sleep(300).await;
    assert!(root.query_selector("img").ok().flatten().is_none(), "no element made from user text");
    assert!(all(&root, "b").iter().all(|b| b.text_content().as_deref() != Some("1")), "no <b> made from user text");
    assert!(root.text_content().unwrap_or_default().contains(evil), "the text itself is shown");
    page.unmount();
}

#[wasm_bindgen_test]
fn every_action_survives_the_url() {
    let n = NodeRef::Id(2);
    let actions: Vec<(u64, Action)> = vec![
        (0, Action::Crash { node: NodeRef::Leader }),
        (1, Action::Restart { node: n }),
        (2, Action::Pause { node: NodeRef::Follower }),
        (3, Action::Resume { node: n }),
        (4, Action::LoseDisk { node: n }),
        (5, Action::Partition { groups: vec![vec![NodeRef::Id(1), n], vec![NodeRef::Leader]] }),
        (6, Action::Isolate { node: n }),
        (7, Action::Heal),
        (8, Action::Cut { from: NodeRef::Id(1), to: n, oneway: true }),
        (9, Action::Uncut { from: NodeRef::Id(1), to: n, oneway: false }),
        (
            10,
            Action::SetNetwork {
                link: Some([NodeRef::Id(1), n]),
                latency_ms: Some([5, 50]),
                // 17 significant digits: the link must carry the exact float.
                loss: Some(0.1 + 0.2),
                duplicate: None,
                reorder: Some(0.5),
            },
        ),
        (11, Action::ClientWrite { key: "k \"quoted\" \\ <&>".into(), value: "v\nw".into(), client: Some(2) }),
        (12, Action::ClientRead { key: "k".into(), client: None, mode: Some(ReadMode::ReadIndex), via: Some(n) }),
        (13, Action::AddNode),
        (14, Action::Promote { node: NodeRef::Id(6) }),
        (15, Action::RemoveNode { node: n }),
        (16, Action::ChangeVoters { voters: vec![NodeRef::Id(1), n, NodeRef::Id(3)] }),
        (17, Action::Compact { node: n }),
        (18, Action::TimeoutNow { node: n }),
        (19, Action::TransferLeadership { to: n }),
        (20, Action::DropMessage { id: 7 }),
        (21, Action::DuplicateMessage { id: 8 }),
        (22, Action::DelayMessage { id: 9, ms: 30 }),
        (23, Action::Caption { text: "“quotes” and emoji ✓".into() }),
    ];
    let text = json::write_actions(&actions);
    assert_eq!(json::actions(&text), Ok(actions));
    // The format is serde's: a link made by the CLI or by hand reads the same.
    let by_hand = r#"[[0,{"do":"cut","from":"S1","to":2}],[5,{"do":"set-network","latency_ms":[300,600]}]]"#;
    assert_eq!(
        json::actions(by_hand),
        Ok(vec![
            (0, Action::Cut { from: NodeRef::Id(1), to: NodeRef::Id(2), oneway: false }),
            (
                5,
                Action::SetNetwork {
                    link: None,
                    latency_ms: Some([300, 600]),
                    loss: None,
                    duplicate: None,
                    reorder: None
                }
            ),
        ])
    );
    assert!(json::actions(r#"[[0,{"do":"crash","nod":1}]]"#).unwrap_err().contains("unknown field 'nod'"));
    assert!(json::actions(r#"[[0,{"do":"explode"}]]"#).unwrap_err().contains("unknown action"));
}

#[wasm_bindgen_test]
fn every_built_in_scenario_reads() {
    for (name, text) in raft_sim::library::SCENARIOS {
        let s = json::scenario(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(s.name, *name);
        s.validate().unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

fn base64url(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..=c.len() {
            out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}
