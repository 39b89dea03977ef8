//! Prints the evaluation table for the committed corpus, with a sample of misses.
//!
//! ```sh
//! cargo run --release -p jirafe-pii-scrub --example eval
//! ```
#![allow(clippy::print_stdout)]

#[path = "../tests/support/eval.rs"]
mod eval;

fn main() {
    let scrubber = eval::scrubber();
    let report = eval::evaluate(&scrubber);
    println!("{}", report.table());
    let verbose = std::env::args().any(|a| a == "-v");
    let n = if verbose { usize::MAX } else { 15 };
    for (kind, value) in report.misses.iter().take(n) {
        println!("miss {kind}: {value}");
    }
    for v in report.altered.iter().take(n) {
        println!("altered noise: {v}");
    }
    if std::env::args().any(|a| a == "-d") {
        for (input, output) in &report.examples {
            println!("EX {}", serde_json::json!([input, output]));
        }
    }
}
