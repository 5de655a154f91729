//! The replicated state machine: a key-value register with client sessions, so a retried
//! command (same client id and sequence number) applies once (thesis §6.3).

use crate::key_map::KeyMap;
use raft_core::{Index, VecMap};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub type ClientId = u64;

/// A client operation. Its strings are shared: the client keeps the operation for retries and
/// its history while a copy travels in each request, and copying an `Arc` allocates nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    Write {
        key: Arc<str>,
        value: Arc<str>,
    },
    /// A read, served as `mode` says (through the log by default).
    Read {
        key: Arc<str>,
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
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }

    /// [`Command::encode`] into `out`, emptied first, so that a reused buffer saves an allocation.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        // Written by hand: `format!` cost as much as the core's whole proposal.
        let (tag, key, value) = match &self.op {
            Op::Write { key, value } => (b'w', &**key, Some(&**value)),
            Op::Read { key, .. } => (b'r', &**key, None),
        };
        let sep = SEP as u8;
        out.clear();
        out.reserve(48 + key.len() + value.map_or(0, str::len));
        push_decimal(out, self.client);
        out.push(sep);
        push_decimal(out, self.seq);
        out.extend_from_slice(&[sep, tag, sep]);
        out.extend_from_slice(key.as_bytes());
        if let Some(v) = value {
            out.push(sep);
            out.extend_from_slice(v.as_bytes());
        }
    }

    pub fn decode(bytes: &[u8]) -> Option<Command> {
        let c = CommandRef::decode(bytes)?;
        let op = match c.op {
            OpRef::Write { key, value } => Op::Write { key: key.into(), value: value.into() },
            OpRef::Read { key } => Op::Read { key: key.into(), mode: ReadMode::Log },
        };
        Some(Command { client: c.client, seq: c.seq, op })
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

/// A decoded command that borrows its strings from the entry: every replica decodes every
/// entry, so decoding must not allocate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CommandRef<'a> {
    pub client: ClientId,
    pub seq: u64,
    pub op: OpRef<'a>,
}

/// An [`Op`] as encoded in an entry (a read in the log is always of mode `log`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OpRef<'a> {
    Write { key: &'a str, value: &'a str },
    Read { key: &'a str },
}

impl<'a> CommandRef<'a> {
    /// Accepts exactly what `Command::decode` always accepted: UTF-8, fields split on the
    /// separator, numbers as `str::parse` reads them, extra trailing fields ignored.
    pub fn decode(bytes: &'a [u8]) -> Option<CommandRef<'a>> {
        let mut rest = Some(std::str::from_utf8(bytes).ok()?);
        // `str::split` on the separator, by hand: its searcher cost more than the whole
        // command for strings this short.
        let mut parts = std::iter::from_fn(|| {
            let s = rest?;
            match s.bytes().position(|b| b == SEP as u8) {
                Some(i) => {
                    rest = Some(&s[i + 1..]);
                    Some(&s[..i])
                }
                None => rest.take(),
            }
        });
        let client = parse_u64(parts.next()?)?;
        let seq = parse_u64(parts.next()?)?;
        let op = match parts.next()? {
            "w" => OpRef::Write { key: parts.next()?, value: parts.next()? },
            "r" => OpRef::Read { key: parts.next()? },
            _ => return None,
        };
        Some(CommandRef { client, seq, op })
    }
}

/// `s.parse::<u64>()`, with a quick path for the plain digits `encode` writes.
fn parse_u64(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 19 {
        return s.parse().ok();
    }
    // One pass: 19 digits cannot overflow.
    let mut n = 0;
    for b in s.bytes() {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return s.parse().ok();
        }
        n = n * 10 + u64::from(d);
    }
    Some(n)
}

/// Appends `n` in decimal, as `format!("{n}")` writes it.
fn push_decimal(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(decimal_digits(n, &mut [0; 20]));
}

/// `n`'s ASCII decimal digits, written at the end of `buf`, without the formatting machinery
/// (the hot paths write several numbers per command).
#[inline]
pub(crate) fn decimal_digits(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &buf[i..]
}

/// Replaces a string's contents, reusing its buffer.
fn overwrite(s: &mut String, with: &str) {
    s.clear();
    s.push_str(with);
}

/// What applying a command returned: the value read or written (None: key absent).
pub type Output = Option<String>;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvStore {
    /// Each key's value and version: the log index of the write that set it (reads are judged
    /// by it). One map, not two: every replica looks the key up on every write.
    pub data: KeyMap<(String, Index)>,
    /// Per client: its last command applied (one map, not two: every replica updates it on
    /// every command).
    pub sessions: VecMap<ClientId, Session>,
    /// The last log index applied (or restored from a snapshot).
    #[serde(default)]
    pub applied: Index,
}

/// A client's session: its last command applied, that command's output, and the index where it
/// first applied (a retry reports it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub seq: u64,
    pub output: Output,
    pub index: Index,
}

impl KvStore {
    /// The value of `key` and its version (0: never written).
    pub fn read(&self, key: &str) -> (Output, Index) {
        self.data.get(key).map_or((None, 0), |(v, version)| (Some(v.clone()), *version))
    }

    /// The state machine as snapshot bytes: a line per key and per client session. Written by
    /// hand, as `Command::encode` is: a `format!` per line cost more than the rest of a
    /// compaction.
    pub fn to_bytes(&self) -> Vec<u8> {
        let sep = SEP as u8;
        let mut out = Vec::with_capacity(24 + 40 * (self.data.len() + self.sessions.len()));
        push_decimal(&mut out, self.applied);
        out.push(b'\n');
        for (k, (v, version)) in self.data.iter() {
            out.extend_from_slice(&[b'k', sep]);
            out.extend_from_slice(k.as_bytes());
            out.push(sep);
            out.extend_from_slice(v.as_bytes());
            out.push(sep);
            push_decimal(&mut out, *version);
            out.push(b'\n');
        }
        for (c, Session { seq, output, index }) in &self.sessions {
            out.extend_from_slice(&[b's', sep]);
            push_decimal(&mut out, *c);
            out.push(sep);
            push_decimal(&mut out, *seq);
            out.push(sep);
            push_decimal(&mut out, *index);
            out.push(sep);
            match output {
                Some(o) => {
                    out.push(b'=');
                    out.extend_from_slice(o.as_bytes());
                }
                None => out.push(b'-'),
            }
            out.push(b'\n');
        }
        out
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
                    kv.data.insert(k.to_string(), (v.to_string(), ver.parse().ok()?));
                }
                ["s", c, seq, at, out] => {
                    let output = out.strip_prefix('=').map(String::from);
                    let c = c.parse().ok()?;
                    kv.sessions.insert(c, Session { seq: seq.parse().ok()?, output, index: at.parse().ok()? });
                }
                _ => return None,
            }
        }
        Some(kv)
    }

    /// Applies the command of log entry `index` once; a duplicate returns the output recorded
    /// the first time.
    pub fn apply(&mut self, cmd: &Command, index: Index) -> Output {
        let op = match &cmd.op {
            Op::Write { key, value } => OpRef::Write { key, value },
            Op::Read { key, .. } => OpRef::Read { key },
        };
        self.apply_ref(CommandRef { client: cmd.client, seq: cmd.seq, op }, index);
        self.sessions.get(&cmd.client).and_then(|s| s.output.clone())
    }

    /// [`KvStore::apply`] without building the output: only the replica that answers the
    /// client needs it, and it reads it from `sessions` afterwards. Existing strings are
    /// overwritten in place, so a steady run of writes allocates nothing.
    pub(crate) fn apply_ref(&mut self, cmd: CommandRef, index: Index) {
        self.applied = self.applied.max(index);
        let session = self.sessions.get_mut(&cmd.client);
        if session.as_ref().is_some_and(|s| cmd.seq <= s.seq) {
            return;
        }
        let out: Option<&str> = match cmd.op {
            OpRef::Write { key, value } => {
                match self.data.get_mut(key) {
                    Some((v, version)) => {
                        overwrite(v, value);
                        *version = index;
                    }
                    None => {
                        self.data.insert(key.to_string(), (value.to_string(), index));
                    }
                }
                Some(value)
            }
            OpRef::Read { key } => self.data.get(key).map(|(v, _)| v.as_str()),
        };
        match session {
            Some(s) => {
                (s.seq, s.index) = (cmd.seq, index);
                match (s.output.as_mut(), out) {
                    (Some(prev), Some(o)) => overwrite(prev, o),
                    (_, o) => s.output = o.map(str::to_string),
                }
            }
            None => {
                let output = out.map(str::to_string);
                self.sessions.insert(cmd.client, Session { seq: cmd.seq, output, index });
            }
        }
    }

    /// The index where this client's command `seq` first applied, if it was its last one.
    pub fn first_applied_at(&self, client: ClientId, seq: u64) -> Option<Index> {
        let s = self.sessions.get(&client)?;
        (s.seq == seq).then_some(s.index)
    }

    /// True if the command with this client and sequence number has been applied.
    pub fn has_applied(&self, client: ClientId, seq: u64) -> bool {
        self.sessions.get(&client).is_some_and(|s| s.seq >= seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_round_trips() {
        let c = Command { client: 3, seq: 9, op: Op::Write { key: "x".into(), value: "a b".into() } };
        assert_eq!(Command::decode(&c.encode()), Some(c.clone()));
        assert_eq!(Command::decode(b"garbage"), None);
        // The bytes are those of the original `format!` encoding: logs must not change.
        let r = Command { client: 12, seq: 0, op: Op::Read { key: "k".into(), mode: ReadMode::Log } };
        assert_eq!(c.encode(), "3\u{1f}9\u{1f}w\u{1f}x\u{1f}a b".as_bytes());
        assert_eq!(r.encode(), "12\u{1f}0\u{1f}r\u{1f}k".as_bytes());
        assert_eq!(Command::decode(&r.encode()), Some(r));
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
    fn snapshot_bytes_keep_their_layout() {
        let mut kv = KvStore::default();
        kv.apply(&Command { client: 3, seq: 7, op: Op::Write { key: "x".into(), value: "v1".into() } }, 12);
        kv.apply(&Command { client: 4, seq: 1, op: Op::Read { key: "y".into(), mode: ReadMode::Log } }, 13);
        let want = "13\nk\u{1f}x\u{1f}v1\u{1f}12\ns\u{1f}3\u{1f}7\u{1f}12\u{1f}=v1\ns\u{1f}4\u{1f}1\u{1f}13\u{1f}-\n";
        assert_eq!(String::from_utf8(kv.to_bytes()).unwrap(), want);
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
