use axum::Json;
use axum::Router;
use axum::extract::Path;
use axum::routing::put;
use serde::Deserialize;

#[derive(Deserialize)]
struct Change {
    quantity: u32,
}

// The body extractor must come last; here it is first.
#[axum::debug_handler]
async fn change_order(Json(change): Json<Change>, Path(id): Path<u64>) {
    println!("order {id}: quantity {}", change.quantity);
}

fn main() {
    let _app: Router = Router::new().route("/orders/{id}", put(change_order));
}
