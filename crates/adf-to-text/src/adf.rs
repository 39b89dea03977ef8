//! The ADF renderer: an explicit-stack walk over any [`Json`] tree.

use crate::date;
use crate::json::{Fields, Json};
use crate::mention::{Mention, MentionHook, MentionKind};
use crate::options::{Options, Truncation};
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

/// A node's `type`, classified once per node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    HardBreak,
    Mention,
    Emoji,
    Date,
    Status,
    InlineCard,
    MediaInline,
    InlineExtension,
    Placeholder,
    /// `doc`, layouts, bodied extensions and sync blocks, `mediaGroup`, `paragraph`,
    /// `heading`, `codeBlock`: blocks whose children are separated like the block.
    Block,
    MediaSingle,
    Caption,
    BulletList,
    OrderedList,
    /// `taskList`, `decisionList`.
    ItemList,
    ListItem,
    /// `taskItem`, `blockTaskItem`.
    TaskItem,
    DecisionItem,
    Blockquote,
    Panel,
    /// `expand`, `nestedExpand`.
    Expand,
    Rule,
    Table,
    TableRow,
    /// `tableCell`, `tableHeader`.
    TableCell,
    /// `blockCard`, `embedCard`.
    BlockCard,
    Media,
    Extension,
    SyncBlock,
    /// Unknown or missing type.
    Other,
}

impl Kind {
    fn of(ty: &str) -> Kind {
        match ty {
            "text" => Kind::Text,
            "paragraph" => Kind::Block,
            "listItem" => Kind::ListItem,
            "bulletList" => Kind::BulletList,
            "orderedList" => Kind::OrderedList,
            "mention" => Kind::Mention,
            "hardBreak" => Kind::HardBreak,
            "doc" | "layoutSection" | "layoutColumn" | "bodiedExtension" | "bodiedSyncBlock"
            | "mediaGroup" | "heading" | "codeBlock" => Kind::Block,
            "emoji" => Kind::Emoji,
            "date" => Kind::Date,
            "status" => Kind::Status,
            "inlineCard" => Kind::InlineCard,
            "mediaInline" => Kind::MediaInline,
            "inlineExtension" => Kind::InlineExtension,
            "placeholder" => Kind::Placeholder,
            "mediaSingle" => Kind::MediaSingle,
            "caption" => Kind::Caption,
            "taskList" | "decisionList" => Kind::ItemList,
            "taskItem" | "blockTaskItem" => Kind::TaskItem,
            "decisionItem" => Kind::DecisionItem,
            "blockquote" => Kind::Blockquote,
            "panel" => Kind::Panel,
            "expand" | "nestedExpand" => Kind::Expand,
            "rule" => Kind::Rule,
            "table" => Kind::Table,
            "tableRow" => Kind::TableRow,
            "tableCell" | "tableHeader" => Kind::TableCell,
            "blockCard" | "embedCard" => Kind::BlockCard,
            "media" => Kind::Media,
            "extension" => Kind::Extension,
            "syncBlock" => Kind::SyncBlock,
            _ => Kind::Other,
        }
    }

    /// Node types the schema gives no content. Their placeholder text is written
    /// first; content they carry anyway (malformed input) is pushed before it, so
    /// it is rendered after.
    fn is_leaf(self) -> bool {
        matches!(
            self,
            Kind::HardBreak
                | Kind::Mention
                | Kind::Emoji
                | Kind::Date
                | Kind::Status
                | Kind::InlineCard
                | Kind::MediaInline
                | Kind::InlineExtension
                | Kind::Placeholder
                | Kind::Rule
                | Kind::BlockCard
                | Kind::Media
                | Kind::Extension
                | Kind::SyncBlock
        )
    }
}

/// The separator owed between blocks of a loose container (a blank line) and
/// of a tight one (list items, table rows: a line break).
const LOOSE: u8 = 2;
const TIGHT: u8 = 1;

struct Walk<'o, 'h, 'w, 'a, N, H: ?Sized> {
    options: &'o Options,
    hook: &'h mut H,
    w: &'w mut Writer,
    stack: Vec<Frame<N>>,
    depth_hit: bool,
    /// The href of the link run being written, and where its text starts.
    link: Option<(&'a str, usize)>,
    /// An inline atom (card, media) was just written: a following word gets a space.
    after_atom: bool,
    scratch: &'w mut String,
}

/// Renders an ADF tree (or a bare string, array or scalar) to plain text in `w`
/// (reset by the caller), using `scratch` for mention and date text.
pub(crate) fn render<'a, N: Json<'a>, H: MentionHook + ?Sized>(
    root: N,
    options: &Options,
    hook: &mut H,
    w: &mut Writer,
    scratch: &mut String,
) -> Truncation {
    let mut walk = Walk {
        options,
        hook,
        w,
        // 16 frames cover most documents and stay a small allocation.
        stack: Vec::with_capacity(16),
        depth_hit: false,
        link: None,
        after_atom: false,
        scratch,
    };
    walk.run(root);
    Truncation {
        depth: walk.depth_hit,
        output: walk.w.full,
    }
}

impl<'a, N: Json<'a>, H: MentionHook + ?Sized> Walk<'_, '_, '_, 'a, N, H> {
    fn run(&mut self, root: N) {
        if let Some(s) = root.as_str() {
            if self.options.strings_as_wiki() {
                self.depth_hit |= crate::wiki::render_into(s, self.options, self.hook, self.w);
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
        if N::SCATTERED {
            warm(root);
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

    /// Schedules the children of a node: its `content` (any node, known or not).
    fn children(&mut self, content: Option<N>, depth: usize, sep: u8, list: List) {
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
    fn block(&mut self, content: Option<N>, depth: usize, sep: u8, inner: u8, list: List) {
        self.w.sep(sep);
        self.stack.push(Frame::Exit(Exit::Sep(sep)));
        self.children(content, depth, inner, list);
    }

    /// A block whose lines carry `prefix`.
    fn prefixed(&mut self, content: Option<N>, depth: usize, sep: u8, inner: u8, prefix: Prefix) {
        self.w.sep(sep);
        self.w.push_prefix(prefix);
        self.stack.push(Frame::Exit(Exit::PopPrefix(sep)));
        self.children(content, depth, inner, List::None);
    }

    /// A leaf block holding one line of generated text.
    fn leaf_block(&mut self, sep: u8, text: &str) {
        self.close_link();
        self.w.sep(sep);
        self.w.text(text);
        self.w.sep(sep);
    }

    /// Ends the link run being written, if any (most calls: none).
    #[inline]
    fn close_link(&mut self) {
        if self.link.is_some() {
            self.end_link();
        }
    }

    fn end_link(&mut self) {
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

    fn text_node(&mut self, f: &Fields<N>) {
        let Some(text) = f.text.and_then(Json::as_str) else {
            // A text node without text: nothing to lose, nothing to write.
            return;
        };
        if std::mem::take(&mut self.after_atom)
            && text.chars().next().is_some_and(char::is_alphanumeric)
        {
            self.w.text(" ");
        }
        let href = f.marks.and_then(link_href);
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
        let Some(f) = node.fields() else {
            if let Some(s) = node.as_str() {
                // A bare string where a node belongs: keep its text.
                self.close_link();
                self.w.text(s);
            } else if node.array_len().is_some() {
                self.close_link();
                self.enter_depth(depth, sep);
                self.children(Some(node), depth, sep, List::None);
            }
            return;
        };
        let kind = Kind::of(f.ty.and_then(Json::as_str).unwrap_or(""));
        if kind == Kind::Text {
            self.text_node(&f);
            // Malformed, but never lose text: children of a text node render too.
            self.children(f.content, depth, sep, List::None);
            return;
        }
        self.close_link();
        self.after_atom = false;
        let deep = self.enter_depth(depth, sep);
        if kind.is_leaf() {
            // Leaves carry no content by the schema; render any they have anyway.
            self.children(f.content, depth, sep, List::None);
        }
        let attr = |key: &str| f.attrs.and_then(|a| a.str_of(key));
        match kind {
            // Inline atoms behave the same at any depth.
            Kind::HardBreak => self.w.hard_break(),
            Kind::Mention => self.mention(f.attrs),
            Kind::Emoji => {
                let text = attr("text")
                    .filter(|t| !t.is_empty())
                    .or_else(|| attr("shortName"));
                if let Some(t) = text {
                    self.w.text(t);
                }
            }
            Kind::Date => self.date(f.attrs),
            Kind::Status => {
                if let Some(t) = attr("text")
                    && !t.is_empty()
                {
                    self.w.text("[");
                    self.w.text(t);
                    self.w.text("]");
                }
            }
            Kind::InlineCard => {
                let t = card_text(f.attrs).unwrap_or("[link]");
                self.w.space_before_atom();
                self.w.text(t);
                self.after_atom = true;
            }
            Kind::MediaInline => {
                let kind = match attr("type") {
                    Some("image") => "image",
                    Some("link") => "link",
                    _ => "file",
                };
                self.w.space_before_atom();
                self.media_placeholder(kind, attr("alt"));
                self.after_atom = true;
            }
            Kind::InlineExtension => {
                self.w.space_before_atom();
                self.extension_placeholder(f.attrs);
                self.after_atom = true;
            }
            Kind::Placeholder => {
                // Editor hint text ("Type something…"), not content.
            }
            _ if deep => {
                // Structure is dropped, text is kept.
                self.w.sep(TIGHT);
                self.stack.push(Frame::Exit(Exit::Sep(TIGHT)));
                self.children(f.content, depth, TIGHT, List::None);
            }
            Kind::Block => self.block(f.content, depth, sep, sep, List::None),
            Kind::MediaSingle => self.block(f.content, depth, sep, TIGHT, List::MediaSingle),
            Kind::Caption => self.block(f.content, depth, TIGHT, TIGHT, List::None),
            Kind::BulletList => self.block(f.content, depth, sep, TIGHT, List::Bullet),
            Kind::OrderedList => {
                let start = f
                    .attrs
                    .and_then(|a| a.get("order"))
                    .and_then(Json::as_f64)
                    .filter(|f| f.is_finite() && *f >= 0.0 && *f < 1e15)
                    // In range by the filter above.
                    .map_or(1, |f| f as u64);
                self.block(f.content, depth, sep, TIGHT, List::Ordered(start));
            }
            Kind::ItemList => self.block(f.content, depth, sep, TIGHT, List::None),
            Kind::ListItem => {
                let prefix = match item {
                    Item::Number(n) => Prefix::number(n),
                    _ => Prefix::new("- ", "  "),
                };
                self.prefixed(f.content, depth, TIGHT, TIGHT, prefix);
            }
            Kind::TaskItem => {
                let prefix = if attr("state") == Some("DONE") {
                    Prefix::new("[x] ", "    ")
                } else {
                    Prefix::new("[ ] ", "    ")
                };
                self.prefixed(f.content, depth, TIGHT, TIGHT, prefix);
            }
            Kind::DecisionItem => {
                self.prefixed(
                    f.content,
                    depth,
                    TIGHT,
                    TIGHT,
                    Prefix::new("Decision: ", "          "),
                );
            }
            Kind::Blockquote => self.prefixed(f.content, depth, sep, sep, Prefix::new("> ", "> ")),
            Kind::Panel => {
                let label = match attr("panelType") {
                    Some("info") => Some("Info: "),
                    Some("note") => Some("Note: "),
                    Some("warning") => Some("Warning: "),
                    Some("error") => Some("Error: "),
                    Some("success") => Some("Success: "),
                    Some("tip") => Some("Tip: "),
                    _ => None,
                };
                match label {
                    Some(l) => self.prefixed(f.content, depth, sep, sep, Prefix::new(l, "")),
                    None => self.block(f.content, depth, sep, sep, List::None),
                }
            }
            Kind::Expand => {
                self.w.sep(sep);
                if let Some(title) = attr("title")
                    && !title.trim().is_empty()
                {
                    self.w.text(title);
                    self.w.sep(sep);
                }
                self.stack.push(Frame::Exit(Exit::Sep(sep)));
                self.children(f.content, depth, sep, List::None);
            }
            Kind::Rule => self.leaf_block(sep, "---"),
            Kind::Table => self.block(f.content, depth, sep, TIGHT, List::None),
            Kind::TableRow => {
                self.w.sep(TIGHT);
                self.w.begin();
                self.stack.push(Frame::Exit(Exit::Sep(TIGHT)));
                if let Some(arr) = f.content.filter(|c| c.array_len().is_some()) {
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
            Kind::TableCell => {
                self.w.enter_flat();
                self.stack.push(Frame::Exit(Exit::LeaveFlat));
                self.children(f.content, depth, TIGHT, List::None);
            }
            Kind::BlockCard => {
                let t = card_text(f.attrs).unwrap_or(
                    if f.attrs.and_then(|a| a.get("datasource")).is_some() {
                        "[datasource]"
                    } else {
                        "[link]"
                    },
                );
                self.leaf_block(sep, t);
            }
            Kind::Media => {
                let alt = attr("alt");
                self.w.sep(TIGHT);
                match attr("type") {
                    Some("external") => {
                        self.media_placeholder("image", attr("url").or(alt));
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
            Kind::Extension => {
                self.w.sep(sep);
                self.extension_placeholder(f.attrs);
                self.w.sep(sep);
            }
            Kind::SyncBlock => self.leaf_block(sep, "[synced block]"),
            Kind::Text | Kind::Other => {
                // Unknown (or typeless) node: keep its text and its children's.
                if let Some(t) = f.text.and_then(Json::as_str) {
                    self.w.text(t);
                }
                self.children(f.content, depth, sep, List::None);
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

    fn mention(&mut self, attrs: Option<N>) {
        let mention = Mention {
            id: attrs.and_then(|a| a.str_of("id")),
            kind: MentionKind::AccountId,
            display_text: attrs.and_then(|a| a.str_of("text")),
        };
        self.scratch.clear();
        self.hook.render_mention(&mention, self.scratch);
        self.w.text(self.scratch);
    }

    fn date(&mut self, attrs: Option<N>) {
        let Some(ts) = attrs.and_then(|a| a.get("timestamp")) else {
            return;
        };
        let s = &mut *self.scratch;
        s.clear();
        match ts.as_str() {
            Some(text) => match date::parse_millis(text) {
                Some(ms) => date::write_iso_date(ms, s),
                // Not a timestamp: keep what the document says.
                None => s.push_str(text),
            },
            None => match ts.as_f64().and_then(date::millis_from_f64) {
                Some(ms) => date::write_iso_date(ms, s),
                None => s.push_str("[date]"),
            },
        }
        self.w.text(self.scratch);
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

    fn extension_placeholder(&mut self, attrs: Option<N>) {
        let key = attrs
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

/// Nodes visited by [`warm`] at most: enough for any ordinary document.
const WARM_NODES: usize = 4096;

/// Reads every node of a tree whose nodes are scattered over the heap (a
/// `serde_json::Value`) breadth first — its keys, strings and containers, in a
/// tight loop — before the render walks it depth first.
///
/// The render is a chain of dependent loads (node, its map, its keys, its
/// children…), and a document that is not in the CPU cache costs a memory
/// round trip at every link. Here the nodes of one level are independent of
/// each other, so the CPU fetches many at once; the render then finds them in
/// cache. On the schema bench (2,000 issues, far more than the CPU cache holds)
/// this cuts rendering from about 34 to 16 µs per issue (5 documents); on
/// documents already in cache it costs little (within the noise of a 4.5 µs
/// per issue measurement).
fn warm<'a, N: Json<'a>>(root: N) {
    let mut queue = Vec::with_capacity(64);
    queue.push(root);
    let mut next = 0;
    let mut seen = 0u8;
    while let Some(&node) = queue.get(next) {
        next += 1;
        // Bounded: a huge document is warmed only at its start.
        let room = WARM_NODES.saturating_sub(queue.len());
        seen ^= node.warm_children(&mut queue, room);
    }
    std::hint::black_box(seen);
}

/// The href of the first `link` mark among a node's `marks`.
fn link_href<'a, N: Json<'a>>(marks: N) -> Option<&'a str> {
    let n = marks.array_len()?;
    (0..n)
        .filter_map(|i| marks.at(i))
        .find(|m| m.str_of("type") == Some("link"))
        .and_then(|m| m.get("attrs"))
        .and_then(|a| a.str_of("href"))
}

/// What a card shows (given its `attrs`): its URL, or for a data-only card the
/// data's URL or name.
fn card_text<'a, N: Json<'a>>(attrs: Option<N>) -> Option<&'a str> {
    let attrs = attrs?;
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
                if let Some(u) = card_text(attrs).filter(|u| u.contains("://")) {
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
