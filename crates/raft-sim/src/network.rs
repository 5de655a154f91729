//! The network between nodes and clients: messages in flight, per-link behaviour, cuts and
//! partitions. Faults belong to the world, never to the protocol.

use crate::config::LinkConfig;
use crate::kv::{ClientId, Op, Output};
use raft_core::{Index, Message, NodeId, Term, VecMap, VecSet};
use serde::{Deserialize, Serialize};
use serde::{Deserializer, Serializer};
use std::collections::BTreeMap;
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
/// live ids form a narrow window `[first, end)`. Messages sit in a slab (freed slots are
/// reused) and a ring whose length is a power of two maps `id & mask` to a slot: inserting and
/// removing are O(1) and move no message, and finding a slot is one masked index (a
/// `VecDeque` ring cost a subtraction, a wrap and trimming at both ends). A message held back
/// for long keeps the window from shrinking, at 4 bytes per id sent meanwhile.
#[derive(Clone, Debug, Default)]
pub struct InFlightMap {
    /// No id below `first` or from `end` on is in flight; `first` is live unless the map is
    /// empty.
    first: u64,
    end: u64,
    /// Slot of each id in the window at `id & (len - 1)`; `NO_SLOT` elsewhere and for ids not
    /// in flight. Empty or a power of two at least `end - first` long.
    ring: Vec<u32>,
    /// A freed slot keeps its message with a payload that owns nothing (see `store`).
    slots: Vec<InFlight>,
    free: Vec<u32>,
    len: usize,
}

const NO_SLOT: u32 = u32::MAX;

/// A placeholder payload that owns nothing, left in freed slots.
#[inline(always)]
fn husk() -> Payload {
    Payload::ClientReply { seq: 0, reply: Reply::NotLeader { leader: None } }
}

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

    #[inline(always)]
    fn ring_pos(&self, id: u64) -> usize {
        id as usize & (self.ring.len() - 1)
    }

    /// The slot of the message with this id.
    #[inline(always)]
    fn slot(&self, id: u64) -> Option<usize> {
        if id < self.first || id >= self.end {
            return None;
        }
        match self.ring[self.ring_pos(id)] {
            NO_SLOT => None,
            slot => Some(slot as usize),
        }
    }

    pub fn contains_key(&self, id: &u64) -> bool {
        self.slot(*id).is_some()
    }

    pub fn get(&self, id: &u64) -> Option<&InFlight> {
        Some(&self.slots[self.slot(*id)?])
    }

    pub fn get_mut(&mut self, id: &u64) -> Option<&mut InFlight> {
        let slot = self.slot(*id)?;
        Some(&mut self.slots[slot])
    }

    /// Adds or replaces the message with this id; returns the one replaced.
    pub fn insert(&mut self, id: u64, msg: InFlight) -> Option<InFlight> {
        if let Some(slot) = self.slot(id) {
            return Some(std::mem::replace(&mut self.slots[slot], msg));
        }
        if self.len == 0 {
            (self.first, self.end) = (id, id);
        }
        let (first, end) = (self.first.min(id), self.end.max(id + 1));
        if end - first > self.ring.len() as u64 {
            self.grow(end - first);
        }
        (self.first, self.end) = (first, end);
        let slot = self.store(msg);
        let pos = self.ring_pos(id);
        self.ring[pos] = slot;
        self.len += 1;
        None
    }

    /// Adds a message with a new id, higher than any in the map (the world's ids only grow):
    /// no lookup and no replacement to check for.
    #[inline(always)]
    pub(crate) fn push(&mut self, msg: InFlight) {
        let id = msg.id;
        debug_assert!(id >= self.end, "message {id} is not newer than those in flight");
        if self.len == 0 {
            self.first = id;
        }
        if id + 1 - self.first > self.ring.len() as u64 {
            self.end = self.end.max(self.first);
            self.grow(id + 1 - self.first);
        }
        self.end = id + 1;
        let slot = self.store(msg);
        let pos = self.ring_pos(id);
        self.ring[pos] = slot;
        self.len += 1;
    }

    /// Rebuilds the ring to hold a window of `span` ids.
    #[cold]
    fn grow(&mut self, span: u64) {
        let len = usize::try_from(span).unwrap_or(usize::MAX).next_power_of_two().max(64);
        let mut ring = vec![NO_SLOT; len];
        for id in self.first..self.end {
            ring[id as usize & (len - 1)] = self.ring[self.ring_pos(id)];
        }
        self.ring = ring;
    }

    /// Field by field into a freed slot: each field moves inline, where writing the whole
    /// 150-byte message called `memcpy`.
    #[inline(always)]
    fn store(&mut self, msg: InFlight) -> u32 {
        let Some(slot) = self.free.pop() else {
            self.slots.push(msg);
            return (self.slots.len() - 1) as u32;
        };
        let InFlight { id, from, to, sent_ms, deliver_ms, payload, dropped } = msg;
        let m = &mut self.slots[slot as usize];
        (m.id, m.from, m.to, m.sent_ms, m.deliver_ms, m.dropped) = (id, from, to, sent_ms, deliver_ms, dropped);
        // The husk owns nothing: forgetting it skips a call to drop it.
        std::mem::forget(std::mem::replace(&mut m.payload, payload));
        slot
    }

    pub fn remove(&mut self, id: &u64) -> Option<InFlight> {
        let slot = self.slot(*id)?;
        let m = &mut self.slots[slot];
        let payload = std::mem::replace(&mut m.payload, husk());
        let msg = InFlight { payload, ..*m };
        self.unlink(*id, slot);
        Some(msg)
    }

    /// The slot of the message with this id if it is due at `now` (a delayed message has a
    /// later delivery event), for [`InFlightMap::at_slot`] and [`InFlightMap::take_slot`]:
    /// a delivery reads the endpoints in place and moves only the payload out, once.
    #[inline(always)]
    pub(crate) fn due_slot(&self, id: u64, now: u64) -> Option<usize> {
        let slot = self.slot(id)?;
        (self.slots[slot].deliver_ms == now).then_some(slot)
    }

    /// The message in a slot that [`InFlightMap::due_slot`] returned.
    #[inline(always)]
    pub(crate) fn at_slot(&self, slot: usize) -> &InFlight {
        &self.slots[slot]
    }

    /// Removes the message with this id from its slot (from [`InFlightMap::due_slot`]) and
    /// returns its payload. Only the payload moves out of the slab: taking the whole 150-byte
    /// message cost calls to `memcpy` per delivery.
    #[inline(always)]
    pub(crate) fn take_slot(&mut self, id: u64, slot: usize) -> Payload {
        let payload = std::mem::replace(&mut self.slots[slot].payload, husk());
        self.unlink(id, slot);
        payload
    }

    /// Frees the slot of the message with this id; the window's start moves past dead ids.
    #[inline(always)]
    fn unlink(&mut self, id: u64, slot: usize) {
        let pos = self.ring_pos(id);
        self.ring[pos] = NO_SLOT;
        self.free.push(slot as u32);
        self.len -= 1;
        if id == self.first {
            while self.first < self.end && self.ring[self.ring_pos(self.first)] == NO_SLOT {
                self.first += 1;
            }
        }
    }

    /// (id, message) in id order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &InFlight)> + '_ {
        (self.first..self.end).filter_map(move |id| Some((id, self.get(&id)?)))
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
    pub links: VecMap<(NodeId, NodeId), LinkConfig>,
    /// Directed node-to-node links that deliver nothing.
    pub cut: VecSet<(NodeId, NodeId)>,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(id: u64) -> InFlight {
        let payload = Payload::ClientRequest {
            client: 1,
            seq: id,
            op: Op::Write { key: format!("k{id}").into(), value: "v".into() },
        };
        InFlight {
            id,
            from: Endpoint::Client(1),
            to: Endpoint::Node(1),
            sent_ms: id,
            deliver_ms: id + 5,
            payload,
            dropped: false,
        }
    }

    /// Against a `BTreeMap`, with ids mostly increasing, some older ones, gaps that force the
    /// ring to grow, and removals in any order.
    #[test]
    fn matches_a_btree_map() {
        let (mut map, mut model) = (InFlightMap::new(), BTreeMap::new());
        let (mut next, mut x) = (1u64, 99u64);
        let mut rand = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        for _ in 0..20_000 {
            match rand(10) {
                0..=1 => {
                    next += if rand(50) == 0 { 200 } else { 1 };
                    if model.contains_key(&next) {
                        continue;
                    }
                    map.push(msg(next));
                    model.insert(next, msg(next));
                }
                2..=4 => {
                    next += if rand(50) == 0 { 200 } else { 1 };
                    let id = if rand(20) == 0 { next.saturating_sub(rand(300)) } else { next };
                    assert_eq!(map.insert(id, msg(id)), model.insert(id, msg(id)));
                }
                5..=8 => {
                    let id = next.saturating_sub(rand(100));
                    let due = model.get(&id).map(|m: &InFlight| m.deliver_ms);
                    let got = map.due_slot(id, due.unwrap_or(0)).map(|slot| map.take_slot(id, slot));
                    assert_eq!(got, model.remove(&id).map(|m| m.payload));
                }
                _ => {
                    let id = next.saturating_sub(rand(100));
                    assert_eq!(map.remove(&id), model.remove(&id));
                }
            }
            assert_eq!(map.len(), model.len());
        }
        assert!(map.iter().map(|(id, m)| (id, m.clone())).eq(model.clone()));
        let copy: InFlightMap = serde_json::from_str(&serde_json::to_string(&map).unwrap()).unwrap();
        assert!(copy == map);
        for id in model.keys() {
            assert!(map.remove(id).is_some());
        }
        assert!(map.is_empty() && map.iter().next().is_none());
    }
}
