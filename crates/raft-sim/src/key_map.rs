//! The key-value store's map from key to value: the part of `BTreeMap<String, V>` it uses,
//! over a sorted vector whose entries also hold the key's first eight bytes as a number.
//!
//! Every replica looks a key up on every write, and in a `BTreeMap<String, _>` each step of
//! the search was a call to `memcmp`. Here keys of up to eight bytes (the usual ones) are
//! ordered by that number and their length alone, which orders them as their bytes would.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyMap<V> {
    /// (prefix of the key, key, value), in key order.
    entries: Vec<(u64, String, V)>,
}

impl<V> Default for KeyMap<V> {
    fn default() -> Self {
        KeyMap { entries: Vec::new() }
    }
}

/// The key's first eight bytes, big-endian and zero-padded: comparing these compares the
/// keys' first eight bytes as strings do.
fn prefix(key: &str) -> u64 {
    key.bytes().take(8).enumerate().fold(0, |p, (i, b)| p | u64::from(b) << (56 - 8 * i))
}

/// String order, from the prefixes where they settle it. Past an equal prefix, two keys of at
/// most eight bytes differ only by trailing zero bytes, so the shorter comes first.
fn compare(a_prefix: u64, a: &str, b_prefix: u64, b: &str) -> Ordering {
    a_prefix.cmp(&b_prefix).then_with(|| match a.len() <= 8 && b.len() <= 8 {
        true => a.len().cmp(&b.len()),
        false => a.cmp(b),
    })
}

impl<V> KeyMap<V> {
    fn find(&self, key: &str) -> Result<usize, usize> {
        let p = prefix(key);
        self.entries.binary_search_by(|(q, k, _)| compare(*q, k, p, key))
    }

    /// Where `key` is. A handful of keys (the usual case) are scanned for an equal prefix and
    /// length, which settle equality for keys of up to eight bytes.
    fn position(&self, key: &str) -> Option<usize> {
        if self.entries.len() > 16 {
            return self.find(key).ok();
        }
        let p = prefix(key);
        self.entries.iter().position(|(q, k, _)| *q == p && k.len() == key.len() && (key.len() <= 8 || k == key))
    }

    pub fn get(&self, key: &str) -> Option<&V> {
        self.position(key).map(|i| &self.entries[i].2)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.position(key).map(|i| &mut self.entries[i].2)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// Adds or replaces the value of `key`; returns the one replaced.
    pub fn insert(&mut self, key: String, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].2, value)),
            Err(i) => {
                self.entries.insert(i, (prefix(&key), key, value));
                None
            }
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// (key, value) in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &V)> + '_ {
        self.entries.iter().map(|(_, k, v)| (k, v))
    }
}

/// Serialized as the map it replaced: `{"key": value, ...}`.
impl<V: Serialize> Serialize for KeyMap<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for KeyMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, V>::deserialize(d)?;
        let entries = map.into_iter().map(|(k, v)| (prefix(&k), k, v)).collect();
        Ok(KeyMap { entries })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against a `BTreeMap`, with keys short and long, sharing prefixes and ending in zeros.
    #[test]
    fn behaves_as_a_btree_map() {
        let keys = [
            "",
            "a",
            "a\0",
            "a\0\0",
            "ab",
            "b",
            "k0",
            "k7",
            "k10",
            "abcdefgh",
            "abcdefgh\0",
            "abcdefghi",
            "abcdefgg~",
            "é",
            "\u{7f}",
        ];
        let mut ours = KeyMap::default();
        let mut want = BTreeMap::new();
        for (n, k) in keys.iter().chain(keys.iter().rev()).enumerate() {
            assert_eq!(ours.insert(k.to_string(), n), want.insert(k.to_string(), n), "{k:?}");
            assert_eq!(ours.iter().collect::<Vec<_>>(), want.iter().collect::<Vec<_>>());
        }
        let absent = ["zz", "a\0\0\0", "abcdefghij", "k1"];
        for k in keys.iter().chain(&absent) {
            assert_eq!(ours.get(k), want.get(*k), "{k:?}");
        }
        // Past 16 keys, lookups search instead of scanning.
        for n in 0..20 {
            assert_eq!(ours.insert(format!("n{n}"), n), want.insert(format!("n{n}"), n));
        }
        for k in keys.iter().chain(&absent).map(|k| k.to_string()).chain((0..21).map(|n| format!("n{n}"))) {
            assert_eq!(ours.get(&k), want.get(&k), "{k:?}");
        }
        let json = serde_json::to_string(&ours).unwrap();
        assert_eq!(json, serde_json::to_string(&want).unwrap());
        assert_eq!(serde_json::from_str::<KeyMap<usize>>(&json).unwrap(), ours);
    }
}
