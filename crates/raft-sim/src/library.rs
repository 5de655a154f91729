//! The built-in scenarios: the same JSON files users write, compiled in.

/// (name, JSON text) of every built-in scenario, in teaching order.
pub const SCENARIOS: &[(&str, &str)] = &[("initial-election", include_str!("../scenarios/initial-election.json"))];

/// The JSON text of a built-in scenario.
pub fn get(name: &str) -> Option<&'static str> {
    SCENARIOS.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
}
