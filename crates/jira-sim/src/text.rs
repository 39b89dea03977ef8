//! Rich text as the simulator stores it, rendered to Atlassian Document Format on the wire.
//!
//! Storing a compact block/inline tree instead of ADF JSON keeps a 20,000-issue
//! organisation small in memory; [`RichText::to_adf`] produces the same ADF document
//! every time, and [`RichText::to_plain_text`] gives tests the text a renderer should
//! produce (mentions as `@Display Name`).

use serde::Serialize;
use serde_json::{Value, json};

/// A document: a sequence of blocks (ADF `doc` content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct RichText {
    /// Top-level blocks, in order.
    pub blocks: Vec<Block>,
}

/// One top-level block of a [`RichText`] document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum Block {
    /// A paragraph (ADF `paragraph`).
    Paragraph(Vec<Inline>),
    /// A heading of level 1–6 (ADF `heading`).
    Heading {
        /// Heading level, 1–6.
        level: u8,
        /// Heading text.
        content: Vec<Inline>,
    },
    /// A bullet list whose items are single paragraphs (ADF `bulletList`).
    BulletList(Vec<Vec<Inline>>),
    /// A numbered list whose items are single paragraphs (ADF `orderedList`).
    OrderedList(Vec<Vec<Inline>>),
    /// A code block (ADF `codeBlock`); `text` may span several lines.
    CodeBlock {
        /// Language attribute, if any.
        language: Option<String>,
        /// The code, never empty.
        text: String,
    },
    /// A table of plain-text cells; the first row is the header row.
    Table(Vec<Vec<String>>),
}

/// Inline content inside a paragraph, heading or list item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// Bold text (`strong` mark).
    Strong(String),
    /// Inline code (`code` mark).
    Code(String),
    /// A hyperlink (`link` mark on a text node).
    Link {
        /// Link text.
        text: String,
        /// Target URL.
        href: String,
    },
    /// A user mention (ADF `mention` node).
    Mention {
        /// The mentioned user's account id.
        account_id: String,
        /// The rendered text, `@Display Name`.
        text: String,
    },
    /// A line break inside a paragraph (ADF `hardBreak`).
    HardBreak,
}

impl RichText {
    /// A document made of a single paragraph of plain text.
    ///
    /// ```
    /// use jirafe_jira_sim::RichText;
    /// let t = RichText::paragraph("hello");
    /// assert_eq!(t.to_plain_text(), "hello");
    /// assert_eq!(t.to_adf()["type"], "doc");
    /// ```
    pub fn paragraph(text: impl Into<String>) -> Self {
        RichText {
            blocks: vec![Block::Paragraph(vec![Inline::Text(text.into())])],
        }
    }

    /// Renders the document as an ADF `doc` (version 1), as Jira Cloud sends it.
    pub fn to_adf(&self) -> Value {
        let content: Vec<Value> = self.blocks.iter().map(block_adf).collect();
        json!({"type": "doc", "version": 1, "content": content})
    }

    /// Renders the document as plain text: blocks separated by newlines, list items
    /// prefixed with `- ` / `1. `, table cells separated by ` | `, mentions as their text.
    pub fn to_plain_text(&self) -> String {
        let mut out = String::new();
        for (i, b) in self.blocks.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            match b {
                Block::Paragraph(c) | Block::Heading { content: c, .. } => inline_text(c, &mut out),
                Block::BulletList(items) => {
                    for (j, it) in items.iter().enumerate() {
                        if j > 0 {
                            out.push('\n');
                        }
                        out.push_str("- ");
                        inline_text(it, &mut out);
                    }
                }
                Block::OrderedList(items) => {
                    for (j, it) in items.iter().enumerate() {
                        if j > 0 {
                            out.push('\n');
                        }
                        out.push_str(&format!("{}. ", j + 1));
                        inline_text(it, &mut out);
                    }
                }
                Block::CodeBlock { text, .. } => out.push_str(text),
                Block::Table(rows) => {
                    for (j, row) in rows.iter().enumerate() {
                        if j > 0 {
                            out.push('\n');
                        }
                        out.push_str(&row.join(" | "));
                    }
                }
            }
        }
        out
    }

    /// Renders the document as Jira wiki markup, as Data Center sends it. `user_name`
    /// maps a mentioned account id to the Data Center user name (`[~name]`).
    ///
    /// ```
    /// use jirafe_jira_sim::{Block, Inline, RichText};
    /// let t = RichText { blocks: vec![
    ///     Block::Paragraph(vec![Inline::Strong("Note".into()), Inline::Text(" see ".into()),
    ///         Inline::Link { text: "docs".into(), href: "https://example.com".into() }]),
    ///     Block::BulletList(vec![vec![Inline::Code("x = 1".into())]]),
    /// ]};
    /// assert_eq!(t.to_wiki(|_| None), "*Note* see [docs|https://example.com]\n* {{x = 1}}");
    /// ```
    pub fn to_wiki(&self, user_name: impl Fn(&str) -> Option<String>) -> String {
        let inl = |c: &[Inline]| -> String {
            let mut out = String::new();
            for i in c {
                match i {
                    Inline::Text(t) => out.push_str(t),
                    Inline::Strong(t) => out.push_str(&format!("*{t}*")),
                    Inline::Code(t) => out.push_str(&format!("{{{{{t}}}}}")),
                    Inline::Link { text, href } => out.push_str(&format!("[{text}|{href}]")),
                    Inline::Mention { account_id, text } => match user_name(account_id) {
                        Some(n) => out.push_str(&format!("[~{n}]")),
                        None => out.push_str(text),
                    },
                    Inline::HardBreak => out.push_str("\\\\"),
                }
            }
            out
        };
        let mut parts = Vec::new();
        for b in &self.blocks {
            parts.push(match b {
                Block::Paragraph(c) => inl(c),
                Block::Heading { level, content } => format!("h{level}. {}", inl(content)),
                Block::BulletList(items) => items
                    .iter()
                    .map(|i| format!("* {}", inl(i)))
                    .collect::<Vec<_>>()
                    .join("\n"),
                Block::OrderedList(items) => items
                    .iter()
                    .map(|i| format!("# {}", inl(i)))
                    .collect::<Vec<_>>()
                    .join("\n"),
                Block::CodeBlock { language, text } => match language {
                    Some(l) => format!("{{code:{l}}}\n{text}\n{{code}}"),
                    None => format!("{{code}}\n{text}\n{{code}}"),
                },
                Block::Table(rows) => rows
                    .iter()
                    .enumerate()
                    .map(|(r, row)| {
                        let sep = if r == 0 { "||" } else { "|" };
                        format!("{sep}{}{sep}", row.join(sep))
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
            });
        }
        parts.join("\n")
    }

    /// Account ids mentioned in the document, in order of appearance.
    pub fn mentions(&self) -> Vec<&str> {
        fn scan<'a>(c: &'a [Inline], out: &mut Vec<&'a str>) {
            for i in c {
                if let Inline::Mention { account_id, .. } = i {
                    out.push(account_id.as_str());
                }
            }
        }
        let mut out = Vec::new();
        for b in &self.blocks {
            match b {
                Block::Paragraph(c) | Block::Heading { content: c, .. } => scan(c, &mut out),
                Block::BulletList(items) | Block::OrderedList(items) => {
                    for c in items {
                        scan(c, &mut out);
                    }
                }
                Block::CodeBlock { .. } | Block::Table(_) => {}
            }
        }
        out
    }
}

fn inline_text(c: &[Inline], out: &mut String) {
    for i in c {
        match i {
            Inline::Text(t) | Inline::Strong(t) | Inline::Code(t) => out.push_str(t),
            Inline::Link { text, .. } => out.push_str(text),
            Inline::Mention { text, .. } => out.push_str(text),
            Inline::HardBreak => out.push('\n'),
        }
    }
}

fn inlines_adf(c: &[Inline]) -> Vec<Value> {
    c.iter()
        .filter_map(|i| match i {
            Inline::Text(t) if t.is_empty() => None,
            Inline::Text(t) => Some(json!({"type": "text", "text": t})),
            Inline::Strong(t) => {
                Some(json!({"type": "text", "text": t, "marks": [{"type": "strong"}]}))
            }
            Inline::Code(t) => {
                Some(json!({"type": "text", "text": t, "marks": [{"type": "code"}]}))
            }
            Inline::Link { text, href } => Some(json!({
                "type": "text", "text": text,
                "marks": [{"type": "link", "attrs": {"href": href}}]
            })),
            Inline::Mention { account_id, text } => Some(json!({
                "type": "mention",
                "attrs": {"id": account_id, "text": text, "accessLevel": ""}
            })),
            Inline::HardBreak => Some(json!({"type": "hardBreak"})),
        })
        .collect()
}

fn para_adf(c: &[Inline]) -> Value {
    json!({"type": "paragraph", "content": inlines_adf(c)})
}

fn block_adf(b: &Block) -> Value {
    match b {
        Block::Paragraph(c) => para_adf(c),
        Block::Heading { level, content } => json!({
            "type": "heading", "attrs": {"level": level}, "content": inlines_adf(content)
        }),
        Block::BulletList(items) => json!({
            "type": "bulletList",
            "content": items.iter().map(|it| json!({"type": "listItem", "content": [para_adf(it)]})).collect::<Vec<_>>()
        }),
        Block::OrderedList(items) => json!({
            "type": "orderedList", "attrs": {"order": 1},
            "content": items.iter().map(|it| json!({"type": "listItem", "content": [para_adf(it)]})).collect::<Vec<_>>()
        }),
        Block::CodeBlock { language, text } => {
            let mut v = json!({"type": "codeBlock", "content": [{"type": "text", "text": text}]});
            if let (Some(l), Some(obj)) = (language, v.as_object_mut()) {
                obj.insert("attrs".into(), json!({"language": l}));
            }
            v
        }
        Block::Table(rows) => {
            let rows: Vec<Value> = rows
                .iter()
                .enumerate()
                .map(|(r, row)| {
                    let cell_type = if r == 0 { "tableHeader" } else { "tableCell" };
                    let cells: Vec<Value> = row
                        .iter()
                        .map(|c| {
                            json!({"type": cell_type, "attrs": {}, "content": [para_adf(&[Inline::Text(c.clone())])]})
                        })
                        .collect();
                    json!({"type": "tableRow", "content": cells})
                })
                .collect();
            json!({
                "type": "table",
                "attrs": {"isNumberColumnEnabled": false, "layout": "default"},
                "content": rows
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adf_has_mentions_links_tables_and_code() {
        let t = RichText {
            blocks: vec![
                Block::Paragraph(vec![
                    Inline::Text("ping ".into()),
                    Inline::Mention {
                        account_id: "abc".into(),
                        text: "@Ann Lee".into(),
                    },
                    Inline::Link {
                        text: "doc".into(),
                        href: "https://example.com".into(),
                    },
                ]),
                Block::CodeBlock {
                    language: Some("sql".into()),
                    text: "select 1".into(),
                },
                Block::Table(vec![vec!["h".into()], vec!["c".into()]]),
            ],
        };
        let adf = t.to_adf();
        assert_eq!(adf["content"][0]["content"][1]["type"], "mention");
        assert_eq!(adf["content"][0]["content"][1]["attrs"]["id"], "abc");
        assert_eq!(
            adf["content"][0]["content"][2]["marks"][0]["attrs"]["href"],
            "https://example.com"
        );
        assert_eq!(adf["content"][1]["attrs"]["language"], "sql");
        assert_eq!(
            adf["content"][2]["content"][0]["content"][0]["type"],
            "tableHeader"
        );
        assert_eq!(t.to_plain_text(), "ping @Ann Leedoc\nselect 1\nh\nc");
        assert_eq!(t.mentions(), vec!["abc"]);
    }
}
