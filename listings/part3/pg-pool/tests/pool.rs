// The pool, the queries and the transaction against a real server.

mod support;

use std::time::Duration;

use deadpool_postgres::{PoolError, TimeoutType};
use pg_pool::{
    Task, add_task, connect_pool, create_schema, finish_with_follow_up,
    open_tasks,
};

async fn fresh(
    server: &support::Postgres,
    size: usize,
) -> deadpool_postgres::Pool {
    let pool =
        connect_pool(&server.url(), size, Duration::from_secs(5)).unwrap();
    create_schema(&pool).await.unwrap();
    pool
}

#[tokio::test]
#[ignore = "needs PostgreSQL (apt install postgresql)"]
async fn rows_come_back_as_structs() {
    let server = support::Postgres::start();
    let pool = fresh(&server, 2).await;
    let id = add_task(&pool, "write").await.unwrap();
    let expected = Task {
        id,
        title: "write".into(),
        done: false,
    };
    assert_eq!(open_tasks(&pool).await.unwrap(), [expected]);
}

#[tokio::test]
#[ignore = "needs PostgreSQL (apt install postgresql)"]
async fn a_committed_transaction_is_seen_by_other_connections() {
    let server = support::Postgres::start();
    let pool = fresh(&server, 2).await;
    let write = add_task(&pool, "write").await.unwrap();
    let publish = finish_with_follow_up(&pool, write, "publish")
        .await
        .unwrap();
    // A separate pool: other connections, so nothing is read back from
    // inside the transaction's own session.
    let other = connect_pool(&server.url(), 1, Duration::from_secs(5)).unwrap();
    let open = open_tasks(&other).await.unwrap();
    let expected = Task {
        id: publish,
        title: "publish".into(),
        done: false,
    };
    assert_eq!(open, [expected]);
}

#[tokio::test]
#[ignore = "needs PostgreSQL (apt install postgresql)"]
async fn a_failed_transaction_rolls_back_the_update_before_it() {
    let server = support::Postgres::start();
    // One connection: the next query runs on the very connection the
    // dropped transaction used.
    let pool = fresh(&server, 1).await;
    let review = add_task(&pool, "review").await.unwrap();
    let error = finish_with_follow_up(&pool, review, "").await.unwrap_err();
    let error = error.downcast::<tokio_postgres::Error>().unwrap();
    assert_eq!(
        error.code(),
        Some(&tokio_postgres::error::SqlState::CHECK_VIOLATION)
    );
    let expected = Task {
        id: review,
        title: "review".into(),
        done: false,
    };
    assert_eq!(open_tasks(&pool).await.unwrap(), [expected]);
    let other = connect_pool(&server.url(), 1, Duration::from_secs(5)).unwrap();
    assert_eq!(open_tasks(&other).await.unwrap().len(), 1);
}

// ANCHOR: exhausted
// The paused clock: the pool's wait is a tokio timer, and with nothing
// else to do the runtime jumps to it, so the wait is exact.
#[tokio::test(start_paused = true)]
#[ignore = "needs PostgreSQL (apt install postgresql)"]
async fn a_full_pool_answers_a_wait_timeout_error_after_the_wait() {
    let server = support::Postgres::start();
    let wait = Duration::from_millis(200);
    let pool = connect_pool(&server.url(), 2, wait).unwrap();
    let first = pool.get().await.unwrap();
    let _second = pool.get().await.unwrap();
    let started = tokio::time::Instant::now();
    let third = pool.get().await;
    assert_eq!(started.elapsed(), wait);
    assert!(
        matches!(third, Err(PoolError::Timeout(TimeoutType::Wait))),
        "{third:?}"
    );
    assert_eq!(pool.status().waiting, 0);
    // A connection given back is handed to the next caller at once.
    drop(first);
    let started = tokio::time::Instant::now();
    let _third = pool.get().await.unwrap();
    assert_eq!(started.elapsed(), Duration::ZERO);
    assert_eq!(pool.status().size, 2);
}
// ANCHOR_END: exhausted
