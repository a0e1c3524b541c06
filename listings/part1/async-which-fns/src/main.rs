use std::time::Duration;

use tokio::time::sleep;

// ANCHOR: sync
/// Reads "<item> <quantity>". It only computes, and returns as soon as it is
/// done: nothing to wait for, so it is an ordinary function.
fn parse_order(line: &str) -> Result<(String, u32), String> {
    let (item, quantity) = line.split_once(' ').ok_or_else(|| {
        format!("expected \"<item> <quantity>\", got {line:?}")
    })?;
    let quantity = quantity
        .parse()
        .map_err(|_| format!("{quantity:?} is not a quantity"))?;
    Ok((item.to_string(), quantity))
}
// ANCHOR_END: sync

// ANCHOR: async
/// Asks a stock service, which takes 100 ms to answer (a sleep stands in for
/// the network). It waits, so it is async.
async fn stock_of(item: &str) -> u32 {
    sleep(Duration::from_millis(100)).await;
    match item {
        "tea" => 5,
        _ => 0,
    }
}

/// Awaits `stock_of`, so it must be async too. It calls `parse_order` like any
/// function.
async fn handle_order(line: &str) -> String {
    let (item, quantity) = match parse_order(line) {
        Ok(order) => order,
        Err(problem) => return format!("{line:?}: rejected, {problem}"),
    };
    let in_stock = stock_of(&item).await;
    if quantity <= in_stock {
        format!("{line:?}: accepted")
    } else {
        format!("{line:?}: rejected, only {in_stock} in stock")
    }
}
// ANCHOR_END: async

// ANCHOR: main
#[tokio::main]
async fn main() {
    let (tea, coffee, nonsense) = tokio::join!(
        handle_order("tea 2"),
        handle_order("coffee 1"),
        handle_order("tea lots"),
    );
    println!("{tea}\n{coffee}\n{nonsense}");
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    #[test]
    fn parsing_needs_no_runtime() {
        assert_eq!(parse_order("tea 2"), Ok(("tea".to_string(), 2)));
        assert!(parse_order("tea").is_err());
        assert!(parse_order("tea two").is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn three_orders_take_as_long_as_one_stock_check() {
        let start = Instant::now();
        let replies = tokio::join!(
            handle_order("tea 2"),
            handle_order("coffee 1"),
            handle_order("tea 9")
        );
        assert_eq!(start.elapsed(), Duration::from_millis(100));
        assert_eq!(replies.0, "\"tea 2\": accepted");
        assert_eq!(replies.2, "\"tea 9\": rejected, only 5 in stock");
    }

    #[tokio::test(start_paused = true)]
    async fn a_malformed_order_is_answered_without_waiting() {
        let start = Instant::now();
        let reply = handle_order("tea lots").await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        assert!(reply.contains("is not a quantity"), "{reply}");
    }
}
