//! Account ids mentioned and URLs linked in a document.

use std::collections::HashSet;

/// The people mentioned and the URLs linked in a document, each listed once,
/// in order of first appearance. For the scrubber and the pseudonymizer.
///
/// ```
/// use serde_json::json;
///
/// let doc = json!({"type": "doc", "content": [{"type": "paragraph", "content": [
///     {"type": "mention", "attrs": {"id": "5e32f803e127810e82875bc1", "text": "@jhope"}},
///     {"type": "text", "text": " see "},
///     {"type": "text", "text": "the MR", "marks": [{"type": "link", "attrs": {"href": "https://example.com/mr/1"}}]},
///     {"type": "inlineCard", "attrs": {"url": "https://example.atlassian.net/browse/DEMO-1"}}]}]});
/// let refs = jirafe_adf_to_text::references(&doc);
/// assert_eq!(refs.account_ids, ["5e32f803e127810e82875bc1"]);
/// assert_eq!(refs.urls, ["https://example.com/mr/1", "https://example.atlassian.net/browse/DEMO-1"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct References {
    /// Account ids of ADF mentions and wiki `[~accountid:...]` mentions.
    pub account_ids: Vec<String>,
    /// User names of Data Center wiki `[~name]` mentions.
    pub usernames: Vec<String>,
    /// URLs of link marks, cards, external media and wiki links and images.
    pub urls: Vec<String>,
}

impl References {
    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.account_ids.is_empty() && self.usernames.is_empty() && self.urls.is_empty()
    }
}

#[derive(Debug, Default)]
pub(crate) struct Collector {
    refs: References,
    seen_ids: HashSet<String>,
    seen_names: HashSet<String>,
    seen_urls: HashSet<String>,
}

fn add(list: &mut Vec<String>, seen: &mut HashSet<String>, v: &str) {
    if !v.is_empty() && !seen.contains(v) {
        seen.insert(v.to_owned());
        list.push(v.to_owned());
    }
}

impl Collector {
    pub(crate) fn account_id(&mut self, id: &str) {
        add(&mut self.refs.account_ids, &mut self.seen_ids, id);
    }

    pub(crate) fn username(&mut self, name: &str) {
        add(&mut self.refs.usernames, &mut self.seen_names, name);
    }

    pub(crate) fn url(&mut self, url: &str) {
        add(&mut self.refs.urls, &mut self.seen_urls, url);
    }

    pub(crate) fn finish(self) -> References {
        self.refs
    }
}
