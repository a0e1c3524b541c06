//! Exercise: a small web service that answers bad input with a clear error
//! instead of failing.
//!
//! `cargo test` fails until `create_order` does.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub item: String,
    pub quantity: u32,
}

/// The orders taken so far, shared by every request.
type Orders = Arc<Mutex<Vec<Order>>>;

/// The service: `POST /orders` takes an order, `GET /orders` lists them.
/// Leave it as it is.
pub fn app() -> Router {
    let orders = Orders::default();
    Router::new()
        .route("/orders", post(create_order).get(list_orders))
        .with_state(orders)
}

async fn list_orders(State(orders): State<Orders>) -> Json<Vec<Order>> {
    Json(orders.lock().unwrap().clone())
}

// ANCHOR: start
/// Takes an order. A body that is not JSON is a 400, an order with a field
/// missing or a quantity of 0 is a 422, and each error is a JSON object with
/// an `error` field that says what is wrong.
async fn create_order(
    State(orders): State<Orders>,
    body: String,
) -> (StatusCode, Json<Order>) {
    let order: Order = serde_json::from_str(&body).unwrap();
    orders.lock().unwrap().push(order.clone());
    (StatusCode::CREATED, Json(order))
}
// ANCHOR_END: start
