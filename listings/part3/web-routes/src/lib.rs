//! A small order service: routes, extractors, errors as responses, and
//! state shared by every request.
use std::collections::BTreeMap;
use std::path::Path as FilePath;
use std::sync::{Arc, Mutex};

use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::fs::{File, OpenOptions};
use tokio::io::AsyncWriteExt;

// ANCHOR: types
/// What a client sends to place an order.
#[derive(Deserialize)]
pub struct NewOrder {
    pub item: String,
    pub quantity: u32,
}

/// What the service answers with.
#[derive(Clone, Serialize)]
pub struct Order {
    pub id: u64,
    pub item: String,
    pub quantity: u32,
}

/// The query string of `GET /orders?item=tea`: every field optional.
#[derive(Deserialize)]
pub struct Filter {
    pub item: Option<String>,
}
// ANCHOR_END: types

// ANCHOR: state
/// Shared by every request. Cloning it clones the `Arc`s, not the data.
#[derive(Clone)]
pub struct AppState {
    /// Touched briefly, never across an `.await`: a std `Mutex` is right.
    orders: Arc<Mutex<Orders>>,
    /// Held while a line is written, which awaits: a tokio `Mutex`.
    journal: Arc<tokio::sync::Mutex<File>>,
}

#[derive(Default)]
struct Orders {
    last_id: u64,
    by_id: BTreeMap<u64, Order>,
}
// ANCHOR_END: state

// ANCHOR: error
/// Every way a handler can fail, each turned into a response.
#[derive(Debug)]
pub enum ApiError {
    NotFound(u64),
    BadQuantity(u32),
    Journal(std::io::Error),
}

#[derive(Serialize)]
struct ErrorBody {
    error: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error) = match self {
            ApiError::NotFound(id) => {
                (StatusCode::NOT_FOUND, format!("no order {id}"))
            }
            ApiError::BadQuantity(n) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("quantity must be 1 to 100, not {n}"),
            ),
            // The details go to the log, not to the client.
            ApiError::Journal(err) => {
                eprintln!("journal write failed: {err}");
                (StatusCode::INTERNAL_SERVER_ERROR, "try again".into())
            }
        };
        (status, Json(ErrorBody { error })).into_response()
    }
}
// ANCHOR_END: error

// ANCHOR: handlers
/// `GET /orders/{id}`: the path parameter, parsed as a number.
async fn get_order(
    State(state): State<AppState>,
    Path(id): Path<u64>,
) -> Result<Json<Order>, ApiError> {
    let orders = state.orders.lock().unwrap();
    let order = orders.by_id.get(&id).ok_or(ApiError::NotFound(id))?;
    Ok(Json(order.clone()))
}

/// `GET /orders` or `GET /orders?item=tea`.
async fn list_orders(
    State(state): State<AppState>,
    Query(filter): Query<Filter>,
) -> Json<Vec<Order>> {
    let orders = state.orders.lock().unwrap();
    let wanted = |order: &&Order| match &filter.item {
        Some(item) => &order.item == item,
        None => true,
    };
    Json(orders.by_id.values().filter(wanted).cloned().collect())
}
// ANCHOR_END: handlers

// ANCHOR: create
/// `POST /orders` with a JSON body. The body extractor comes last.
async fn create_order(
    State(state): State<AppState>,
    Json(new): Json<NewOrder>,
) -> Result<(StatusCode, Json<Order>), ApiError> {
    if !(1..=100).contains(&new.quantity) {
        return Err(ApiError::BadQuantity(new.quantity));
    }
    let order = {
        // The guard lives in this block and is gone before any .await.
        let mut orders = state.orders.lock().unwrap();
        orders.last_id += 1;
        let order = Order {
            id: orders.last_id,
            item: new.item,
            quantity: new.quantity,
        };
        orders.by_id.insert(order.id, order.clone());
        order
    };
    let line = format!("{} {} {}\n", order.id, order.quantity, order.item);
    // One writer at a time, and the lock is held across the write.
    let mut journal = state.journal.lock().await;
    journal
        .write_all(line.as_bytes())
        .await
        .map_err(ApiError::Journal)?;
    journal.flush().await.map_err(ApiError::Journal)?;
    Ok((StatusCode::CREATED, Json(order)))
}
// ANCHOR_END: create

// ANCHOR: app
/// The whole service. `journal` is the file every new order is added to.
pub async fn app(journal: &FilePath) -> std::io::Result<Router> {
    let journal = OpenOptions::new()
        .create(true)
        .append(true)
        .open(journal)
        .await?;
    let state = AppState {
        orders: Arc::default(),
        journal: Arc::new(tokio::sync::Mutex::new(journal)),
    };
    Ok(Router::new()
        .route("/orders", get(list_orders).post(create_order))
        .route("/orders/{id}", get(get_order))
        // Bodies over 16 KiB are refused (axum's default is 2 MiB).
        .layer(DefaultBodyLimit::max(16 * 1024))
        .with_state(state))
}
// ANCHOR_END: app
