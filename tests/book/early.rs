// The book's slow tests mostly wait: on the listings' programs, which sleep for real, and on
// the Python snippets, which do too. Libtest runs as many tests at once as the machine has
// cores, so on two cores two of them would wait while the rest queued behind. Each slow test
// does its work in an `Early` instead: the first test to start (`all_listings_pass_their_own_tests`)
// starts them all in the background, and each test then takes its own result and asserts on
// it. Run alone (`cargo test python`), a test simply does its own work.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

/// A piece of work that runs once, in the background or in the test that needs it first.
pub(crate) struct Early<T: 'static> {
    work: fn() -> T,
    result: OnceLock<Result<T, String>>,
}

impl<T: Send + Sync + 'static> Early<T> {
    pub(crate) const fn new(work: fn() -> T) -> Early<T> {
        Early {
            work,
            result: OnceLock::new(),
        }
    }

    /// Starts the work on a thread of its own, unless it has started already.
    pub(crate) fn start(&'static self) {
        std::thread::spawn(move || {
            self.result();
        });
    }

    /// The work's result, waiting for it if it is under way; a panic in the work (a failed
    /// assertion inside it) becomes the caller's.
    pub(crate) fn get(&'static self) -> &'static T {
        match self.result() {
            Ok(value) => value,
            Err(message) => panic!("{message}"),
        }
    }

    fn result(&'static self) -> &'static Result<T, String> {
        self.result.get_or_init(|| {
            catch_unwind(AssertUnwindSafe(self.work)).map_err(|panic| {
                panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "the work panicked".into())
            })
        })
    }
}

/// Starts every slow test's work.
pub(crate) fn start_all() {
    crate::snippets::DOCTESTS.start();
    crate::snippets::PYTHON.start();
    crate::exercises::EXERCISES.start();
    crate::listings::COPIES.start();
}
