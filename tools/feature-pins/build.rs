// Present so that the build-dependencies in Cargo.toml take part in the build.
fn main() {}
