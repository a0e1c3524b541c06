//! Accounts and sessions, kept in memory: a name's password hash, and the
//! names that random session tokens stand for.

use std::collections::{HashMap, hash_map::Entry};
use std::sync::{Arc, Mutex};

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};

#[derive(Clone, Default)]
pub struct Accounts {
    /// name -> the password's hash, as a PHC string ("$argon2id$v=19$...").
    hashes: Arc<Mutex<HashMap<String, String>>>,
    /// session token -> name.
    sessions: Arc<Mutex<HashMap<String, String>>>,
}

// ANCHOR: log_in
impl Accounts {
    /// Checks a name's password, or makes the account if the name is new,
    /// and returns a new session token.
    pub async fn log_in(
        &self,
        name: &str,
        password: &str,
    ) -> Result<String, &'static str> {
        let known = self.hashes.lock().unwrap().get(name).cloned();
        let password = password.to_string();
        match known {
            Some(hash) => {
                // Argon2 is slow on purpose: off the runtime's threads.
                let checked = tokio::task::spawn_blocking(move || {
                    verify(&password, &hash)
                });
                if !checked.await.unwrap() {
                    return Err("wrong password");
                }
            }
            None => {
                let hash = tokio::task::spawn_blocking(move || hash(&password));
                let hash = hash.await.unwrap();
                let mut hashes = self.hashes.lock().unwrap();
                match hashes.entry(name.to_string()) {
                    Entry::Vacant(new) => _ = new.insert(hash),
                    // Someone took the name while we were hashing.
                    Entry::Occupied(_) => return Err("wrong password"),
                }
            }
        }
        Ok(self.open_session(name))
    }
    // ANCHOR_END: log_in

    // ANCHOR: session
    /// 32 random bytes from the operating system, written in hex.
    fn open_session(&self, name: &str) -> String {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let mut sessions = self.sessions.lock().unwrap();
        sessions.insert(token.clone(), name.to_string());
        token
    }

    /// The name a session token stands for, if it is one we gave out.
    pub fn resume(&self, token: &str) -> Option<String> {
        self.sessions.lock().unwrap().get(token).cloned()
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
