//! A node's log with its durability and commit marks.
//!
//! `entries` holds every entry after `offset`, the last index a snapshot covers (0 without one).
//! Entries up to `stable` are on disk; the rest wait for the host to write them. Invariants:
//! `offset <= applied <= committed <= last_index()` and `stable <= last_index()`.

use crate::types::{Entry, Index, Snapshot, Term};
use alloc::vec::Vec;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RaftLog {
    entries: Vec<Entry>,
    offset: Index,
    offset_term: Term,
    /// The last index the host reported written to disk.
    pub stable: Index,
    pub committed: Index,
    pub applied: Index,
}

impl RaftLog {
    /// Makes room for `additional` more entries without moving the ones held (a host that
    /// knows how many are coming saves the copies of a growing vector).
    pub fn reserve(&mut self, additional: usize) {
        self.entries.reserve(additional);
    }

    /// A log rebuilt from what is on disk; all of it is stable. With a snapshot, the host
    /// restores its state machine from it, so everything up to the snapshot counts as applied.
    pub fn restore(snapshot: Option<&Snapshot>, entries: Vec<Entry>, committed: Index) -> Self {
        let (offset, offset_term) = snapshot.map_or((0, 0), |s| (s.index, s.term));
        let last = entries.last().map_or(offset, |e| e.index);
        let committed = committed.clamp(offset, last);
        RaftLog { entries, offset, offset_term, stable: last, committed, applied: offset }
    }

    /// The first index still in the log (entries before it are in the snapshot).
    pub fn first_index(&self) -> Index {
        self.offset + 1
    }

    /// The last index the snapshot covers and its term (0/0 without one).
    pub fn snapshot_point(&self) -> (Index, Term) {
        (self.offset, self.offset_term)
    }

    /// Drops the entries up to `index`, which a snapshot now covers. Only applied entries can be
    /// compacted: the snapshot is the state machine after applying them.
    pub fn compact(&mut self, index: Index) -> bool {
        let Some(term) = self.term(index) else { return false };
        if index <= self.offset || index > self.applied {
            return false;
        }
        self.entries.drain(..(index - self.offset) as usize);
        self.offset = index;
        self.offset_term = term;
        true
    }

    /// Replaces the whole log by a snapshot received from the leader (InstallSnapshot).
    pub fn restore_snapshot(&mut self, index: Index, term: Term) {
        self.entries.clear();
        self.offset = index;
        self.offset_term = term;
        self.stable = index;
        self.committed = index;
        self.applied = index;
    }

    pub fn last_index(&self) -> Index {
        self.offset + self.entries.len() as Index
    }

    pub fn last_term(&self) -> Term {
        self.entries.last().map_or(self.offset_term, |e| e.term)
    }

    /// The term of the entry at `index`, or None if the log has no such entry.
    pub fn term(&self, index: Index) -> Option<Term> {
        if index == self.offset {
            return Some(self.offset_term);
        }
        if index < self.offset || index > self.last_index() {
            return None;
        }
        Some(self.entries[(index - self.offset - 1) as usize].term)
    }

    pub fn entry(&self, index: Index) -> Option<&Entry> {
        if index <= self.offset || index > self.last_index() {
            return None;
        }
        Some(&self.entries[(index - self.offset - 1) as usize])
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn match_term(&self, index: Index, term: Term) -> bool {
        self.term(index) == Some(term)
    }

    /// §5.4.1: a candidate's log is at least as up-to-date as ours if its last term is higher,
    /// or equal with a last index at least as large.
    pub fn is_up_to_date(&self, last_index: Index, last_term: Term) -> bool {
        last_term > self.last_term() || (last_term == self.last_term() && last_index >= self.last_index())
    }

    /// Up to `max` entries starting at `lo`.
    pub fn entries_from(&self, lo: Index, max: usize) -> &[Entry] {
        if lo <= self.offset || lo > self.last_index() {
            return &[];
        }
        let start = (lo - self.offset - 1) as usize;
        let end = (start + max).min(self.entries.len());
        &self.entries[start..end]
    }

    /// Entries not yet written to disk.
    pub fn unstable(&self) -> &[Entry] {
        let start = (self.stable.max(self.offset) - self.offset) as usize;
        &self.entries[start.min(self.entries.len())..]
    }

    /// The host wrote entries up to `index` with term `term`. Ignored if the log has since
    /// replaced that entry (the write is then of a stale version).
    pub fn stable_to(&mut self, index: Index, term: Term) {
        if self.match_term(index, term) && index > self.stable {
            self.stable = index;
        }
    }

    /// The leader's append: new entries go at the end.
    pub fn append(&mut self, entries: &[Entry]) {
        for e in entries {
            debug_assert_eq!(e.index, self.last_index() + 1);
            self.entries.push(e.clone());
        }
    }

    /// Replaces everything from `entries[0].index` on. Entries at or below the commit index are
    /// never replaced by a correct Raft; the simulator's checkers catch a core that does.
    pub fn truncate_and_append(&mut self, entries: &[Entry]) {
        let Some(first) = entries.first() else { return };
        let keep = first.index.saturating_sub(1).max(self.offset);
        self.entries.truncate((keep - self.offset) as usize);
        self.stable = self.stable.min(keep);
        self.entries.extend_from_slice(entries);
    }

    /// Drops every entry after `index`. Used only by the `truncate_on_append` teaching fault; the
    /// commit and applied marks follow so the node stays internally consistent.
    pub fn truncate_to(&mut self, index: Index) {
        let keep = index.max(self.offset);
        self.entries.truncate((keep - self.offset) as usize);
        self.stable = self.stable.min(keep);
        self.committed = self.committed.min(keep);
        self.applied = self.applied.min(keep);
    }

    /// The index of the first entry in `entries` that conflicts with (or is missing from) the
    /// log, or None if the log already holds all of them.
    pub fn find_conflict(&self, entries: &[Entry]) -> Option<Index> {
        entries.iter().find(|e| !self.match_term(e.index, e.term)).map(|e| e.index)
    }

    /// The last index at or below `index` whose term is at most `term`: where a log that
    /// diverged at `term` may still match ours (etcd's findConflictByTerm).
    pub fn find_conflict_by_term(&self, index: Index, term: Term) -> Index {
        let mut i = index.min(self.last_index());
        while i > self.offset {
            match self.term(i) {
                Some(t) if t > term => i -= 1,
                _ => break,
            }
        }
        i
    }

    /// Advances the commit index; never moves it back.
    pub fn commit_to(&mut self, index: Index) -> bool {
        if index > self.committed {
            self.committed = index.min(self.last_index());
            return true;
        }
        false
    }

    /// Committed entries not yet handed to the state machine; marks them applied.
    pub fn take_committed(&mut self) -> Vec<Entry> {
        let mut out = Vec::new();
        self.take_committed_into(&mut out);
        out
    }

    /// [`RaftLog::take_committed`], appended to `out`.
    pub fn take_committed_into(&mut self, out: &mut Vec<Entry>) {
        if self.committed <= self.applied {
            return;
        }
        // The range `slice` would return, without a vector of its own.
        let lo = self.applied + 1;
        if lo > self.offset && lo <= self.last_index() {
            let start = (lo - self.offset - 1) as usize;
            let end = (start + (self.committed - self.applied) as usize).min(self.entries.len());
            out.extend_from_slice(&self.entries[start..end]);
        }
        self.applied = self.committed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn log(terms: &[Term]) -> RaftLog {
        RaftLog::restore(None, terms.iter().enumerate().map(|(i, &t)| Entry::noop(t, i as Index + 1)).collect(), 0)
    }

    #[test]
    fn find_conflict_by_term_skips_a_whole_term() {
        let l = log(&[1, 1, 1, 4, 4, 5, 5, 6, 6, 6]);
        assert_eq!(l.find_conflict_by_term(10, 3), 3);
        assert_eq!(l.find_conflict_by_term(10, 5), 7);
        assert_eq!(l.find_conflict_by_term(12, 6), 10);
        assert_eq!(l.find_conflict_by_term(10, 0), 0);
    }

    #[test]
    fn truncate_moves_stable_back() {
        let mut l = log(&[1, 1, 2]);
        l.truncate_and_append(&[Entry::noop(3, 2)]);
        assert_eq!(l.last_index(), 2);
        assert_eq!(l.stable, 1);
        assert_eq!(l.unstable(), &[Entry::noop(3, 2)]);
        l.stable_to(2, 1); // a stale write report
        assert_eq!(l.stable, 1);
        l.stable_to(2, 3);
        assert_eq!(l.stable, 2);
        assert!(l.is_up_to_date(2, 3));
        assert!(!l.is_up_to_date(5, 2));
        assert_eq!(vec![1, 3], l.entries().iter().map(|e| e.term).collect::<Vec<_>>());
    }

    #[test]
    fn compaction_keeps_terms_and_indexes() {
        let mut l = log(&[1, 1, 2, 3]);
        assert!(!l.compact(2), "entries not yet applied cannot be compacted");
        l.commit_to(3);
        assert_eq!(l.take_committed().len(), 3);
        assert!(l.compact(2));
        assert_eq!((l.first_index(), l.last_index()), (3, 4));
        assert_eq!((l.term(2), l.term(1), l.term(3)), (Some(1), None, Some(2)));
        assert!(l.entries_from(2, 5).is_empty());
        assert_eq!(l.entries_from(3, 5).len(), 2);
        assert_eq!(l.find_conflict_by_term(4, 1), 2);
        l.restore_snapshot(9, 5);
        assert_eq!((l.last_index(), l.last_term(), l.committed, l.applied), (9, 5, 9, 9));
    }
}
