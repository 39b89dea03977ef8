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
///
/// Its `Debug` output redacts the id and the display text, so logging a
/// mention never leaks who it names:
///
/// ```
/// let m = jirafe_adf_to_text::Mention::account("5b10ac8d82e05b22cc7d4ef5");
/// assert_eq!(format!("{m:?}"), "Mention { id: Some(<redacted>), kind: AccountId, display_text: None }");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
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

impl std::fmt::Debug for Mention<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        struct Redacted;
        impl std::fmt::Debug for Redacted {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("<redacted>")
            }
        }
        f.debug_struct("Mention")
            .field("id", &self.id.map(|_| Redacted))
            .field("kind", &self.kind)
            .field("display_text", &self.display_text.map(|_| Redacted))
            .finish()
    }
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
