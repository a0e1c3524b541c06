use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

type Rooms = Arc<Mutex<HashMap<String, Vec<mpsc::Sender<String>>>>>;

/// Waits for room in every member's queue, with the lock still held.
async fn broadcast(rooms: Rooms, room: &str, text: String) {
    let rooms = rooms.lock().unwrap();
    for queue in rooms.get(room).into_iter().flatten() {
        let _ = queue.send(text.clone()).await;
    }
}

#[tokio::main]
async fn main() {
    let rooms = Rooms::default();
    tokio::spawn(async move {
        broadcast(rooms, "lobby", "hello".to_string()).await;
    });
}
