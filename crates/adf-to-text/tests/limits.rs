//! Hostile shapes: documents 100,000 levels deep (as JSON text and as a
//! `serde_json::Value`), multi-megabyte documents, tiny limits. Each returns
//! (no stack overflow, no panic) and reports the limits it hit.

use jirafe_adf_to_text::{Options, Renderer, TRUNCATION_MARKER, json_to_text, wiki_to_text};
use serde_json::{Value, json};

const DEEP: usize = 100_000;

/// `depth` nested blockquotes around one paragraph, as JSON text.
fn deep_json(depth: usize, container: &str) -> String {
    let mut s = String::from(r#"{"type":"doc","content":["#);
    for _ in 0..depth {
        s.push_str(&format!(r#"{{"type":"{container}","content":["#));
    }
    s.push_str(r#"{"type":"paragraph","content":[{"type":"text","text":"bottom"}]}"#);
    for _ in 0..depth {
        s.push_str("]}");
    }
    s.push_str("]}");
    s
}

#[test]
fn json_text_nested_100k_levels_renders_flattened_text() {
    for container in [
        "blockquote",
        "bulletList",
        "listItem",
        "tableCell",
        "mystery",
    ] {
        let json = deep_json(DEEP, container);
        let mut r = Renderer::new();
        let out = r.render_json(json.as_bytes()).expect("valid JSON");
        assert!(out.truncated.depth, "{container}: depth limit reported");
        assert!(!out.truncated.output, "{container}");
        assert!(
            out.text.contains("bottom"),
            "{container}: the text survives: {:?}",
            &out.text
        );
        // Flattened past the limit: the text is not preceded by 100k prefixes.
        assert!(
            out.text.len() < 1000,
            "{container}: {} bytes",
            out.text.len()
        );
    }
}

#[test]
fn nested_arrays_100k_levels() {
    let json = "[".repeat(DEEP) + "\"deep text\"" + &"]".repeat(DEEP);
    let out = Renderer::new()
        .render_json(json.as_bytes())
        .expect("valid JSON");
    assert_eq!(out.text, "deep text");
    assert!(out.truncated.depth);
}

/// Takes a deep `Value` apart iteratively: dropping it whole would recurse
/// once per level inside serde_json.
fn dismantle(mut v: Value) {
    loop {
        let next = match &mut v {
            Value::Object(m) => match m.get_mut("content") {
                Some(Value::Array(a)) if !a.is_empty() => a.pop(),
                _ => None,
            },
            _ => None,
        };
        match next {
            Some(n) => v = n, // the old `v` is now shallow and drops cheaply
            None => return,
        }
    }
}

#[test]
fn serde_value_nested_100k_levels_renders_and_is_dropped_safely() {
    // Built by hand: `json!` would serialize the inner value (recursively).
    fn node(ty: &str, child: Value) -> Value {
        let mut m = serde_json::Map::new();
        m.insert("type".into(), Value::String(ty.into()));
        m.insert("content".into(), Value::Array(vec![child]));
        Value::Object(m)
    }
    let mut v = json!({"type": "paragraph", "content": [{"type": "text", "text": "bottom"}]});
    for i in 0..DEEP {
        v = node(if i % 2 == 0 { "listItem" } else { "bulletList" }, v);
    }
    let v = node("doc", v);
    let out = Renderer::new().render_value(&v);
    // Take the value apart before asserting: a failed assertion would drop it
    // whole while unwinding.
    dismantle(v);
    assert!(out.truncated.depth);
    assert!(out.text.contains("bottom"), "{:?}", out.text);
    assert!(out.text.len() < 1000, "{} bytes", out.text.len());
}

#[test]
fn depth_limit_is_configurable_and_flattens_only_below_it() {
    let json = deep_json(5, "blockquote");
    let mut shallow = Renderer::new().with_options(Options::new().with_max_depth(3));
    let out = shallow.render_json(json.as_bytes()).expect("json");
    assert!(out.truncated.depth);
    assert_eq!(out.text, "> > > bottom");
    let mut roomy = Renderer::new().with_options(Options::new().with_max_depth(10));
    let out = roomy.render_json(json.as_bytes()).expect("json");
    assert!(!out.truncated.any());
    assert_eq!(out.text, "> > > > > bottom");
}

#[test]
fn multi_megabyte_document_is_cut_at_the_output_limit() {
    let para = json!({"type": "paragraph", "content": [{"type": "text", "text": "All work and no play makes Jack a dull boy. ".repeat(4)}]});
    let doc = json!({"type": "doc", "content": vec![para; 30_000]});
    let bytes = serde_json::to_vec(&doc).expect("serialize");
    assert!(bytes.len() > 5_000_000);

    let limit = 1 << 20;
    let mut r = Renderer::new().with_options(Options::new().with_max_output_bytes(limit));
    let out = r.render_json(&bytes).expect("json");
    assert!(out.truncated.output);
    assert!(out.text.len() <= limit);
    assert!(out.text.ends_with(TRUNCATION_MARKER));
    assert!(out.text.starts_with("All work and no play"));

    // With room, the whole document renders.
    let mut big = Renderer::new().with_options(Options::new().with_max_output_bytes(usize::MAX));
    let full = big.render_json(&bytes).expect("json");
    assert!(!full.truncated.any());
    assert_eq!(full.text.matches("Jack").count(), 4 * 30_000);
}

#[test]
fn a_million_inline_nodes() {
    let mut s = String::from(r#"{"type":"doc","content":[{"type":"paragraph","content":["#);
    for i in 0..1_000_000 {
        if i > 0 {
            s.push(',');
        }
        s.push_str(r#"{"type":"text","text":"x"}"#);
    }
    s.push_str("]}]}");
    let text = json_to_text(s.as_bytes()).expect("json");
    assert_eq!(text.len(), 1_000_000);
}

#[test]
fn tiny_output_limits() {
    let doc = r#"{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"héllo wörld, this is long"}]}]}"#.as_bytes();
    let full = "héllo wörld, this is long".len();
    for limit in 0..full {
        let mut r = Renderer::new().with_options(Options::new().with_max_output_bytes(limit));
        let out = r.render_json(doc).expect("json");
        assert!(out.text.len() <= limit, "limit {limit}: {:?}", out.text);
        assert!(out.truncated.output, "limit {limit}");
    }
    let mut r = Renderer::new().with_options(Options::new().with_max_output_bytes(full));
    assert!(!r.render_json(doc).expect("json").truncated.any());
}

#[test]
fn hostile_wiki_markup_returns_promptly() {
    // A list marker 100k deep.
    let deep_list = "*".repeat(DEEP) + " item";
    let out = Renderer::new().render_wiki(&deep_list);
    assert!(out.truncated.depth);
    assert!(out.text.ends_with("- item"));
    assert!(out.text.len() < 1000);

    // Unpaired emphasis markers everywhere: linear, and kept as written.
    let stars = "*a ".repeat(200_000);
    assert_eq!(wiki_to_text(&stars), stars.trim_end());

    // Brackets and bangs that never close.
    let open = "[!{{{".repeat(100_000);
    assert_eq!(wiki_to_text(&open), open);

    // Megabytes of markup.
    let big = "h1. Title\n*bold* _em_ [link|https://e.example] {{mono}}\n# one\n||a||b||\n|c|d|\n"
        .repeat(50_000);
    let mut r = Renderer::new();
    let out = r.render_wiki(&big);
    assert!(out.truncated.output);
    assert!(out.text.len() <= Options::DEFAULT_MAX_OUTPUT_BYTES);

    // An unclosed code block keeps its text.
    assert_eq!(wiki_to_text("{code}\nlet x = 1;"), "let x = 1;");
}
