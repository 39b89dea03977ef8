//! The privacy step, supplied by the caller.

use std::borrow::Cow;

use jirafe_adf_to_text::{Mention, MentionHook};
use jirafe_jira_client::models::User;

/// How people and free text are treated while flattening. The pipeline implements it with
/// `pii-scrub` (keyed pseudonyms, detectors, the opt-out list); this crate depends on no
/// scrubber, and calls the trait for **every** person reference and **every** free-text
/// value it writes.
///
/// ```
/// use std::borrow::Cow;
/// use jirafe_schema::{Mention, Privacy, User};
///
/// /// Keeps text, names people by the length of their id. (A real implementation uses a
/// /// keyed HMAC and a scrubber.)
/// struct Toy;
///
/// impl Privacy for Toy {
///     fn pseudonym(&self, user: &User) -> Option<String> {
///         user.stable_id().map(|id| format!("u{}", id.len()))
///     }
///     fn scrub<'a>(&self, _table: &str, _column: &str, text: &'a str) -> Option<Cow<'a, str>> {
///         Some(Cow::Borrowed(text))
///     }
///     fn mention(&self, mention: &Mention<'_>, out: &mut String) {
///         out.push_str("@user:");
///         out.push_str(&mention.id.map_or(0, str::len).to_string());
///     }
///     fn is_opted_out(&self, _user: &User) -> bool {
///         false
///     }
/// }
///
/// let user = User { account_id: Some("5b10ac8d82e05b22cc7d4ef5".into()), ..User::default() };
/// assert_eq!(Toy.pseudonym(&user).as_deref(), Some("u24"));
/// ```
pub trait Privacy {
    /// The pseudonym of a person: a keyed hash of [`User::stable_id`], or the opt-out
    /// constant for people who opted out. `None` for an anonymous or empty user (the column
    /// is then null).
    fn pseudonym(&self, user: &User) -> Option<String>;

    /// Scrubs one free-text value about to be written to `table`.`column` (a value of
    /// [`Table::name`](crate::Table::name) and a column of its schema). `None` drops the
    /// value (the column is null), for instance when the policy drops that column;
    /// `Cow::Borrowed` when nothing needed replacing.
    fn scrub<'a>(&self, table: &str, column: &str, text: &'a str) -> Option<Cow<'a, str>>;

    /// Writes a mention found in rich text (ADF `mention` nodes, wiki `[~name]`): usually
    /// `@user:<pseudonym>`, or `[PERSON]` for a person who opted out. Never the display
    /// text.
    fn mention(&self, mention: &Mention<'_>, out: &mut String);

    /// Whether the person opted out: the text they authored (summary, description and
    /// environment of issues they created, comment bodies and worklog comments they wrote
    /// or edited, free-text changelog values of their changes) is then not stored at all.
    fn is_opted_out(&self, user: &User) -> bool;
}

impl<P: Privacy + ?Sized> Privacy for &P {
    fn pseudonym(&self, user: &User) -> Option<String> {
        (**self).pseudonym(user)
    }
    fn scrub<'a>(&self, table: &str, column: &str, text: &'a str) -> Option<Cow<'a, str>> {
        (**self).scrub(table, column, text)
    }
    fn mention(&self, mention: &Mention<'_>, out: &mut String) {
        (**self).mention(mention, out);
    }
    fn is_opted_out(&self, user: &User) -> bool {
        (**self).is_opted_out(user)
    }
}

/// Adapts a [`Privacy`] to adf-to-text's mention hook.
pub(crate) struct MentionAdapter<'p, P: ?Sized>(pub(crate) &'p P);

impl<P: Privacy + ?Sized> MentionHook for MentionAdapter<'_, P> {
    fn render_mention(&mut self, mention: &Mention<'_>, out: &mut String) {
        self.0.mention(mention, out);
    }
}
