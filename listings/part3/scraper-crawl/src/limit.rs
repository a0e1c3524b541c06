//! A per-host rate limit.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;
use url::Url;

// ANCHOR: limiter
/// At most `per_second` requests a second to each host: every request
/// takes the next free slot of its host, slots `1 / per_second` apart.
pub struct HostLimiter {
    gap: Duration,
    next_free: Mutex<HashMap<String, Instant>>,
}

impl HostLimiter {
    pub fn new(per_second: u32) -> HostLimiter {
        HostLimiter {
            gap: Duration::from_secs(1) / per_second,
            next_free: Mutex::new(HashMap::new()),
        }
    }

    /// Waits until a request to `url`'s host may go.
    pub async fn wait(&self, url: &Url) {
        let host = format!(
            "{}:{}",
            url.host_str().unwrap_or(""),
            url.port_or_known_default().unwrap_or(0)
        );
        let slot = {
            // Held only for these lines, never across an `.await`.
            let mut next_free = self.next_free.lock().unwrap();
            let now = Instant::now();
            let slot = match next_free.get(&host) {
                Some(&free) if free > now => free,
                _ => now,
            };
            next_free.insert(host, slot + self.gap);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}
// ANCHOR_END: limiter

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// Eight requests at once, to two hosts, at most 4 a second each.
    #[tokio::test(start_paused = true)]
    async fn each_host_gets_its_own_slots_a_quarter_second_apart() {
        let limiter = Arc::new(HostLimiter::new(4));
        let begin = Instant::now();
        let mut requests = tokio::task::JoinSet::new();
        for i in 0..8 {
            let limiter = limiter.clone();
            let host = if i % 2 == 0 { "a.test" } else { "b.test:8080" };
            let url = Url::parse(&format!("http://{host}/{i}")).unwrap();
            requests.spawn(async move {
                limiter.wait(&url).await;
                (host, begin.elapsed().as_millis())
            });
        }
        let mut went = requests.join_all().await;
        went.sort();
        assert_eq!(
            went,
            [
                ("a.test", 0),
                ("a.test", 250),
                ("a.test", 500),
                ("a.test", 750),
                ("b.test:8080", 0),
                ("b.test:8080", 250),
                ("b.test:8080", 500),
                ("b.test:8080", 750),
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_host_left_idle_may_go_at_once() {
        let limiter = HostLimiter::new(4);
        let url = Url::parse("http://a.test/").unwrap();
        limiter.wait(&url).await;
        tokio::time::sleep(Duration::from_secs(5)).await;
        let begin = Instant::now();
        limiter.wait(&url).await;
        // No debt from the idle time, no wait either.
        assert_eq!(begin.elapsed(), Duration::ZERO);
    }
}
