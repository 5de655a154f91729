//! The record of a run: a hash that proves two runs identical, and readable entries for the
//! CLI timeline, the page's event log and `--json`.

use crate::checker::Violation;
use raft_core::{Event, NodeId};
use serde::{Deserialize, Serialize};

/// A 64-bit hash fed one u64 at a time (a multiply-xorshift mix per value). Its algorithm is
/// fixed: shared links and tests compare these values across platforms and releases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceHash(pub u64);

impl Default for TraceHash {
    fn default() -> Self {
        TraceHash(0xCBF2_9CE4_8422_2325)
    }
}

impl TraceHash {
    pub fn add(&mut self, v: u64) {
        let h = (self.0 ^ v).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = h ^ (h >> 29);
    }

    pub fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

/// What a record is about.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum RecordKind {
    /// A decision of a node's Raft core.
    Raft {
        node: NodeId,
        /// Named apart from [`Record::event`], the event number, into which it is flattened.
        #[serde(rename = "decision")]
        event: Event,
    },
    /// A user or scenario action.
    Action {
        text: String,
    },
    /// A narration caption from a scenario.
    Caption {
        text: String,
    },
    /// A message was lost, dropped, or could not be delivered.
    Dropped {
        summary: String,
    },
    /// A client finished an operation.
    Client {
        text: String,
    },
    Violation {
        violation: Violation,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Number of the world event this happened in.
    pub event: u64,
    pub time_ms: u64,
    #[serde(flatten)]
    pub kind: RecordKind,
}

impl Record {
    /// One line for the CLI and the page's event log.
    pub fn describe(&self) -> String {
        match &self.kind {
            RecordKind::Raft { node, event } => format!("S{node} {}", event.describe()),
            RecordKind::Action { text } => format!("action: {text}"),
            RecordKind::Caption { text } => format!("caption: {text}"),
            RecordKind::Dropped { summary } => format!("dropped: {summary}"),
            RecordKind::Client { text } => text.clone(),
            RecordKind::Violation { violation } => format!("VIOLATION {violation}"),
        }
    }
}
