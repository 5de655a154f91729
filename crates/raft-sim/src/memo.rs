//! Values computed from an entry's command bytes, kept for the entries seen lately, so each is
//! computed once rather than once per replica.
//!
//! Every replica writes and applies every entry, and an entry's command bytes are one `Arc`
//! shared by every log, disk and message that holds the entry. The replicas after the first
//! find the value by that pointer: while a slot holds its clone the allocation cannot be freed
//! and reused, so the same pointer means the same bytes. Decoding a command was nearly half
//! of applying it, and hashing an entry most of the checker's work per write and apply.
//!
//! A memo is a cache, not state: it compares equal to any other and clones empty.

use crate::kv::{ClientId, CommandRef, OpRef};
use raft_core::{Index, Term};
use std::sync::Arc;

/// Slots, by log index: replicas write and apply an entry within a few entries of each other.
const SLOTS: usize = 64;

pub(crate) struct EntryMemo<T> {
    slots: Vec<Slot<T>>,
}

struct Slot<T> {
    bytes: Option<Arc<[u8]>>,
    term: Term,
    value: T,
}

impl<T: Default> EntryMemo<T> {
    /// The value for the command of entry (`index`, `term`) with these bytes; `fill` computes
    /// it, in place of the slot's previous value, when the slot holds another entry's.
    pub fn get(&mut self, index: Index, term: Term, bytes: &Arc<[u8]>, fill: impl FnOnce(&mut T)) -> &T {
        if self.slots.is_empty() {
            self.slots.resize_with(SLOTS, || Slot { bytes: None, term: 0, value: T::default() });
        }
        let slot = &mut self.slots[index as usize % SLOTS];
        if slot.term != term || !slot.bytes.as_ref().is_some_and(|b| Arc::ptr_eq(b, bytes)) {
            (slot.bytes, slot.term) = (Some(bytes.clone()), term);
            fill(&mut slot.value);
        }
        &slot.value
    }
}

impl<T> Default for EntryMemo<T> {
    fn default() -> Self {
        EntryMemo { slots: Vec::new() }
    }
}

impl<T> Clone for EntryMemo<T> {
    fn clone(&self) -> Self {
        EntryMemo::default()
    }
}

impl<T> PartialEq for EntryMemo<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> Eq for EntryMemo<T> {}

impl<T> std::fmt::Debug for EntryMemo<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EntryMemo")
    }
}

/// A decoded command (`ok` false: the bytes are not one), its strings overwritten in place by
/// the next entry's.
#[derive(Default)]
pub(crate) struct Decoded {
    ok: bool,
    client: ClientId,
    seq: u64,
    write: bool,
    key: String,
    value: String,
}

impl Decoded {
    pub fn fill(&mut self, cmd: Option<CommandRef>) {
        self.ok = cmd.is_some();
        let Some(cmd) = cmd else { return };
        (self.client, self.seq) = (cmd.client, cmd.seq);
        let (key, value) = match cmd.op {
            OpRef::Write { key, value } => (key, value),
            OpRef::Read { key } => (key, ""),
        };
        self.write = matches!(cmd.op, OpRef::Write { .. });
        self.key.clear();
        self.key.push_str(key);
        self.value.clear();
        self.value.push_str(value);
    }

    pub fn command(&self) -> Option<CommandRef<'_>> {
        let op = match self.write {
            true => OpRef::Write { key: &self.key, value: &self.value },
            false => OpRef::Read { key: &self.key },
        };
        self.ok.then_some(CommandRef { client: self.client, seq: self.seq, op })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kv::{Command, Op, ReadMode};

    #[test]
    fn gives_what_decode_gives_for_every_entry() {
        let mut memo = EntryMemo::<Decoded>::default();
        let mut decode = |index: Index, term: Term, bytes: &Arc<[u8]>| {
            memo.get(index, term, bytes, |d| d.fill(CommandRef::decode(bytes))).command().map(|c| format!("{c:?}"))
        };
        let write = |n: u64| Command {
            client: n,
            seq: n + 1,
            op: Op::Write { key: format!("k{n}").into(), value: "v".into() },
        };
        let read = Command { client: 2, seq: 9, op: Op::Read { key: "x".into(), mode: ReadMode::Log } };
        let entries: Vec<Arc<[u8]>> = [write(1).encode(), read.encode(), b"junk".to_vec(), write(3).encode()]
            .into_iter()
            .map(Arc::from)
            .collect();
        let want = |bytes: &Arc<[u8]>| CommandRef::decode(bytes).map(|c| format!("{c:?}"));
        // Twice over, with indexes that share a slot and with another term.
        for round in 0..3 {
            for (i, bytes) in entries.iter().enumerate() {
                let index = (i * SLOTS * round + i) as Index;
                assert_eq!(decode(index, round as Term / 2, bytes), want(bytes), "entry {i}, round {round}");
            }
        }
        // Equal bytes in another allocation decode alike.
        let copy: Arc<[u8]> = Arc::from(write(1).encode());
        assert_eq!(decode(0, 0, &copy), want(&copy));
    }
}
