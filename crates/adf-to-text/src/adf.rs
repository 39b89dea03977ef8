//! The ADF renderer: an explicit-stack walk over any [`Json`] tree.

use crate::date;
use crate::json::Json;
use crate::mention::{Mention, MentionHook, MentionKind};
use crate::options::{Options, Rendered, Truncation};
use crate::refs::Collector;
use crate::writer::{Prefix, Writer};

/// What a child is to its parent list.
#[derive(Debug, Clone, Copy)]
enum Item {
    None,
    Bullet,
    Number(u64),
    /// A `media` node inside `mediaSingle` (shown as an image).
    InMediaSingle,
}

#[derive(Debug, Clone, Copy)]
enum List {
    None,
    Bullet,
    Ordered(u64),
    MediaSingle,
}

impl List {
    fn item(self, i: usize) -> Item {
        match self {
            List::None => Item::None,
            List::Bullet => Item::Bullet,
            List::Ordered(start) => Item::Number(start.saturating_add(i as u64)),
            List::MediaSingle => Item::InMediaSingle,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Exit {
    /// Owe `n` newlines after a block.
    Sep(u8),
    /// Drop a line prefix, then owe `n` newlines.
    PopPrefix(u8),
    /// Leave a table cell (or the flattened region past the depth limit).
    LeaveFlat,
}

#[derive(Debug, Clone, Copy)]
enum Frame<N> {
    Node {
        node: N,
        depth: usize,
        sep: u8,
        item: Item,
    },
    Children {
        arr: N,
        next: usize,
        depth: usize,
        sep: u8,
        list: List,
        between: &'static str,
    },
    Exit(Exit),
}

/// Node types the schema gives no content. Their placeholder text is written
/// first; content they carry anyway (malformed input) is pushed before it, so
/// it is rendered after.
const LEAVES: &[&str] = &[
    "hardBreak",
    "mention",
    "emoji",
    "date",
    "status",
    "inlineCard",
    "mediaInline",
    "inlineExtension",
    "placeholder",
    "rule",
    "blockCard",
    "embedCard",
    "media",
    "extension",
    "syncBlock",
];

/// The separator owed between blocks of a loose container (a blank line) and
/// of a tight one (list items, table rows: a line break).
const LOOSE: u8 = 2;
const TIGHT: u8 = 1;

struct Walk<'o, 'h, 'a, N, H: ?Sized> {
    options: &'o Options,
    hook: &'h mut H,
    w: Writer,
    stack: Vec<Frame<N>>,
    depth_hit: bool,
    /// The href of the link run being written, and where its text starts.
    link: Option<(&'a str, usize)>,
    /// An inline atom (card, media) was just written: a following word gets a space.
    after_atom: bool,
    scratch: String,
}

/// Renders an ADF tree (or a bare string, array or scalar) to plain text.
///
/// `size_hint` is the input's size in bytes, if known: the text is usually a
/// third of the JSON, so the output buffer starts at that.
pub(crate) fn render<'a, N: Json<'a>, H: MentionHook + ?Sized>(
    root: N,
    options: &Options,
    hook: &mut H,
    size_hint: usize,
) -> Rendered {
    let mut walk = Walk {
        options,
        hook,
        w: Writer::with_capacity(options.max_output_bytes(), size_hint / 3),
        stack: Vec::with_capacity(32),
        depth_hit: false,
        link: None,
        after_atom: false,
        scratch: String::new(),
    };
    walk.run(root);
    let output = walk.w.full;
    Rendered {
        text: walk.w.into_string(),
        truncated: Truncation {
            depth: walk.depth_hit,
            output,
        },
    }
}

impl<'a, N: Json<'a>, H: MentionHook + ?Sized> Walk<'_, '_, 'a, N, H> {
    fn run(&mut self, root: N) {
        if let Some(s) = root.as_str() {
            if self.options.strings_as_wiki() {
                self.depth_hit |= crate::wiki::render_into(s, self.options, self.hook, &mut self.w);
            } else {
                self.w.text(s);
            }
            return;
        }
        if root.array_len().is_none() && !root.is_object() {
            let mut s = String::new();
            root.scalar_text(&mut s);
            self.w.text(&s);
            return;
        }
        self.stack.push(Frame::Node {
            node: root,
            depth: 0,
            sep: LOOSE,
            item: Item::None,
        });
        while let Some(frame) = self.stack.pop() {
            if self.w.full {
                break;
            }
            match frame {
                Frame::Node {
                    node,
                    depth,
                    sep,
                    item,
                } => self.node(node, depth, sep, item),
                Frame::Children {
                    arr,
                    next,
                    depth,
                    sep,
                    list,
                    between,
                } => {
                    if let Some(child) = arr.at(next) {
                        self.stack.push(Frame::Children {
                            arr,
                            next: next + 1,
                            depth,
                            sep,
                            list,
                            between,
                        });
                        if next > 0 && !between.is_empty() {
                            self.close_link();
                            self.w.raw(between);
                        }
                        self.stack.push(Frame::Node {
                            node: child,
                            depth,
                            sep,
                            item: list.item(next),
                        });
                    }
                }
                Frame::Exit(exit) => {
                    self.close_link();
                    match exit {
                        Exit::Sep(n) => self.w.sep(n),
                        Exit::PopPrefix(n) => {
                            self.w.pop_prefix();
                            self.w.sep(n);
                        }
                        Exit::LeaveFlat => self.w.leave_flat(),
                    }
                }
            }
        }
        self.close_link();
    }

    /// Schedules `node.content` (the children of any node, known or not).
    fn children(&mut self, node: N, depth: usize, sep: u8, list: List) {
        let content = if node.array_len().is_some() {
            Some(node)
        } else {
            node.get("content")
        };
        if let Some(arr) = content.filter(|c| c.array_len().is_some_and(|n| n > 0)) {
            self.stack.push(Frame::Children {
                arr,
                next: 0,
                depth: depth + 1,
                sep,
                list,
                between: "",
            });
        }
    }

    /// A block: separated from its neighbours by `sep`, children separated by `inner`.
    fn block(&mut self, node: N, depth: usize, sep: u8, inner: u8, list: List) {
        self.w.sep(sep);
        self.stack.push(Frame::Exit(Exit::Sep(sep)));
        self.children(node, depth, inner, list);
    }

    /// A block whose lines carry `prefix`.
    fn prefixed(&mut self, node: N, depth: usize, sep: u8, inner: u8, prefix: Prefix) {
        self.w.sep(sep);
        self.w.push_prefix(prefix);
        self.stack.push(Frame::Exit(Exit::PopPrefix(sep)));
        self.children(node, depth, inner, List::None);
    }

    /// A leaf block holding one line of generated text.
    fn leaf_block(&mut self, sep: u8, text: &str) {
        self.close_link();
        self.w.sep(sep);
        self.w.text(text);
        self.w.sep(sep);
    }

    fn close_link(&mut self) {
        if let Some((href, start)) = self.link.take() {
            let text = self.w.out.get(start..).unwrap_or_default();
            let bare = href.strip_prefix("mailto:").unwrap_or(href);
            if self.options.link_urls() && !text.is_empty() && text != href && text != bare {
                self.w.raw(" (");
                self.w.raw(href);
                self.w.raw(")");
            }
        }
    }

    fn text_node(&mut self, node: N) {
        let Some(text) = node.str_of("text") else {
            // A text node without text: nothing to lose, nothing to write.
            return;
        };
        if std::mem::take(&mut self.after_atom)
            && text.chars().next().is_some_and(char::is_alphanumeric)
        {
            self.w.text(" ");
        }
        let href = link_href(node);
        match (self.link, href) {
            (Some((open, _)), Some(h)) if open == h => {}
            _ => {
                self.close_link();
                if let Some(h) = href
                    && !text.is_empty()
                {
                    self.w.begin();
                    self.link = Some((h, self.w.out.len()));
                }
            }
        }
        self.w.text(text);
    }

    fn node(&mut self, node: N, depth: usize, sep: u8, item: Item) {
        if !node.is_object() {
            if let Some(s) = node.as_str() {
                // A bare string where a node belongs: keep its text.
                self.close_link();
                self.w.text(s);
            } else if node.array_len().is_some() {
                self.close_link();
                self.enter_depth(depth, sep);
                self.children(node, depth, sep, List::None);
            }
            return;
        }
        let ty = node.str_of("type").unwrap_or("");
        if ty == "text" {
            self.text_node(node);
            // Malformed, but never lose text: children of a text node render too.
            self.children(node, depth, sep, List::None);
            return;
        }
        self.close_link();
        self.after_atom = false;
        let deep = self.enter_depth(depth, sep);
        if LEAVES.contains(&ty) {
            // Leaves carry no content by the schema; render any they have anyway.
            self.children(node, depth, sep, List::None);
        }
        match ty {
            // Inline atoms behave the same at any depth.
            "hardBreak" => self.w.hard_break(),
            "mention" => self.mention(node),
            "emoji" => {
                let attrs = node.get("attrs");
                let text = attrs
                    .and_then(|a| a.str_of("text"))
                    .filter(|t| !t.is_empty())
                    .or_else(|| attrs.and_then(|a| a.str_of("shortName")));
                if let Some(t) = text {
                    self.w.text(t);
                }
            }
            "date" => self.date(node),
            "status" => {
                if let Some(t) = node.get("attrs").and_then(|a| a.str_of("text"))
                    && !t.is_empty()
                {
                    self.w.text("[");
                    self.w.text(t);
                    self.w.text("]");
                }
            }
            "inlineCard" => {
                let t = card_text(node).unwrap_or("[link]");
                self.w.space_before_atom();
                self.w.text(t);
                self.after_atom = true;
            }
            "mediaInline" => {
                let kind = match node.get("attrs").and_then(|a| a.str_of("type")) {
                    Some("image") => "image",
                    Some("link") => "link",
                    _ => "file",
                };
                self.w.space_before_atom();
                self.media_placeholder(kind, node.get("attrs").and_then(|a| a.str_of("alt")));
                self.after_atom = true;
            }
            "inlineExtension" => {
                self.w.space_before_atom();
                self.extension_placeholder(node);
                self.after_atom = true;
            }
            "placeholder" => {
                // Editor hint text ("Type something…"), not content.
            }
            _ if deep => {
                // Structure is dropped, text is kept.
                self.w.sep(TIGHT);
                self.stack.push(Frame::Exit(Exit::Sep(TIGHT)));
                self.children(node, depth, TIGHT, List::None);
            }
            "doc" | "layoutSection" | "layoutColumn" | "bodiedExtension" | "bodiedSyncBlock"
            | "mediaGroup" => self.block(node, depth, sep, sep, List::None),
            "paragraph" | "heading" | "codeBlock" => self.block(node, depth, sep, sep, List::None),
            "mediaSingle" => self.block(node, depth, sep, TIGHT, List::MediaSingle),
            "caption" => self.block(node, depth, TIGHT, TIGHT, List::None),
            "bulletList" => self.block(node, depth, sep, TIGHT, List::Bullet),
            "orderedList" => {
                let start = node
                    .get("attrs")
                    .and_then(|a| a.get("order"))
                    .and_then(Json::as_f64)
                    .filter(|f| f.is_finite() && *f >= 0.0 && *f < 1e15)
                    // In range by the filter above.
                    .map_or(1, |f| f as u64);
                self.block(node, depth, sep, TIGHT, List::Ordered(start));
            }
            "taskList" | "decisionList" => self.block(node, depth, sep, TIGHT, List::None),
            "listItem" => {
                let prefix = match item {
                    Item::Number(n) => Prefix::number(n),
                    _ => Prefix::new("- ", "  "),
                };
                self.prefixed(node, depth, TIGHT, TIGHT, prefix);
            }
            "taskItem" | "blockTaskItem" => {
                let done = node.get("attrs").and_then(|a| a.str_of("state")) == Some("DONE");
                let prefix = if done {
                    Prefix::new("[x] ", "    ")
                } else {
                    Prefix::new("[ ] ", "    ")
                };
                self.prefixed(node, depth, TIGHT, TIGHT, prefix);
            }
            "decisionItem" => {
                self.prefixed(
                    node,
                    depth,
                    TIGHT,
                    TIGHT,
                    Prefix::new("Decision: ", "          "),
                );
            }
            "blockquote" => self.prefixed(node, depth, sep, sep, Prefix::new("> ", "> ")),
            "panel" => {
                let label = match node.get("attrs").and_then(|a| a.str_of("panelType")) {
                    Some("info") => Some("Info: "),
                    Some("note") => Some("Note: "),
                    Some("warning") => Some("Warning: "),
                    Some("error") => Some("Error: "),
                    Some("success") => Some("Success: "),
                    Some("tip") => Some("Tip: "),
                    _ => None,
                };
                match label {
                    Some(l) => self.prefixed(node, depth, sep, sep, Prefix::new(l, "")),
                    None => self.block(node, depth, sep, sep, List::None),
                }
            }
            "expand" | "nestedExpand" => {
                self.w.sep(sep);
                if let Some(title) = node.get("attrs").and_then(|a| a.str_of("title"))
                    && !title.trim().is_empty()
                {
                    self.w.text(title);
                    self.w.sep(sep);
                }
                self.stack.push(Frame::Exit(Exit::Sep(sep)));
                self.children(node, depth, sep, List::None);
            }
            "rule" => self.leaf_block(sep, "---"),
            "table" => self.block(node, depth, sep, TIGHT, List::None),
            "tableRow" => {
                self.w.sep(TIGHT);
                self.w.begin();
                self.stack.push(Frame::Exit(Exit::Sep(TIGHT)));
                if let Some(arr) = node.get("content").filter(|c| c.array_len().is_some()) {
                    self.stack.push(Frame::Children {
                        arr,
                        next: 0,
                        depth: depth + 1,
                        sep: TIGHT,
                        list: List::None,
                        between: " | ",
                    });
                }
            }
            "tableCell" | "tableHeader" => {
                self.w.enter_flat();
                self.stack.push(Frame::Exit(Exit::LeaveFlat));
                self.children(node, depth, TIGHT, List::None);
            }
            "blockCard" | "embedCard" => {
                let t = card_text(node).unwrap_or(
                    if node
                        .get("attrs")
                        .and_then(|a| a.get("datasource"))
                        .is_some()
                    {
                        "[datasource]"
                    } else {
                        "[link]"
                    },
                );
                self.leaf_block(sep, t);
            }
            "media" => {
                let attrs = node.get("attrs");
                let alt = attrs.and_then(|a| a.str_of("alt"));
                self.w.sep(TIGHT);
                match attrs.and_then(|a| a.str_of("type")) {
                    Some("external") => {
                        let url = attrs.and_then(|a| a.str_of("url"));
                        self.media_placeholder("image", url.or(alt));
                    }
                    Some("link") => self.media_placeholder("link", alt),
                    _ => {
                        let kind = if matches!(item, Item::InMediaSingle) {
                            "image"
                        } else {
                            "file"
                        };
                        self.media_placeholder(kind, alt);
                    }
                }
                self.w.sep(TIGHT);
            }
            "extension" => {
                self.w.sep(sep);
                self.extension_placeholder(node);
                self.w.sep(sep);
            }
            "syncBlock" => self.leaf_block(sep, "[synced block]"),
            _ => {
                // Unknown (or typeless) node: keep its text and its children's.
                if let Some(t) = node.str_of("text") {
                    self.w.text(t);
                }
                self.children(node, depth, sep, List::None);
            }
        }
    }

    /// Whether a node at `depth` is past the depth limit. The first node past
    /// it (on each path) opens a flat region: everything below is written as
    /// spaced text with no structure, which keeps the text and bounds the work.
    fn enter_depth(&mut self, depth: usize, sep: u8) -> bool {
        let max = self.options.max_depth();
        if depth <= max {
            return false;
        }
        if depth == max.saturating_add(1) {
            self.depth_hit = true;
            self.w.sep(sep);
            self.w.enter_flat();
            self.stack.push(Frame::Exit(Exit::LeaveFlat));
        }
        true
    }

    fn mention(&mut self, node: N) {
        let attrs = node.get("attrs");
        let mention = Mention {
            id: attrs.and_then(|a| a.str_of("id")),
            kind: MentionKind::AccountId,
            display_text: attrs.and_then(|a| a.str_of("text")),
        };
        let mut s = std::mem::take(&mut self.scratch);
        s.clear();
        self.hook.render_mention(&mention, &mut s);
        self.w.text(&s);
        self.scratch = s;
    }

    fn date(&mut self, node: N) {
        let Some(ts) = node.get("attrs").and_then(|a| a.get("timestamp")) else {
            return;
        };
        let mut s = std::mem::take(&mut self.scratch);
        s.clear();
        match ts.as_str() {
            Some(text) => match date::parse_millis(text) {
                Some(ms) => date::write_iso_date(ms, &mut s),
                // Not a timestamp: keep what the document says.
                None => s.push_str(text),
            },
            None => match ts.as_f64().and_then(date::millis_from_f64) {
                Some(ms) => date::write_iso_date(ms, &mut s),
                None => s.push_str("[date]"),
            },
        }
        self.w.text(&s);
        self.scratch = s;
    }

    fn media_placeholder(&mut self, kind: &str, detail: Option<&str>) {
        self.w.text("[");
        self.w.text(kind);
        if let Some(d) = detail.filter(|d| !d.is_empty()) {
            self.w.text(": ");
            self.w.text(d);
        }
        self.w.text("]");
    }

    fn extension_placeholder(&mut self, node: N) {
        let key = node
            .get("attrs")
            .and_then(|a| a.str_of("extensionKey"))
            .filter(|k| !k.is_empty());
        self.w.text("[extension");
        if let Some(k) = key {
            self.w.text(": ");
            self.w.text(k);
        }
        self.w.text("]");
    }
}

/// The href of a node's first `link` mark.
fn link_href<'a, N: Json<'a>>(node: N) -> Option<&'a str> {
    let marks = node.get("marks")?;
    let n = marks.array_len()?;
    (0..n)
        .filter_map(|i| marks.at(i))
        .find(|m| m.str_of("type") == Some("link"))
        .and_then(|m| m.get("attrs"))
        .and_then(|a| a.str_of("href"))
}

/// What a card shows: its URL, or for a data-only card the data's URL or name.
fn card_text<'a, N: Json<'a>>(node: N) -> Option<&'a str> {
    let attrs = node.get("attrs")?;
    if let Some(u) = attrs.str_of("url").filter(|u| !u.is_empty()) {
        return Some(u);
    }
    let data = attrs.get("data")?;
    data.str_of("url")
        .or_else(|| data.str_of("name"))
        .filter(|s| !s.is_empty())
}

/// Collects every account id mentioned and URL linked, walking the whole tree
/// (no limits apply: the walk writes nothing).
pub(crate) fn collect<'a, N: Json<'a>>(root: N, refs: &mut Collector) {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if let Some(n) = node.array_len() {
            stack.extend((0..n).rev().filter_map(|i| node.at(i)));
            continue;
        }
        if !node.is_object() {
            continue;
        }
        let attrs = node.get("attrs");
        match node.str_of("type") {
            Some("mention") => {
                if let Some(id) = attrs.and_then(|a| a.str_of("id")) {
                    refs.account_id(id);
                }
            }
            Some("inlineCard" | "blockCard" | "embedCard") => {
                if let Some(u) = card_text(node).filter(|u| u.contains("://")) {
                    refs.url(u);
                }
            }
            _ => {
                if let Some(u) = attrs.and_then(|a| a.str_of("url")) {
                    refs.url(u);
                }
            }
        }
        if let Some(marks) = node.get("marks") {
            for i in 0..marks.array_len().unwrap_or(0) {
                let Some(m) = marks.at(i) else { continue };
                if m.str_of("type") == Some("link")
                    && let Some(h) = m.get("attrs").and_then(|a| a.str_of("href"))
                {
                    refs.url(h);
                }
            }
        }
        if let Some(c) = node.get("content") {
            stack.push(c);
        }
    }
}
