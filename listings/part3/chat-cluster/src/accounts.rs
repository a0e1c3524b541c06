//! Accounts, kept in the store. Sessions: in memory for a server alone (a
//! server that restarts forgets its tokens, and clients log in again), in
//! Redis for servers that share one, so a token from one works on all.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use argon2::Argon2;

use crate::store::{DbResult, Store};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};

#[derive(Clone)]
pub struct Accounts {
    store: Store,
    /// session token -> name.
    sessions: Arc<Mutex<HashMap<String, String>>>,
}

// ANCHOR: log_in
impl Accounts {
    pub fn new(store: Store) -> Accounts {
        let sessions = Arc::default();
        Accounts { store, sessions }
    }

    /// Checks a name's password, or makes the account if the name is new,
    /// and returns a new session token.
    pub async fn log_in(
        &self,
        name: &str,
        password: &str,
    ) -> DbResult<Result<String, &'static str>> {
        let known = self.store.hash_of(name).await?;
        let password = password.to_string();
        match known {
            Some(hash) => {
                // Argon2 is slow on purpose: off the runtime's threads.
                let checked = tokio::task::spawn_blocking(move || {
                    verify(&password, &hash)
                });
                if !checked.await.unwrap() {
                    return Ok(Err("wrong password"));
                }
            }
            None => {
                let hash = tokio::task::spawn_blocking(move || hash(&password));
                let hash = hash.await.unwrap();
                if !self.store.add_user(name, &hash).await? {
                    // Someone took the name while we were hashing.
                    return Ok(Err("wrong password"));
                }
            }
        }
        Ok(Ok(self.open_session(name).await?))
    }
    // ANCHOR_END: log_in

    // ANCHOR: session
    /// 32 random bytes from the operating system, written in hex.
    async fn open_session(&self, name: &str) -> DbResult<String> {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        match &self.store {
            Store::Redis(redis) => redis.open_session(&token, name).await?,
            Store::Sqlite(_) => {
                let mut sessions = self.sessions.lock().unwrap();
                sessions.insert(token.clone(), name.to_string());
            }
        }
        Ok(token)
    }

    /// The name a session token stands for, if it is one we gave out.
    pub async fn resume(&self, token: &str) -> DbResult<Option<String>> {
        match &self.store {
            Store::Redis(redis) => redis.session(token).await,
            Store::Sqlite(_) => {
                Ok(self.sessions.lock().unwrap().get(token).cloned())
            }
        }
    }
}

fn hash(password: &str) -> String {
    // A new random salt for every account, so equal passwords differ.
    let salt = SaltString::generate(&mut OsRng);
    let hash = Argon2::default().hash_password(password.as_bytes(), &salt);
    hash.expect("the default parameters always hash")
        .to_string()
}

fn verify(password: &str, hash: &str) -> bool {
    let Ok(hash) = PasswordHash::new(hash) else {
        return false;
    };
    // Compares the hashes in constant time (password-hash's `Output`).
    Argon2::default()
        .verify_password(password.as_bytes(), &hash)
        .is_ok()
}
// ANCHOR_END: session
