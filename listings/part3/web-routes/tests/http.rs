//! The service on a real loopback port, driven by a real HTTP client.
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

struct Server {
    base: String,
    client: Client,
    _dir: tempfile::TempDir,
}

impl Server {
    async fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let app = web_routes::app(&dir.path().join("orders.journal"))
            .await
            .unwrap();
        let listener =
            tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Server {
            base,
            client: Client::new(),
            _dir: dir,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn journal(&self) -> String {
        std::fs::read_to_string(self._dir.path().join("orders.journal"))
            .unwrap()
    }

    async fn post_raw(&self, body: &str) -> (StatusCode, String) {
        let response = self
            .client
            .post(self.url("/orders"))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }

    /// Proves the server still serves after a bad request.
    async fn still_serves(&self) {
        let response =
            self.client.get(self.url("/orders")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn orders_are_created_read_and_filtered() {
    let server = Server::start().await;
    for (item, quantity) in [("tea", 2), ("scone", 1), ("tea", 5)] {
        let response = server
            .client
            .post(server.url("/orders"))
            .json(&json!({ "item": item, "quantity": quantity }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let order: Value = server
        .client
        .get(server.url("/orders/2"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(order, json!({ "id": 2, "item": "scone", "quantity": 1 }));

    let teas: Vec<Value> = server
        .client
        .get(server.url("/orders?item=tea"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<_> = teas.iter().map(|order| order["id"].clone()).collect();
    assert_eq!(ids, [json!(1), json!(3)]);
    assert_eq!(server.journal(), "1 2 tea\n2 1 scone\n3 5 tea\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_orders_each_get_their_own_id() {
    let server = Server::start().await;
    let mut posts = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let request = server
            .client
            .post(server.url("/orders"))
            .json(&json!({ "item": "tea", "quantity": 1 }));
        posts.spawn(async move {
            let order: Value =
                request.send().await.unwrap().json().await.unwrap();
            order["id"].as_u64().unwrap()
        });
    }
    let mut ids = posts.join_all().await;
    ids.sort();
    assert_eq!(ids, (1..=50).collect::<Vec<_>>());
    // Every journal line is whole: the writes never interleaved.
    let journal = server.journal();
    assert_eq!(journal.lines().count(), 50);
    assert!(journal.lines().all(|line| line.ends_with(" 1 tea")));
}

#[tokio::test]
async fn our_own_errors_are_json_responses() {
    let server = Server::start().await;
    let response = server
        .client
        .get(server.url("/orders/99"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({ "error": "no order 99" }));

    let (status, body) =
        server.post_raw(r#"{"item": "tea", "quantity": 0}"#).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body, r#"{"error":"quantity must be 1 to 100, not 0"}"#);
    server.still_serves().await;
}

#[tokio::test]
async fn a_path_that_is_not_a_number_is_rejected() {
    let server = Server::start().await;
    let response = server
        .client
        .get(server.url("/orders/abc"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        response.text().await.unwrap(),
        "Invalid URL: Cannot parse `abc` to a `u64`"
    );
    server.still_serves().await;
}

#[tokio::test]
async fn json_that_does_not_parse_is_a_400() {
    let server = Server::start().await;
    let (status, body) = server.post_raw(r#"{"item": "tea", "#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body.starts_with("Failed to parse the request body as JSON"),
        "{body}"
    );
    server.still_serves().await;
}

// ANCHOR: missing_field
#[tokio::test]
async fn a_missing_field_is_a_422_that_names_it() {
    let server = Server::start().await;
    let (status, body) = server.post_raw(r#"{"item": "tea"}"#).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body,
        "Failed to deserialize the JSON body into the target type: \
         missing field `quantity` at line 1 column 15"
    );
    server.still_serves().await;
}
// ANCHOR_END: missing_field

#[tokio::test]
async fn a_body_without_the_json_content_type_is_a_415() {
    let server = Server::start().await;
    let response = server
        .client
        .post(server.url("/orders"))
        .body(r#"{"item": "tea", "quantity": 1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    server.still_serves().await;
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_413() {
    let server = Server::start().await;
    let item = "x".repeat(20 * 1024);
    let body = format!(r#"{{"item": "{item}", "quantity": 1}}"#);
    let (status, body) = server.post_raw(&body).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        body,
        "Failed to buffer the request body: length limit exceeded"
    );
    server.still_serves().await;
    assert_eq!(server.journal(), "");
}

#[tokio::test]
async fn an_unknown_route_is_a_404_with_an_empty_body() {
    let server = Server::start().await;
    let response = server.client.get(server.url("/menu")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(response.text().await.unwrap(), "");
    // A known path with the wrong method is a 405, not a 404.
    let response = server
        .client
        .delete(server.url("/orders"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    server.still_serves().await;
}
