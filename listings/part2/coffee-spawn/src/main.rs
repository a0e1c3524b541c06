use std::time::Duration;
use tokio::time::{Instant, sleep};

// In tests, `println!` also notes when each line was printed, on tokio's clock: that is how
// the book draws this program's timeline (see the last test below).
#[cfg(test)]
macro_rules! println {
    ($($arg:tt)*) => {{
        let line = format!($($arg)*);
        crate::tests::record(&line);
        std::println!("{line}");
    }};
}

async fn make_coffee() {
    println!("Coffee: brewing...");
    sleep(Duration::from_secs(2)).await;
    println!("Coffee: ready");
}

async fn make_pastry() {
    println!("Pastry: baking...");
    sleep(Duration::from_secs(3)).await;
    println!("Pastry: ready");
}

// ANCHOR: breakfast
async fn make_breakfast() -> anyhow::Result<()> {
    let coffee = tokio::spawn(make_coffee());
    let pastry = tokio::spawn(make_pastry());
    println!("Waiter: both orders are in");

    // A JoinHandle resolves when its task ends; `?` passes on a task that panicked.
    coffee.await?;
    pastry.await?;
    Ok(())
}

// One thread runs every task, as asyncio's event loop does.
#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let start = Instant::now();
    make_breakfast().await?;
    println!("Breakfast served after {:.1?}", start.elapsed());
    Ok(())
}
// ANCHOR_END: breakfast

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    #[tokio::test(start_paused = true)]
    async fn spawned_steps_take_as_long_as_the_slowest() {
        let start = Instant::now();
        make_breakfast().await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn a_spawned_task_runs_without_being_awaited() {
        let coffee = tokio::spawn(make_coffee());
        // Nobody awaits the handle yet; the task still finishes on its own.
        sleep(Duration::from_secs(2)).await;
        tokio::task::yield_now().await;
        assert!(coffee.is_finished());
    }

    thread_local! {
        static PRINTED: RefCell<Vec<(Instant, String)>> = const { RefCell::new(Vec::new()) };
    }

    pub fn record(line: &str) {
        PRINTED.with(|printed| {
            printed
                .borrow_mut()
                .push((Instant::now(), line.to_string()))
        });
    }

    /// The book draws this program's timeline from timeline.txt. This test records the
    /// program on the paused clock and fails if the picture would differ from it;
    /// `UPDATE_TIMELINE=1 cargo test` writes the file anew.
    #[tokio::test(start_paused = true)]
    async fn the_timeline_in_the_book_is_this_programs() {
        let start = Instant::now();
        make_breakfast().await.unwrap();
        let mut recorded = String::from(
            "# Recorded on tokio's paused clock by this crate's tests.\n",
        );
        PRINTED.with(|printed| {
            for (at, line) in printed.borrow().iter() {
                recorded.push_str(&format!(
                    "{:.3} {line}\n",
                    (*at - start).as_secs_f64()
                ));
            }
        });
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/timeline.txt");
        if std::env::var_os("UPDATE_TIMELINE").is_some() {
            std::fs::write(path, &recorded).unwrap();
        }
        assert_eq!(std::fs::read_to_string(path).unwrap(), recorded);
    }
}
