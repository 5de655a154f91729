//! The world's event queue, ordered by (virtual time, insertion order), so runs are
//! deterministic.
//!
//! Times are whole milliseconds and nearly every event falls within a few hundred ms of now
//! (message latencies, ticks, client timeouts), so the queue is a timing wheel: one FIFO
//! bucket per millisecond of the next `WHEEL_MS`, and a binary heap for the rare later events.
//! Pushing and popping are O(1) for the wheel, where a heap of every event cost a dozen
//! comparisons and moves per pop.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// Milliseconds the wheel covers (a power of two).
const WHEEL_MS: u64 = 512;

/// A later event: the heap orders by time, then by `seq` (insertion order).
#[derive(Clone, Debug)]
struct Slot<T> {
    at: u64,
    seq: u64,
    item: T,
}

impl<T> PartialEq for Slot<T> {
    fn eq(&self, o: &Self) -> bool {
        (self.at, self.seq) == (o.at, o.seq)
    }
}
impl<T> Eq for Slot<T> {}
impl<T> PartialOrd for Slot<T> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl<T> Ord for Slot<T> {
    fn cmp(&self, o: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(o.at, o.seq))
    }
}

/// One millisecond's items in insertion order: a vector read from `head`, emptied once read to
/// the end. Pushing is a plain `Vec::push` and popping a read and an increment, where a
/// `VecDeque` wrapped its indexes on both.
#[derive(Clone, Debug)]
struct Bucket<T> {
    items: Vec<T>,
    head: usize,
}

impl<T> Default for Bucket<T> {
    fn default() -> Self {
        Bucket { items: Vec::new(), head: 0 }
    }
}

impl<T: Copy> Bucket<T> {
    #[inline(always)]
    fn push_back(&mut self, item: T) {
        self.items.push(item);
    }

    #[inline(always)]
    fn pop_front(&mut self) -> Option<T> {
        let item = *self.items.get(self.head)?;
        self.head += 1;
        if self.head == self.items.len() {
            self.items.clear();
            self.head = 0;
        }
        Some(item)
    }
}

impl<T> Bucket<T> {
    fn is_empty(&self) -> bool {
        self.head == self.items.len()
    }

    fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items[self.head..].iter()
    }
}

/// Invariants: no item is due before `base`; the items due in [base, base + WHEEL_MS) are in
/// `wheel[at % WHEEL_MS]` in insertion order; later ones are in `far`. Items move from `far`
/// to the wheel as soon as `base` advances far enough, before anything else can be pushed for
/// their time, so insertion order holds across the two.
#[derive(Clone, Debug)]
pub struct EventQueue<T> {
    /// An array, not a `Vec`: a bucket's index (the time modulo `WHEEL_MS`) then needs no
    /// bounds check.
    wheel: Box<[Bucket<T>; WHEEL_MS as usize]>,
    base: u64,
    /// Items in the wheel.
    near: usize,
    far: BinaryHeap<Reverse<Slot<T>>>,
    seq: u64,
}

impl<T> Default for EventQueue<T> {
    fn default() -> Self {
        EventQueue {
            wheel: Box::new(std::array::from_fn(|_| Bucket::default())),
            base: 0,
            near: 0,
            far: BinaryHeap::new(),
            seq: 0,
        }
    }
}

impl<T: Copy> EventQueue<T> {
    fn bucket(&mut self, at: u64) -> &mut Bucket<T> {
        &mut self.wheel[(at % WHEEL_MS) as usize]
    }

    pub fn push(&mut self, at: u64, item: T) {
        self.push_inline(at, item);
    }

    /// [`EventQueue::push`], inlined where it is called for every message.
    #[inline(always)]
    pub fn push_inline(&mut self, at: u64, item: T) {
        // The world never schedules in the past (events are due at or after the one being
        // handled); should it, the item is due now.
        debug_assert!(at >= self.base, "event at {at} ms scheduled before {} ms", self.base);
        let at = at.max(self.base);
        if at < self.base + WHEEL_MS {
            self.bucket(at).push_back(item);
            self.near += 1;
        } else {
            self.push_far(at, item);
        }
    }

    #[cold]
    #[inline(never)]
    fn push_far(&mut self, at: u64, item: T) {
        self.seq += 1;
        self.far.push(Reverse(Slot { at, seq: self.seq, item }));
    }

    /// The earliest time with an item in the wheel, if any.
    fn first_near(&self) -> Option<u64> {
        if self.near == 0 {
            return None;
        }
        (self.base..self.base + WHEEL_MS).find(|&t| !self.wheel[(t % WHEEL_MS) as usize].is_empty())
    }

    /// The time of the earliest item.
    pub fn peek_time(&self) -> Option<u64> {
        self.first_near().or_else(|| self.far.peek().map(|Reverse(s)| s.at))
    }

    /// Pops the earliest item if it is due at or before `t`.
    pub fn pop_until(&mut self, t: u64) -> Option<(u64, T)> {
        // More items due at `base` are the earliest (nothing is due before it, and the heap
        // holds only later times): nothing to search, and nothing moves from the heap.
        if self.base <= t {
            let base = self.base;
            if let Some(item) = self.bucket(base).pop_front() {
                self.near -= 1;
                return Some((base, item));
            }
        }
        let at = self.peek_time().filter(|&at| at <= t)?;
        self.base = at;
        // Everything the wheel now covers joins it, in (time, insertion) order.
        while self.far.peek().is_some_and(|Reverse(s)| s.at < at + WHEEL_MS) {
            if let Some(Reverse(s)) = self.far.pop() {
                self.bucket(s.at).push_back(s.item);
                self.near += 1;
            }
        }
        let item = self.bucket(at).pop_front()?;
        self.near -= 1;
        Some((at, item))
    }

    /// Every item in the order it will be popped.
    fn in_order(&self) -> impl Iterator<Item = (u64, &T)> + '_ {
        let mut far: Vec<&Slot<T>> = self.far.iter().map(|Reverse(s)| s).collect();
        far.sort();
        let near = (self.base..self.base + WHEEL_MS)
            .flat_map(move |t| self.wheel[(t % WHEEL_MS) as usize].iter().map(move |item| (t, item)));
        near.chain(far.into_iter().map(|s| (s.at, &s.item)))
    }
}

impl<T: Copy + PartialEq> PartialEq for EventQueue<T> {
    /// Two queues are equal when they would yield the same items in the same order.
    fn eq(&self, o: &Self) -> bool {
        self.base == o.base && self.in_order().eq(o.in_order())
    }
}

/// Serialized as `base` and the items in pop order; deserializing pushes them back in order.
#[derive(Deserialize)]
struct Saved<T> {
    base: u64,
    items: Vec<(u64, T)>,
}

impl<T: Copy + Serialize> Serialize for EventQueue<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct SavedRef<'a, T> {
            base: u64,
            items: Vec<(u64, &'a T)>,
        }
        SavedRef { base: self.base, items: self.in_order().collect() }.serialize(s)
    }
}

impl<'de, T: Copy + Deserialize<'de>> Deserialize<'de> for EventQueue<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let saved = Saved::<T>::deserialize(d)?;
        let mut q = EventQueue { base: saved.base, ..Default::default() };
        for (at, item) in saved.items {
            if at < q.base {
                return Err(serde::de::Error::custom("an event is due before the queue's base time"));
            }
            q.push(at, item);
        }
        Ok(q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain<T: Copy>(q: &mut EventQueue<T>) -> Vec<(u64, T)> {
        std::iter::from_fn(|| q.pop_until(u64::MAX)).collect()
    }

    #[test]
    fn pops_in_time_then_insertion_order() {
        let mut q = EventQueue::default();
        for (at, x) in [(5, 'a'), (1, 'b'), (5, 'c'), (0, 'd'), (1, 'e')] {
            q.push(at, x);
        }
        let got: Vec<char> = drain(&mut q).into_iter().map(|(_, x)| x).collect();
        assert_eq!(got, ['d', 'b', 'e', 'a', 'c']);
    }

    /// Against a plain sorted list, with times near and far and pushes between pops.
    #[test]
    fn matches_a_sorted_list_across_the_wheel_and_the_heap() {
        let mut q = EventQueue::default();
        let mut model: Vec<(u64, u64, u32)> = Vec::new();
        let (mut now, mut seq, mut x) = (0u64, 0u64, 12345u64);
        let mut rand = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        for step in 0..20_000u32 {
            if rand(3) > 0 {
                let delay = match rand(4) {
                    0 => rand(3),
                    1 => rand(40),
                    2 => rand(600),
                    _ => WHEEL_MS - 2 + rand(4),
                };
                seq += 1;
                q.push(now + delay, step);
                model.push((now + delay, seq, step));
            } else {
                model.sort();
                let want = (!model.is_empty()).then(|| model.remove(0));
                assert_eq!(q.peek_time(), want.map(|w| w.0));
                let got = q.pop_until(u64::MAX);
                assert_eq!(got, want.map(|(at, _, s)| (at, s)));
                if let Some((at, _)) = got {
                    now = at;
                }
            }
        }
        let copy: EventQueue<u32> = serde_json::from_str(&serde_json::to_string(&q).unwrap()).unwrap();
        assert!(copy == q);
        model.sort();
        let rest: Vec<(u64, u32)> = model.into_iter().map(|(at, _, s)| (at, s)).collect();
        assert_eq!(drain(&mut q), rest);
    }
}
