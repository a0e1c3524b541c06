use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::routing::post;

#[derive(Clone, Default)]
struct AppState {
    orders: Arc<Mutex<Vec<String>>>,
}

async fn save(item: &str) {
    // Stands for a database write or any other await.
    tokio::time::sleep(Duration::from_millis(10)).await;
    println!("saved {item}");
}

// The same handler, with the macro that explains what is wrong with it.
#[axum::debug_handler]
async fn create_order(State(state): State<AppState>, item: String) {
    let mut orders = state.orders.lock().unwrap();
    save(&item).await;
    orders.push(item);
}

fn main() {
    let _app: Router = Router::new()
        .route("/orders", post(create_order))
        .with_state(AppState::default());
}
