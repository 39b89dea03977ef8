//! Saved inputs (fuzzing finds and hand-made edge cases), replayed through
//! the same checks as the fuzz targets in `fuzz/fuzz_targets/`. To keep a
//! crash found by `cargo fuzz`, copy the artifact into
//! `tests/regressions/adf_json/` or `tests/regressions/wiki/`.

use jirafe_adf_to_text::{Options, Renderer, json_references, wiki_references};
use serde_json::Value;
use std::path::Path;

const LIMIT: usize = 1 << 16;

fn inputs(kind: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/regressions")
        .join(kind);
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .expect("regressions dir")
        .flatten()
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).expect("read"))
        })
        .collect();
    out.sort();
    out
}

fn renderer() -> Renderer {
    Renderer::new().with_options(
        Options::new()
            .with_max_output_bytes(LIMIT)
            .with_max_depth(16),
    )
}

#[test]
fn adf_json_regressions() {
    let cases = inputs("adf_json");
    assert!(!cases.is_empty());
    for (name, data) in cases {
        let mut r = renderer();
        let ours = r.render_json(&data);
        if let Ok(out) = &ours {
            assert!(out.text.len() <= LIMIT, "{name}");
        }
        let _ = json_references(&data);
        if let Ok(v) = serde_json::from_slice::<Value>(&data) {
            let ours =
                ours.unwrap_or_else(|e| panic!("{name}: serde_json accepts it, we said {e}"));
            if !v.is_number() {
                assert_eq!(ours, r.render_value(&v), "{name}");
            }
        }
    }
}

#[test]
fn wiki_regressions() {
    let cases = inputs("wiki");
    assert!(!cases.is_empty());
    for (name, data) in cases {
        let text = String::from_utf8_lossy(&data);
        let out = renderer().render_wiki(&text);
        assert!(out.text.len() <= LIMIT, "{name}");
        let _ = wiki_references(&text);
    }
}

#[test]
fn specific_regression_expectations() {
    let mut r = renderer();
    let dup = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/regressions/adf_json/duplicate-keys.json"),
    )
    .expect("read");
    // As in serde_json, the last of duplicate keys wins.
    assert_eq!(
        r.render_json(&dup).expect("json").text,
        "dup keys, last wins"
    );
    let lone = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/regressions/adf_json/lone-surrogates.json"),
    )
    .expect("read");
    // serde_json rejects lone surrogates; we replace them and keep going.
    assert_eq!(
        r.render_json(&lone).expect("json").text,
        "\u{fffd}\u{fffd}\u{0}\u{fffd}"
    );
}
