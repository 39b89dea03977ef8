//! Properties over random ADF trees, random JSON-ish bytes and random wiki
//! markup: rendering never panics, both entry points agree, and no text node's
//! text is lost.

use jirafe_adf_to_text::{Options, Renderer, json_to_text};
use proptest::prelude::*;
use serde_json::{Value, json};

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 éü😀*_\\-\\[\\]{}|!#~^+:/.]{1,12}"
}

/// Inline leaves, including every inline node type and some marks.
fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => text().prop_map(|t| json!({"type": "text", "text": t})),
        1 => (text(), prop_oneof![Just("strong"), Just("em"), Just("code"), Just("strike"), Just("underline")])
            .prop_map(|(t, m)| json!({"type": "text", "text": t, "marks": [{"type": m}]})),
        1 => (text(), "[a-z]{1,6}").prop_map(|(t, h)| json!({"type": "text", "text": t, "marks": [{"type": "link", "attrs": {"href": format!("https://{h}.example")}}]})),
        1 => "[a-f0-9:]{0,24}".prop_map(|id| json!({"type": "mention", "attrs": {"id": id, "text": "@Some Name"}})),
        1 => Just(json!({"type": "emoji", "attrs": {"shortName": ":smile:", "text": "😄"}})),
        1 => any::<i64>().prop_map(|ts| json!({"type": "date", "attrs": {"timestamp": ts.to_string()}})),
        1 => text().prop_map(|t| json!({"type": "status", "attrs": {"text": t, "color": "blue"}})),
        1 => Just(json!({"type": "hardBreak"})),
        1 => Just(json!({"type": "inlineCard", "attrs": {"url": "https://card.example/x"}})),
        1 => Just(json!({"type": "mediaInline", "attrs": {"type": "file", "id": "m", "collection": "c"}})),
        1 => Just(json!({"type": "placeholder", "attrs": {"text": "hint"}})),
        1 => Just(json!({"type": "rule"})),
        1 => Just(json!({"type": "media", "attrs": {"type": "external", "url": "https://i.example/a.png"}})),
        1 => Just(json!({"type": "extension", "attrs": {"extensionKey": "k", "extensionType": "t"}})),
        1 => Just(json!({"type": "blockCard", "attrs": {"url": "https://b.example"}})),
        1 => text().prop_map(|t| json!({"type": "weirdLeaf", "text": t})),
        1 => Just(json!(null)),
        1 => text().prop_map(Value::String),
    ]
}

const CONTAINERS: &[&str] = &[
    "doc",
    "paragraph",
    "heading",
    "bulletList",
    "orderedList",
    "listItem",
    "taskList",
    "taskItem",
    "blockTaskItem",
    "decisionList",
    "decisionItem",
    "blockquote",
    "panel",
    "expand",
    "nestedExpand",
    "layoutSection",
    "layoutColumn",
    "table",
    "tableRow",
    "tableCell",
    "tableHeader",
    "mediaSingle",
    "mediaGroup",
    "caption",
    "codeBlock",
    "bodiedExtension",
    "bodiedSyncBlock",
    "unknownContainer",
];

fn tree() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(8, 256, 6, |inner| {
        (
            prop::sample::select(CONTAINERS),
            prop::collection::vec(inner, 0..6),
            prop_oneof![
                Just("info"),
                Just("note"),
                Just("custom"),
                Just("DONE"),
                Just("TODO")
            ],
            text(),
            0u32..20,
        )
            .prop_map(|(ty, content, kind, title, order)| {
                json!({"type": ty, "content": content, "attrs": {
                    "panelType": kind, "state": kind, "title": title, "order": order, "level": 2,
                }})
            })
    })
}

fn texts<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(m) => {
            if m.get("type").and_then(Value::as_str) == Some("text")
                && let Some(t) = m.get("text").and_then(Value::as_str)
            {
                out.push(t);
            }
            if let Some(c) = m.get("content") {
                texts(c, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| texts(x, out)),
        _ => {}
    }
}

fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_text_node_survives_and_entry_points_agree(root in tree()) {
        let doc = json!({"type": "doc", "version": 1, "content": [root]});
        let mut r = Renderer::new();
        let from_value = r.render_value(&doc);
        let bytes = serde_json::to_vec(&doc).expect("serialize");
        let from_bytes = r.render_json(&bytes).expect("our parser reads serde_json output");
        prop_assert_eq!(&from_value, &from_bytes);
        prop_assert!(!from_value.truncated.output);

        let out = normalize(&from_value.text);
        let mut all = Vec::new();
        texts(&doc, &mut all);
        for t in all {
            let t = normalize(t);
            prop_assert!(out.contains(&t), "lost {:?} in {:?}", t, out);
        }
        // The default hook never reveals a mention's display text.
        prop_assert!(!from_value.text.contains("Some Name"));
    }

    #[test]
    fn a_reused_renderer_renders_like_a_fresh_one(
        docs in prop::collection::vec(tree(), 1..6),
        limit in 0usize..400,
    ) {
        // A small limit and depth make earlier documents end mid-list, mid-table,
        // mid-link or truncated: none of that may leak into the next document.
        let options = Options::new().with_max_output_bytes(limit).with_max_depth(3);
        let mut reused = Renderer::new().with_options(options.clone());
        let mut into = String::from("stale text");
        for root in &docs {
            let doc = json!({"type": "doc", "content": [root]});
            let fresh = Renderer::new().with_options(options.clone()).render_value(&doc);
            prop_assert_eq!(&reused.render_value(&doc), &fresh);
            let truncated = reused.render_value_into(&doc, &mut into);
            prop_assert_eq!(&into, &fresh.text);
            prop_assert_eq!(truncated, fresh.truncated);
            let bytes = serde_json::to_vec(&doc).expect("serialize");
            prop_assert_eq!(&reused.render_json(&bytes).expect("valid JSON"), &fresh);
            let wiki = fresh.text.replace('-', "*");
            let fresh_wiki = Renderer::new().with_options(options.clone()).render_wiki(&wiki);
            reused.render_wiki_into(&wiki, &mut into);
            prop_assert_eq!(&into, &fresh_wiki.text);
        }
    }

    #[test]
    fn output_limit_always_holds(root in tree(), limit in 0usize..200) {
        let doc = json!({"type": "doc", "content": [root]});
        let mut r = Renderer::new().with_options(Options::new().with_max_output_bytes(limit).with_max_depth(3));
        let out = r.render_value(&doc);
        prop_assert!(out.text.len() <= limit);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = json_to_text(&bytes);
        let _ = jirafe_adf_to_text::json_references(&bytes);
    }

    #[test]
    fn json_that_serde_accepts_we_accept(s in "[\\[\\]{}\":,0-9a-z\\\\ .eE+\\-]{0,48}") {
        if serde_json::from_str::<Value>(&s).is_ok() {
            prop_assert!(json_to_text(s.as_bytes()).is_ok(), "{:?}", s);
        }
    }

    #[test]
    fn wiki_markup_never_panics_and_respects_the_limit(
        parts in prop::collection::vec(prop_oneof![
            Just("*"), Just("_"), Just("-"), Just("+"), Just("^"), Just("~"), Just("["), Just("]"),
            Just("|"), Just("||"), Just("!"), Just("{"), Just("}"), Just("{{"), Just("}}"), Just("\\"),
            Just("h1. "), Just("# "), Just("* "), Just("** "), Just("\n"), Just("\r\n"), Just(" "),
            Just("[~"), Just("{code}"), Just("{noformat}"), Just("{quote}"), Just("{color:red}"),
            Just("{panel:title=x}"), Just("{panel}"), Just("bq. "), Just("----"), Just("é"), Just("😀"),
            Just("word"), Just("accountid:"), Just("https://"), Just(".png"),
        ], 0..64),
        limit in 0usize..300,
    ) {
        let src: String = parts.concat();
        let mut r = Renderer::new().with_options(Options::new().with_max_output_bytes(limit));
        let out = r.render_wiki(&src);
        prop_assert!(out.text.len() <= limit);
        let _ = jirafe_adf_to_text::wiki_references(&src);
    }
}
