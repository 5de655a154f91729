//! The built-in scenarios: the same JSON files users write, compiled in.

/// (name, JSON text) of every built-in scenario, in teaching order: elections, failures and
/// partitions, clients, log repair, Figure 8, the pre-vote and check-quorum extensions, then
/// membership changes, snapshots, reads and leadership transfer.
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
    ("add-learner-promote", include_str!("../scenarios/add-learner-promote.json")),
    ("joint-consensus", include_str!("../scenarios/joint-consensus.json")),
    ("remove-leader", include_str!("../scenarios/remove-leader.json")),
    ("membership-change-bug", include_str!("../scenarios/membership-change-bug.json")),
    ("two-member-removal", include_str!("../scenarios/two-member-removal.json")),
    ("learner-must-vote", include_str!("../scenarios/learner-must-vote.json")),
    ("removed-server-disrupts", include_str!("../scenarios/removed-server-disrupts.json")),
    ("removed-server-ignored", include_str!("../scenarios/removed-server-ignored.json")),
    ("disk-loss-fresh-identity", include_str!("../scenarios/disk-loss-fresh-identity.json")),
    ("snapshot-install", include_str!("../scenarios/snapshot-install.json")),
    ("stale-reads", include_str!("../scenarios/stale-reads.json")),
    ("lease-read", include_str!("../scenarios/lease-read.json")),
    ("lease-clock-drift", include_str!("../scenarios/lease-clock-drift.json")),
    ("leadership-transfer", include_str!("../scenarios/leadership-transfer.json")),
];

/// The JSON text of a built-in scenario.
pub fn get(name: &str) -> Option<&'static str> {
    SCENARIOS.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
}
