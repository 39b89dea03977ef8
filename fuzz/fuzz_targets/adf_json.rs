//! Arbitrary bytes into the ADF JSON entry points.
//!
//! Run: `cargo +nightly fuzz run adf_json -- -max_total_time=300` (from the repo root).
//! A crash found here belongs in `crates/adf-to-text/tests/regressions.rs`.
#![no_main]

use jirafe_adf_to_text::{Options, Renderer, json_references};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const LIMIT: usize = 1 << 16;

fuzz_target!(|data: &[u8]| {
    let mut r = Renderer::new().with_options(
        Options::new()
            .with_max_output_bytes(LIMIT)
            .with_max_depth(16),
    );
    let ours = r.render_json(data);
    if let Ok(out) = &ours {
        assert!(out.text.len() <= LIMIT);
    }
    let _ = json_references(data);
    // JSON that serde_json accepts, we accept too, and both entry points agree.
    if let Ok(v) = serde_json::from_slice::<Value>(data) {
        let ours = ours.expect("serde_json accepted this JSON");
        let from_value = r.render_value(&v);
        // A bare number may be spelled differently (`1E2` vs `100.0`); nothing else may.
        if !v.is_number() {
            assert_eq!(ours, from_value);
        }
    }
});
