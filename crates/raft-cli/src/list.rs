//! `raftsim list`: the built-in scenarios and the teaching faults, with how each fault is
//! exposed.

use raft_core::Faults;
use raft_sim::{library, Scenario};

/// Teaching faults that a built-in scenario exposes, and how often chaos does. This table is
/// the one place that says how each fault is exposed; a fault not listed here is exposed by
/// chaos (`raftsim chaos --fault NAME` finds a violation within a few hundred seeds).
pub const EXPOSED_BY_SCENARIO: &[(&str, &str)] = &[
    // Figure 8 needs a precise sequence of crashes and elections: random schedules hit it only
    // rarely, the scenario every time.
    ("commit-old-terms", "figure-8"),
    // The 2015 single-server change bug needs two leaders in different terms to each append a
    // change from the same base before either commits one: the scenario builds that schedule.
    ("change-before-own-commit", "membership-change-bug"),
];

/// How a teaching fault is exposed, in words.
pub fn exposure(fault: &str) -> String {
    match EXPOSED_BY_SCENARIO.iter().find(|(f, _)| *f == fault) {
        Some((_, scenario)) => {
            let missing = if library::get(scenario).is_some() { "" } else { " (not built in yet)" };
            format!("by scenario {scenario}{missing} (random chaos schedules rarely, if ever, build it)")
        }
        None => "by chaos".to_string(),
    }
}

pub fn list() {
    say!("built-in scenarios (raftsim run NAME):");
    let width = library::SCENARIOS.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    for (name, text) in library::SCENARIOS {
        let title = match Scenario::from_json(text) {
            Ok(s) if s.title.is_empty() => "(untitled)".to_string(),
            Ok(s) => s.title,
            Err(e) => format!("(does not load: {e})"),
        };
        say!("  {name:<width$}  {title}");
    }
    say!();
    say!("teaching faults (raftsim run NAME --fault F, raftsim chaos --fault F):");
    let width = Faults::ALL.iter().map(|f| f.name.len()).max().unwrap_or(0);
    for f in &Faults::ALL {
        say!("  {:<width$}  {}", f.name, f.description);
        say!("  {:<width$}  exposed {}", "", exposure(f.name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mapped_fault_exists() {
        for (fault, _) in EXPOSED_BY_SCENARIO {
            assert!(Faults::ALL.iter().any(|f| f.name == *fault), "{fault}");
        }
        assert_eq!(exposure("double-vote"), "by chaos");
        assert!(exposure("commit-old-terms").starts_with("by scenario figure-8"));
    }
}
