//! The deterministic world: one event queue ordered by (virtual time, sequence number), nodes
//! hosted as etcd's README prescribes (send, persist, send what depends on it, apply,
//! advance), a faulty network, clients, and the checkers after every event.

use crate::action::{Action, NodeRef};
use crate::checker::Checker;
use crate::client::{Client, Completed, Outstanding};
use crate::config::{Probability, SimConfig};
use crate::kv::{ClientId, Command, CommandRef, KvStore, Op, OpRef, ReadMode};
use crate::memo::{Decoded, EntryMemo};
use crate::network::{Endpoint, InFlight, InFlightMap, Network, Payload, Reply};
use crate::node::{PendingRead, PendingRequest, SimNode};
use crate::queue::EventQueue;
use crate::trace::{Record, RecordKind, TraceHash};
use raft_core::{
    ConfChange, DurableState, EntryData, Index, Membership, Message, NodeId, Prng, Raft, ReadState, Ready, Role, Term,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Something due at a moment of virtual time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum Pending {
    Tick {
        node: NodeId,
        epoch: u64,
    },
    Deliver {
        msg: u64,
    },
    ClientTimeout {
        client: ClientId,
        seq: u64,
        attempt: u32,
    },
    /// The steady client load of benchmarks and chaos runs.
    Workload,
}

/// Messages the network holds at most; beyond it, new messages are lost. Real links have
/// finite buffers, and a buggy core (a teaching fault) can otherwise start a message storm
/// that grows without bound under duplication.
pub const NETWORK_CAPACITY: usize = 20_000;

/// The most writes [`World::run_until`] makes room for in advance (see `World::presize`).
const PRESIZE_MAX: u64 = 1 << 14;

/// The keys the steady load writes in turn (`k{n % 8}`).
const WORKLOAD_KEYS: [&str; 8] = ["k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"];

/// A steady stream of client writes, spread over all clients.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Workload {
    interval_us: u64,
    next_us: u64,
    count: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct World {
    pub config: SimConfig,
    pub seed: u64,
    /// Virtual time in milliseconds.
    pub now: u64,
    /// Events processed so far; violations and records cite these numbers.
    pub events: u64,
    queue: EventQueue<Pending>,
    rng: Prng,
    pub nodes: Vec<SimNode>,
    pub network: Network,
    /// Messages on the wire, by id.
    pub in_flight: InFlightMap,
    next_msg_id: u64,
    pub clients: Vec<Client>,
    /// Every finished client operation, in completion order.
    pub completed: Vec<Completed>,
    pub checker: Checker,
    pub hash: TraceHash,
    /// Readable records; kept only when `recording` is on, at most `max_records` of them
    /// (0: no limit) so a long-running page keeps bounded memory.
    pub records: Vec<Record>,
    pub recording: bool,
    pub max_records: usize,
    workload: Option<Workload>,
    #[serde(skip)]
    scratch: Scratch,
}

/// The world's scratch buffers, not state, so they are equal to any other and clone empty:
/// the `Ready` every node is drained into (boxed, so taking it out and putting it back moves a
/// pointer), the commands its entries decoded lately, and a proposal's encoding.
#[derive(Default)]
struct Scratch {
    ready: Option<Box<Ready>>,
    /// `WORKLOAD_KEYS` as shared strings, made on first use.
    workload_keys: Vec<Arc<str>>,
    decoded: EntryMemo<Decoded>,
    command: Vec<u8>,
}

impl Clone for Scratch {
    fn clone(&self) -> Self {
        Scratch::default()
    }
}

impl PartialEq for Scratch {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for Scratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Scratch")
    }
}

impl World {
    pub fn new(config: SimConfig, seed: u64) -> Result<World, String> {
        config.validate()?;
        let n = config.cluster.nodes;
        let mut world = World {
            network: Network::new(config.network),
            clients: (1..=config.clients.count as ClientId).map(|id| Client::new(id, n)).collect(),
            nodes: config.cluster.node_ids().map(SimNode::new).collect(),
            checker: Checker::new(n),
            config,
            seed,
            now: 0,
            events: 0,
            queue: EventQueue::default(),
            rng: Prng::new(seed),
            in_flight: InFlightMap::new(),
            next_msg_id: 1,
            completed: Vec::new(),
            hash: TraceHash::default(),
            records: Vec::new(),
            recording: false,
            max_records: 0,
            workload: None,
            scratch: Scratch::default(),
        };
        for id in world.config.cluster.node_ids() {
            world.node_mut(id).was_member = true;
            world.boot(id);
        }
        Ok(world)
    }

    // ---- Time ----------------------------------------------------------------------------

    /// When the next event is due, if any.
    pub fn next_event_ms(&self) -> Option<u64> {
        self.queue.peek_time()
    }

    /// Processes every event due at or before `t`, then sets the clock to `t`.
    /// Messages sent so far (dropped ones included); the page watches how fast this grows.
    pub fn messages_sent(&self) -> u64 {
        self.next_msg_id - 1
    }

    pub fn run_until(&mut self, t: u64) {
        self.presize(t);
        while self.step_until(t) {}
        self.now = self.now.max(t);
    }

    /// Makes room in the logs, disks and histories for the writes a steady workload will add by
    /// `t`, so that they do not move as they grow (each doubling copied them whole). Only
    /// capacity changes; a span longer than `PRESIZE_MAX` entries is left to grow as usual.
    fn presize(&mut self, t: u64) {
        let Some(w) = &self.workload else { return };
        let span_us = t.saturating_sub(self.now).saturating_mul(1000);
        let n = span_us / w.interval_us.max(1);
        if n == 0 || n > PRESIZE_MAX {
            return;
        }
        // Leaders add an entry of their own now and then, and retries may add a command twice.
        let n = (n + n / 16 + 16) as usize;
        for node in &mut self.nodes {
            node.disk.entries.reserve(n);
            if let Some(raft) = node.raft.as_mut() {
                raft.reserve_log(n);
            }
        }
        self.checker.reserve(self.nodes.len(), n);
        self.completed.reserve(n);
    }

    /// Processes the next event; false if there is none.
    pub fn step(&mut self) -> bool {
        self.step_until(u64::MAX)
    }

    /// Processes the next event if it is due at or before `t`; false if there is none.
    fn step_until(&mut self, t: u64) -> bool {
        let Some((time, pending)) = self.queue.pop_until(t) else { return false };
        self.now = time;
        self.events += 1;
        self.checker.begin(self.events, time);
        self.hash.add(time);
        match pending {
            Pending::Tick { node, epoch } => self.on_tick(node, epoch),
            Pending::Deliver { msg } => self.on_deliver(msg),
            Pending::ClientTimeout { client, seq, attempt } => self.on_client_timeout(client, seq, attempt),
            Pending::Workload => self.on_workload(),
        }
        true
    }

    fn schedule(&mut self, at: u64, p: Pending) {
        self.queue.push(at, p);
    }

    fn record(&mut self, kind: RecordKind) {
        if self.recording {
            if self.max_records > 0 && self.records.len() >= self.max_records {
                // Drop the older half at once, so trimming costs O(1) per record on average.
                self.records.drain(..self.max_records / 2);
            }
            self.records.push(Record { event: self.events, time_ms: self.now, kind });
        }
    }

    // ---- Nodes ---------------------------------------------------------------------------

    fn node(&self, id: NodeId) -> &SimNode {
        &self.nodes[id as usize - 1]
    }

    fn node_mut(&mut self, id: NodeId) -> &mut SimNode {
        &mut self.nodes[id as usize - 1]
    }

    /// Starts (or restarts) a node from its disk.
    fn boot(&mut self, id: NodeId) {
        let mut cfg = self.config.cluster.raft_config(id);
        cfg.seed = self.rng.next_u64();
        let mut raft = match Raft::new(cfg, &self.node(id).disk) {
            Ok(r) => r,
            Err(e) => unreachable!("the cluster config was validated: {e}"),
        };
        raft.record_events(self.recording);
        let tick = self.config.cluster.tick_ms_of(id);
        let phase = self.rng.range(1, tick + 1);
        let node = self.node_mut(id);
        // The state machine comes back from the snapshot; the log replays what follows it.
        node.kv = node.disk.snapshot.as_ref().and_then(|s| KvStore::from_bytes(&s.data)).unwrap_or_default();
        node.reported_commit = raft.log().committed;
        node.raft = Some(raft);
        node.epoch += 1;
        let epoch = node.epoch;
        self.schedule(self.now + phase, Pending::Tick { node: id, epoch });
        self.drain_out_of_line(id, 0);
    }

    fn on_tick(&mut self, id: NodeId, epoch: u64) {
        let node = self.node(id);
        if node.epoch != epoch || !node.is_up() || node.paused {
            return;
        }
        self.with_raft(id, |r| r.tick());
        let next = self.now + self.config.cluster.tick_ms_of(id);
        self.schedule(next, Pending::Tick { node: id, epoch });
    }

    /// Runs `f` on a live node's core, then hosts whatever it produced.
    fn with_raft<T>(&mut self, id: NodeId, f: impl FnOnce(&mut Raft) -> T) -> Option<T> {
        let (out, commit_before) = self.hand_to_raft(id, f)?;
        self.drain(id, commit_before);
        Some(out)
    }

    /// [`World::with_raft`] for user actions and other rare inputs: it calls the host loop
    /// instead of inlining it, so that each caller does not carry a copy (page size).
    fn with_raft_cold<T>(&mut self, id: NodeId, f: impl FnOnce(&mut Raft) -> T) -> Option<T> {
        let (out, commit_before) = self.hand_to_raft(id, f)?;
        self.drain_out_of_line(id, commit_before);
        Some(out)
    }

    /// Runs `f` on the node's Raft (None if it is down), with the commit index before it for
    /// the drain that follows.
    fn hand_to_raft<T>(&mut self, id: NodeId, f: impl FnOnce(&mut Raft) -> T) -> Option<(T, Index)> {
        let recording = self.recording;
        let raft = self.node_mut(id).raft.as_mut()?;
        // Its decisions are read only for the records.
        raft.record_events(recording);
        let commit_before = raft.log().committed;
        Some((f(raft), commit_before))
    }

    #[inline(never)]
    fn drain_out_of_line(&mut self, id: NodeId, commit_before: Index) {
        self.drain(id, commit_before);
    }

    /// The host loop of etcd's README: send, persist, send what depends on the write, apply,
    /// advance; repeated while the node has output. Then the node's state goes into the trace
    /// hash.
    ///
    /// Inlined, with the loop out of line: most ticks leave a node with nothing to do, and such
    /// an input should cost the check and the hash, not the loop's entry and exit.
    #[inline(always)]
    fn drain(&mut self, id: NodeId, commit_before: Index) {
        let Some(raft) = self.nodes[id as usize - 1].raft.as_ref() else { return };
        if raft.has_ready() && !self.drain_ready(id, commit_before) {
            return;
        }
        if let Some(r) = &self.node(id).raft {
            let (term, role, commit, last) = (r.term(), r.role() as u64, r.log().committed, r.log().last_index());
            for v in [id, term, role, commit, last] {
                self.hash.add(v);
            }
        }
        self.maybe_compact(id);
    }

    /// [`World::drain`]'s loop, for a node that has a `Ready`; false if the node went down.
    #[inline(never)]
    fn drain_ready(&mut self, id: NodeId, commit_before: Index) -> bool {
        loop {
            let Some(raft) = self.nodes[id as usize - 1].raft.as_mut() else { return false };
            // The host's Ready is reused, so its buffers (and those it trades with the core)
            // are allocated once, not on every input.
            let mut rd = self.scratch.ready.take().unwrap_or_default();
            raft.ready_into(&mut rd);
            let (role, term) = (raft.role(), raft.term());
            if self.recording {
                self.record_decisions(id, &mut rd.events);
            }
            // Draining an empty vector is not free, and most Readies lack one of the two kinds.
            if !rd.messages.is_empty() {
                self.send_all(&mut rd.messages);
            }
            if let Some(snap) = &rd.snapshot {
                self.install_snapshot(id, snap);
            }
            if rd.must_persist() {
                self.checker.on_write(id, role == Role::Leader, commit_before, &rd.entries);
                self.node_mut(id).disk.write(rd.hard_state, &rd.entries);
            }
            if !rd.persisted_messages.is_empty() {
                self.send_all(&mut rd.persisted_messages);
            }
            if let Some(role) = rd.role {
                self.on_role(id, role, term);
            }
            for entry in &rd.committed_entries {
                self.checker.on_apply(id, entry);
                self.apply(id, entry.index, entry.term, &entry.data);
            }
            for rs in &rd.read_states {
                self.on_read_state(id, *rs);
            }
            if !self.node(id).reads.is_empty() {
                self.serve_ready_reads(id);
            }
            let config_moved = |es: &[raft_core::Entry]| es.iter().any(|e| matches!(e.data, EntryData::Config(_)));
            if rd.role.is_some() || config_moved(&rd.entries) || config_moved(&rd.committed_entries) {
                self.check_leader_configs();
            }
            let node = &mut self.nodes[id as usize - 1];
            let Some(raft) = node.raft.as_mut() else { return false };
            raft.advance(&rd);
            let commit = raft.log().committed;
            self.scratch.ready = Some(rd);
            if commit != node.reported_commit {
                node.reported_commit = commit;
                // Lazily: this runs on every commit, and the checker rarely needs the leaders.
                let leaders = self.nodes.iter().filter(|n| n.is_leader()).map(|n| (n.id, n.term()));
                self.checker.on_commit(id, term, commit, leaders);
            }
            match self.nodes[id as usize - 1].raft.as_ref() {
                None => return false,
                Some(r) if !r.has_ready() => return true,
                Some(_) => {}
            }
        }
    }

    // The rare parts of the host loop, out of line so that they do not crowd its registers.

    #[cold]
    #[inline(never)]
    fn record_decisions(&mut self, id: NodeId, events: &mut Vec<raft_core::Event>) {
        for event in events.drain(..) {
            self.record(RecordKind::Raft { node: id, event });
        }
    }

    #[cold]
    #[inline(never)]
    fn install_snapshot(&mut self, id: NodeId, snap: &raft_core::Snapshot) {
        self.checker.on_snapshot(id, snap.index, snap.term);
        let node = self.node_mut(id);
        node.disk.write_snapshot(snap);
        if snap.index > node.kv.applied {
            if let Some(kv) = KvStore::from_bytes(&snap.data) {
                node.kv = kv;
            }
        }
    }

    #[cold]
    #[inline(never)]
    fn on_role(&mut self, id: NodeId, role: Role, term: Term) {
        if role == Role::Leader {
            self.checker.on_leader(id, term);
        } else {
            // No longer leading: clients will time out and retry elsewhere.
            self.node_mut(id).pending.clear();
        }
    }

    fn apply(&mut self, id: NodeId, index: Index, term: Term, data: &EntryData) {
        let node = self.node_mut(id);
        node.kv.applied = node.kv.applied.max(index);
        let bytes = match data {
            EntryData::Command(bytes) => bytes,
            EntryData::Config(m) => return self.on_config_applied(id, index, m),
            EntryData::Noop => return,
        };
        // Decoded once for all replicas, and applied without allocating.
        let decoded = self.scratch.decoded.get(index, term, bytes, |d| d.fill(CommandRef::decode(bytes)));
        let Some(cmd) = decoded.command() else { return };
        // The field, not `node_mut`: the command stays borrowed from the memo.
        let node = &mut self.nodes[id as usize - 1];
        node.kv.apply_ref(cmd, index);
        // Only the leader that proposed an entry waits for it.
        if node.pending.is_empty() {
            return;
        }
        let Some(p) = node.pending.remove(&index) else { return };
        if p.client == cmd.client && p.seq == cmd.seq && p.term == term {
            let output = node.kv.sessions.get(&cmd.client).and_then(|s| s.output.clone());
            let version = match cmd.op {
                OpRef::Read { key } => node.kv.read(key).1,
                // A retried write applies once: its version is where it first applied.
                OpRef::Write { .. } => node.kv.first_applied_at(cmd.client, cmd.seq).unwrap_or(index),
            };
            let (client, seq) = (cmd.client, cmd.seq);
            let reply = Reply::Ok { output, index, term, version };
            self.send(Endpoint::Node(id), Endpoint::Client(client), Payload::ClientReply { seq, reply });
        }
    }

    /// A node applied a configuration. With `retire_removed`, a node that finds itself removed
    /// shuts down, as an operator would decommission it.
    /// The leader applying a final configuration also retires the nodes it left out (they may
    /// never learn of their removal).
    fn on_config_applied(&mut self, id: NodeId, index: Index, m: &Membership) {
        self.checker.on_config_committed(index, m);
        if m.is_joint() {
            return;
        }
        let retire_removed = self.config.cluster.retire_removed;
        let node = self.node_mut(id);
        let was_member = node.was_member;
        node.was_member |= m.is_member(id);
        // Only the latest configuration counts: a node catching up applies old ones too.
        let latest = node.raft.as_ref().is_some_and(|r| r.config_index() == index);
        let removed: Vec<NodeId> = if !retire_removed || !latest {
            Vec::new()
        } else if node.is_leader() {
            self.nodes.iter().filter(|n| !n.retired && !m.is_member(n.id)).map(|n| n.id).collect()
        } else if was_member && !m.is_member(id) {
            vec![id]
        } else {
            Vec::new()
        };
        for r in removed {
            let how = if self.node(r).is_up() { "shut down" } else { "will not be restarted" };
            self.retire(r);
            self.record(RecordKind::Client { text: format!("S{r} was removed from the configuration and {how}") });
        }
    }

    /// Shuts a node down for good (crashed, never restarted).
    pub fn retire(&mut self, id: NodeId) {
        let _ = self.crash(id);
        self.node_mut(id).retired = true;
        self.checker.on_retire(id);
    }

    /// Snapshots the state machine once enough applied entries follow the last snapshot.
    #[inline(always)]
    fn maybe_compact(&mut self, id: NodeId) {
        let every = self.config.cluster.snapshot_entries;
        if every == 0 {
            return;
        }
        let node = self.node(id);
        let (Some(raft), applied) = (node.raft.as_ref(), node.kv.applied) else { return };
        if applied >= raft.log().first_index() + every - 1 {
            self.compact(id, applied);
        }
    }

    #[inline(never)]
    fn compact(&mut self, id: NodeId, applied: Index) {
        let node = self.node_mut(id);
        let Some(raft) = node.raft.as_mut() else { return };
        let _ = raft.compact(applied, node.kv.to_bytes());
        self.drain(id, self.node(id).raft.as_ref().map_or(0, |r| r.log().committed));
    }

    /// Every pair of nodes leading right now that could still commit (a majority of each half
    /// of their configuration has not moved past their term) must use configurations that share
    /// a quorum.
    fn check_leader_configs(&mut self) {
        let can_commit = |term: Term, voters: &[NodeId]| {
            voters.is_empty()
                || voters.iter().filter(|&&v| self.nodes.get(v as usize - 1).is_some_and(|n| n.term() <= term)).count()
                    > voters.len() / 2
        };
        let leaders: Vec<(NodeId, Membership)> = self
            .nodes
            .iter()
            .filter_map(|n| n.raft.as_ref().filter(|r| r.role() == Role::Leader))
            .filter(|r| can_commit(r.term(), &r.membership().voters) && can_commit(r.term(), &r.membership().outgoing))
            .map(|r| (r.id(), r.membership().clone()))
            .collect();
        if leaders.len() > 1 {
            let refs: Vec<(NodeId, &Membership)> = leaders.iter().map(|(id, m)| (*id, m)).collect();
            self.checker.on_leaders(&refs);
        }
    }

    // ---- Reads ---------------------------------------------------------------------------

    /// A client's read that does not go through the log.
    fn start_read(&mut self, id: NodeId, client: ClientId, seq: u64, key: String, mode: ReadMode) {
        let node = self.node_mut(id);
        let Some(raft) = node.raft.as_ref() else { return };
        let leader = raft.leader();
        let is_leader = raft.role() == Role::Leader;
        if matches!(mode, ReadMode::ReadIndex | ReadMode::Lease) && !is_leader {
            let reply = Reply::NotLeader { leader };
            return self.send(Endpoint::Node(id), Endpoint::Client(client), Payload::ClientReply { seq, reply });
        }
        node.next_read_id += 1;
        let ctx = node.next_read_id;
        let ready_now = mode == ReadMode::Local;
        let index = ready_now.then_some(node.kv.applied);
        node.reads.insert(ctx, PendingRead { client, seq, key, mode, index });
        if ready_now {
            self.serve_ready_reads(id);
        } else {
            self.with_raft(id, |r| r.read_index(ctx, mode == ReadMode::Lease));
        }
    }

    fn on_read_state(&mut self, id: NodeId, rs: ReadState) {
        let node = self.node_mut(id);
        match rs.index {
            Some(index) => {
                if let Some(read) = node.reads.get_mut(&rs.ctx) {
                    read.index = Some(index);
                }
            }
            None => {
                // Refused: tell the client to look for the leader.
                let Some(read) = node.reads.remove(&rs.ctx) else { return };
                let leader = node.raft.as_ref().and_then(|r| r.leader()).filter(|&l| l != id);
                let reply = Reply::NotLeader { leader };
                let payload = Payload::ClientReply { seq: read.seq, reply };
                self.send(Endpoint::Node(id), Endpoint::Client(read.client), payload);
            }
        }
    }

    /// Serves every read whose index the state machine has reached.
    fn serve_ready_reads(&mut self, id: NodeId) {
        let node = self.node_mut(id);
        let applied = node.kv.applied;
        let ready: Vec<u64> =
            node.reads.iter().filter(|(_, r)| r.index.is_some_and(|i| i <= applied)).map(|(&c, _)| c).collect();
        for ctx in ready {
            let node = self.node_mut(id);
            let Some(read) = node.reads.remove(&ctx) else { continue };
            let (output, version) = node.kv.read(&read.key);
            let term = node.term();
            let reply = Reply::Ok { output, index: applied, term, version };
            self.send(Endpoint::Node(id), Endpoint::Client(read.client), Payload::ClientReply { seq: read.seq, reply });
        }
    }

    /// Every node that believes it leads, with its term.
    pub fn leaders(&self) -> Vec<(NodeId, Term)> {
        self.nodes.iter().filter(|n| n.is_leader()).map(|n| (n.id, n.term())).collect()
    }

    /// The leader of the highest term, if any node leads.
    pub fn leader(&self) -> Option<NodeId> {
        self.leaders().into_iter().max_by_key(|&(id, t)| (t, std::cmp::Reverse(id))).map(|(id, _)| id)
    }

    // ---- Network -------------------------------------------------------------------------

    /// Sends a message, twice if the link duplicates it.
    fn send(&mut self, from: Endpoint, to: Endpoint, payload: Payload) {
        self.send_inline(from, to, payload);
    }

    /// [`World::send`], inlined where every message passes ([`World::send_all`]), so that the
    /// payload moves straight into its in-flight slot.
    #[inline(always)]
    fn send_inline(&mut self, from: Endpoint, to: Endpoint, payload: Payload) {
        if self.rng.chance(self.network.link(from, to).duplicate) {
            self.put_on_wire(from, to, payload.clone());
        }
        self.place(from, to, payload);
    }

    /// One copy of a message: draws its latency and whether it is lost, queues its delivery and
    /// puts it in the in-flight map.
    fn put_on_wire(&mut self, from: Endpoint, to: Endpoint, payload: Payload) {
        self.place(from, to, payload);
    }

    /// [`World::put_on_wire`], inlined where the payload can move straight into its slot.
    #[inline(always)]
    fn place(&mut self, from: Endpoint, to: Endpoint, payload: Payload) {
        let (id, deliver_ms, dropped) = self.wire(from, to);
        let msg = InFlight { id, from, to, sent_ms: self.now, deliver_ms, payload, dropped };
        self.in_flight.push(msg);
    }

    /// Sends a node's messages, emptying `msgs`: each moves from the vector into its slot in the
    /// in-flight map, where a call per message took it by reference and copied it twice more.
    #[inline(never)]
    fn send_all(&mut self, msgs: &mut Vec<Message>) {
        for m in msgs.drain(..) {
            self.send_inline(Endpoint::Node(m.from), Endpoint::Node(m.to), Payload::Raft(m));
        }
    }

    /// [`World::put_on_wire`]'s draws: the new message's id, when it is due and whether it is
    /// lost. Its delivery is queued.
    #[inline(always)]
    fn wire(&mut self, from: Endpoint, to: Endpoint) -> (u64, u64, bool) {
        let link = *self.network.link(from, to);
        let [lo, hi] = link.latency_ms;
        let mut latency = self.rng.range(lo, hi + 1);
        if self.rng.chance(link.reorder) {
            latency += self.rng.range(0, 4 * hi + 1);
        }
        let full = self.in_flight.len() >= NETWORK_CAPACITY;
        let dropped = full || self.network.is_cut(from, to) || self.rng.chance(link.loss);
        let id = self.next_msg_id;
        self.next_msg_id += 1;
        let deliver_ms = self.now + latency;
        // Straight to the queue, inlined: `schedule` is a call.
        self.queue.push_inline(deliver_ms, Pending::Deliver { msg: id });
        (id, deliver_ms, dropped)
    }

    fn on_deliver(&mut self, id: u64) {
        // A delayed message has a later delivery event; this one is stale.
        let Some(slot) = self.in_flight.due_slot(id, self.now) else { return };
        self.hash.add(id);
        let msg = self.in_flight.at_slot(slot);
        let (from, to) = (msg.from, msg.to);
        let undeliverable = match to {
            Endpoint::Node(n) => !self.node(n).is_up(),
            Endpoint::Client(_) => false,
        };
        if msg.dropped || undeliverable || self.network.is_cut(from, to) {
            if self.recording {
                let summary = msg.summary();
                self.record(RecordKind::Dropped { summary });
            }
            self.in_flight.take_slot(id, slot);
            return;
        }
        let payload = self.in_flight.take_slot(id, slot);
        match to {
            Endpoint::Node(n) if self.node(n).paused => self.node_mut(n).held.push((from, payload)),
            Endpoint::Node(n) => self.deliver_to_node(n, payload),
            Endpoint::Client(c) => self.deliver_to_client(c, from, payload),
        }
    }

    fn deliver_to_node(&mut self, id: NodeId, payload: Payload) {
        match payload {
            Payload::Raft(m) => {
                self.with_raft(id, |r| r.step(m));
            }
            Payload::ClientRequest { client, seq, op: Op::Read { key, mode } } if mode != ReadMode::Log => {
                self.start_read(id, client, seq, key.to_string(), mode);
            }
            Payload::ClientRequest { client, seq, op } => {
                // Encoded into a reused buffer: the core copies the bytes into their shared home.
                let mut bytes = std::mem::take(&mut self.scratch.command);
                Command { client, seq, op }.encode_into(&mut bytes);
                let result = self.with_raft(id, |r| r.propose(&bytes[..]).map(|i| (i, r.term())));
                self.scratch.command = bytes;
                match result {
                    Some(Ok((index, term))) => {
                        self.node_mut(id).pending.insert(index, PendingRequest { client, seq, term });
                    }
                    Some(Err(raft_core::ProposeError::NotLeader { leader })) => {
                        let reply = Reply::NotLeader { leader };
                        self.send(Endpoint::Node(id), Endpoint::Client(client), Payload::ClientReply { seq, reply });
                    }
                    // A transfer is under way (or the node is down): the client retries later.
                    _ => {}
                }
            }
            Payload::ClientReply { .. } => {}
        }
    }

    // ---- Clients -------------------------------------------------------------------------

    fn client_mut(&mut self, id: ClientId) -> &mut Client {
        &mut self.clients[id as usize - 1]
    }

    /// Queues an operation on a client (client ids start at 1).
    pub fn submit(&mut self, client: ClientId, op: Op) -> Result<(), String> {
        self.submit_via(client, op, None)
    }

    /// Queues an operation that the client sends first to `via` (else to its leader guess).
    pub fn submit_via(&mut self, client: ClientId, op: Op, via: Option<NodeId>) -> Result<(), String> {
        if client == 0 || client as usize > self.clients.len() {
            return Err(format!("there is no client C{client} (clients are C1..C{})", self.clients.len()));
        }
        self.client_mut(client).queue.push_back((op, via));
        let now = self.now;
        if let Some(req) = self.client_mut(client).start_next(now) {
            self.send_request(client, req);
        }
        Ok(())
    }

    fn send_request(&mut self, client: ClientId, req: Outstanding) {
        let payload = Payload::ClientRequest { client, seq: req.seq, op: req.op };
        self.send(Endpoint::Client(client), Endpoint::Node(req.target), payload);
        let at = self.now + self.config.clients.timeout_ms;
        self.schedule(at, Pending::ClientTimeout { client, seq: req.seq, attempt: req.attempt });
    }

    fn next_node_after(&self, id: NodeId) -> NodeId {
        id % self.nodes.len() as NodeId + 1
    }

    fn on_client_timeout(&mut self, client: ClientId, seq: u64, attempt: u32) {
        let Some(cur) = &self.clients[client as usize - 1].current else { return };
        if cur.seq != seq || cur.attempt != attempt {
            return;
        }
        let target = self.next_node_after(cur.target);
        if let Some(req) = self.client_mut(client).retry(target) {
            self.send_request(client, req);
        }
    }

    fn deliver_to_client(&mut self, client: ClientId, from: Endpoint, payload: Payload) {
        let Payload::ClientReply { seq, reply } = payload else { return };
        let Some(cur) = &self.client_mut(client).current else { return };
        if cur.seq != seq {
            return;
        }
        let Endpoint::Node(from) = from else { return };
        let target = cur.target;
        match reply {
            Reply::Ok { output, index, term, version } => {
                // Done: the operation leaves the client (taken, not cloned).
                let Some(cur) = self.client_mut(client).current.take() else { return };
                let mut stale = false;
                match &cur.op {
                    Op::Write { key, .. } => {
                        self.checker.on_ack(from, index, term);
                        self.checker.on_write_acked(key, version, self.now);
                    }
                    Op::Read { key, mode } => {
                        stale = self.checker.on_read(from, key, version, cur.started_ms, *mode);
                    }
                }
                let done = Completed {
                    version,
                    stale,
                    served_by: from,
                    client,
                    seq,
                    op: cur.op,
                    output,
                    index,
                    invoked_ms: cur.started_ms,
                    completed_ms: self.now,
                    attempts: cur.attempt,
                };
                if self.recording {
                    let text = match (&done.op, &done.output) {
                        (Op::Read { key, mode }, out) => format!(
                            "C{client} #{seq} read {key} ({}) = {} from S{from}{}",
                            mode.name(),
                            out.as_deref().unwrap_or("(none)"),
                            if stale { ": STALE" } else { "" }
                        ),
                        _ => format!("C{client} #{seq} done at index {index} after {} attempt(s)", cur.attempt),
                    };
                    self.record(RecordKind::Client { text });
                }
                self.completed.push(done);
                let now = self.now;
                let c = self.client_mut(client);
                c.leader_guess = from;
                if let Some(req) = c.start_next(now) {
                    self.send_request(client, req);
                }
            }
            Reply::NotLeader { leader: Some(l) } if l != target && (l as usize) <= self.nodes.len() => {
                if let Some(req) = self.client_mut(client).retry(l) {
                    self.send_request(client, req);
                }
            }
            Reply::NotLeader { .. } => {
                // Leader unknown: try the next node when the timeout fires.
                let next = self.next_node_after(target);
                self.client_mut(client).leader_guess = next;
            }
        }
    }

    /// Clients give up the operations they have not started yet (those in progress go on).
    pub fn drop_queued_client_ops(&mut self) {
        for c in &mut self.clients {
            c.queue.clear();
        }
    }

    /// Starts a steady load of `per_sec` client writes per virtual second (0 stops it).
    pub fn set_workload(&mut self, per_sec: u64) {
        if per_sec == 0 {
            self.workload = None;
            return;
        }
        let interval_us = 1_000_000 / per_sec;
        let next_us = self.now * 1000 + interval_us;
        let restart = self.workload.is_none();
        let count = self.workload.as_ref().map_or(0, |w| w.count);
        self.workload = Some(Workload { interval_us, next_us, count });
        if restart {
            self.schedule(next_us.div_ceil(1000), Pending::Workload);
        }
    }

    fn on_workload(&mut self) {
        let Some(w) = self.workload.as_mut() else { return };
        w.count += 1;
        w.next_us += w.interval_us;
        let (n, next) = (w.count, w.next_us.div_ceil(1000));
        let client = (n - 1) % self.clients.len() as u64 + 1;
        if self.scratch.workload_keys.is_empty() {
            self.scratch.workload_keys = WORKLOAD_KEYS.iter().map(|&k| k.into()).collect();
        }
        let key = self.scratch.workload_keys[(n % 8) as usize].clone();
        // The digits are ASCII, so the fallback never happens.
        let value = std::str::from_utf8(crate::kv::decimal_digits(n, &mut [0; 20])).unwrap_or_default().into();
        let op = Op::Write { key, value };
        let _ = self.submit(client, op);
        self.schedule(next.max(self.now), Pending::Workload);
    }

    // ---- Actions -------------------------------------------------------------------------

    /// Resolves a node reference against the current state.
    pub fn resolve(&self, r: NodeRef) -> Result<NodeId, String> {
        match r {
            NodeRef::Id(id) if id >= 1 && id as usize <= self.nodes.len() => Ok(id),
            NodeRef::Id(id) => Err(format!("there is no node S{id} (nodes are S1..S{})", self.nodes.len())),
            NodeRef::Leader => self.leader().ok_or_else(|| "there is no leader right now".to_string()),
            NodeRef::Follower => self
                .nodes
                .iter()
                .find(|n| n.role() == Some(Role::Follower))
                .map(|n| n.id)
                .ok_or_else(|| "there is no live follower right now".to_string()),
        }
    }

    /// Applies an action now. The error says why it could not be applied; the world is then
    /// unchanged.
    pub fn apply_action(&mut self, action: &Action) -> Result<(), String> {
        let mark = self.records.len();
        let text = self.do_action(action)?;
        self.hash.add(0xAC7);
        if self.recording {
            // The action goes before the records of its effects.
            let kind = match action {
                Action::Caption { text } => RecordKind::Caption { text: text.clone() },
                _ => RecordKind::Action { text },
            };
            let record = Record { event: self.events, time_ms: self.now, kind };
            self.records.insert(mark.min(self.records.len()), record);
        }
        Ok(())
    }

    fn do_action(&mut self, action: &Action) -> Result<String, String> {
        Ok(match action {
            Action::Crash { node } => {
                let id = self.resolve(*node)?;
                self.crash(id)?;
                node_text("crash ", id, "")
            }
            Action::Restart { node } => {
                let id = self.resolve(*node)?;
                if self.node(id).is_up() {
                    return Err(node_text("", id, " is running; crash it first"));
                }
                if self.node(id).retired {
                    return Err(node_text("", id, " was shut down for good"));
                }
                self.boot(id);
                node_text("restart ", id, "")
            }
            Action::Pause { node } => {
                let id = self.resolve(*node)?;
                let now = self.now;
                let n = self.node_mut(id);
                if !n.is_up() || n.paused {
                    return Err(node_text("", id, " is not running"));
                }
                n.paused = true;
                n.epoch += 1;
                n.paused_at = now;
                node_text("pause ", id, "")
            }
            Action::Resume { node } => {
                let id = self.resolve(*node)?;
                self.resume(id)?;
                node_text("resume ", id, "")
            }
            Action::LoseDisk { node } => {
                let id = self.resolve(*node)?;
                if self.node(id).is_up() {
                    self.crash(id)?;
                }
                self.node_mut(id).disk = DurableState::default();
                self.checker.on_disk_loss(id);
                self.boot(id);
                node_text("", id, " lost its disk and restarted empty")
            }
            Action::Partition { groups } => {
                let mut ids = Vec::new();
                for g in groups {
                    ids.push(self.resolve_all(g)?);
                }
                let all = self.node_ids();
                self.network.partition(&all, &ids);
                let mut text = "partition ".to_string();
                for (i, g) in ids.iter().enumerate() {
                    text += if i == 0 { "" } else { " | " };
                    text += &node_list(g, ",");
                }
                text
            }
            Action::Isolate { node } => {
                let id = self.resolve(*node)?;
                let all = self.node_ids();
                self.network.partition(&all, &[vec![id]]);
                node_text("isolate ", id, "")
            }
            Action::Heal => {
                self.network.heal();
                "heal the network".to_string()
            }
            Action::Cut { from, to, oneway } | Action::Uncut { from, to, oneway } => {
                let (a, b) = (self.resolve(*from)?, self.resolve(*to)?);
                if a == b {
                    return Err(node_text("a link joins two different nodes, not ", a, " and itself"));
                }
                let arrow = if *oneway { "->" } else { "<->" };
                if matches!(action, Action::Cut { .. }) {
                    self.network.cut_link(a, b, !oneway);
                    nodes_text("cut ", a, arrow, b, "")
                } else {
                    self.network.restore_link(a, b, !oneway);
                    nodes_text("restore ", a, arrow, b, "")
                }
            }
            Action::SetNetwork { link, latency_ms, loss, duplicate, reorder } => {
                let target = match link {
                    Some([a, b]) => Some((self.resolve(*a)?, self.resolve(*b)?)),
                    None => None,
                };
                let mut cfg = match target {
                    Some(k) => *self.network.links.get(&k).unwrap_or(&self.network.default),
                    None => self.network.default,
                };
                if let Some(l) = latency_ms {
                    cfg.latency_ms = *l;
                }
                cfg.loss = loss.unwrap_or(cfg.loss);
                cfg.duplicate = duplicate.unwrap_or(cfg.duplicate);
                cfg.reorder = reorder.unwrap_or(cfg.reorder);
                cfg.validate()?;
                match target {
                    Some(k) => {
                        self.network.links.insert(k, cfg);
                    }
                    None => self.network.default = cfg,
                }
                let [lo, hi] = cfg.latency_ms;
                let on = target.map_or("all links".to_string(), |(a, b)| nodes_text("", a, "->", b, ""));
                format!(
                    "network on {on}: latency {lo}-{hi} ms, loss {}, duplicate {}, reorder {}",
                    Probability(cfg.loss),
                    Probability(cfg.duplicate),
                    Probability(cfg.reorder)
                )
            }
            Action::ClientWrite { key, value, client } => {
                let c = client.unwrap_or(1);
                self.submit(c, Op::Write { key: key.as_str().into(), value: value.as_str().into() })?;
                format!("C{c} writes {key}={value}")
            }
            Action::ClientRead { key, client, mode, via } => {
                let c = client.unwrap_or(1);
                let mode = mode.unwrap_or_default();
                let via = via.map(|v| self.resolve(v)).transpose()?;
                self.submit_via(c, Op::Read { key: key.as_str().into(), mode }, via)?;
                format!("C{c} reads {key} ({})", mode.name())
            }
            Action::AddNode => {
                let id = self.nodes.len() as NodeId + 1;
                if id as usize > crate::config::MAX_NODES {
                    return Err(format!("at most {} nodes", crate::config::MAX_NODES));
                }
                let leader = self.leader().ok_or("there is no leader to add the node")?;
                match self.change_membership(leader, ConfChange::AddLearner(id))? {
                    Some(refusal) => refusal,
                    None => {
                        self.nodes.push(SimNode::new(id));
                        self.boot(id);
                        nodes_text("", leader, " adds a new node ", id, " as a learner")
                    }
                }
            }
            Action::Promote { node } => {
                let id = self.resolve(*node)?;
                let leader = self.leader().ok_or("there is no leader to promote the node")?;
                // Only a learner is promoted: it has caught up, and a node shut down for good
                // (or a removed identity) never comes back as a voter.
                let is_learner = self.node(leader).raft.as_ref().is_some_and(|r| r.membership().is_learner(id));
                if !is_learner || self.node(id).retired {
                    return Err(node_text("", id, " is not a learner; add a node first, then promote it"));
                }
                let refusal = self.change_membership(leader, ConfChange::AddVoter(id))?;
                refusal.unwrap_or_else(|| nodes_text("", leader, " makes ", id, " a voter"))
            }
            Action::RemoveNode { node } => {
                let id = self.resolve(*node)?;
                let leader = self.leader().ok_or("there is no leader to remove the node")?;
                let refusal = self.change_membership(leader, ConfChange::Remove(id))?;
                refusal.unwrap_or_else(|| nodes_text("", leader, " removes ", id, ""))
            }
            Action::ChangeVoters { voters } => {
                let ids = self.resolve_all(voters)?;
                let leader = self.leader().ok_or("there is no leader to change the configuration")?;
                let names = node_list(&ids, ", ");
                let refusal = self.change_membership(leader, ConfChange::Joint(ids))?;
                refusal.unwrap_or_else(|| node_text("", leader, " starts a joint change to voters ") + &names)
            }
            Action::Compact { node } => {
                let id = self.resolve(*node)?;
                let applied = self.node(id).kv.applied;
                let data = self.node(id).kv.to_bytes();
                self.with_raft_cold(id, |r| r.compact(applied, data))
                    .ok_or_else(|| node_text("", id, " is crashed"))?
                    .map_err(|e| format!("S{id} cannot compact: {e}"))?;
                format!("S{id} snapshots its state machine up to {applied}")
            }
            Action::TimeoutNow { node } => {
                let id = self.resolve(*node)?;
                if self.node(id).paused {
                    return Err(node_text("", id, " is paused"));
                }
                self.with_raft_cold(id, |r| r.campaign()).ok_or_else(|| node_text("", id, " is crashed"))?;
                node_text("", id, " times out now")
            }
            Action::TransferLeadership { to } => {
                let to = self.resolve(*to)?;
                let leader = self.leader().ok_or("there is no leader to transfer from")?;
                self.with_raft_cold(leader, |r| r.transfer_leadership(to))
                    .ok_or("the leader is down")?
                    .map_err(|e| format!("S{leader} cannot transfer to S{to}: {e}"))?;
                nodes_text("", leader, " transfers leadership to ", to, "")
            }
            Action::DropMessage { id } => {
                let m = self.in_flight.get_mut(id).ok_or_else(|| message_text("", *id, " is not in flight"))?;
                m.dropped = true;
                message_text("drop ", *id, "")
            }
            Action::DuplicateMessage { id } => {
                let m = self.in_flight.get(id).ok_or_else(|| message_text("", *id, " is not in flight"))?.clone();
                self.send(m.from, m.to, m.payload);
                message_text("duplicate ", *id, "")
            }
            Action::DelayMessage { id, ms } => {
                let m = self.in_flight.get_mut(id).ok_or_else(|| message_text("", *id, " is not in flight"))?;
                let (old, new) = (m.deliver_ms, m.deliver_ms + ms);
                m.deliver_ms = new;
                // The earlier delivery event stays queued and is skipped when it fires.
                self.schedule(new, Pending::Deliver { msg: *id });
                format!("delay message {id} from {old} to {new} ms")
            }
            Action::Caption { text } => text.clone(),
        })
    }

    /// Resolves each reference; the first failure is the error.
    fn resolve_all(&self, refs: &[NodeRef]) -> Result<Vec<NodeId>, String> {
        let mut ids = Vec::with_capacity(refs.len());
        for r in refs {
            ids.push(self.resolve(*r)?);
        }
        Ok(ids)
    }

    /// Every node id, bootstrap and added ones.
    pub fn node_ids(&self) -> Vec<NodeId> {
        (1..=self.nodes.len() as NodeId).collect()
    }

    /// Proposes a change at the leader. A new leader that has not yet committed an entry of its
    /// term refuses by Raft's rule: that is an outcome worth showing (`Ok(Some(why))`), not a
    /// bad action; the other refusals are errors.
    fn change_membership(&mut self, leader: NodeId, change: ConfChange) -> Result<Option<String>, String> {
        match self.with_raft_cold(leader, |r| r.propose_conf_change(change)).ok_or("the leader is down")? {
            Ok(_) => Ok(None),
            Err(raft_core::ProposeError::OwnTermNotCommitted) => Ok(Some(node_text(
                "",
                leader,
                " refuses to change membership: it has not yet committed an entry of its term",
            ))),
            Err(e @ (raft_core::ProposeError::ChangePending | raft_core::ProposeError::InvalidChange(_))) => {
                Err(e.to_string())
            }
            Err(other) => Err(format!("S{leader} refused: {other}")),
        }
    }

    fn crash(&mut self, id: NodeId) -> Result<(), String> {
        let n = self.node_mut(id);
        if !n.is_up() {
            return Err(node_text("", id, " is already crashed"));
        }
        n.raft = None;
        n.kv = Default::default();
        n.held.clear();
        n.pending.clear();
        n.reads.clear();
        n.paused = false;
        n.epoch += 1;
        Ok(())
    }

    fn resume(&mut self, id: NodeId) -> Result<(), String> {
        let now = self.now;
        let n = self.node_mut(id);
        if !n.paused {
            return Err(node_text("", id, " is not paused"));
        }
        n.paused = false;
        n.epoch += 1;
        let epoch = n.epoch;
        let held = std::mem::take(&mut n.held);
        let paused_ms = now - n.paused_at;
        let tick = self.config.cluster.tick_ms_of(id);
        self.schedule(self.now + tick, Pending::Tick { node: id, epoch });
        // The node's clock ran on while it was frozen: it sees the missed ticks first (two
        // election timeouts' worth at most; more change nothing), so a leader knows its lease
        // has expired before it serves a held read.
        let missed = (paused_ms / tick).min(2 * self.config.cluster.election_ticks as u64);
        for _ in 0..missed {
            self.with_raft_cold(id, |r| r.tick());
        }
        for (_, payload) in held {
            self.deliver_to_node(id, payload);
        }
        Ok(())
    }

    // ---- Views ---------------------------------------------------------------------------

    /// True if every live node holds the same log (used by scenario expectations). Snapshots
    /// cut logs at different points, so logs are compared where they overlap and must end alike.
    pub fn logs_identical(&self) -> bool {
        let logs: Vec<&raft_core::RaftLog> =
            self.nodes.iter().filter_map(|n| n.raft.as_ref()).map(|r| r.log()).collect();
        let Some(first) = logs.first() else { return true };
        logs.iter().all(|l| {
            let same_end = l.last_index() == first.last_index() && l.last_term() == first.last_term();
            let from = l.first_index().max(first.first_index());
            same_end && (from..=l.last_index()).all(|i| l.entry(i) == first.entry(i))
        })
    }

    /// The committed value of `key` on node `id`'s state machine.
    pub fn value_on(&self, id: NodeId, key: &str) -> Option<&str> {
        self.node(id).kv.data.get(key).map(|(v, _)| v.as_str())
    }
}

// Action texts and errors go through these few formatting sites instead of one `format!` each:
// the page's wasm carries every site's code.

/// `{before}S{id}{after}`.
fn node_text(before: &str, id: NodeId, after: &str) -> String {
    format!("{before}S{id}{after}")
}

/// `{before}S{a}{mid}S{b}{after}`.
fn nodes_text(before: &str, a: NodeId, mid: &str, b: NodeId, after: &str) -> String {
    format!("{before}S{a}{mid}S{b}{after}")
}

/// `{before}message {id}{after}`.
fn message_text(before: &str, id: u64, after: &str) -> String {
    format!("{before}message {id}{after}")
}

/// `S1{sep}S2...`.
pub(crate) fn node_list(ids: &[NodeId], sep: &str) -> String {
    let mut text = String::new();
    for (i, id) in ids.iter().enumerate() {
        text += if i == 0 { "" } else { sep };
        text += &node_text("", *id, "");
    }
    text
}
