//! Arbitrary text into the wiki markup renderer.
//!
//! Run: `cargo +nightly fuzz run wiki -- -max_total_time=300` (from the repo root).
#![no_main]

use jirafe_adf_to_text::{Options, Renderer, wiki_references};
use libfuzzer_sys::fuzz_target;

const LIMIT: usize = 1 << 16;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut r = Renderer::new().with_options(
        Options::new()
            .with_max_output_bytes(LIMIT)
            .with_max_depth(16),
    );
    let out = r.render_wiki(&text);
    assert!(out.text.len() <= LIMIT);
    let _ = wiki_references(&text);
});
