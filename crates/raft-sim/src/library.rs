//! The built-in scenarios: the same JSON files users write, compiled in.

/// (name, JSON text) of every built-in scenario, in teaching order: elections, failures and
/// partitions, clients, log repair, Figure 8, then the pre-vote and check-quorum extensions.
pub const SCENARIOS: &[(&str, &str)] = &[
    ("initial-election", include_str!("../scenarios/initial-election.json")),
    ("leader-crash", include_str!("../scenarios/leader-crash.json")),
    ("split-vote", include_str!("../scenarios/split-vote.json")),
    ("follower-failure", include_str!("../scenarios/follower-failure.json")),
    ("minority-partition", include_str!("../scenarios/minority-partition.json")),
    ("stale-leader", include_str!("../scenarios/stale-leader.json")),
    ("client-retry-dedup", include_str!("../scenarios/client-retry-dedup.json")),
    ("lost-messages", include_str!("../scenarios/lost-messages.json")),
    ("figure-7", include_str!("../scenarios/figure-7.json")),
    ("figure-8", include_str!("../scenarios/figure-8.json")),
    ("rejoin-disrupts", include_str!("../scenarios/rejoin-disrupts.json")),
    ("rejoin-prevote", include_str!("../scenarios/rejoin-prevote.json")),
    ("partial-connectivity", include_str!("../scenarios/partial-connectivity.json")),
    ("partial-connectivity-fixed", include_str!("../scenarios/partial-connectivity-fixed.json")),
];

/// The JSON text of a built-in scenario.
pub fn get(name: &str) -> Option<&'static str> {
    SCENARIOS.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
}
