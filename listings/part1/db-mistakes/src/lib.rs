//! Programs of the async database chapter that must not compile; see `compile-fail/`.
