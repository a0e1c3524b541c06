//! Exercise: a small web service that answers bad input with a clear error
//! instead of failing.
//!
//! A solution: copy this file over `src/lib.rs` and `cargo test` passes.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::routing::post;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

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
    body: Result<Json<Order>, JsonRejection>,
) -> Result<(StatusCode, Json<Order>), (StatusCode, Json<Value>)> {
    // An extractor wrapped in Result hands its rejection to the handler
    // instead of answering with axum's plain-text message. Its status is
    // already right: 400 for a body that is not JSON, 422 for one that does
    // not fit `Order`; its body_text() says why.
    let Json(order) = body.map_err(|rejected| {
        let error = json!({ "error": rejected.body_text() });
        (rejected.status(), Json(error))
    })?;
    if order.quantity == 0 {
        let error = json!({ "error": "quantity must be at least 1" });
        return Err((StatusCode::UNPROCESSABLE_ENTITY, Json(error)));
    }
    orders.lock().unwrap().push(order.clone());
    Ok((StatusCode::CREATED, Json(order)))
}
// ANCHOR_END: start
