//! The claims of the Raft paper (https://raft.github.io/raft.pdf), one test per claim, after
//! etcd-io/raft's `raft_paper_test.go`. Every test keeps the upstream name in snake_case so it
//! can be traced back, and every table keeps every upstream case.
//!
//! Each test has three parts: set up a node (through `DurableState` or the public API), drive it
//! with `step`/`tick`/`campaign`/`propose`, then check its state and the messages it emitted.
//!
//! Where this core deliberately differs from etcd the test asserts this core's behaviour and
//! says so in a comment:
//! - there is no MsgHup: `Raft::campaign()` starts an election;
//! - there are no `becomeCandidate`/`becomeLeader` backdoors: a node is made a candidate with
//!   `campaign()` and a leader by feeding it vote grants;
//! - a leader broadcasts its no-op as soon as it is elected (etcd waits for the next proposal);
//! - heartbeats are `Body::Heartbeat { commit }`, and a rejected AppendEntries answers with
//!   `index` = the rejected prev index plus `hint_index`/`hint_term` (etcd's RejectHint/LogTerm).

use raft_core::{
    AppendRefusal, Body, Config, DurableState, Entry, EntryData, HardState, Index, Message, MessageKind, NodeId, Raft,
    Role, Term, VoteRefusal,
};
use std::collections::BTreeMap;

// ---- Harness -----------------------------------------------------------------------------------

/// One node plus what its host keeps: the disk it persists to and what it has applied.
struct Node {
    raft: Raft,
    disk: DurableState,
    applied: Vec<Entry>,
}

impl Node {
    /// A node in a cluster of `voters` (election 10 ticks, heartbeat 1 tick), restarted from a
    /// disk holding `hard_state` and `log`.
    fn new(id: NodeId, voters: &[NodeId], log: &[Entry], hard_state: HardState) -> Node {
        let disk = DurableState { hard_state, entries: log.to_vec(), snapshot: None };
        let raft = Raft::new(Config::new(id, voters.to_vec()), &disk).expect("valid config");
        Node { raft, disk, applied: Vec::new() }
    }

    /// A brand-new node with an empty disk.
    fn fresh(id: NodeId, voters: &[NodeId]) -> Node {
        Node::new(id, voters, &[], HardState::default())
    }

    fn step(&mut self, m: Message) {
        self.raft.step(m);
    }

    /// etcd's `readMessages`: plays the host until the node has nothing more to say. Each Ready's
    /// entries and hard state go to the disk, committed entries are "applied", every message
    /// (sent-now and sent-after-persist alike) is collected, and `advance` is called. Messages
    /// come back sorted by (to, kind, from).
    fn read_messages(&mut self) -> Vec<Message> {
        let mut out = Vec::new();
        while self.raft.has_ready() {
            let rd = self.raft.ready();
            self.disk.write(rd.hard_state, &rd.entries);
            self.applied.extend(rd.committed_entries.iter().cloned());
            out.extend(rd.messages.iter().cloned());
            out.extend(rd.persisted_messages.iter().cloned());
            self.raft.advance(&rd);
        }
        sort_messages(&mut out);
        out
    }

    /// Makes this follower the leader of its next term: it campaigns and peers grant
    /// their votes, in id order, until it wins. The vote requests are drained first; the
    /// leader's first AppendEntries (its no-op) are left for the caller to read.
    fn elect(&mut self) {
        self.raft.campaign();
        self.read_messages();
        let term = self.raft.term();
        let me = self.raft.id();
        let peers: Vec<NodeId> = self.raft.membership().voters.iter().copied().filter(|&p| p != me).collect();
        for p in peers {
            if self.raft.role() == Role::Leader {
                break;
            }
            self.step(vote_response(p, me, term, true));
        }
        assert_eq!(self.raft.role(), Role::Leader, "election set-up failed");
    }

    /// etcd's `commitNoopEntry`: every follower accepts the leader's no-op, then the messages
    /// that spread the new commit index are dropped and the applied entries forgotten.
    fn commit_noop_entry(&mut self) {
        assert_eq!(self.raft.role(), Role::Leader, "only a leader commits its no-op");
        for m in self.read_messages() {
            match &m.body {
                Body::AppendEntries { entries, .. } if entries.len() == 1 && entries[0].data == EntryData::Noop => {}
                _ => panic!("not a message appending the no-op: {}", m.summary()),
            }
            self.step(accept_and_reply(&m));
        }
        self.read_messages();
        assert_eq!(self.raft.log().committed, self.raft.log().last_index(), "the no-op is committed");
        self.applied.clear();
    }
}

fn kind_rank(kind: MessageKind) -> usize {
    MessageKind::ALL.iter().position(|&k| k == kind).expect("every kind is listed")
}

/// Orders messages by (to, kind, from), keeping the emission order otherwise.
fn sort_messages(msgs: &mut [Message]) {
    msgs.sort_by_key(|m| (m.to, kind_rank(m.kind()), m.from));
}

fn ids(size: u64) -> Vec<NodeId> {
    (1..=size).collect()
}

/// Entries with the given terms, indexed from 1 (etcd's `index(1).terms(...)`). Upstream these
/// carry no data, so they are no-ops here.
fn log_with_terms(terms: &[Term]) -> Vec<Entry> {
    terms.iter().enumerate().map(|(i, &t)| Entry::noop(t, i as Index + 1)).collect()
}

fn hard_state(term: Term, vote: Option<NodeId>, commit: Index) -> HardState {
    HardState { term, vote, commit }
}

fn msg(from: NodeId, to: NodeId, term: Term, body: Body) -> Message {
    Message { from, to, term, body }
}

fn append_entries(
    from: NodeId,
    to: NodeId,
    term: Term,
    prev: (Index, Term),
    entries: Vec<Entry>,
    leader_commit: Index,
) -> Message {
    msg(
        from,
        to,
        term,
        Body::AppendEntries { prev_log_index: prev.0, prev_log_term: prev.1, entries: entries.into(), leader_commit },
    )
}

fn request_vote(from: NodeId, to: NodeId, term: Term, last_index: Index, last_term: Term) -> Message {
    msg(from, to, term, Body::RequestVote { last_log_index: last_index, last_log_term: last_term, transfer: false })
}

fn vote_response(from: NodeId, to: NodeId, term: Term, granted: bool) -> Message {
    msg(from, to, term, Body::RequestVoteResponse { granted, refusal: None })
}

/// etcd's `acceptAndReply`: the follower's successful answer to an AppendEntries.
fn accept_and_reply(m: &Message) -> Message {
    let Body::AppendEntries { prev_log_index, entries, .. } = &m.body else {
        panic!("not an AppendEntries: {}", m.summary());
    };
    append_ok(m.to, m.from, m.term, prev_log_index + entries.len() as Index)
}

fn append_ok(from: NodeId, to: NodeId, term: Term, index: Index) -> Message {
    msg(
        from,
        to,
        term,
        Body::AppendEntriesResponse { success: true, index, hint_index: 0, hint_term: 0, refusal: None },
    )
}

/// Ticks `node` until it emits a message; returns how many ticks that took.
fn ticks_until_message(node: &mut Node) -> u32 {
    for t in 1..1000 {
        node.raft.tick();
        if !node.read_messages().is_empty() {
            return t;
        }
    }
    panic!("node {} never timed out", node.raft.id());
}

// ---- §5.1: terms -------------------------------------------------------------------------------

/// If one server's current term is smaller than the other's, it updates its current term to the
/// larger value (here: a follower).
/// Reference: section 5.1
#[test]
fn follower_update_term_from_message() {
    update_term_from_message(Role::Follower);
}

/// If a candidate discovers that its term is out of date, it immediately reverts to follower
/// state and takes the larger term.
/// Reference: section 5.1
#[test]
fn candidate_update_term_from_message() {
    update_term_from_message(Role::Candidate);
}

/// If a leader discovers that its term is out of date, it immediately reverts to follower state
/// and takes the larger term.
/// Reference: section 5.1
#[test]
fn leader_update_term_from_message() {
    update_term_from_message(Role::Leader);
}

fn update_term_from_message(role: Role) {
    let mut n = match role {
        // etcd: becomeFollower(1, 2). Here: a node restarted at term 1.
        Role::Follower => Node::new(1, &[1, 2, 3], &[], hard_state(1, None, 0)),
        // etcd: becomeCandidate(). Here: campaign() (term 1).
        Role::Candidate => {
            let mut n = Node::fresh(1, &[1, 2, 3]);
            n.raft.campaign();
            n
        }
        // etcd: becomeCandidate(); becomeLeader(). Here: campaign() and one vote grant (term 1).
        Role::Leader => {
            let mut n = Node::fresh(1, &[1, 2, 3]);
            n.elect();
            n
        }
        Role::PreCandidate => unreachable!(),
    };
    assert_eq!(n.raft.role(), role);
    assert_eq!(n.raft.term(), 1);

    n.step(append_entries(2, 1, 2, (0, 0), vec![], 0));

    assert_eq!(n.raft.term(), 2);
    assert_eq!(n.raft.role(), Role::Follower);
}

/// If a server receives a request with a stale term number, it rejects the request.
/// etcd ignores the request instead, and its test checks the step function is never called.
/// This core does the same for AppendEntries (with pre-vote and check-quorum off, as here): the
/// stale message changes nothing, appends nothing and is not answered at all. (A stale
/// RequestVote, by contrast, gets a refusal carrying the receiver's term: the paper's Figure 2.)
/// Reference: section 5.1
#[test]
fn reject_stale_term_message() {
    let mut n = Node::new(1, &[1, 2, 3], &[], hard_state(2, None, 0));
    n.read_messages();
    let before = n.raft.clone();

    n.step(append_entries(2, 1, 1, (0, 0), vec![Entry::command(1, 1, b"stale".to_vec())], 1));

    let rd = n.raft.ready();
    assert!(rd.messages.is_empty() && rd.persisted_messages.is_empty(), "no answer at all: {rd:?}");
    assert!(rd.entries.is_empty() && rd.hard_state.is_none() && rd.committed_entries.is_empty());
    n.raft.advance(&rd);
    // Term, vote, role, leader, log, timers: the whole node is as it was (the Ready drained only
    // the "stale message" event).
    assert_eq!(n.raft, before);
    assert_eq!(n.raft.term(), 2);
    assert_eq!(n.raft.role(), Role::Follower);
    assert_eq!(n.raft.leader(), None);
    assert_eq!(n.raft.log().last_index(), 0);

    // Deliberate difference from etcd: a stale RequestVote is rejected, not ignored (Figure 2:
    // "Reply false if term < currentTerm"), and the refusal carries the receiver's term.
    n.step(request_vote(3, 1, 1, 5, 1));
    let refusal = Some(VoteRefusal::StaleTerm);
    assert_eq!(n.read_messages(), vec![msg(1, 3, 2, Body::RequestVoteResponse { granted: false, refusal })]);
    assert_eq!((n.raft.term(), n.raft.vote(), n.raft.role()), (2, None, Role::Follower));
}

// ---- §5.2: leader election ---------------------------------------------------------------------

/// When servers start up, they begin as followers.
/// Reference: section 5.2
#[test]
fn start_as_follower() {
    let n = Node::fresh(1, &[1, 2, 3]);
    assert_eq!(n.raft.role(), Role::Follower);
}

/// Leaders send periodic heartbeats (AppendEntries RPCs that carry no log entries) to all
/// followers in order to maintain their authority. Here a heartbeat is `Body::Heartbeat` with
/// commit = min(follower's match, leader's commit), as etcd's MsgHeartbeat.
/// Reference: section 5.2
#[test]
fn leader_bcast_beat() {
    let mut n = Node::fresh(1, &[1, 2, 3]);
    n.elect();
    for i in 0..10u8 {
        n.raft.propose(vec![i]).expect("the leader accepts proposals");
    }
    // Unlike etcd, the election and the proposals already produced messages (vote requests, the
    // no-op probe); drain them so that only what the heartbeat tick emits is checked.
    n.read_messages();

    n.raft.tick(); // heartbeat_ticks = 1

    assert_eq!(
        n.read_messages(),
        vec![
            msg(1, 2, 1, Body::Heartbeat { commit: 0, round: 1, tick: 1 }),
            msg(1, 3, 1, Body::Heartbeat { commit: 0, round: 1, tick: 1 })
        ]
    );
}

/// If a follower receives no communication over the election timeout, it begins an election: it
/// increments its current term, transitions to candidate state, votes for itself and issues
/// RequestVote RPCs in parallel to each of the other servers in the cluster.
/// Reference: section 5.2
#[test]
fn follower_start_election() {
    nonleader_start_election(Role::Follower);
}

/// If a candidate neither wins nor loses, it times out and starts a new election by incrementing
/// its term and initiating another round of RequestVote RPCs.
/// Reference: section 5.2
#[test]
fn candidate_start_new_election() {
    nonleader_start_election(Role::Candidate);
}

fn nonleader_start_election(role: Role) {
    let et = Config::new(1, vec![1]).election_ticks;
    let mut n = match role {
        // etcd: becomeFollower(1, 2).
        Role::Follower => Node::new(1, &[1, 2, 3], &[], hard_state(1, None, 0)),
        // etcd: becomeCandidate(), which sends nothing; campaign() sends vote requests, so drain them.
        Role::Candidate => {
            let mut n = Node::fresh(1, &[1, 2, 3]);
            n.raft.campaign();
            n.read_messages();
            n
        }
        _ => unreachable!(),
    };
    assert_eq!(n.raft.role(), role);
    assert_eq!(n.raft.term(), 1);

    // The randomized timeout lies in [et, 2et): this fires exactly one election.
    for _ in 1..2 * et {
        n.raft.tick();
    }
    let msgs = n.read_messages();

    assert_eq!(n.raft.term(), 2);
    assert_eq!(n.raft.role(), Role::Candidate);
    assert_eq!(n.raft.vote(), Some(1));
    assert_eq!(n.raft.votes().get(&1), Some(&true), "the candidate's own vote is counted");
    assert_eq!(n.disk.hard_state.vote, Some(1), "the self-vote is persisted");
    assert_eq!(msgs, vec![request_vote(1, 2, 2, 0, 0), request_vote(1, 3, 2, 0, 0)]);
}

/// A candidate wins an election if it receives votes from a majority of the servers in the full
/// cluster for the same term; it loses (returns to follower) if a majority refuses; otherwise it
/// stays candidate, the outcome still unknown.
/// Reference: section 5.2
#[test]
fn leader_election_in_one_round_rpc() {
    use Role::{Candidate, Follower, Leader};
    // (cluster size, vote answers received, role afterwards)
    type Case = (u64, &'static [(NodeId, bool)], Role);
    let cases: &[Case] = &[
        // Wins with votes from a majority.
        (1, &[], Leader),
        (3, &[(2, true), (3, true)], Leader),
        (3, &[(2, true)], Leader),
        (5, &[(2, true), (3, true), (4, true), (5, true)], Leader),
        (5, &[(2, true), (3, true), (4, true)], Leader),
        (5, &[(2, true), (3, true)], Leader),
        // Returns to follower when a majority refuses.
        (3, &[(2, false), (3, false)], Follower),
        (5, &[(2, false), (3, false), (4, false), (5, false)], Follower),
        (5, &[(2, true), (3, false), (4, false), (5, false)], Follower),
        // Stays candidate without a majority either way.
        (3, &[], Candidate),
        (5, &[(2, true)], Candidate),
        (5, &[(2, false), (3, false)], Candidate),
        (5, &[], Candidate),
    ];
    for (i, &(size, votes, want)) in cases.iter().enumerate() {
        let mut n = Node::fresh(1, &ids(size));
        n.raft.campaign(); // etcd: MsgHup
        n.read_messages();
        for &(from, granted) in votes {
            let term = n.raft.term();
            n.step(vote_response(from, 1, term, granted));
        }
        assert_eq!(n.raft.role(), want, "#{i}");
        assert_eq!(n.raft.term(), 1, "#{i}");
    }
}

/// Each server will vote for at most one candidate in a given term, on a first-come-first-served
/// basis. The answer is sent only after the vote is persisted (it is a persisted message, etcd's
/// msgsAfterAppend).
/// Reference: section 5.2
#[test]
fn follower_vote() {
    let cases: &[(Option<NodeId>, NodeId, bool)] = &[
        (None, 2, false),
        (None, 3, false),
        (Some(2), 2, false),
        (Some(3), 3, false),
        (Some(2), 3, true),
        (Some(3), 2, true),
    ];
    for (i, &(vote, candidate, reject)) in cases.iter().enumerate() {
        let mut n = Node::new(1, &[1, 2, 3], &[], hard_state(1, vote, 0));

        n.step(request_vote(candidate, 1, 1, 0, 0));

        let refusal = reject.then(|| VoteRefusal::AlreadyVoted { for_node: vote.unwrap() });
        let want = msg(1, candidate, 1, Body::RequestVoteResponse { granted: !reject, refusal });
        let rd = n.raft.ready();
        assert!(rd.messages.is_empty(), "#{i}: the answer must wait for the disk: {:?}", rd.messages);
        assert_eq!(rd.persisted_messages, vec![want], "#{i}");
        let want_vote = if reject { vote } else { Some(candidate) };
        assert_eq!(n.raft.vote(), want_vote, "#{i}");
        if vote.is_none() {
            // A new vote is handed to the host to persist along with the answer.
            assert_eq!(rd.hard_state, Some(hard_state(1, Some(candidate), 0)), "#{i}");
        }
        n.raft.advance(&rd);
    }
}

/// While waiting for votes, if a candidate receives an AppendEntries RPC from another server
/// claiming to be leader whose term is at least as large as the candidate's current term, it
/// recognizes the leader as legitimate and returns to follower state.
/// Reference: section 5.2
#[test]
fn candidate_fallback() {
    for (i, term) in [1, 2].into_iter().enumerate() {
        let mut n = Node::fresh(1, &[1, 2, 3]);
        n.raft.campaign(); // etcd: MsgHup
        assert_eq!(n.raft.role(), Role::Candidate, "#{i}");

        n.step(append_entries(2, 1, term, (0, 0), vec![], 0));

        assert_eq!(n.raft.role(), Role::Follower, "#{i}");
        assert_eq!(n.raft.term(), term, "#{i}");
        assert_eq!(n.raft.leader(), Some(2), "#{i}");
    }
}

/// Raft uses randomized election timeouts (chosen from a fixed interval) for followers.
/// Reference: section 5.2
#[test]
fn follower_election_timeout_randomized() {
    nonleader_election_timeout_randomized(Role::Follower);
}

/// Raft uses randomized election timeouts (chosen from a fixed interval) for candidates too.
/// Reference: section 5.2
#[test]
fn candidate_election_timeout_randomized() {
    nonleader_election_timeout_randomized(Role::Candidate);
}

fn nonleader_election_timeout_randomized(role: Role) {
    let et = Config::new(1, vec![1]).election_ticks;
    let mut n = Node::fresh(1, &[1, 2, 3]);
    let mut seen = BTreeMap::new();
    for _ in 0..50 * et {
        match role {
            // etcd: becomeFollower(term + 1, 2). Here: a heartbeat of the next term from node 2.
            Role::Follower => {
                let term = n.raft.term() + 1;
                n.step(msg(2, 1, term, Body::Heartbeat { commit: 0, round: 0, tick: 0 }));
                assert_eq!(n.raft.role(), Role::Follower);
            }
            // etcd: becomeCandidate().
            Role::Candidate => {
                n.raft.campaign();
                assert_eq!(n.raft.role(), Role::Candidate);
            }
            _ => unreachable!(),
        }
        n.read_messages();
        *seen.entry(ticks_until_message(&mut n)).or_insert(0) += 1;
    }
    for d in et..2 * et {
        assert!(seen.contains_key(&d), "a timeout of {d} ticks should happen: {seen:?}");
    }
    // Stronger than upstream: nothing outside [et, 2et).
    assert!(seen.keys().all(|d| (et..2 * et).contains(d)), "{seen:?}");
}

/// Randomized timeouts spread servers out so that in most cases only a single follower times
/// out, which reduces the likelihood of a split vote.
/// Reference: section 5.2
#[test]
fn followers_election_timeout_nonconflict() {
    nonleaders_election_timeout_nonconflict(Role::Follower);
}

/// The same for candidates: in most cases only a single candidate times out first.
/// Reference: section 5.2
#[test]
fn candidates_election_timeout_nonconflict() {
    nonleaders_election_timeout_nonconflict(Role::Candidate);
}

fn nonleaders_election_timeout_nonconflict(role: Role) {
    let size = 5;
    let voters = ids(size);
    // Each node draws from its own generator (Config::new seeds it with the node id).
    let mut nodes: Vec<Node> = voters.iter().map(|&id| Node::fresh(id, &voters)).collect();
    let rounds = 1000;
    let mut conflicts = 0;
    for _ in 0..rounds {
        for n in &mut nodes {
            match role {
                // etcd: becomeFollower(term + 1, None). Here: a refused vote answer carrying the
                // next term, which makes the node a follower with no known leader.
                Role::Follower => {
                    let (me, term) = (n.raft.id(), n.raft.term() + 1);
                    let from = me % size + 1;
                    n.step(msg(from, me, term, Body::RequestVoteResponse { granted: false, refusal: None }));
                    assert_eq!((n.raft.role(), n.raft.leader()), (Role::Follower, None));
                }
                // etcd: becomeCandidate().
                Role::Candidate => n.raft.campaign(),
                _ => unreachable!(),
            }
            n.read_messages();
        }

        let mut timed_out = 0;
        while timed_out == 0 {
            for n in &mut nodes {
                n.raft.tick();
                if !n.read_messages().is_empty() {
                    timed_out += 1;
                }
            }
        }
        // Several nodes timing out in the same sweep is a conflict.
        if timed_out > 1 {
            conflicts += 1;
        }
    }
    let rate = conflicts as f64 / rounds as f64;
    assert!(rate <= 0.3, "conflict rate {rate}");
}

// ---- §5.3: log replication ---------------------------------------------------------------------

/// On a client proposal the leader appends the command to its log as a new entry, then issues
/// AppendEntries RPCs in parallel to each of the other servers; each carries the index and term
/// of the entry that immediately precedes the new ones. The new entry is written to stable
/// storage.
/// Reference: section 5.3
#[test]
fn leader_start_replication() {
    let mut n = Node::fresh(1, &[1, 2, 3]);
    n.elect();
    n.commit_noop_entry();
    let li = n.raft.log().last_index();

    let index = n.raft.propose(b"some data".to_vec()).unwrap();

    let want_entry = Entry::command(1, li + 1, b"some data".to_vec());
    assert_eq!(index, li + 1);
    assert_eq!(n.raft.log().last_index(), li + 1);
    assert_eq!(n.raft.log().committed, li);
    assert_eq!(n.raft.log().unstable(), std::slice::from_ref(&want_entry));
    let msgs = n.read_messages();
    assert_eq!(
        msgs,
        vec![
            append_entries(1, 2, 1, (li, 1), vec![want_entry.clone()], li),
            append_entries(1, 3, 1, (li, 1), vec![want_entry.clone()], li),
        ]
    );
    assert_eq!(n.disk.entries.last(), Some(&want_entry), "the host wrote the entry");
}

/// When an entry has been safely replicated, the leader applies it to its state machine; the
/// leader keeps track of the highest index it knows to be committed and includes it in future
/// AppendEntries RPCs so that the other servers eventually find out.
/// Reference: section 5.3
#[test]
fn leader_commit_entry() {
    let mut n = Node::fresh(1, &[1, 2, 3]);
    n.elect();
    n.commit_noop_entry();
    let li = n.raft.log().last_index();
    n.raft.propose(b"some data".to_vec()).unwrap();

    for m in n.read_messages() {
        n.step(accept_and_reply(&m));
    }

    assert_eq!(n.raft.log().committed, li + 1);
    let msgs = n.read_messages();
    assert_eq!(n.applied, vec![Entry::command(1, li + 1, b"some data".to_vec())]);
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    for (i, m) in msgs.iter().enumerate() {
        assert_eq!(m.to, i as NodeId + 2);
        let Body::AppendEntries { leader_commit, .. } = m.body else { panic!("not an AppendEntries: {m:?}") };
        assert_eq!(leader_commit, li + 1);
    }
}

/// A log entry is committed once the leader that created it has replicated it on a majority of
/// the servers.
/// Reference: section 5.3
#[test]
fn leader_acknowledge_commit() {
    let cases: &[(u64, &[NodeId], bool)] = &[
        (1, &[], true),
        (3, &[], false),
        (3, &[2], true),
        (3, &[2, 3], true),
        (5, &[], false),
        (5, &[2], false),
        (5, &[2, 3], true),
        (5, &[2, 3, 4], true),
        (5, &[2, 3, 4, 5], true),
    ];
    for (i, &(size, acceptors, want_commit)) in cases.iter().enumerate() {
        let mut n = Node::fresh(1, &ids(size));
        n.elect();
        n.commit_noop_entry();
        let li = n.raft.log().last_index();
        n.raft.propose(b"some data".to_vec()).unwrap();

        // Persisting the leader's own copy counts as its own acknowledgement.
        for m in n.read_messages() {
            if acceptors.contains(&m.to) {
                n.step(accept_and_reply(&m));
            }
        }

        assert_eq!(n.raft.log().committed > li, want_commit, "#{i}");
    }
}

/// When the leader commits an entry it also commits all preceding entries in its log, including
/// entries created by previous leaders, and applies them in log order.
/// Reference: section 5.3
#[test]
fn leader_commit_preceding_entries() {
    let cases: [Vec<Entry>; 4] = [vec![], log_with_terms(&[2]), log_with_terms(&[1, 2]), log_with_terms(&[1])];
    for (i, log) in cases.iter().enumerate() {
        let mut n = Node::new(1, &[1, 2, 3], log, hard_state(2, None, 0));
        n.elect(); // term 3
        assert_eq!(n.raft.term(), 3, "#{i}");
        n.raft.propose(b"some data".to_vec()).unwrap();

        // Everyone accepts everything. etcd's leader sends nothing until the proposal, so one
        // round carries the no-op and the proposal together; this core sends the no-op at once
        // and the proposal after the follower's answer, so answer until the leader is quiet.
        loop {
            let msgs = n.read_messages();
            if msgs.is_empty() {
                break;
            }
            for m in msgs {
                n.step(accept_and_reply(&m));
            }
        }

        let li = log.len() as Index;
        let mut want = log.clone();
        want.push(Entry::noop(3, li + 1));
        want.push(Entry::command(3, li + 2, b"some data".to_vec()));
        assert_eq!(n.applied, want, "#{i}");
    }
}

/// Once a follower learns that a log entry is committed, it applies the entry to its local state
/// machine (in log order).
/// Reference: section 5.3
#[test]
fn follower_commit_entry() {
    let data = |s: &str| s.as_bytes().to_vec();
    let cases = [
        (vec![Entry::command(1, 1, data("some data"))], 1),
        (vec![Entry::command(1, 1, data("some data")), Entry::command(1, 2, data("some data2"))], 2),
        (vec![Entry::command(1, 1, data("some data2")), Entry::command(1, 2, data("some data"))], 2),
        (vec![Entry::command(1, 1, data("some data")), Entry::command(1, 2, data("some data2"))], 1),
    ];
    for (i, (entries, commit)) in cases.into_iter().enumerate() {
        // etcd: becomeFollower(1, 2).
        let mut n = Node::new(1, &[1, 2, 3], &[], hard_state(1, None, 0));

        n.step(append_entries(2, 1, 1, (0, 0), entries.clone(), commit));

        assert_eq!(n.raft.log().committed, commit, "#{i}");
        n.read_messages();
        assert_eq!(n.applied, entries[..commit as usize], "#{i}");
    }
}

/// If the follower does not find an entry in its log with the same index and term as the one in
/// the AppendEntries RPC, it refuses the new entries; otherwise it accepts them.
/// A refusal here carries `index` = the rejected prev index and `hint_index`/`hint_term` (etcd's
/// RejectHint and LogTerm); an acceptance of a prev index below the commit index answers with
/// the commit index.
/// Reference: section 5.3
#[test]
fn follower_check_msg_app() {
    let log = log_with_terms(&[1, 2]);
    let accept =
        |index| Body::AppendEntriesResponse { success: true, index, hint_index: 0, hint_term: 0, refusal: None };
    let reject = |index, hint_index, hint_term, refusal| Body::AppendEntriesResponse {
        success: false,
        index,
        hint_index,
        hint_term,
        refusal: Some(refusal),
    };
    // (prev term, prev index, expected answer)
    let cases = [
        // Match with committed entries.
        (0, 0, accept(1)),
        (1, 1, accept(1)),
        // Match with an uncommitted entry.
        (2, 2, accept(2)),
        // Mismatch with an existing entry.
        (1, 2, reject(2, 1, 1, AppendRefusal::TermMismatch { found_term: 2 })),
        // No entry at that index.
        (3, 3, reject(3, 2, 2, AppendRefusal::Missing { last_index: 2 })),
    ];
    for (i, (prev_term, prev_index, body)) in cases.into_iter().enumerate() {
        // etcd: loadState(commit 1); becomeFollower(2, 2).
        let mut n = Node::new(1, &[1, 2, 3], &log, hard_state(2, None, 1));

        n.step(append_entries(2, 1, 2, (prev_index, prev_term), vec![], 0));

        assert_eq!(n.read_messages(), vec![msg(1, 2, 2, body)], "#{i}");
    }
}

/// When an AppendEntries RPC is valid, the follower deletes an existing entry that conflicts
/// with a new one (same index, different term) and all that follow it, and appends any new
/// entries not already in the log; the new entries go to stable storage.
/// Reference: section 5.3
#[test]
fn follower_append_entries() {
    let entries_at = |first: Index, terms: &[Term]| -> Vec<Entry> {
        terms.iter().enumerate().map(|(k, &t)| Entry::noop(t, first + k as Index)).collect()
    };
    // (prev index, prev term, sent entries, whole log after, unstable entries)
    let cases = [
        (2, 2, entries_at(3, &[3]), entries_at(1, &[1, 2, 3]), entries_at(3, &[3])),
        (1, 1, entries_at(2, &[3, 4]), entries_at(1, &[1, 3, 4]), entries_at(2, &[3, 4])),
        (0, 0, entries_at(1, &[1]), entries_at(1, &[1, 2]), vec![]),
        (0, 0, entries_at(1, &[3]), entries_at(1, &[3]), entries_at(1, &[3])),
    ];
    for (i, (prev_index, prev_term, sent, want_log, want_unstable)) in cases.into_iter().enumerate() {
        // etcd: becomeFollower(2, 2) over the log [t1, t2].
        let mut n = Node::new(1, &[1, 2, 3], &log_with_terms(&[1, 2]), hard_state(2, None, 0));

        n.step(append_entries(2, 1, 2, (prev_index, prev_term), sent, 0));

        assert_eq!(n.raft.log().entries(), &want_log[..], "#{i}");
        assert_eq!(n.raft.log().unstable(), &want_unstable[..], "#{i}");
        n.read_messages();
        assert_eq!(n.disk.entries, want_log, "#{i}: the disk holds the new log");
    }
}

/// The leader brings a follower's log into consistency with its own (Figure 7): it finds the
/// latest entry where the two logs agree, the follower deletes everything after it, and the
/// leader sends every entry after it.
/// Reference: section 5.3
#[test]
fn leader_sync_follower_log() {
    let leader_terms = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
    let term = 8;
    let followers: [&[Term]; 6] = [
        &[1, 1, 1, 4, 4, 5, 5, 6, 6],          // (a)
        &[1, 1, 1, 4, 4],                      // (b)
        &[1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],    // (c)
        &[1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7], // (d)
        &[1, 1, 1, 4, 4, 4, 4],                // (e)
        &[1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],    // (f)
    ];
    for (i, follower_terms) in followers.iter().enumerate() {
        let log = log_with_terms(&leader_terms);
        let mut lead = Node::new(1, &[1, 2, 3], &log, hard_state(term, None, log.len() as Index));
        let mut follower = Node::new(2, &[1, 2, 3], &log_with_terms(follower_terms), hard_state(term - 1, None, 0));

        // A three-node cluster: the follower may have a more up-to-date log than the leader, and
        // then the leader needs node 3's vote. Node 3 is a black hole (etcd's nopStepper).
        lead.raft.campaign(); // etcd: MsgHup
        deliver_until_quiet(&mut lead, &mut follower);
        // The election happens in the term after the one loaded above.
        lead.step(vote_response(3, 1, term + 1, true));
        deliver_until_quiet(&mut lead, &mut follower);
        assert_eq!(lead.raft.role(), Role::Leader, "#{i}");
        lead.raft.propose(vec![]).unwrap();
        deliver_until_quiet(&mut lead, &mut follower);

        // etcd compares committed, applied and all entries.
        let (l, f) = (lead.raft.log(), follower.raft.log());
        assert_eq!(l.entries(), f.entries(), "#{i}");
        assert_eq!(l.committed, f.committed, "#{i}");
        assert_eq!(l.applied, f.applied, "#{i}");
        assert_eq!(lead.disk.entries, follower.disk.entries, "#{i}");
        assert_eq!(l.last_index(), leader_terms.len() as Index + 2, "#{i}: the no-op and the proposal");
    }
}

/// A tiny network between nodes 1 and 2: delivers everything one sends to the other, drops what
/// goes to anyone else (node 3), and stops when neither has anything to say.
fn deliver_until_quiet(a: &mut Node, b: &mut Node) {
    for _ in 0..1000 {
        let mut in_flight = a.read_messages();
        in_flight.extend(b.read_messages());
        if in_flight.is_empty() {
            return;
        }
        for m in in_flight {
            if m.to == a.raft.id() {
                a.step(m);
            } else if m.to == b.raft.id() {
                b.step(m);
            }
        }
    }
    panic!("the two nodes never went quiet");
}

// ---- §5.4: safety ------------------------------------------------------------------------------

/// The RequestVote RPC includes information about the candidate's log (the index and term of its
/// last entry) and is sent to all of the other servers.
/// Reference: section 5.4.1
#[test]
fn vote_request() {
    let cases = [(log_with_terms(&[1]), 2), (log_with_terms(&[1, 2]), 3)];
    for (j, (entries, want_term)) in cases.into_iter().enumerate() {
        let mut n = Node::fresh(1, &[1, 2, 3]);
        n.step(append_entries(2, 1, want_term - 1, (0, 0), entries.clone(), 0));
        n.read_messages();

        let et = n.raft.config().election_ticks;
        for _ in 1..2 * et {
            n.raft.tick();
        }

        let msgs = n.read_messages();
        assert_eq!(msgs.len(), 2, "#{j}: {msgs:?}");
        let last = entries.last().unwrap();
        for (i, m) in msgs.iter().enumerate() {
            assert_eq!(m.to, i as NodeId + 2, "#{j}.{i}");
            assert_eq!(m.term, want_term, "#{j}.{i}");
            assert_eq!(
                m.body,
                Body::RequestVote { last_log_index: last.index, last_log_term: last.term, transfer: false },
                "#{j}.{i}"
            );
        }
    }
}

/// The voter denies its vote if its own log is more up-to-date than the candidate's: the later
/// last term wins, and with equal last terms the longer log.
/// Reference: section 5.4.1
#[test]
fn voter() {
    // (voter's log terms, candidate's last term, candidate's last index, rejected)
    let cases: &[(&[Term], Term, Index, bool)] = &[
        // Same last term.
        (&[1], 1, 1, false),
        (&[1], 1, 2, false),
        (&[1, 1], 1, 1, true),
        // The candidate has the higher last term.
        (&[1], 2, 1, false),
        (&[1], 2, 2, false),
        (&[1, 1], 2, 1, false),
        // The voter has the higher last term.
        (&[2], 1, 1, true),
        (&[2], 1, 2, true),
        (&[2, 2], 1, 1, true),
        (&[1, 1], 1, 1, true),
    ];
    for (i, &(terms, last_term, last_index, reject)) in cases.iter().enumerate() {
        let mut n = Node::new(1, &[1, 2], &log_with_terms(terms), HardState::default());

        n.step(request_vote(2, 1, 3, last_index, last_term));

        let msgs = n.read_messages();
        assert_eq!(msgs.len(), 1, "#{i}: {msgs:?}");
        let m = &msgs[0];
        assert_eq!((m.to, m.term), (2, 3), "#{i}");
        let Body::RequestVoteResponse { granted, .. } = m.body else { panic!("#{i}: not a vote answer: {m:?}") };
        assert_eq!(granted, !reject, "#{i}");
    }
}

/// Raft never commits log entries from previous terms by counting replicas; only entries from
/// the leader's current term are committed that way.
/// Reference: section 5.4.2
#[test]
fn leader_only_commits_log_from_current_term() {
    // (index acknowledged by node 2, commit index afterwards)
    let cases = [(1, 0), (2, 0), (3, 3)];
    for (i, (acked, want_commit)) in cases.into_iter().enumerate() {
        let mut n = Node::new(1, &[1, 2], &log_with_terms(&[1, 2]), hard_state(2, None, 0));
        n.elect(); // term 3, with its no-op at index 3
        assert_eq!(n.raft.term(), 3, "#{i}");
        n.read_messages();
        n.raft.propose(vec![]).unwrap(); // index 4

        n.step(append_ok(2, 1, 3, acked));
        n.read_messages(); // etcd: advanceMessagesAfterAppend (the leader's own write)

        assert_eq!(n.raft.log().committed, want_commit, "#{i}");
    }
}
