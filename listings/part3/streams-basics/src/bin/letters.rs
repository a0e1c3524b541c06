use tokio_stream::StreamExt;

#[tokio::main]
async fn main() {
    let mut letters = tokio_stream::iter(["a", "b", "c"]);
    while let Some(letter) = letters.next().await {
        println!("{letter}");
    }
}
