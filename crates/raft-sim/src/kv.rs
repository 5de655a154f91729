//! The replicated state machine: a key-value register with client sessions, so a retried
//! command (same client id and sequence number) applies once (thesis §6.3).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub type ClientId = u64;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    Write {
        key: String,
        value: String,
    },
    /// A read that goes through the log: linearizable, at the cost of a log entry.
    Read {
        key: String,
    },
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
            Op::Read { key } => format!("{}{SEP}{}{SEP}r{SEP}{key}", self.client, self.seq),
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
            "r" => Op::Read { key: parts.next()?.to_string() },
            _ => return None,
        };
        Some(Command { client, seq, op })
    }

    /// For logs and inspectors, e.g. `x=3` or `read x`.
    pub fn label(&self) -> String {
        match &self.op {
            Op::Write { key, value } => format!("{key}={value}"),
            Op::Read { key } => format!("read {key}"),
        }
    }
}

/// What applying a command returned: the value read or written (None: key absent).
pub type Output = Option<String>;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvStore {
    pub data: BTreeMap<String, String>,
    /// Per client: the last sequence number applied and its output.
    pub sessions: BTreeMap<ClientId, (u64, Output)>,
}

impl KvStore {
    /// Applies a command once; a duplicate returns the output recorded the first time.
    pub fn apply(&mut self, cmd: &Command) -> Output {
        if let Some((last, out)) = self.sessions.get(&cmd.client) {
            if cmd.seq <= *last {
                return out.clone();
            }
        }
        let out = match &cmd.op {
            Op::Write { key, value } => {
                self.data.insert(key.clone(), value.clone());
                Some(value.clone())
            }
            Op::Read { key } => self.data.get(key).cloned(),
        };
        self.sessions.insert(cmd.client, (cmd.seq, out.clone()));
        out
    }

    /// True if the command with this client and sequence number has been applied.
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
        kv.apply(&w(1, "a"));
        kv.apply(&w(2, "b"));
        // A late retry of seq 1 must not roll the value back to "a".
        assert_eq!(kv.apply(&w(1, "a")), Some("b".into()));
        assert_eq!(kv.data["k"], "b");
        assert!(kv.has_applied(1, 2) && !kv.has_applied(1, 3));
    }
}
