//! Atlassian Document Format (Jira Cloud) and wiki markup (Jira Data Center)
//! to plain text an analyst can read — fast, bounded, and unbreakable.
//!
//! Descriptions, comments and worklog comments arrive from Jira Cloud as
//! [ADF] JSON trees and from Data Center as wiki markup strings. This crate
//! turns both into plain text, hands every mention to a hook you supply (so a
//! pipeline can write a pseudonym instead of a name), lists the people
//! mentioned and the URLs linked, and never fails on hostile input: depth and
//! output size are bounded, nothing recurses, nothing panics.
//!
//! [ADF]: https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/
//!
//! # A tour
//!
//! ## From a `serde_json::Value`
//!
//! Paragraphs and headings are separated by blank lines, lists are indented
//! with markers, tables are written row by row:
//!
//! ```
//! use serde_json::json;
//!
//! let doc = json!({"version": 1, "type": "doc", "content": [
//!     {"type": "heading", "attrs": {"level": 2}, "content": [{"type": "text", "text": "Steps"}]},
//!     {"type": "orderedList", "content": [
//!         {"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Open the board"}]}]},
//!         {"type": "listItem", "content": [{"type": "paragraph", "content": [
//!             {"type": "text", "text": "Click "},
//!             {"type": "text", "text": "Create", "marks": [{"type": "strong"}]}]}]}]},
//!     {"type": "table", "content": [
//!         {"type": "tableRow", "content": [
//!             {"type": "tableHeader", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Env"}]}]},
//!             {"type": "tableHeader", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Result"}]}]}]},
//!         {"type": "tableRow", "content": [
//!             {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "prod"}]}]},
//!             {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "status", "attrs": {"text": "FAILED", "color": "red"}}]}]}]}]}]});
//!
//! assert_eq!(
//!     jirafe_adf_to_text::adf_to_text(&doc),
//!     "Steps\n\n1. Open the board\n2. Click Create\n\nEnv | Result\nprod | [FAILED]"
//! );
//! ```
//!
//! ## From raw JSON bytes (the fast path)
//!
//! [`json_to_text`] parses with the crate's own iterative parser straight into
//! a flat arena (strings without escapes are not copied), then renders. It is
//! several times faster than building a `serde_json::Value` first, and it
//! accepts documents nested far deeper than `serde_json`'s recursion limit.
//!
//! ```
//! let body = r#"{"type":"doc","version":1,"content":[{"type":"paragraph","content":[
//!     {"type":"text","text":"Deployed on "},
//!     {"type":"date","attrs":{"timestamp":"1582156800000"}},
//!     {"type":"text","text":" "},
//!     {"type":"emoji","attrs":{"shortName":":tada:","text":"🎉"}}]}]}"#;
//! assert_eq!(jirafe_adf_to_text::json_to_text(body.as_bytes())?, "Deployed on 2020-02-20 🎉");
//! # Ok::<(), jirafe_adf_to_text::Error>(())
//! ```
//!
//! ## Mentions
//!
//! By default a mention renders as `@user`: no name, no id — the `text`
//! attribute of a mention node (a display name) is never written. Supply a
//! [`MentionHook`] (any `FnMut(&Mention, &mut String)` will do) to write
//! something else, such as a pseudonym:
//!
//! ```
//! use jirafe_adf_to_text::{Mention, Renderer};
//!
//! let body = br#"{"type":"doc","content":[{"type":"paragraph","content":[
//!     {"type":"mention","attrs":{"id":"5e32f803e127810e82875bc1","text":"@Jane Doe"}},
//!     {"type":"text","text":" can you look?"}]}]}"#;
//!
//! assert_eq!(jirafe_adf_to_text::json_to_text(body)?, "@user can you look?");
//!
//! let mut renderer = Renderer::new().with_mention_hook(|m: &Mention<'_>, out: &mut String| {
//!     out.push_str("@user:");
//!     out.push_str(if m.id == Some("5e32f803e127810e82875bc1") { "u_7f3a" } else { "unknown" });
//! });
//! assert_eq!(renderer.render_json(body)?.text, "@user:u_7f3a can you look?");
//! # Ok::<(), jirafe_adf_to_text::Error>(())
//! ```
//!
//! ## Who is mentioned, what is linked
//!
//! [`references`], [`json_references`] and [`wiki_references`] list the
//! account ids (and Data Center user names) mentioned and the URLs linked —
//! link marks, cards, external media, wiki links and images — for the
//! scrubber and the pseudonymizer. See [`References`].
//!
//! ## Wiki markup (Data Center)
//!
//! ```
//! let wiki = "h2. Summary\n*Login* fails for [~jdoe], see [the log|https://ci.example.com/42].\n\n# first\n# second\n||Env||Result||\n|prod|_failed_|";
//! assert_eq!(
//!     jirafe_adf_to_text::wiki_to_text(wiki),
//!     "Summary\n\nLogin fails for @user, see the log (https://ci.example.com/42).\n\n\
//!      1. first\n2. second\n\nEnv | Result\nprod | failed"
//! );
//! ```
//!
//! ## Limits
//!
//! [`Options`] bounds the output size and the structural depth. Hitting a
//! limit is not an error: the text is cut (output) or flattened (depth), and
//! [`Rendered::truncated`] says which.
//!
//! ```
//! use jirafe_adf_to_text::{Options, Renderer, TRUNCATION_MARKER};
//! use serde_json::json;
//!
//! let long = "lorem ipsum ".repeat(1000);
//! let doc = json!({"type": "doc", "content": [{"type": "paragraph", "content": [{"type": "text", "text": long}]}]});
//! let mut renderer = Renderer::new().with_options(Options::new().with_max_output_bytes(100));
//! let out = renderer.render_value(&doc);
//! assert!(out.truncated.output);
//! assert!(out.text.len() <= 100);
//! assert!(out.text.ends_with(TRUNCATION_MARKER));
//! ```
//!
//! ## Input that is not a document
//!
//! Some Jira fields hold strings, and bodies can be `null`. Rendering a
//! `Value` (or JSON text) that is not an ADF object is defined, never an error:
//!
//! | input | text |
//! | --- | --- |
//! | `null` | empty |
//! | a string | the string, verbatim (or read as wiki markup with [`Options::with_strings_as_wiki`]) |
//! | a number or boolean | its JSON text (`42`, `true`) |
//! | an array | each element rendered as a block |
//! | an object without `"type": "doc"` | rendered as a node (fragments work) |
//!
//! Unknown node types render their text and their children's text. Only
//! malformed JSON *text* is an error ([`Error::InvalidJson`]).
//!
//! # What each node becomes
//!
//! | node | text |
//! | --- | --- |
//! | `paragraph`, `heading` | their text, blocks separated by a blank line |
//! | `bulletList`, `orderedList` | `- item`, `1. item` (honours `order`), nested lists indented |
//! | `taskList` / `decisionList` | `[ ] todo`, `[x] done`, `Decision: ...` |
//! | `codeBlock` | its text verbatim |
//! | `blockquote` | lines prefixed with `> ` |
//! | `panel` | `Info: `, `Note: `, `Warning: `, `Error: `, `Success: ` before its content |
//! | `expand`, `nestedExpand` | the title, then the body |
//! | `layoutSection`, `layoutColumn` | the columns one after another |
//! | `table` | one line per row, cells separated by ` \| ` |
//! | `rule` | `---` |
//! | `hardBreak` | a line break |
//! | `mention` | the [`MentionHook`]'s text (default `@user`) |
//! | `emoji` | its text (the emoji), else its short name |
//! | `date` | an ISO date, `YYYY-MM-DD` (UTC) |
//! | `status` | `[TEXT]` |
//! | `inlineCard`, `blockCard`, `embedCard` | the URL |
//! | `media`, `mediaInline` | `[image: alt]`, `[file: alt]`, `[link]`, `[image: url]` for external images |
//! | `extension`, `inlineExtension` | `[extension: key]`; `bodiedExtension` renders its body |
//! | `syncBlock` | `[synced block]`; `bodiedSyncBlock` renders its body |
//! | `placeholder` | nothing (it is editor hint text, not content) |
//! | text with a `link` mark | `text (url)` unless the text is the URL ([`Options::with_link_urls`]) |
//! | any other mark | the text, unformatted |

#![deny(missing_docs)]

mod adf;
mod date;
mod json;
mod mention;
mod options;
mod refs;
mod wiki;
mod writer;

pub use mention::{DefaultMentions, Mention, MentionHook, MentionKind};
pub use options::{Options, Rendered, Truncation};
pub use refs::References;

/// The README's examples, run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

use serde_json::Value;

/// Ends text cut by the output limit ([`Options::with_max_output_bytes`]).
pub const TRUNCATION_MARKER: &str = " […truncated]";

/// Errors of this crate. Only malformed JSON *text* is an error: every JSON
/// value renders.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not UTF-8. JSON must be UTF-8; re-encode the body first.
    #[error("ADF body is not valid UTF-8 (first bad byte at offset {offset})")]
    InvalidUtf8 {
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
    /// The text is not JSON. The offset and reason say where and why; the
    /// input itself is never quoted (it may hold personal data).
    #[error("ADF body is not valid JSON at byte {offset}: {reason}")]
    InvalidJson {
        /// Byte offset where parsing stopped.
        offset: usize,
        /// What was expected there.
        reason: &'static str,
    },
    /// The input is larger than the parser's 4 GiB limit. Split it, or parse
    /// it with `serde_json` and use [`Renderer::render_value`].
    #[error("ADF body of {len} bytes exceeds the 4 GiB parser limit")]
    InputTooLarge {
        /// Input length in bytes.
        len: usize,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Renders ADF (or wiki markup) with chosen [`Options`] and [`MentionHook`],
/// reusing its parse buffers across documents.
///
/// ```
/// use jirafe_adf_to_text::{Options, Renderer};
///
/// let mut renderer = Renderer::new().with_options(Options::new().with_link_urls(false));
/// for body in [
///     r#"{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"one"}]}]}"#,
///     r#"{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"docs","marks":[{"type":"link","attrs":{"href":"https://example.com"}}]}]}]}"#,
/// ] {
///     let rendered = renderer.render_json_str(body)?;
///     assert!(!rendered.truncated.any());
///     assert!(rendered.text == "one" || rendered.text == "docs");
/// }
/// # Ok::<(), jirafe_adf_to_text::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct Renderer<H = DefaultMentions> {
    options: Options,
    hook: H,
    arena: json::Arena,
    /// The output buffer and line state, reused across documents.
    writer: writer::Writer,
    /// Mention and date text, reused across documents.
    scratch: String,
}

impl Renderer<DefaultMentions> {
    /// A renderer with default [`Options`] and `@user` mentions.
    pub fn new() -> Self {
        Self::default()
    }
}

impl<H: MentionHook> Renderer<H> {
    /// Replaces the options.
    pub fn with_options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// Replaces the mention hook (see [`MentionHook`]).
    pub fn with_mention_hook<H2: MentionHook>(self, hook: H2) -> Renderer<H2> {
        Renderer {
            options: self.options,
            hook,
            arena: self.arena,
            writer: self.writer,
            scratch: self.scratch,
        }
    }

    /// The options in use.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The mention hook, for instance to read what it gathered.
    pub fn hook_mut(&mut self) -> &mut H {
        &mut self.hook
    }

    /// Renders a `serde_json::Value`: an ADF document, a fragment, or a
    /// non-document body (see the crate docs for strings, `null` and scalars).
    ///
    /// The walk is iterative, so a `Value` nested arbitrarily deep renders
    /// without recursion. (Dropping such a `Value` does recurse inside
    /// `serde_json`; that is the owner's concern.)
    pub fn render_value(&mut self, value: &Value) -> Rendered {
        let truncated = self.walk_value(value);
        self.rendered(truncated)
    }

    /// Renders a `serde_json::Value` as [`render_value`](Renderer::render_value)
    /// does, into `out` (cleared first): rendering many documents into one
    /// buffer allocates nothing per document once the buffer is large enough.
    ///
    /// ```
    /// use jirafe_adf_to_text::Renderer;
    /// use serde_json::json;
    ///
    /// let mut renderer = Renderer::new();
    /// let mut text = String::new();
    /// for word in ["one", "two"] {
    ///     let doc = json!({"type": "doc", "content": [{"type": "paragraph", "content": [{"type": "text", "text": word}]}]});
    ///     let truncated = renderer.render_value_into(&doc, &mut text);
    ///     assert!(!truncated.any());
    ///     assert_eq!(text, word);
    /// }
    /// ```
    pub fn render_value_into(&mut self, value: &Value, out: &mut String) -> Truncation {
        let truncated = self.walk_value(value);
        out.clear();
        out.push_str(self.writer.as_text());
        truncated
    }

    fn walk_value(&mut self, value: &Value) -> Truncation {
        self.writer.reset(self.options.max_output_bytes());
        adf::render(
            value,
            &self.options,
            &mut self.hook,
            &mut self.writer,
            &mut self.scratch,
        )
    }

    /// The writer's text as an owned [`Rendered`].
    fn rendered(&self, truncated: Truncation) -> Rendered {
        Rendered {
            text: self.writer.as_text().to_owned(),
            truncated,
        }
    }

    /// Parses JSON bytes and renders them.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUtf8`], [`Error::InvalidJson`] or
    /// [`Error::InputTooLarge`] when the bytes are not one JSON value.
    pub fn render_json(&mut self, json: &[u8]) -> Result<Rendered> {
        let text = json::utf8(json)?;
        self.render_json_str(text)
    }

    /// Parses JSON text and renders it.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidJson`] or [`Error::InputTooLarge`] when the text is not
    /// one JSON value.
    pub fn render_json_str(&mut self, json: &str) -> Result<Rendered> {
        let doc = self.arena.parse(json)?;
        self.writer.reset(self.options.max_output_bytes());
        let truncated = adf::render(
            doc.root(),
            &self.options,
            &mut self.hook,
            &mut self.writer,
            &mut self.scratch,
        );
        Ok(self.rendered(truncated))
    }

    /// Renders Data Center wiki markup.
    pub fn render_wiki(&mut self, markup: &str) -> Rendered {
        let truncated = self.walk_wiki(markup);
        self.rendered(truncated)
    }

    /// Renders Data Center wiki markup as [`render_wiki`](Renderer::render_wiki)
    /// does, into `out` (cleared first).
    ///
    /// ```
    /// let mut renderer = jirafe_adf_to_text::Renderer::new();
    /// let mut text = String::new();
    /// renderer.render_wiki_into("h1. Title\n*bold* move", &mut text);
    /// assert_eq!(text, "Title\n\nbold move");
    /// ```
    pub fn render_wiki_into(&mut self, markup: &str, out: &mut String) -> Truncation {
        let truncated = self.walk_wiki(markup);
        out.clear();
        out.push_str(self.writer.as_text());
        truncated
    }

    fn walk_wiki(&mut self, markup: &str) -> Truncation {
        self.writer.reset(self.options.max_output_bytes());
        let depth = wiki::render_into(markup, &self.options, &mut self.hook, &mut self.writer);
        Truncation {
            depth,
            output: self.writer.full,
        }
    }

    /// The account ids mentioned and URLs linked in JSON bytes, parsed with
    /// this renderer's buffers.
    ///
    /// # Errors
    ///
    /// As [`Renderer::render_json`].
    pub fn references_json(&mut self, json: &[u8]) -> Result<References> {
        let text = json::utf8(json)?;
        let doc = self.arena.parse(text)?;
        let mut c = refs::Collector::default();
        adf::collect(doc.root(), &mut c);
        Ok(c.finish())
    }
}

/// Renders an ADF `Value` with default options; mentions become `@user`.
///
/// ```
/// let doc = serde_json::json!({"type": "doc", "content": [
///     {"type": "paragraph", "content": [{"type": "text", "text": "Hello"}]},
///     {"type": "rule"},
///     {"type": "paragraph", "content": [{"type": "text", "text": "World"}]}]});
/// assert_eq!(jirafe_adf_to_text::adf_to_text(&doc), "Hello\n\n---\n\nWorld");
/// ```
pub fn adf_to_text(value: &Value) -> String {
    Renderer::new().render_value(value).text
}

/// Parses and renders ADF JSON bytes with default options.
///
/// ```
/// assert_eq!(jirafe_adf_to_text::json_to_text(b"null")?, "");
/// assert_eq!(jirafe_adf_to_text::json_to_text(br#""a plain string body""#)?, "a plain string body");
/// assert!(jirafe_adf_to_text::json_to_text(b"{not json").is_err());
/// # Ok::<(), jirafe_adf_to_text::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidUtf8`], [`Error::InvalidJson`] or [`Error::InputTooLarge`]
/// when the bytes are not one JSON value.
pub fn json_to_text(json: &[u8]) -> Result<String> {
    Ok(Renderer::new().render_json(json)?.text)
}

/// Renders Data Center wiki markup with default options.
///
/// ```
/// assert_eq!(
///     jirafe_adf_to_text::wiki_to_text("{code:rust}let x = *y;{code}\nThanks [~accountid:5b10ac8d82e05b22cc7d4ef5]!"),
///     "let x = *y;\n\nThanks @user!"
/// );
/// ```
pub fn wiki_to_text(markup: &str) -> String {
    Renderer::new().render_wiki(markup).text
}

/// The account ids mentioned and URLs linked in an ADF `Value`.
pub fn references(value: &Value) -> References {
    let mut c = refs::Collector::default();
    adf::collect(value, &mut c);
    c.finish()
}

/// The account ids mentioned and URLs linked in ADF JSON bytes.
///
/// ```
/// let refs = jirafe_adf_to_text::json_references(br#"{"type":"doc","content":[{"type":"blockCard","attrs":{"url":"https://example.com/a"}}]}"#)?;
/// assert_eq!(refs.urls, ["https://example.com/a"]);
/// # Ok::<(), jirafe_adf_to_text::Error>(())
/// ```
///
/// # Errors
///
/// As [`json_to_text`].
pub fn json_references(json: &[u8]) -> Result<References> {
    Renderer::new().references_json(json)
}

/// The account ids and user names mentioned and the URLs linked in wiki markup.
///
/// ```
/// let refs = jirafe_adf_to_text::wiki_references("ping [~jdoe] and [~accountid:5b10ac8d], see [log|https://ci.example.com/1] !https://img.example.com/a.png!");
/// assert_eq!(refs.usernames, ["jdoe"]);
/// assert_eq!(refs.account_ids, ["5b10ac8d"]);
/// assert_eq!(refs.urls, ["https://ci.example.com/1", "https://img.example.com/a.png"]);
/// ```
pub fn wiki_references(markup: &str) -> References {
    let mut c = refs::Collector::default();
    wiki::collect(markup, &mut c);
    c.finish()
}
