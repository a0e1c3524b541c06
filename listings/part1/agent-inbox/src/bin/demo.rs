//! The demo: a server with five messages, the agent storing them, and the same
//! messages sent a second time.

use std::future;

use agent_inbox::{Message, MessageServer, Settings, Store, agent};

fn messages() -> Vec<Message> {
    let texts = [
        "hello",
        "the kettle is on",
        "tea is ready",
        "milk?",
        "no thanks",
    ];
    texts
        .iter()
        .zip(1..)
        .map(|(text, id)| Message {
            id,
            text: text.to_string(),
        })
        .collect()
}

// ANCHOR: demo
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A fresh folder, removed when `dir` is dropped, however main ends.
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("inbox.db")).await?;

    // A server with five messages; it closes the connection once all five are
    // acknowledged.
    let server = MessageServer::start("127.0.0.1:0", messages()).await?;
    let never = future::pending();
    let report =
        agent::run(server.address(), &store, Settings::default(), never)
            .await?;
    println!("first run: {report}");
    println!("server: {} unacknowledged", server.unacked_ids().len());

    // A second server that never got the acks sends the same five messages
    // again.
    let forgetful = MessageServer::start("127.0.0.1:0", messages()).await?;
    let never = future::pending();
    let report =
        agent::run(forgetful.address(), &store, Settings::default(), never)
            .await?;
    println!("second run: {report}");

    println!("the database holds:");
    for message in store.messages().await? {
        println!("  {:>2}  {}", message.id, message.text);
    }
    store.close().await?;
    Ok(())
}
// ANCHOR_END: demo
