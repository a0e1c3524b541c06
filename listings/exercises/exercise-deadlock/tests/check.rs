use std::time::Duration;

use exercise_deadlock::Bank;
use tokio::time::timeout;

/// On the paused clock, a deadlock makes the clock jump to the timeout.
const PATIENCE: Duration = Duration::from_secs(60);

#[tokio::test(start_paused = true)]
async fn transfers_both_ways_at_once_both_finish() {
    let bank = Bank::new(&[100, 100]);
    let both = async {
        tokio::join!(bank.transfer(0, 1, 10), bank.transfer(1, 0, 30))
    };
    let (there, back) = timeout(PATIENCE, both)
        .await
        .expect("deadlock: each transfer waits for the other's lock");
    assert_eq!((there, back), (Ok(()), Ok(())));
    assert_eq!(bank.balance(0).await, 120);
    assert_eq!(bank.balance(1).await, 80);
}

#[tokio::test(start_paused = true)]
async fn a_transfer_to_the_same_account_changes_nothing() {
    let bank = Bank::new(&[100, 100]);
    let result = timeout(PATIENCE, bank.transfer(0, 0, 10))
        .await
        .expect("deadlock: the transfer waits for a lock it holds");
    assert_eq!(result, Ok(()));
    assert_eq!(bank.balance(0).await, 100);
}

#[tokio::test(start_paused = true)]
async fn an_overdraft_is_refused() {
    let bank = Bank::new(&[100, 5]);
    let refused = timeout(PATIENCE, bank.transfer(1, 0, 10)).await.unwrap();
    assert_eq!(refused, Err("account 1 holds only 5".to_string()));
    assert_eq!(bank.balance(0).await, 100);
    assert_eq!(bank.balance(1).await, 5);
}
