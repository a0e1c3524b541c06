//! Exercise: find why two transfers that run at the same time never finish,
//! and fix `transfer`.
//!
//! `cargo test` fails until `transfer` never deadlocks.

use std::time::Duration;

use tokio::sync::Mutex;

/// A bank of accounts, each behind its own lock, so that transfers between
/// different accounts can run at the same time.
pub struct Bank {
    accounts: Vec<Mutex<u64>>,
}

/// Writes a transfer to the audit log, which takes a moment. Leave it as it
/// is.
async fn audit(from: usize, to: usize, amount: u64) {
    let _ = (from, to, amount);
    tokio::time::sleep(Duration::from_millis(10)).await;
}

impl Bank {
    pub fn new(balances: &[u64]) -> Bank {
        let accounts = balances.iter().map(|&b| Mutex::new(b)).collect();
        Bank { accounts }
    }

    pub async fn balance(&self, account: usize) -> u64 {
        *self.accounts[account].lock().await
    }

    // ANCHOR: start
    /// Moves `amount` from account `from` to account `to`, after writing the
    /// transfer to the audit log.
    pub async fn transfer(
        &self,
        from: usize,
        to: usize,
        amount: u64,
    ) -> Result<(), String> {
        let mut source = self.accounts[from].lock().await;
        if *source < amount {
            return Err(format!("account {from} holds only {}", *source));
        }
        audit(from, to, amount).await;
        let mut destination = self.accounts[to].lock().await;
        *source -= amount;
        *destination += amount;
        Ok(())
    }
    // ANCHOR_END: start
}
