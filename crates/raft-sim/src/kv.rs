//! The replicated state machine: a key-value register with client sessions, so a retried
//! command (same client id and sequence number) applies once (thesis §6.3).

use raft_core::Index;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub type ClientId = u64;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    Write {
        key: String,
        value: String,
    },
    /// A read, served as `mode` says (through the log by default).
    Read {
        key: String,
        #[serde(default)]
        mode: ReadMode,
    },
}

/// How a read is served: the consistency a client asks for and what it costs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReadMode {
    /// Through the log, like a write (Chubby: always consistent, costs a log entry).
    #[default]
    Log,
    /// At the leader after a heartbeat round confirms it still leads (thesis §6.4).
    ReadIndex,
    /// At the leader from its lease, without a round trip (needs check-quorum, bounded drift).
    Lease,
    /// By whichever node the client asks, from its own state (ZooKeeper's default: may be stale).
    Local,
    /// By the node the client asks, after it learns the leader's commit index and applies up to
    /// it (ZooKeeper's sync, then read; linearizable).
    Sync,
}

impl ReadMode {
    pub const ALL: [ReadMode; 5] =
        [ReadMode::Log, ReadMode::ReadIndex, ReadMode::Lease, ReadMode::Local, ReadMode::Sync];

    pub fn name(self) -> &'static str {
        match self {
            ReadMode::Log => "log",
            ReadMode::ReadIndex => "read-index",
            ReadMode::Lease => "lease",
            ReadMode::Local => "local",
            ReadMode::Sync => "sync",
        }
    }

    pub fn parse(name: &str) -> Option<ReadMode> {
        ReadMode::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Every mode but `local` promises linearizability; the checker holds them to it.
    pub fn linearizable(self) -> bool {
        self != ReadMode::Local
    }
}

/// A client command as stored in a log entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Command {
    pub client: ClientId,
    pub seq: u64,
    pub op: Op,
}

const SEP: char = '\u{1f}';

impl Command {
    /// A compact, readable encoding: fields joined by the ASCII unit separator.
    pub fn encode(&self) -> Vec<u8> {
        let s = match &self.op {
            Op::Write { key, value } => format!("{}{SEP}{}{SEP}w{SEP}{key}{SEP}{value}", self.client, self.seq),
            Op::Read { key, .. } => format!("{}{SEP}{}{SEP}r{SEP}{key}", self.client, self.seq),
        };
        s.into_bytes()
    }

    pub fn decode(bytes: &[u8]) -> Option<Command> {
        let s = std::str::from_utf8(bytes).ok()?;
        let mut parts = s.split(SEP);
        let client = parts.next()?.parse().ok()?;
        let seq = parts.next()?.parse().ok()?;
        let op = match parts.next()? {
            "w" => Op::Write { key: parts.next()?.to_string(), value: parts.next()?.to_string() },
            "r" => Op::Read { key: parts.next()?.to_string(), mode: ReadMode::Log },
            _ => return None,
        };
        Some(Command { client, seq, op })
    }

    /// For logs and inspectors, e.g. `x=3` or `read x`.
    pub fn label(&self) -> String {
        match &self.op {
            Op::Write { key, value } => format!("{key}={value}"),
            Op::Read { key, mode: ReadMode::Log } => format!("read {key}"),
            Op::Read { key, mode } => format!("read {key} ({})", mode.name()),
        }
    }
}

/// What applying a command returned: the value read or written (None: key absent).
pub type Output = Option<String>;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvStore {
    pub data: BTreeMap<String, String>,
    /// The log index of the write that set each key (its version; reads are judged by it).
    #[serde(default)]
    pub versions: BTreeMap<String, Index>,
    /// Per client: the last sequence number applied and its output.
    pub sessions: BTreeMap<ClientId, (u64, Output)>,
    /// The last log index applied (or restored from a snapshot).
    #[serde(default)]
    pub applied: Index,
    /// Per client: the index where its last command first applied (a retry reports it).
    #[serde(default)]
    pub session_index: BTreeMap<ClientId, Index>,
}

impl KvStore {
    /// The value of `key` and its version (0: never written).
    pub fn read(&self, key: &str) -> (Output, Index) {
        (self.data.get(key).cloned(), self.versions.get(key).copied().unwrap_or(0))
    }

    /// The state machine as snapshot bytes: a line per key and per client session.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut s = format!("{}\n", self.applied);
        for (k, v) in &self.data {
            s.push_str(&format!("k{SEP}{k}{SEP}{v}{SEP}{}\n", self.versions.get(k).copied().unwrap_or(0)));
        }
        for (c, (seq, out)) in &self.sessions {
            let out = out.as_deref().map_or(String::from("-"), |o| format!("={o}"));
            let at = self.session_index.get(c).copied().unwrap_or(0);
            s.push_str(&format!("s{SEP}{c}{SEP}{seq}{SEP}{at}{SEP}{out}\n"));
        }
        s.into_bytes()
    }

    /// The inverse of [`KvStore::to_bytes`]; None if the bytes are not a snapshot.
    pub fn from_bytes(bytes: &[u8]) -> Option<KvStore> {
        let text = std::str::from_utf8(bytes).ok()?;
        let mut lines = text.lines();
        let mut kv = KvStore { applied: lines.next()?.parse().ok()?, ..KvStore::default() };
        for line in lines {
            let f: Vec<&str> = line.split(SEP).collect();
            match f.as_slice() {
                ["k", k, v, ver] => {
                    kv.data.insert(k.to_string(), v.to_string());
                    kv.versions.insert(k.to_string(), ver.parse().ok()?);
                }
                ["s", c, seq, at, out] => {
                    let out = out.strip_prefix('=').map(String::from);
                    let c = c.parse().ok()?;
                    kv.sessions.insert(c, (seq.parse().ok()?, out));
                    kv.session_index.insert(c, at.parse().ok()?);
                }
                _ => return None,
            }
        }
        Some(kv)
    }

    /// Applies the command of log entry `index` once; a duplicate returns the output recorded
    /// the first time.
    pub fn apply(&mut self, cmd: &Command, index: Index) -> Output {
        self.applied = self.applied.max(index);
        if let Some((last, out)) = self.sessions.get(&cmd.client) {
            if cmd.seq <= *last {
                return out.clone();
            }
        }
        let out = match &cmd.op {
            Op::Write { key, value } => {
                self.data.insert(key.clone(), value.clone());
                self.versions.insert(key.clone(), index);
                Some(value.clone())
            }
            Op::Read { key, .. } => self.data.get(key).cloned(),
        };
        self.sessions.insert(cmd.client, (cmd.seq, out.clone()));
        self.session_index.insert(cmd.client, index);
        out
    }

    /// True if the command with this client and sequence number has been applied.
    /// The index where this client's command `seq` first applied, if it was its last one.
    pub fn first_applied_at(&self, client: ClientId, seq: u64) -> Option<Index> {
        let (last, _) = self.sessions.get(&client)?;
        (*last == seq).then(|| self.session_index.get(&client).copied()).flatten()
    }

    pub fn has_applied(&self, client: ClientId, seq: u64) -> bool {
        self.sessions.get(&client).is_some_and(|(last, _)| *last >= seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_round_trips() {
        let c = Command { client: 3, seq: 9, op: Op::Write { key: "x".into(), value: "a b".into() } };
        assert_eq!(Command::decode(&c.encode()), Some(c));
        assert_eq!(Command::decode(b"garbage"), None);
    }

    #[test]
    fn retried_command_applies_once() {
        let mut kv = KvStore::default();
        let w = |seq, v: &str| Command { client: 1, seq, op: Op::Write { key: "k".into(), value: v.into() } };
        kv.apply(&w(1, "a"), 1);
        kv.apply(&w(2, "b"), 2);
        // A late retry of seq 1 must not roll the value back to "a".
        assert_eq!(kv.apply(&w(1, "a"), 3), Some("b".into()));
        assert_eq!(kv.read("k"), (Some("b".into()), 2));
        assert!(kv.has_applied(1, 2) && !kv.has_applied(1, 3));
    }

    #[test]
    fn snapshot_bytes_round_trip() {
        let mut kv = KvStore::default();
        kv.apply(&Command { client: 2, seq: 1, op: Op::Write { key: "x".into(), value: "a=b c".into() } }, 4);
        kv.apply(&Command { client: 3, seq: 7, op: Op::Read { key: "nope".into(), mode: ReadMode::Log } }, 5);
        assert_eq!(KvStore::from_bytes(&kv.to_bytes()), Some(kv));
        assert_eq!(KvStore::from_bytes(b"x\nk"), None);
    }
}
