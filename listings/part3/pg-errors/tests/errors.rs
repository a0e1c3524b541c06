// Each mistake is a clear error the program can tell apart, not a panic or
// a hang.

mod support;

use pg_errors::{connect, count_tasks, first_connection, id_as_text, title_of};
use tokio_postgres::error::SqlState;

#[tokio::test]
#[ignore = "needs PostgreSQL (apt install postgresql)"]
async fn a_text_parameter_for_an_int_column_fails_before_it_is_sent() {
    let server = support::Postgres::start();
    let client = connect(&server.url()).await.unwrap();
    let error = title_of(&client, "1").await.unwrap_err();
    // Not the server's error: the driver refused to encode the value.
    assert!(error.as_db_error().is_none());
    assert!(
        error
            .to_string()
            .starts_with("error serializing parameter 0")
    );
    // The connection is still good.
    let count: i64 = client
        .query_one("SELECT count(*) FROM book_tasks", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(count, 1);
}

#[tokio::test]
#[ignore = "needs PostgreSQL (apt install postgresql)"]
async fn reading_an_int_column_as_a_string_is_an_error_not_a_panic() {
    let server = support::Postgres::start();
    let client = connect(&server.url()).await.unwrap();
    let error = id_as_text(&client).await.unwrap_err();
    assert!(error.as_db_error().is_none());
    assert!(
        error
            .to_string()
            .starts_with("error deserializing column 0")
    );
}

#[tokio::test]
#[ignore = "needs PostgreSQL (apt install postgresql)"]
async fn a_missing_table_is_the_servers_undefined_table_error() {
    let server = support::Postgres::start();
    let client = connect(&server.url()).await.unwrap();
    let error = count_tasks(&client).await.unwrap_err();
    assert_eq!(error.code(), Some(&SqlState::UNDEFINED_TABLE));
    let message = error.as_db_error().unwrap().message();
    assert_eq!(message, "relation \"book_task\" does not exist");
}

#[tokio::test]
#[ignore = "needs PostgreSQL (apt install postgresql)"]
async fn a_server_that_stopped_refuses_the_connection() {
    let server = support::Postgres::start();
    let url = server.url();
    drop(server);
    let error = first_connection(&url).await.unwrap_err();
    let error = error.downcast::<tokio_postgres::Error>().unwrap();
    assert!(error.to_string().starts_with("error connecting to server"));
    let cause = std::error::Error::source(&error).unwrap().to_string();
    assert!(cause.starts_with("Connection refused"), "{cause}");
}

#[tokio::test]
#[ignore = "needs PostgreSQL (apt install postgresql)"]
async fn a_query_on_a_client_whose_server_stopped_fails() {
    let server = support::Postgres::start();
    let client = connect(&server.url()).await.unwrap();
    drop(server);
    let error = count_tasks(&client).await.unwrap_err();
    // The server said goodbye as it shut down. That message is the answer
    // to the next query, or, if the connection task read it first, it ended
    // the connection: either way an error, not a hang.
    let said_goodbye = error.code() == Some(&SqlState::ADMIN_SHUTDOWN);
    assert!(said_goodbye || error.is_closed(), "{error:?}");
    let error = count_tasks(&client).await.unwrap_err();
    assert!(error.is_closed(), "{error:?}");
    assert!(client.is_closed());
}

#[tokio::test]
#[ignore = "needs PostgreSQL (apt install postgresql)"]
async fn a_connection_that_is_not_run_answers_no_query() {
    let server = support::Postgres::start();
    let (client, connection) =
        tokio_postgres::connect(&server.url(), tokio_postgres::NoTls)
            .await
            .unwrap();
    // Not spawned: dropped instead.
    drop(connection);
    let error = client.query("SELECT 1", &[]).await.unwrap_err();
    assert!(error.is_closed(), "{error:?}");
}
