use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use exercise_web_errors::app;
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;

/// Sends one request to the service, without a network, and returns the
/// status and the JSON body of its answer.
async fn send(
    app: &axum::Router,
    method: &str,
    body: &str,
) -> (StatusCode, Value) {
    let request = Request::builder()
        .method(method)
        .uri("/orders")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, json)
}

// ANCHOR: test
#[tokio::test]
async fn bad_orders_get_clear_errors_and_good_ones_are_kept() {
    let app = app();
    let tea = r#"{"item": "tea", "quantity": 2}"#;
    assert_eq!(send(&app, "POST", tea).await.0, StatusCode::CREATED);

    let (status, body) = send(&app, "POST", "two teas, please").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"].is_string(), "no JSON error in {body}");

    let (status, body) = send(&app, "POST", r#"{"item": "tea"}"#).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = body["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("quantity"),
        "{error:?} should name the field"
    );

    let none = r#"{"item": "tea", "quantity": 0}"#;
    let (status, body) = send(&app, "POST", none).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"], "quantity must be at least 1");

    // The service still works, and kept only the good order.
    let (status, list) = send(&app, "GET", "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list, json!([{"item": "tea", "quantity": 2}]));
}
// ANCHOR_END: test
