//! A deterministic, sans-IO Raft core in the style of etcd's `RawNode`.
//!
//! Inputs are method calls ([`Raft::tick`], [`Raft::step`], [`Raft::propose`],
//! [`Raft::campaign`], [`Raft::transfer_leadership`]); outputs are drained with
//! [`Raft::ready`] and acknowledged with [`Raft::advance`]. There is no clock and no OS
//! entropy: time is counted in ticks and randomness comes from a seed in [`Config`].
//!
//! ```
//! use raft_core::{Config, DurableState, Raft, Role};
//! // A one-node cluster elects itself and commits its no-op once the host persists it.
//! let mut node = Raft::new(Config::new(1, vec![1]), &DurableState::default()).unwrap();
//! node.campaign();
//! let mut disk = DurableState::default();
//! let rd = node.ready();
//! disk.write(rd.hard_state, &rd.entries);
//! node.advance(&rd);
//! assert_eq!(node.role(), Role::Leader);
//! assert_eq!(node.log().committed, 1);
//! ```
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod conf_change;
pub mod config;
pub mod event;
pub mod log;
pub mod message;
pub mod progress;
pub mod quorum;
pub mod raft;
pub mod read_only;
pub mod ready;
pub mod rng;
pub mod snapshot;
pub mod types;
pub mod vec_map;

pub use conf_change::ConfChange;
pub use config::{Config, FaultInfo, Faults};
pub use event::{describe_membership, CampaignReason, Event, FollowerReason, ReadPath, ReadRefusal};
pub use log::RaftLog;
pub use message::{AppendRefusal, Body, Message, MessageKind, SharedEntries, VoteRefusal};
pub use progress::{Progress, ProgressState};
pub use quorum::{Membership, VoteResult};
pub use raft::{ProposeError, Raft, TransferError};
pub use read_only::PendingRead;
pub use ready::{ReadState, Ready};
pub use rng::Prng;
pub use snapshot::CompactError;
pub use types::{DurableState, Entry, EntryData, HardState, Index, NodeId, Role, Snapshot, Term};
pub use vec_map::{VecMap, VecSet};
