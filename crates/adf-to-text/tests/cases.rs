//! Table-driven cases: one per node type, mark and edge case, each checked
//! through both entry points (`Value` and JSON bytes).

use jirafe_adf_to_text::{Mention, MentionKind, Options, Renderer, adf_to_text, json_to_text};
use serde_json::{Value, json};

fn p(content: Value) -> Value {
    json!({"type": "paragraph", "content": content})
}

fn t(text: &str) -> Value {
    json!({"type": "text", "text": text})
}

fn doc(content: Value) -> Value {
    json!({"version": 1, "type": "doc", "content": content})
}

fn check(name: &str, value: &Value, want: &str) {
    let from_value = adf_to_text(value);
    let bytes = serde_json::to_vec(value).expect("serialize");
    let from_bytes = json_to_text(&bytes).expect("parse");
    assert_eq!(from_value, want, "case `{name}` (Value)");
    assert_eq!(from_bytes, want, "case `{name}` (bytes)");
}

#[test]
fn every_node_type_renders_sensibly() {
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "paragraphs",
            doc(json!([p(json!([t("one")])), p(json!([t("two")]))])),
            "one\n\ntwo",
        ),
        (
            "empty paragraphs collapse",
            doc(json!([
                p(json!([t("a")])),
                p(json!([])),
                p(json!([])),
                p(json!([t("b")]))
            ])),
            "a\n\nb",
        ),
        (
            "heading",
            doc(
                json!([{"type": "heading", "attrs": {"level": 1}, "content": [t("Title")]}, p(json!([t("body")]))]),
            ),
            "Title\n\nbody",
        ),
        (
            "hard break",
            doc(json!([p(
                json!([t("line 1"), {"type": "hardBreak"}, t("line 2")])
            )])),
            "line 1\nline 2",
        ),
        (
            "rule",
            doc(json!([p(json!([t("a")])), {"type": "rule"}, p(json!([t("b")]))])),
            "a\n\n---\n\nb",
        ),
        (
            "bullet list",
            doc(json!([{"type": "bulletList", "content": [
            {"type": "listItem", "content": [p(json!([t("a")]))]},
            {"type": "listItem", "content": [p(json!([t("b")])), {"type": "bulletList", "content": [
                {"type": "listItem", "content": [p(json!([t("b1")]))]}]}]}]}])),
            "- a\n- b\n  - b1",
        ),
        (
            "ordered list honours order",
            doc(
                json!([{"type": "orderedList", "attrs": {"order": 9}, "content": [
            {"type": "listItem", "content": [p(json!([t("nine")]))]},
            {"type": "listItem", "content": [p(json!([t("ten")])), p(json!([t("more")]))]}]}]),
            ),
            "9. nine\n10. ten\n    more",
        ),
        (
            "task list",
            doc(
                json!([{"type": "taskList", "attrs": {"localId": "l"}, "content": [
            {"type": "taskItem", "attrs": {"localId": "a", "state": "DONE"}, "content": [t("ship it")]},
            {"type": "taskItem", "attrs": {"localId": "b", "state": "TODO"}, "content": [t("write docs")]}]}]),
            ),
            "[x] ship it\n[ ] write docs",
        ),
        (
            "block task item",
            doc(json!([{"type": "taskList", "content": [
            {"type": "blockTaskItem", "attrs": {"localId": "a", "state": "TODO"}, "content": [p(json!([t("para task")]))]}]}])),
            "[ ] para task",
        ),
        (
            "decision list",
            doc(json!([{"type": "decisionList", "content": [
            {"type": "decisionItem", "attrs": {"localId": "a", "state": "DECIDED"}, "content": [t("use Parquet")]}]}])),
            "Decision: use Parquet",
        ),
        (
            "code block verbatim",
            doc(
                json!([p(json!([t("run:")])), {"type": "codeBlock", "attrs": {"language": "sh"}, "content": [t("cargo test\n\n  --all  *not bold*\n")]}, p(json!([t("done")]))]),
            ),
            "run:\n\ncargo test\n\n  --all  *not bold*\n\ndone",
        ),
        (
            "blockquote",
            doc(
                json!([{"type": "blockquote", "content": [p(json!([t("q1")])), p(json!([t("q2")]))]}]),
            ),
            "> q1\n>\n> q2",
        ),
        (
            "panels",
            doc(json!([
            {"type": "panel", "attrs": {"panelType": "warning"}, "content": [p(json!([t("careful")]))]},
            {"type": "panel", "attrs": {"panelType": "custom", "panelColor": "#fff"}, "content": [p(json!([t("plain")]))]}])),
            "Warning: careful\n\nplain",
        ),
        (
            "expand",
            doc(
                json!([{"type": "expand", "attrs": {"title": "Details"}, "content": [p(json!([t("hidden")]))]},
            {"type": "nestedExpand", "attrs": {"title": ""}, "content": [p(json!([t("untitled")]))]}]),
            ),
            "Details\n\nhidden\n\nuntitled",
        ),
        (
            "layout",
            doc(json!([{"type": "layoutSection", "content": [
            {"type": "layoutColumn", "attrs": {"width": 50}, "content": [p(json!([t("left")]))]},
            {"type": "layoutColumn", "attrs": {"width": 50}, "content": [p(json!([t("right")]))]}]}])),
            "left\n\nright",
        ),
        (
            "table",
            doc(json!([{"type": "table", "content": [
            {"type": "tableRow", "content": [
                {"type": "tableHeader", "content": [p(json!([t("k")]))]},
                {"type": "tableHeader", "content": [p(json!([t("v")]))]}]},
            {"type": "tableRow", "content": [
                {"type": "tableCell", "content": [p(json!([t("a")])), p(json!([t("b")]))]},
                {"type": "tableCell", "content": [{"type": "bulletList", "content": [
                    {"type": "listItem", "content": [p(json!([t("x")]))]},
                    {"type": "listItem", "content": [p(json!([t("y")]))]}]}]}]}]}])),
            "k | v\na b | x y",
        ),
        (
            "table cell with code keeps it on one line",
            doc(json!([{"type": "table", "content": [
            {"type": "tableRow", "content": [
                {"type": "tableCell", "content": [{"type": "codeBlock", "content": [t("a\nb")]}]},
                {"type": "tableCell", "content": []}]}]}])),
            "a b |",
        ),
        (
            "mention default reveals nothing",
            doc(json!([p(
                json!([{"type": "mention", "attrs": {"id": "557058:f00", "text": "@Jane Doe"}}, t(" hi")])
            )])),
            "@user hi",
        ),
        (
            "emoji",
            doc(json!([p(
                json!([{"type": "emoji", "attrs": {"shortName": ":smile:", "text": "😄"}},
            {"type": "emoji", "attrs": {"shortName": ":custom-thing:"}}])
            )])),
            "😄:custom-thing:",
        ),
        (
            "date",
            doc(json!([p(
                json!([t("due "), {"type": "date", "attrs": {"timestamp": "1735603200000"}}])
            )])),
            "due 2024-12-31",
        ),
        (
            "date as number and unparsable",
            doc(json!([p(
                json!([{"type": "date", "attrs": {"timestamp": 0}}, t(" "), {"type": "date", "attrs": {"timestamp": "tomorrow"}}])
            )])),
            "1970-01-01 tomorrow",
        ),
        (
            "status",
            doc(json!([p(
                json!([t("state: "), {"type": "status", "attrs": {"text": "In Progress", "color": "blue"}}])
            )])),
            "state: [In Progress]",
        ),
        (
            "inline card",
            doc(json!([p(
                json!([t("see"), {"type": "inlineCard", "attrs": {"url": "https://x.example/1"}}, t("now")])
            )])),
            "see https://x.example/1 now",
        ),
        (
            "inline card with data",
            doc(json!([p(
                json!([{"type": "inlineCard", "attrs": {"data": {"@type": "Document", "name": "Spec"}}}])
            )])),
            "Spec",
        ),
        (
            "block and embed cards",
            doc(
                json!([{"type": "blockCard", "attrs": {"url": "https://a.example"}},
            {"type": "embedCard", "attrs": {"url": "https://b.example", "layout": "wide"}},
            {"type": "blockCard", "attrs": {"datasource": {"id": "d", "parameters": {}, "views": [{"type": "table"}]}}}]),
            ),
            "https://a.example\n\nhttps://b.example\n\n[datasource]",
        ),
        (
            "media single",
            doc(
                json!([{"type": "mediaSingle", "attrs": {"layout": "center"}, "content": [
            {"type": "media", "attrs": {"type": "file", "id": "abc", "collection": "c", "alt": "screenshot.png"}},
            {"type": "caption", "content": [t("The error dialog")]}]}]),
            ),
            "[image: screenshot.png]\nThe error dialog",
        ),
        (
            "media group",
            doc(json!([{"type": "mediaGroup", "content": [
            {"type": "media", "attrs": {"type": "file", "id": "a", "collection": "c"}},
            {"type": "media", "attrs": {"type": "link", "id": "b", "collection": "c"}},
            {"type": "media", "attrs": {"type": "external", "url": "https://img.example/x.png"}}]}])),
            "[file]\n[link]\n[image: https://img.example/x.png]",
        ),
        (
            "media inline",
            doc(json!([p(
                json!([t("log:"), {"type": "mediaInline", "attrs": {"type": "file", "id": "a", "collection": "c"}}])
            )])),
            "log: [file]",
        ),
        (
            "extensions",
            doc(
                json!([{"type": "extension", "attrs": {"extensionType": "com.atlassian.macro", "extensionKey": "toc"}},
            p(json!([t("x "), {"type": "inlineExtension", "attrs": {"extensionType": "t", "extensionKey": "jira"}}])),
            {"type": "bodiedExtension", "attrs": {"extensionType": "t", "extensionKey": "details"}, "content": [p(json!([t("inside")]))]}]),
            ),
            "[extension: toc]\n\nx [extension: jira]\n\ninside",
        ),
        (
            "sync blocks",
            doc(
                json!([{"type": "syncBlock", "attrs": {"resourceId": "r", "localId": "l"}},
            {"type": "bodiedSyncBlock", "attrs": {"resourceId": "r", "localId": "m"}, "content": [p(json!([t("synced text")]))]}]),
            ),
            "[synced block]\n\nsynced text",
        ),
        (
            "placeholder is hint text",
            doc(json!([p(
                json!([{"type": "placeholder", "attrs": {"text": "Type here"}}, t("real")])
            )])),
            "real",
        ),
        (
            "unknown nodes keep their text",
            doc(
                json!([{"type": "fancyNewBlock", "content": [p(json!([t("kept")])), {"type": "mysteryInline", "text": "also kept"}]}]),
            ),
            "kept\n\nalso kept",
        ),
        (
            "typeless object keeps text",
            doc(json!([{"content": [t("orphan")]}])),
            "orphan",
        ),
        (
            "content under leaf nodes is kept",
            doc(json!([
                {"type": "rule", "content": [p(json!([t("odd")]))]},
                p(json!([
                    {"type": "mention", "attrs": {"id": "x"}, "content": [t("inner")]},
                    {"type": "text", "text": "a", "content": [t("b")]}
                ]))
            ])),
            "---\n\nodd\n\n@userinnerab",
        ),
        (
            "stray table cell keeps its separation",
            doc(
                json!([p(json!([t("a")])), {"type": "tableCell", "content": [p(json!([t("b")]))]}]),
            ),
            "a\n\nb",
        ),
        (
            "hard break between blocks adds nothing",
            doc(json!([p(json!([t("a")])), {"type": "hardBreak"}, p(json!([t("b")]))])),
            "a\n\nb",
        ),
        (
            "strings where nodes belong",
            doc(json!([p(json!(["bare string"]))])),
            "bare string",
        ),
    ];
    for (name, value, want) in &cases {
        check(name, value, want);
    }
}

#[test]
fn marks_keep_text_and_links_show_their_url() {
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "formatting marks",
            doc(json!([p(json!([
            {"type": "text", "text": "b", "marks": [{"type": "strong"}]},
            {"type": "text", "text": "i", "marks": [{"type": "em"}]},
            {"type": "text", "text": "u", "marks": [{"type": "underline"}]},
            {"type": "text", "text": "s", "marks": [{"type": "strike"}]},
            {"type": "text", "text": "c", "marks": [{"type": "code"}]},
            {"type": "text", "text": "2", "marks": [{"type": "subsup", "attrs": {"type": "sup"}}]},
            {"type": "text", "text": "r", "marks": [{"type": "textColor", "attrs": {"color": "#ff0000"}}]},
            {"type": "text", "text": "g", "marks": [{"type": "backgroundColor", "attrs": {"color": "#00ff00"}}]},
            {"type": "text", "text": "a", "marks": [{"type": "annotation", "attrs": {"id": "x", "annotationType": "inlineComment"}}]},
            {"type": "text", "text": "f", "marks": [{"type": "fontSize", "attrs": {"fontSize": "small"}}, {"type": "fragment", "attrs": {"localId": "l"}}]}]))])),
            "biusc2rgaf",
        ),
        (
            "block marks",
            doc(
                json!([{"type": "paragraph", "marks": [{"type": "alignment", "attrs": {"align": "center"}}, {"type": "indentation", "attrs": {"level": 1}}], "content": [t("centred")]},
            {"type": "layoutSection", "marks": [{"type": "breakout", "attrs": {"mode": "wide"}}], "content": []},
            {"type": "mediaSingle", "marks": [{"type": "border", "attrs": {"size": 1, "color": "#000"}}], "content": [{"type": "media", "attrs": {"type": "file", "id": "a", "collection": "c"}, "marks": [{"type": "dataConsumer", "attrs": {"sources": []}}]}]}]),
            ),
            "centred\n\n[image]",
        ),
        (
            "link run across nodes",
            doc(json!([p(json!([
            {"type": "text", "text": "the ", "marks": [{"type": "link", "attrs": {"href": "https://e.example/a"}}]},
            {"type": "text", "text": "docs", "marks": [{"type": "link", "attrs": {"href": "https://e.example/a"}}, {"type": "strong"}]},
            t(" today")]))])),
            "the docs (https://e.example/a) today",
        ),
        (
            "link whose text is the url",
            doc(json!([p(
                json!([{"type": "text", "text": "https://e.example", "marks": [{"type": "link", "attrs": {"href": "https://e.example"}}]}])
            )])),
            "https://e.example",
        ),
        (
            "mailto link",
            doc(json!([p(
                json!([{"type": "text", "text": "a@b.example", "marks": [{"type": "link", "attrs": {"href": "mailto:a@b.example"}}]}])
            )])),
            "a@b.example",
        ),
        (
            "adjacent different links",
            doc(json!([p(json!([
            {"type": "text", "text": "one", "marks": [{"type": "link", "attrs": {"href": "https://1.example"}}]},
            {"type": "text", "text": "two", "marks": [{"type": "link", "attrs": {"href": "https://2.example"}}]}]))])),
            "one (https://1.example)two (https://2.example)",
        ),
    ];
    for (name, value, want) in &cases {
        check(name, value, want);
    }
    let link = doc(json!([p(
        json!([{"type": "text", "text": "docs", "marks": [{"type": "link", "attrs": {"href": "https://e.example"}}]}])
    )]));
    let mut r = Renderer::new().with_options(Options::new().with_link_urls(false));
    assert_eq!(r.render_value(&link).text, "docs");
}

#[test]
fn non_document_bodies_have_defined_renderings() {
    for (input, want) in [
        ("null", ""),
        ("42", "42"),
        ("-1.5e3", "-1.5e3"),
        ("true", "true"),
        ("\"a plain *string* body\"", "a plain *string* body"),
        ("[]", ""),
        ("{}", ""),
        (
            r#"[{"type":"paragraph","content":[{"type":"text","text":"a"}]},{"type":"paragraph","content":[{"type":"text","text":"b"}]}]"#,
            "a\n\nb",
        ),
        (
            r#"{"type":"paragraph","content":[{"type":"text","text":"fragment"}]}"#,
            "fragment",
        ),
        (r#"{"type":"doc"}"#, ""),
        (r#"{"type":"doc","content":"not an array"}"#, ""),
        (r#"{"type":"doc","content":[null,1,true,{"type":7}]}"#, ""),
    ] {
        assert_eq!(
            json_to_text(input.as_bytes()).expect("valid JSON"),
            want,
            "{input}"
        );
        let v: Value = serde_json::from_str(input).expect("valid JSON");
        if input != "-1.5e3" {
            assert_eq!(adf_to_text(&v), want, "{input} (Value)");
        }
    }
    let mut wiki = Renderer::new().with_options(Options::new().with_strings_as_wiki(true));
    assert_eq!(
        wiki.render_value(&json!("a *bold* [~jdoe]")).text,
        "a bold @user"
    );
}

#[test]
fn malformed_json_is_an_error_without_content() {
    let secret = br#"{"type":"doc","content":[{"type":"text","text":"hunter2 password"#;
    let err = json_to_text(secret).expect_err("unterminated");
    let msg = err.to_string();
    assert!(msg.contains("not valid JSON"), "{msg}");
    assert!(!msg.contains("hunter2"), "errors never quote input: {msg}");
    assert!(matches!(
        json_to_text(b"\xff\xfe"),
        Err(jirafe_adf_to_text::Error::InvalidUtf8 { offset: 0 })
    ));
}

#[test]
fn mention_hook_gets_ids_and_kinds() {
    let mut seen: Vec<(Option<String>, MentionKind, Option<String>)> = Vec::new();
    let value = doc(json!([p(json!([
        {"type": "mention", "attrs": {"id": "acc-1", "text": "@Jane"}},
        t(" and "),
        {"type": "mention", "attrs": {}}]))]));
    let text = {
        let mut r = Renderer::new().with_mention_hook(|m: &Mention<'_>, out: &mut String| {
            seen.push((
                m.id.map(str::to_owned),
                m.kind,
                m.display_text.map(str::to_owned),
            ));
            out.push_str("@user:");
            out.push_str(m.id.unwrap_or("?"));
        });
        r.render_value(&value).text
    };
    assert_eq!(text, "@user:acc-1 and @user:?");
    assert_eq!(
        seen[0],
        (
            Some("acc-1".into()),
            MentionKind::AccountId,
            Some("@Jane".into())
        )
    );
    assert_eq!(seen[1], (None, MentionKind::AccountId, None));
}

#[test]
fn references_list_mentions_and_urls_once_in_order() {
    let value = doc(json!([
        p(json!([{"type": "mention", "attrs": {"id": "b"}}, {"type": "mention", "attrs": {"id": "a"}}, {"type": "mention", "attrs": {"id": "b"}}])),
        p(json!([{"type": "text", "text": "x", "marks": [{"type": "link", "attrs": {"href": "https://l.example"}}]}])),
        {"type": "blockCard", "attrs": {"url": "https://card.example"}},
        {"type": "embedCard", "attrs": {"url": "https://embed.example"}},
        {"type": "mediaSingle", "content": [{"type": "media", "attrs": {"type": "external", "url": "https://img.example/a.png"}, "marks": [{"type": "link", "attrs": {"href": "https://l.example"}}]}]},
        {"type": "table", "content": [{"type": "tableRow", "content": [{"type": "tableCell", "content": [p(json!([{"type": "inlineCard", "attrs": {"url": "https://deep.example"}}]))]}]}]}
    ]));
    let refs = jirafe_adf_to_text::references(&value);
    assert_eq!(refs.account_ids, ["b", "a"]);
    assert_eq!(
        refs.urls,
        [
            "https://l.example",
            "https://card.example",
            "https://embed.example",
            "https://img.example/a.png",
            "https://deep.example"
        ]
    );
    assert!(refs.usernames.is_empty());
    let bytes = serde_json::to_vec(&value).expect("serialize");
    assert_eq!(
        jirafe_adf_to_text::json_references(&bytes).expect("json"),
        refs
    );
}
