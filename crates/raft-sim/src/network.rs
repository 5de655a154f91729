//! The network between nodes and clients: messages in flight, per-link behaviour, cuts and
//! partitions. Faults belong to the world, never to the protocol.

use crate::config::LinkConfig;
use crate::kv::{ClientId, Op, Output};
use raft_core::{Index, Message, NodeId, Term};
use serde::{Deserialize, Serialize};
use serde::{Deserializer, Serializer};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;

/// Who sends or receives a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Endpoint {
    Node(NodeId),
    Client(ClientId),
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Node(id) => write!(f, "S{id}"),
            Endpoint::Client(id) => write!(f, "C{id}"),
        }
    }
}

/// A node's answer to a client request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reply {
    /// Applied at `index` (an entry of `term`); `output` is the value written or read. For a
    /// read, `version` is the index of the write that produced the value (0: none), and
    /// `index` the applied index it was served at.
    Ok {
        output: Output,
        index: Index,
        term: Term,
        #[serde(default)]
        version: Index,
    },
    /// This node does not lead; try `leader` if known.
    NotLeader { leader: Option<NodeId> },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Payload {
    Raft(Message),
    ClientRequest { client: ClientId, seq: u64, op: Op },
    ClientReply { seq: u64, reply: Reply },
}

/// A message on the wire. Positions on the page are interpolated from `sent_ms` to
/// `deliver_ms`; a lost message is drawn until `deliver_ms` and then vanishes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InFlight {
    pub id: u64,
    pub from: Endpoint,
    pub to: Endpoint,
    pub sent_ms: u64,
    pub deliver_ms: u64,
    pub payload: Payload,
    /// Decided at send time (loss) or by the user (drop); it will not arrive.
    pub dropped: bool,
}

impl InFlight {
    /// Short kind name, as used by `data-msg-kind` and scenario files.
    pub fn kind(&self) -> &'static str {
        match &self.payload {
            Payload::Raft(m) => m.kind().name(),
            Payload::ClientRequest { .. } => "ClientRequest",
            Payload::ClientReply { .. } => "ClientReply",
        }
    }

    pub fn summary(&self) -> String {
        summarize(self.from, self.to, &self.payload)
    }
}

/// A message as it arrives: what a delivery needs of an [`InFlight`] (its id and times are
/// known or spent).
pub(crate) struct Arrival {
    pub from: Endpoint,
    pub to: Endpoint,
    pub dropped: bool,
    pub payload: Payload,
}

impl Arrival {
    pub fn summary(&self) -> String {
        summarize(self.from, self.to, &self.payload)
    }
}

fn summarize(from: Endpoint, to: Endpoint, payload: &Payload) -> String {
    match payload {
        Payload::Raft(m) => m.summary(),
        Payload::ClientRequest { seq, op, .. } => {
            let what = match op {
                Op::Write { key, value } => format!("write {key}={value}"),
                Op::Read { key, mode } => format!("read {key} ({})", mode.name()),
            };
            format!("{from}->{to} ClientRequest #{seq} {what}")
        }
        Payload::ClientReply { seq, reply } => {
            let what = match reply {
                Reply::Ok { output, index, .. } => {
                    format!("ok {} at {index}", output.as_deref().unwrap_or("(none)"))
                }
                Reply::NotLeader { leader: Some(l) } => format!("not leader, try S{l}"),
                Reply::NotLeader { leader: None } => "not leader, leader unknown".to_string(),
            };
            format!("{from}->{to} ClientReply #{seq} {what}")
        }
    }
}

/// The messages on the wire, by id: the interface of the `BTreeMap<u64, InFlight>` it
/// replaced, iterating in id order.
///
/// Ids are handed out in increasing order and most messages arrive within tens of ms, so the
/// live ids form a narrow window. Messages sit in a slab (freed slots are reused) and a ring
/// maps `id - first` to a slot: inserting and removing are O(1) and move no message, where the
/// map moved whole 150-byte messages about its nodes. A message held back for long keeps the
/// ring from shrinking, at 4 bytes per id sent meanwhile.
#[derive(Clone, Debug, Default)]
pub struct InFlightMap {
    /// The id of `ring[0]`.
    first: u64,
    /// Slot of each id from `first` on; `NO_SLOT` for ids not in flight. Its ends are live.
    ring: VecDeque<u32>,
    slots: Vec<Option<InFlight>>,
    free: Vec<u32>,
    len: usize,
}

const NO_SLOT: u32 = u32::MAX;

impl InFlightMap {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn slot(&self, id: u64) -> Option<usize> {
        self.position(id).map(|(_, slot)| slot)
    }

    /// The ring position and slot of the message with this id.
    #[inline(always)]
    fn position(&self, id: u64) -> Option<(usize, usize)> {
        let pos = usize::try_from(id.checked_sub(self.first)?).ok()?;
        match *self.ring.get(pos)? {
            NO_SLOT => None,
            slot => Some((pos, slot as usize)),
        }
    }

    pub fn contains_key(&self, id: &u64) -> bool {
        self.slot(*id).is_some()
    }

    pub fn get(&self, id: &u64) -> Option<&InFlight> {
        self.slots[self.slot(*id)?].as_ref()
    }

    pub fn get_mut(&mut self, id: &u64) -> Option<&mut InFlight> {
        let slot = self.slot(*id)?;
        self.slots[slot].as_mut()
    }

    /// Adds or replaces the message with this id; returns the one replaced.
    pub fn insert(&mut self, id: u64, msg: InFlight) -> Option<InFlight> {
        let next = self.first + self.ring.len() as u64;
        if id != next || self.ring.is_empty() {
            return self.insert_anywhere(id, msg);
        }
        // The usual case: the next id.
        let slot = self.store(msg);
        self.ring.push_back(slot);
        self.len += 1;
        None
    }

    #[inline(always)]
    fn store(&mut self, msg: InFlight) -> u32 {
        match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = Some(msg);
                slot
            }
            None => {
                self.slots.push(Some(msg));
                (self.slots.len() - 1) as u32
            }
        }
    }

    fn insert_anywhere(&mut self, id: u64, msg: InFlight) -> Option<InFlight> {
        if let Some(slot) = self.slot(id) {
            return self.slots[slot].replace(msg);
        }
        if self.ring.is_empty() {
            self.first = id;
        }
        // Grow the ring to cover `id` (new ids come at the back; only deserializing or an
        // explicit older id reaches the front).
        while id < self.first {
            self.ring.push_front(NO_SLOT);
            self.first -= 1;
        }
        let pos = (id - self.first) as usize;
        while self.ring.len() <= pos {
            self.ring.push_back(NO_SLOT);
        }
        self.ring[pos] = self.store(msg);
        self.len += 1;
        None
    }

    pub fn remove(&mut self, id: &u64) -> Option<InFlight> {
        let (pos, slot) = self.position(*id)?;
        let msg = self.slots[slot].take();
        self.unlink(pos, slot);
        msg
    }

    /// Removes the message with this id if it is due at `now` (a delayed message has a later
    /// delivery event), in one lookup. Only the payload moves out of the slab: taking the whole
    /// 144-byte message and unwrapping the Option cost three calls to `memcpy` per delivery.
    #[inline(always)]
    pub(crate) fn take_due(&mut self, id: u64, now: u64) -> Option<Arrival> {
        let (pos, slot) = self.position(id)?;
        let msg = self.slots[slot].as_mut().filter(|m| m.deliver_ms == now)?;
        // A placeholder that owns nothing, dropped with the rest of the message below.
        let husk = Payload::ClientReply { seq: 0, reply: Reply::NotLeader { leader: None } };
        let payload = std::mem::replace(&mut msg.payload, husk);
        let arrival = Arrival { from: msg.from, to: msg.to, dropped: msg.dropped, payload };
        self.slots[slot] = None;
        self.unlink(pos, slot);
        Some(arrival)
    }

    /// Frees the slot of the message at ring position `pos`, then trims the ring's dead ends.
    #[inline(always)]
    fn unlink(&mut self, pos: usize, slot: usize) {
        self.ring[pos] = NO_SLOT;
        self.free.push(slot as u32);
        self.len -= 1;
        if pos == 0 {
            while self.ring.front() == Some(&NO_SLOT) {
                self.ring.pop_front();
                self.first += 1;
            }
        }
        while self.ring.back() == Some(&NO_SLOT) {
            self.ring.pop_back();
        }
    }

    /// (id, message) in id order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &InFlight)> + '_ {
        let first = self.first;
        self.ring
            .iter()
            .enumerate()
            .filter(|&(_, &s)| s != NO_SLOT)
            .filter_map(move |(pos, &s)| self.slots[s as usize].as_ref().map(|m| (first + pos as u64, m)))
    }

    pub fn keys(&self) -> impl Iterator<Item = u64> + '_ {
        self.iter().map(|(id, _)| id)
    }

    /// Messages in id order.
    pub fn values(&self) -> impl Iterator<Item = &InFlight> + '_ {
        self.iter().map(|(_, m)| m)
    }
}

impl PartialEq for InFlightMap {
    fn eq(&self, o: &Self) -> bool {
        self.len == o.len && self.iter().eq(o.iter())
    }
}

/// Serialized as the map it replaced: `{"id": message, ...}`.
impl Serialize for InFlightMap {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for InFlightMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<u64, InFlight>::deserialize(d)?;
        let mut out = InFlightMap::new();
        for (id, msg) in map {
            out.insert(id, msg);
        }
        Ok(out)
    }
}

/// Link state between nodes. Cuts are directed, so a link can fail one way only.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Network {
    pub default: LinkConfig,
    /// Overrides for node-to-node links, by (from, to).
    #[serde(with = "crate::serde_pairs")]
    pub links: BTreeMap<(NodeId, NodeId), LinkConfig>,
    /// Directed node-to-node links that deliver nothing.
    pub cut: BTreeSet<(NodeId, NodeId)>,
}

impl Network {
    pub fn new(default: LinkConfig) -> Self {
        Network { default, ..Default::default() }
    }

    // Inlined (as is `is_cut`): asked on every send and delivery.
    #[inline]
    pub fn link(&self, from: Endpoint, to: Endpoint) -> &LinkConfig {
        match (from, to) {
            (Endpoint::Node(a), Endpoint::Node(b)) => self.links.get(&(a, b)).unwrap_or(&self.default),
            _ => &self.default,
        }
    }

    /// Clients stand outside the cluster: partitions and cuts affect only node-to-node links.
    #[inline]
    pub fn is_cut(&self, from: Endpoint, to: Endpoint) -> bool {
        match (from, to) {
            (Endpoint::Node(a), Endpoint::Node(b)) => self.cut.contains(&(a, b)),
            _ => false,
        }
    }

    pub fn cut_link(&mut self, a: NodeId, b: NodeId, both_ways: bool) {
        self.cut.insert((a, b));
        if both_ways {
            self.cut.insert((b, a));
        }
    }

    pub fn restore_link(&mut self, a: NodeId, b: NodeId, both_ways: bool) {
        self.cut.remove(&(a, b));
        if both_ways {
            self.cut.remove(&(b, a));
        }
    }

    /// Splits `all` into the given groups (nodes not named form one more group): every link
    /// between groups is cut, both ways. Earlier cuts stay.
    pub fn partition(&mut self, all: &[NodeId], groups: &[Vec<NodeId>]) {
        let group_of = |id: NodeId| groups.iter().position(|g| g.contains(&id)).unwrap_or(groups.len());
        for &a in all {
            for &b in all {
                if a != b && group_of(a) != group_of(b) {
                    self.cut.insert((a, b));
                }
            }
        }
    }

    /// Restores every link.
    pub fn heal(&mut self) {
        self.cut.clear();
    }
}
