#[tokio::main]
async fn main() {
    let mut seen = Vec::new();
    let mut remember = |word: String| async {
        seen.push(word);
    };
    remember("tea".to_string()).await;
    remember("coffee".to_string()).await;
    println!("{seen:?}");
}
