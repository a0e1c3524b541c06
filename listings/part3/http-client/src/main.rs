use http_client::{describe, get_user, get_users, make_client, server};
use std::time::Duration;

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A small server of our own, on a free port, inside this program.
    let server = server::start().await?;
    let base = &server.base;
    let client = make_client()?;

    let user = get_user(&client, &format!("{base}/users/1")).await?;
    println!("one user: {user:?}");

    let urls: Vec<String> =
        (1..=6).map(|id| format!("{base}/users/{id}")).collect();
    let users = get_users(&client, &urls, 3, Duration::from_secs(5)).await?;
    let mut names = Vec::new();
    for user in users {
        names.push(user?.name); // the first error, if any, ends main
    }
    println!("six users, three at a time: {}", names.join(", "));

    for path in ["/users/404", "/fail", "/broken"] {
        let error = get_user(&client, &format!("{base}{path}")).await;
        println!("{path}: {}", describe(&error.unwrap_err()));
    }
    Ok(())
}
// ANCHOR_END: main
