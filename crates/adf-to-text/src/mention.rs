//! Mentions: how a mentioned person is written into the text.

/// What identifies the mentioned person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MentionKind {
    /// A Jira Cloud account id (ADF `mention` nodes, wiki `[~accountid:...]`).
    AccountId,
    /// A Data Center user name (wiki `[~name]`).
    Username,
}

/// A mention, as handed to a [`MentionHook`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Mention<'a> {
    /// The account id or user name; `None` when the document carries none.
    pub id: Option<&'a str>,
    /// What [`Mention::id`] is.
    pub kind: MentionKind,
    /// The display text stored in the document (often `@Full Name`). It is a
    /// person's name: never write it to output you keep. It is offered so a
    /// caller can, for instance, teach a scrubber the names seen in a run.
    pub display_text: Option<&'a str>,
}

impl<'a> Mention<'a> {
    /// A mention by account id.
    pub fn account(id: &'a str) -> Self {
        Mention {
            id: Some(id),
            kind: MentionKind::AccountId,
            display_text: None,
        }
    }
}

/// Writes a mention into the text. The pipeline renders `@user:<pseudonym>`;
/// [`DefaultMentions`] writes `@user`.
///
/// Any `FnMut(&Mention<'_>, &mut String)` closure is a hook:
///
/// ```
/// use jirafe_adf_to_text::{Mention, Renderer};
/// use serde_json::json;
///
/// let doc = json!({"type": "doc", "content": [{"type": "paragraph", "content": [
///     {"type": "mention", "attrs": {"id": "557058:abc", "text": "@Jane Doe"}},
///     {"type": "text", "text": " please review"}]}]});
/// let mut renderer = Renderer::new().with_mention_hook(|m: &Mention<'_>, out: &mut String| {
///     out.push_str("@user:");
///     out.push_str(&m.id.unwrap_or("unknown").len().to_string()); // a stand-in pseudonym
/// });
/// assert_eq!(renderer.render_value(&doc).text, "@user:10 please review");
/// ```
pub trait MentionHook {
    /// Appends the text for `mention` to `out`.
    fn render_mention(&mut self, mention: &Mention<'_>, out: &mut String);
}

impl<F> MentionHook for F
where
    F: FnMut(&Mention<'_>, &mut String),
{
    fn render_mention(&mut self, mention: &Mention<'_>, out: &mut String) {
        self(mention, out);
    }
}

/// The default hook: every mention becomes `@user`, revealing no name and no id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DefaultMentions;

impl MentionHook for DefaultMentions {
    fn render_mention(&mut self, _mention: &Mention<'_>, out: &mut String) {
        out.push_str("@user");
    }
}
