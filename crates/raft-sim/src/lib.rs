//! A deterministic world for raft-core: virtual time, a faulty network, crashing nodes with
//! disks, clients, Raft's safety checkers after every event, and JSON scenarios.
//!
//! The same configuration, seed and actions give the same run, natively and in wasm; the
//! world's [`trace::TraceHash`] proves it.

pub mod action;
pub mod chaos;
pub mod checker;
pub mod client;
pub mod config;
pub mod key_map;
pub mod kv;
pub mod library;
mod memo;
pub mod network;
pub mod node;
mod queue;
pub mod scenario;
mod serde_pairs;
pub mod session;
pub mod trace;
pub mod world;

pub use action::{Action, NodeRef};
pub use checker::{Checker, Property, Violation};
pub use config::{ClientConfig, ClusterConfig, LinkConfig, SimConfig};
pub use scenario::{Check, Outcome, RunOptions, Runner, Scenario, ScenarioError};
pub use session::Session;
pub use world::World;
