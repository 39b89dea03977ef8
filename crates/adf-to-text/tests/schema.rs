//! Contract test against the ADF JSON schema fixture: every node type and
//! every mark type it defines renders, keeps the text inside it, and produces
//! something for atoms that carry no text of their own.

use jirafe_adf_to_text::adf_to_text;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/fixtures/adf/schema/full.json"
);

/// (`node` or `mark`, type name) for every definition with a `type` enum.
fn schema_types() -> BTreeSet<(String, String)> {
    let schema: Value =
        serde_json::from_slice(&std::fs::read(SCHEMA).expect("schema fixture")).expect("JSON");
    let defs = schema["definitions"].as_object().expect("definitions");
    let mut out = BTreeSet::new();
    for (name, def) in defs {
        let kind = if name.ends_with("_mark") {
            "mark"
        } else if name.ends_with("_node") {
            "node"
        } else {
            continue;
        };
        if let Some(types) = def["properties"]["type"]["enum"].as_array() {
            for t in types.iter().filter_map(Value::as_str) {
                out.insert((kind.to_owned(), t.to_owned()));
            }
        }
    }
    out
}

/// Attributes that satisfy any node's renderer.
fn attrs() -> Value {
    json!({
        "text": "ATTRTEXT", "url": "https://u.example", "shortName": ":s:", "timestamp": "0",
        "extensionKey": "key", "extensionType": "t", "title": "TITLE", "state": "DONE",
        "panelType": "info", "type": "file", "id": "id-1", "collection": "c", "level": 1,
        "localId": "l", "color": "blue", "resourceId": "r", "layout": "center", "order": 1
    })
}

#[test]
fn every_schema_node_type_renders_and_keeps_inner_text() {
    let types = schema_types();
    let nodes: Vec<&String> = types
        .iter()
        .filter(|(k, _)| k == "node")
        .map(|(_, t)| t)
        .collect();
    assert!(
        nodes.len() >= 40,
        "the schema defines {} node types",
        nodes.len()
    );
    for ty in nodes {
        let node = if ty == "text" {
            json!({"type": "text", "text": "INSIDE"})
        } else {
            json!({"type": ty, "attrs": attrs(), "content": [{"type": "text", "text": "INSIDE"}]})
        };
        let out = adf_to_text(&json!({"type": "doc", "content": [node]}));
        assert!(
            out.contains("INSIDE"),
            "`{ty}` lost its inner text: {out:?}"
        );
        // The mention's display text is a name: never written.
        assert!(
            !(ty == "mention" && out.contains("ATTRTEXT")),
            "mention revealed its text"
        );
    }
}

#[test]
fn every_schema_mark_type_keeps_the_text() {
    let types = schema_types();
    let marks: Vec<&String> = types
        .iter()
        .filter(|(k, _)| k == "mark")
        .map(|(_, t)| t)
        .collect();
    assert!(
        marks.len() >= 15,
        "the schema defines {} mark types",
        marks.len()
    );
    for mark in marks {
        let doc = json!({"type": "doc", "content": [{"type": "paragraph", "content": [
            {"type": "text", "text": "MARKED", "marks": [{"type": mark, "attrs": {"href": "https://h.example", "color": "#000"}}]}]}]});
        let out = adf_to_text(&doc);
        assert!(out.starts_with("MARKED"), "`{mark}`: {out:?}");
    }
}
