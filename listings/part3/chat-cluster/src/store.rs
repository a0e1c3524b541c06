//! Where accounts, sessions and messages live: in one SQLite file when the
//! server runs alone, in Redis when several servers share the rooms.

use serde::{Deserialize, Serialize};

use crate::cluster::Redis;
use crate::sqlite::Sqlite;

/// A message as the store keeps it. `id` grows with every message of a
/// room, so it also gives the order in which they were said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Said {
    pub id: i64,
    pub name: String,
    pub text: String,
}

pub type DbResult<T> = anyhow::Result<T>;

// ANCHOR: store
/// One server alone, or one of several that share a Redis.
#[derive(Clone)]
pub enum Store {
    Sqlite(Sqlite),
    Redis(Redis),
}

impl Store {
    /// The last `count` messages of a room, oldest first.
    pub async fn history(
        &self,
        room: &str,
        count: usize,
    ) -> DbResult<Vec<Said>> {
        match self {
            Store::Sqlite(db) => Ok(db.history(room, count).await?),
            Store::Redis(redis) => redis.history(room, count).await,
        }
    }
    // ANCHOR_END: store

    /// The password hash of a name, if it has an account.
    pub async fn hash_of(&self, name: &str) -> DbResult<Option<String>> {
        match self {
            Store::Sqlite(db) => Ok(db.hash_of(name).await?),
            Store::Redis(redis) => redis.hash_of(name).await,
        }
    }

    /// Makes an account; `false` if the name was taken meanwhile.
    pub async fn add_user(&self, name: &str, hash: &str) -> DbResult<bool> {
        match self {
            Store::Sqlite(db) => Ok(db.add_user(name, hash).await?),
            Store::Redis(redis) => redis.add_user(name, hash).await,
        }
    }
}
