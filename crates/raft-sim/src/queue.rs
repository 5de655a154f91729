//! The world's event queue: a binary heap ordered by (virtual time, sequence number). The
//! sequence number makes the order total, so runs are deterministic.

use serde::{Deserialize, Serialize};
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

#[derive(Clone, Debug, Serialize, Deserialize)]
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

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(bound(serialize = "T: Serialize", deserialize = "T: Deserialize<'de>"))]
pub struct EventQueue<T> {
    heap: BinaryHeap<Reverse<Slot<T>>>,
    seq: u64,
}

impl<T> Default for EventQueue<T> {
    fn default() -> Self {
        EventQueue { heap: BinaryHeap::new(), seq: 0 }
    }
}

impl<T> EventQueue<T> {
    pub fn push(&mut self, at: u64, item: T) {
        self.seq += 1;
        self.heap.push(Reverse(Slot { at, seq: self.seq, item }));
    }

    /// The time of the earliest item.
    pub fn peek_time(&self) -> Option<u64> {
        self.heap.peek().map(|Reverse(s)| s.at)
    }

    pub fn pop(&mut self) -> Option<(u64, T)> {
        self.heap.pop().map(|Reverse(s)| (s.at, s.item))
    }
}

impl<T: PartialEq> PartialEq for EventQueue<T> {
    /// Two queues are equal when they would yield the same items in the same order.
    fn eq(&self, o: &Self) -> bool {
        fn order<T>(q: &EventQueue<T>) -> Vec<(u64, u64, &T)> {
            let mut v: Vec<&Slot<T>> = q.heap.iter().map(|Reverse(s)| s).collect();
            v.sort();
            v.into_iter().map(|s| (s.at, s.seq, &s.item)).collect()
        }
        self.seq == o.seq && order(self) == order(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_then_insertion_order() {
        let mut q = EventQueue::default();
        for (at, x) in [(5, 'a'), (1, 'b'), (5, 'c'), (0, 'd'), (1, 'e')] {
            q.push(at, x);
        }
        let got: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, x)| x)).collect();
        assert_eq!(got, ['d', 'b', 'e', 'a', 'c']);
    }
}
