//! Snapshot tests over every real document in the shared fixtures: each ADF
//! document under `adf/docs/`, every ADF body found anywhere inside the
//! recorded Jira responses and webhook payloads under `jira/` (descriptions,
//! comments, worklog comments, custom fields), and every wiki-markup
//! description or comment body of the Data Center payloads.
//!
//! Each ADF document is rendered from both entry points (`serde_json::Value`
//! and raw JSON bytes); they must agree before the text is snapshotted.

use jirafe_adf_to_text::{Mention, Renderer, json_references, references, wiki_references};
use serde_json::Value;
use std::path::{Path, PathBuf};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/fixtures");

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("fixture dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// ADF documents inside a JSON value, with the key path that led to each.
fn find_docs<'a>(v: &'a Value, path: &mut Vec<String>, out: &mut Vec<(String, &'a Value)>) {
    match v {
        Value::Object(m) => {
            if m.get("type").and_then(Value::as_str) == Some("doc") && m.contains_key("content") {
                out.push((path.join("."), v));
                return;
            }
            for (k, child) in m {
                path.push(k.clone());
                find_docs(child, path, out);
                path.pop();
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                path.push(i.to_string());
                find_docs(child, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Wiki-markup bodies: string `description`s and `body`s with markup in them.
fn find_wiki<'a>(v: &'a Value, path: &mut Vec<String>, out: &mut Vec<(String, &'a str)>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                path.push(k.clone());
                if let (true, Some(s)) = (k == "description" || k == "body", child.as_str())
                    && s.len() > 20
                    && s.contains(['\n', '[', '*', '{', '|', '_'])
                {
                    out.push((path.join("."), s));
                }
                find_wiki(child, path, out);
                path.pop();
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                path.push(i.to_string());
                find_wiki(child, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn snapshot_name(file: &Path) -> String {
    let rel = file.strip_prefix(FIXTURES).unwrap_or(file);
    rel.to_string_lossy()
        .trim_end_matches(".json")
        .replace(['/', '\\'], "__")
}

/// The pipeline's rendering: `@user:<pseudonym>`; here a stand-in pseudonym
/// derived from the id's length so the snapshot shows the hook ran.
fn pseudonym_hook(m: &Mention<'_>, out: &mut String) {
    out.push_str("@user:");
    out.push_str(&format!("p{}", m.id.map_or(0, str::len)));
}

fn render_adf_fixture(file: &Path, docs_dir: &str) -> usize {
    let bytes = std::fs::read(file).expect("read fixture");
    let value: Value = serde_json::from_slice(&bytes).expect("fixture is JSON");
    let mut docs = Vec::new();
    find_docs(&value, &mut Vec::new(), &mut docs);
    let mut renderer = Renderer::new().with_mention_hook(pseudonym_hook);
    for (i, (path, doc)) in docs.iter().enumerate() {
        let from_value = renderer.render_value(doc);
        let compact = serde_json::to_vec(doc).expect("serialize");
        let from_bytes = renderer
            .render_json(&compact)
            .expect("our parser accepts the fixture");
        assert_eq!(
            from_value,
            from_bytes,
            "{} {path}: entry points disagree",
            file.display()
        );
        assert!(
            !from_value.truncated.any(),
            "{} {path}: real documents hit no limit",
            file.display()
        );

        // References from both entry points agree too.
        assert_eq!(references(doc), json_references(&compact).expect("json"));

        let name = format!("{docs_dir}{}__{i}", snapshot_name(file));
        insta::with_settings!({
            description => format!("{} at `{}`", file.strip_prefix(FIXTURES).unwrap_or(file).display(), if path.is_empty() { "." } else { path }),
            omit_expression => true,
        }, {
            insta::assert_snapshot!(name, from_value.text);
        });
    }
    docs.len()
}

#[test]
fn adf_documents_render_to_readable_text() {
    let files = json_files(&Path::new(FIXTURES).join("adf/docs"));
    let n: usize = files.iter().map(|f| render_adf_fixture(f, "")).sum();
    assert!(n >= 4, "expected the ADF fixture documents, found {n}");
}

#[test]
fn adf_bodies_inside_jira_responses_render_to_readable_text() {
    let files = json_files(&Path::new(FIXTURES).join("jira"));
    let n: usize = files.iter().map(|f| render_adf_fixture(f, "")).sum();
    assert!(
        n >= 5,
        "expected ADF bodies in the Jira fixtures, found {n}"
    );
}

#[test]
fn wiki_bodies_of_data_center_payloads_render_to_readable_text() {
    let mut total = 0;
    for file in json_files(&Path::new(FIXTURES).join("jira")) {
        let bytes = std::fs::read(&file).expect("read fixture");
        let Ok(value) = serde_json::from_slice::<Value>(&bytes) else {
            continue;
        };
        let mut bodies = Vec::new();
        find_wiki(&value, &mut Vec::new(), &mut bodies);
        let mut renderer = Renderer::new().with_mention_hook(pseudonym_hook);
        for (i, (path, body)) in bodies.iter().enumerate() {
            let rendered = renderer.render_wiki(body);
            assert!(!rendered.truncated.any());
            // Every user name mentioned is gone from the text.
            for name in wiki_references(body).usernames {
                assert!(
                    !rendered.text.contains(&format!("[~{name}]")),
                    "{path}: mention markup survived"
                );
            }
            let name = format!("wiki__{}__{i}", snapshot_name(&file));
            insta::with_settings!({
                description => format!("{} at `{path}`", file.strip_prefix(FIXTURES).unwrap_or(&file).display()),
                omit_expression => true,
            }, {
                insta::assert_snapshot!(name, rendered.text);
            });
            total += 1;
        }
    }
    assert!(
        total >= 10,
        "expected wiki bodies in the Data Center fixtures, found {total}"
    );
}

#[test]
fn references_of_the_complex_fixture() {
    let path = Path::new(FIXTURES)
        .join("adf/docs/gitlabhq__gitlabhq/spec/fixtures/lib/kramdown/atlassian_document_format/complex_document.json");
    let refs = json_references(&std::fs::read(path).expect("fixture")).expect("json");
    assert_eq!(refs.account_ids, ["5e32f803e127810e82875bc1"]);
    assert!(
        refs.urls
            .contains(&"https://gitlab-jira.atlassian.net/browse/DEMO-1".to_owned())
    );
    assert!(
        refs.urls
            .contains(&"https://gitlab.com/gitlab-org/gitlab/-/merge_requests/25718".to_owned())
    );
}
