use std::thread;
use std::time::{Duration, Instant};

fn make_coffee() {
    println!("Coffee: brewing...");
    // The thread does nothing else while it sleeps: it waits for the coffee.
    thread::sleep(Duration::from_secs(2));
    println!("Coffee: ready");
}

fn make_pastry() {
    println!("Pastry: baking...");
    thread::sleep(Duration::from_secs(3));
    println!("Pastry: ready");
}

fn main() {
    let start = Instant::now();
    make_coffee();
    make_pastry();
    println!("Breakfast served after {:.1?}", start.elapsed());
}
