use std::time::Duration;
use tokio::runtime::Runtime;
use tokio::time::sleep;

async fn fetch_weather(city: &str) -> String {
    sleep(Duration::from_millis(100)).await;
    format!("sunny in {city}")
}

// ANCHOR: nested
/// A synchronous API that runs async code on a runtime of its own, as some
/// "blocking" client libraries do. Fine from `fn main`; not from async code.
fn weather_blocking(city: &str) -> String {
    let runtime = Runtime::new().expect("cannot build a runtime");
    runtime.block_on(fetch_weather(city))
}

async fn agent_step() -> String {
    // A mistake: blocking on a runtime from inside a task of another runtime.
    weather_blocking("Lahore")
}

#[tokio::main]
async fn main() {
    // A spawned task that panics ends with an error instead of ending the
    // program.
    match tokio::spawn(agent_step()).await {
        Ok(weather) => println!("weather: {weather}"),
        Err(error) if error.is_panic() => {
            let panic = error.into_panic();
            // A panic's message is a &str or a String, inside a Box<dyn Any>.
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            println!("agent_step panicked: {message}");
        }
        Err(error) => println!("agent_step failed: {error}"),
    }
}
// ANCHOR_END: nested

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_plain_sync_code_the_blocking_api_works() {
        assert_eq!(weather_blocking("Quetta"), "sunny in Quetta");
    }

    #[tokio::test]
    #[should_panic(expected = "Cannot start a runtime from within a runtime")]
    async fn from_inside_a_runtime_it_panics() {
        weather_blocking("Karachi");
    }
}
