//! An agent that stores the messages of a server in SQLite, and the server it
//! talks to.
//!
//! The server sends `<id> <text>` lines; the agent queues each message, a
//! background task commits them in batches, and only then answers `ack <id>`.

pub mod agent;
pub mod protocol;
pub mod server;
pub mod store;

pub use agent::{AgentError, Report, Settings, Stop};
pub use protocol::Message;
pub use server::MessageServer;
pub use store::{Saved, Store, StoreError};
