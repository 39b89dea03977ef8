//! Data Center wiki markup to plain text.
//!
//! A line-by-line pass (no recursion, no backtracking): block markup is
//! recognised at the start of a line, inline markup within it. Markup this
//! module does not know is kept as written, so no text is lost.

use crate::mention::{Mention, MentionHook, MentionKind};
use crate::options::Options;
use crate::refs::Collector;
use crate::writer::{Prefix, Writer};

/// Renders wiki markup into `w`; returns whether list nesting hit the depth limit.
pub(crate) fn render_into<H: MentionHook + ?Sized>(
    src: &str,
    options: &Options,
    hook: &mut H,
    w: &mut Writer,
) -> bool {
    let mut wiki = Wiki {
        options,
        hook,
        w,
        refs: None,
        depth_hit: false,
        scratch: String::new(),
        marks: Vec::new(),
        toks: Vec::new(),
    };
    wiki.run(src);
    wiki.depth_hit
}

/// Collects mentions and URLs of wiki markup.
pub(crate) fn collect(src: &str, refs: &mut Collector) {
    let options = Options::new().with_max_output_bytes(usize::MAX);
    let mut w = Writer::new(usize::MAX);
    let mut hook = crate::DefaultMentions;
    let mut wiki = Wiki {
        options: &options,
        hook: &mut hook,
        w: &mut w,
        refs: Some(refs),
        depth_hit: false,
        scratch: String::new(),
        marks: Vec::new(),
        toks: Vec::new(),
    };
    wiki.run(src);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Last {
    Other,
    Para,
    List,
    Table,
}

struct Wiki<'o, 'h, 'w, 'r, H: ?Sized> {
    options: &'o Options,
    hook: &'h mut H,
    w: &'w mut Writer,
    refs: Option<&'r mut Collector>,
    depth_hit: bool,
    scratch: String,
    /// Byte positions of emphasis markers to drop in the current line.
    marks: Vec<usize>,
    toks: Vec<Tok>,
}

/// An inline token of a line: byte ranges into it.
#[derive(Debug, Clone, Copy)]
enum Tok {
    Plain(usize, usize),
    /// Written as is: an escaped character, `{{monospace}}`.
    Literal(usize, usize),
    Break,
    /// The inside of `[...]`.
    Link(usize, usize),
    /// The inside of `!...!`.
    Image(usize, usize),
    /// A known `{macro}` tag, dropped (status shows its title).
    Macro(usize, usize),
}

/// Finds paired emphasis markers (`*bold*`, `_em_`, `-strike-`, `+under+`,
/// `^sup^`, `~sub~`) within the `ranges` of `s`, judging their neighbours
/// in all of `s`. Linear: each marker is looked at a constant number of times.
fn emphasis_marks(
    s: &str,
    ranges: impl Iterator<Item = (usize, usize)> + Clone,
    marks: &mut Vec<usize>,
) {
    marks.clear();
    let b = s.as_bytes();
    let mut positions = Vec::new();
    let mut next_closer = Vec::new();
    for m in [b'*', b'_', b'-', b'+', b'^', b'~'] {
        positions.clear();
        for (a, z) in ranges.clone() {
            if let Some(seg) = b.get(a..z) {
                positions.extend(memchr::memchr_iter(m, seg).map(|p| p + a));
            }
        }
        if positions.len() < 2 {
            continue;
        }
        // next_closer[k]: the first index >= k whose marker can close.
        next_closer.clear();
        next_closer.resize(positions.len() + 1, usize::MAX);
        for (k, &p) in positions.iter().enumerate().rev() {
            let before = if p == 0 {
                b' '
            } else {
                b.get(p - 1).copied().unwrap_or(b' ')
            };
            let after_ok = b.get(p + 1).is_none_or(|&a| !is_word(a));
            let closes = !before.is_ascii_whitespace() && before != m && after_ok;
            let later = next_closer.get(k + 1).copied().unwrap_or(usize::MAX);
            if let Some(slot) = next_closer.get_mut(k) {
                *slot = if closes { k } else { later };
            }
        }
        let mut k = 0;
        while let Some(&open) = positions.get(k) {
            k += 1;
            let prev_ok = open == 0 || b.get(open - 1).is_some_and(|&p| !is_word(p));
            let next_ok = b
                .get(open + 1)
                .is_some_and(|&n| !n.is_ascii_whitespace() && n != m);
            if !(prev_ok && next_ok) {
                continue;
            }
            let mut j = next_closer.get(k).copied().unwrap_or(usize::MAX);
            if positions.get(j).is_some_and(|&c| c < open + 2) {
                j = next_closer.get(j + 1).copied().unwrap_or(usize::MAX);
            }
            if let Some(&close) = positions.get(j) {
                marks.push(open);
                marks.push(close);
                k = j + 1;
            }
        }
    }
    marks.sort_unstable();
}

/// `{name}` or `{name:params}` at the start of `s`: (name, params, length).
///
/// The scan stops at the next `{`, so trying every `{` of a line stays linear.
fn tag_at(s: &str) -> Option<(&str, &str, usize)> {
    let body = s.strip_prefix('{')?;
    let end = memchr::memchr2(b'}', b'{', body.as_bytes())?;
    if body.as_bytes().get(end) != Some(&b'}') {
        return None;
    }
    let inner = body.get(..end)?;
    let (name, params) = inner.split_once(':').unwrap_or((inner, ""));
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return None;
    }
    Some((name, params, end + 2))
}

/// `title=...` among `a=b|c=d` macro parameters.
fn param<'s>(params: &'s str, key: &str) -> Option<&'s str> {
    params.split('|').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim() == key).then(|| v.trim())
    })
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

impl<H: MentionHook + ?Sized> Wiki<'_, '_, '_, '_, H> {
    fn run(&mut self, src: &str) {
        let mut code: Option<(&'static str, String)> = None;
        let mut last = Last::Other;
        let mut counters: Vec<u64> = Vec::new();
        let mut in_quote = false;
        let mut in_panel = false;
        for raw in src.split('\n') {
            if self.w.full {
                return;
            }
            let mut line = raw.strip_suffix('\r').unwrap_or(raw);
            // A line may open and close several block macros: loop over its pieces.
            loop {
                if let Some((closer, buf)) = code.as_mut() {
                    match line.find(*closer) {
                        Some(i) => {
                            buf.push_str(line.get(..i).unwrap_or_default());
                            let rest = line.get(i + closer.len()..).unwrap_or_default();
                            let body = std::mem::take(buf);
                            code = None;
                            self.code_block(&body);
                            last = Last::Other;
                            line = rest;
                            if line.trim().is_empty() {
                                break;
                            }
                            continue;
                        }
                        None => {
                            buf.push_str(line);
                            buf.push('\n');
                            break;
                        }
                    }
                }
                let t = line.trim_start();
                if t.is_empty() {
                    self.w.sep(2);
                    counters.clear();
                    last = Last::Other;
                    break;
                }
                if let Some((name, params, len)) = tag_at(t) {
                    let rest = t.get(len..).unwrap_or_default();
                    match name {
                        "code" | "noformat" => {
                            let closer = if name == "code" {
                                "{code}"
                            } else {
                                "{noformat}"
                            };
                            // Text right after the opening tag belongs to the block.
                            code = Some((closer, String::new()));
                            line = rest;
                            if line.trim().is_empty() {
                                break;
                            }
                            continue;
                        }
                        "quote" => {
                            self.w.sep(2);
                            if in_quote {
                                self.w.pop_prefix();
                            } else {
                                self.w.push_prefix(Prefix::new("> ", "> "));
                            }
                            in_quote = !in_quote;
                            last = Last::Other;
                            line = rest;
                            if line.trim().is_empty() {
                                break;
                            }
                            continue;
                        }
                        "panel" => {
                            self.w.sep(2);
                            if in_panel && params.is_empty() {
                                in_panel = false;
                            } else {
                                in_panel = true;
                                if let Some(title) =
                                    param(params, "title").filter(|t| !t.is_empty())
                                {
                                    self.inline(title);
                                    self.w.sep(2);
                                }
                            }
                            last = Last::Other;
                            line = rest;
                            if line.trim().is_empty() {
                                break;
                            }
                            continue;
                        }
                        _ => {}
                    }
                }
                last = self.line(t, last, &mut counters);
                break;
            }
        }
        if let Some((_, buf)) = code {
            // An unclosed block keeps its text.
            self.code_block(&buf);
        }
    }

    fn code_block(&mut self, body: &str) {
        let body = body.strip_suffix('\n').unwrap_or(body);
        let body = body.strip_prefix('\n').unwrap_or(body);
        self.w.sep(2);
        self.w.text(body);
        self.w.sep(2);
    }

    /// One line of ordinary (non-macro) markup.
    fn line(&mut self, t: &str, last: Last, counters: &mut Vec<u64>) -> Last {
        let bytes = t.as_bytes();
        // Headings: h1. to h6.
        if let [b'h', b'1'..=b'6', b'.', ..] = bytes {
            let rest = t.get(3..).unwrap_or_default().trim();
            self.w.sep(2);
            self.inline(rest);
            self.w.sep(2);
            return Last::Other;
        }
        if let Some(rest) = t.strip_prefix("bq.") {
            self.w.sep(2);
            self.w.push_prefix(Prefix::new("> ", "> "));
            self.inline(rest.trim());
            self.w.pop_prefix();
            self.w.sep(2);
            return Last::Other;
        }
        if t.trim_end().len() >= 4 && t.trim_end().bytes().all(|b| b == b'-') {
            self.w.sep(2);
            self.w.text("---");
            self.w.sep(2);
            return Last::Other;
        }
        // Lists: `*`, `#` (mixed for nesting) or a single `-`, then a space.
        let marker_len = bytes
            .iter()
            .take_while(|&&b| b == b'*' || b == b'#')
            .count();
        let is_dash = bytes.starts_with(b"- ");
        if (marker_len > 0 && bytes.get(marker_len) == Some(&b' ')) || is_dash {
            let level = if is_dash { 1 } else { marker_len };
            let numbered = !is_dash && bytes.get(marker_len - 1) == Some(&b'#');
            let rest = t.get(level + 1..).unwrap_or_default().trim();
            self.w.sep(if last == Last::List { 1 } else { 2 });
            let max = self.options.max_depth().max(1);
            let shown = if level > max {
                self.depth_hit = true;
                max
            } else {
                level
            };
            counters.resize(level.min(max), 0);
            let mut head = std::mem::take(&mut self.scratch);
            head.clear();
            head.extend(std::iter::repeat_n("  ", shown - 1));
            if numbered {
                let n = counters.get_mut(shown - 1).map_or(1, |c| {
                    *c += 1;
                    *c
                });
                crate::writer::push_u64(&mut head, n);
                head.push_str(". ");
            } else {
                if let Some(c) = counters.get_mut(shown - 1) {
                    *c = 0;
                }
                head.push_str("- ");
            }
            self.w.text(&head);
            self.scratch = head;
            self.inline(rest);
            return Last::List;
        }
        counters.clear();
        if t.starts_with('|') {
            self.w.sep(if last == Last::Table { 1 } else { 2 });
            self.w.begin();
            for (i, cell) in split_cells(t).into_iter().enumerate() {
                if i > 0 {
                    self.w.raw(" | ");
                }
                self.inline(cell.trim());
            }
            return Last::Table;
        }
        self.w.sep(if last == Last::Para { 1 } else { 2 });
        self.inline(t.trim_end());
        Last::Para
    }

    /// Inline markup: links, mentions, images, monospace, macros, escapes,
    /// emphasis. Tokens first, then emphasis pairs over the plain parts of
    /// the whole line (so `_see [the log|url]_` loses its underscores), then
    /// output.
    fn inline(&mut self, s: &str) {
        let b = s.as_bytes();
        let mut toks = std::mem::take(&mut self.toks);
        toks.clear();
        let mut plain = 0;
        let mut i = 0;
        // Where a search for a closer failed: none exists after it, so
        // later openers need not search again (keeps the pass linear).
        let mut no_bang = usize::MAX;
        let mut no_mono = usize::MAX;
        let mut no_code = usize::MAX;
        let mut no_noformat = usize::MAX;
        let find_from = |from: usize, pat: &str, fail: &mut usize| -> Option<usize> {
            if from >= *fail {
                return None;
            }
            let r = s.get(from..).and_then(|r| r.find(pat));
            if r.is_none() {
                *fail = from;
            }
            r
        };
        while i < b.len() {
            let c = b.get(i).copied().unwrap_or(0);
            let found = match c {
                b'\\' => {
                    if b.get(i + 1) == Some(&b'\\') {
                        Some((Tok::Break, 2))
                    } else {
                        // An escaped character is written as is.
                        let len = s
                            .get(i + 1..)
                            .and_then(|r| r.chars().next())
                            .map_or(0, char::len_utf8);
                        Some((Tok::Literal(i + 1, i + 1 + len), 1 + len))
                    }
                }
                // The nearest `]` with no `[` before it: linear over the line.
                b'[' => b
                    .get(i + 1..)
                    .and_then(|r| memchr::memchr2(b'[', b']', r))
                    .filter(|&len| b.get(i + 1 + len) == Some(&b']'))
                    .filter(|&len| {
                        s.get(i + 1..i + 1 + len)
                            .is_some_and(|t| !t.trim().is_empty())
                    })
                    .map(|len| (Tok::Link(i + 1, i + 1 + len), len + 2)),
                b'!' => find_from(i + 1, "!", &mut no_bang)
                    .filter(|&len| s.get(i + 1..i + 1 + len).is_some_and(looks_like_image))
                    .map(|len| (Tok::Image(i + 1, i + 1 + len), len + 2)),
                b'{' => {
                    let rest = s.get(i..).unwrap_or_default();
                    if rest.starts_with("{{") {
                        find_from(i + 2, "}}", &mut no_mono)
                            .map(|end| (Tok::Literal(i + 2, i + 2 + end), end + 4))
                    } else if let Some((name @ ("code" | "noformat"), _, len)) = tag_at(rest) {
                        // Inline code: verbatim up to its closing tag.
                        let (closer, fail) = if name == "code" {
                            ("{code}", &mut no_code)
                        } else {
                            ("{noformat}", &mut no_noformat)
                        };
                        match find_from(i + len, closer, fail) {
                            Some(end) => Some((
                                Tok::Literal(i + len, i + len + end),
                                len + end + closer.len(),
                            )),
                            None => Some((Tok::Macro(i, i + len), len)),
                        }
                    } else {
                        tag_at(rest)
                            .filter(|(name, _, _)| {
                                matches!(
                                    *name,
                                    "color"
                                        | "anchor"
                                        | "quote"
                                        | "panel"
                                        | "code"
                                        | "noformat"
                                        | "section"
                                        | "column"
                                        | "status"
                                        | "expand"
                                )
                            })
                            .map(|(_, _, len)| (Tok::Macro(i, i + len), len))
                    }
                }
                _ => None,
            };
            match found {
                Some((tok, len)) => {
                    if plain < i {
                        toks.push(Tok::Plain(plain, i));
                    }
                    toks.push(tok);
                    i += len.max(1);
                    plain = i;
                }
                None => i += 1,
            }
        }
        if plain < b.len() {
            toks.push(Tok::Plain(plain, b.len()));
        }

        let mut marks = std::mem::take(&mut self.marks);
        emphasis_marks(
            s,
            toks.iter().filter_map(|t| match *t {
                Tok::Plain(a, z) => Some((a, z)),
                _ => None,
            }),
            &mut marks,
        );

        let mut m = 0;
        for &tok in &toks {
            if self.w.full {
                break;
            }
            match tok {
                Tok::Plain(a, z) => {
                    let mut from = a;
                    while let Some(&pos) = marks.get(m) {
                        if pos >= z {
                            break;
                        }
                        self.w.text(s.get(from..pos).unwrap_or_default());
                        from = pos + 1;
                        m += 1;
                    }
                    self.w.text(s.get(from..z).unwrap_or_default());
                }
                Tok::Literal(a, z) => {
                    self.w.text(s.get(a..z).unwrap_or_default());
                }
                Tok::Break => self.w.hard_break(),
                Tok::Link(a, z) => self.link(s.get(a..z).unwrap_or_default()),
                Tok::Image(a, z) => self.image(s.get(a..z).unwrap_or_default()),
                Tok::Macro(a, z) => {
                    let Some((name, params, _)) = s.get(a..z).and_then(tag_at) else {
                        continue;
                    };
                    if name == "status" {
                        if let Some(title) = param(params, "title").filter(|t| !t.is_empty()) {
                            self.w.text("[");
                            self.w.text(title);
                            self.w.text("]");
                        }
                    } else if name == "expand" && !params.is_empty() {
                        self.w.text(params);
                        self.w.sep(1);
                    }
                }
            }
        }
        self.marks = marks;
        self.toks = toks;
    }

    /// Text with paired emphasis markers removed (link texts).
    fn plain(&mut self, s: &str) {
        let mut marks = std::mem::take(&mut self.marks);
        emphasis_marks(s, std::iter::once((0, s.len())), &mut marks);
        let mut from = 0;
        for &pos in &marks {
            self.w.text(s.get(from..pos).unwrap_or_default());
            from = pos + 1;
        }
        self.w.text(s.get(from..).unwrap_or_default());
        self.marks = marks;
    }

    fn mention(&mut self, target: &str, display: Option<&str>) {
        let (kind, id) = match target.strip_prefix("accountid:") {
            Some(id) => (MentionKind::AccountId, id.trim()),
            None => (MentionKind::Username, target.trim()),
        };
        if let Some(refs) = self.refs.as_deref_mut() {
            match kind {
                MentionKind::AccountId => refs.account_id(id),
                _ => refs.username(id),
            }
        }
        let m = Mention {
            id: Some(id).filter(|i| !i.is_empty()),
            kind,
            display_text: display,
        };
        let mut out = std::mem::take(&mut self.scratch);
        out.clear();
        self.hook.render_mention(&m, &mut out);
        self.w.text(&out);
        self.scratch = out;
    }

    /// `[inner]`: a mention, an attachment, an anchor or a link.
    fn link(&mut self, inner: &str) {
        let (text, target) = match inner.split_once('|') {
            Some((t, rest)) => (
                Some(t.trim()),
                rest.split('|').next().unwrap_or(rest).trim(),
            ),
            None => (None, inner.trim()),
        };
        if let Some(user) = target.strip_prefix('~') {
            self.mention(user, text);
            return;
        }
        if let Some(file) = target.strip_prefix('^') {
            match text.filter(|t| !t.is_empty()) {
                Some(t) => self.plain(t),
                None => {
                    self.w.text("[file: ");
                    self.w.text(file);
                    self.w.text("]");
                }
            }
            return;
        }
        if let Some(anchor) = target.strip_prefix('#') {
            self.plain(text.filter(|t| !t.is_empty()).unwrap_or(anchor));
            return;
        }
        let is_url = target.contains("://") || target.starts_with("mailto:");
        if is_url && let Some(refs) = self.refs.as_deref_mut() {
            refs.url(target);
        }
        match text.filter(|t| !t.is_empty()) {
            Some(t) => {
                self.plain(t);
                let bare = target.strip_prefix("mailto:").unwrap_or(target);
                if self.options.link_urls() && t != target && t != bare {
                    self.w.text(" (");
                    self.w.text(target);
                    self.w.text(")");
                }
            }
            None => {
                self.w.text(target);
            }
        }
    }

    fn image(&mut self, inner: &str) {
        let src = inner.split('|').next().unwrap_or(inner).trim();
        if src.contains("://")
            && let Some(refs) = self.refs.as_deref_mut()
        {
            refs.url(src);
        }
        self.w.text("[image: ");
        self.w.text(src);
        self.w.text("]");
    }
}

/// `!inner!` is an image when `inner` names a file or URL: no surrounding
/// spaces and a dot or a scheme in it.
fn looks_like_image(inner: &str) -> bool {
    let src = inner.split('|').next().unwrap_or(inner);
    !src.is_empty()
        && !src.starts_with(char::is_whitespace)
        && !src.ends_with(char::is_whitespace)
        && (src.contains('.') || src.contains("://"))
        && !src.contains('[')
}

/// Splits a table row (`||h||h||` or `|c|c|`) into cells, ignoring pipes
/// inside `[...]` links and `{{...}}`.
fn split_cells(row: &str) -> Vec<&str> {
    let b = row.as_bytes();
    let mut cells = Vec::new();
    let mut depth = 0usize;
    let mut mono = false;
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        match b.get(i) {
            Some(b'{') if b.get(i + 1) == Some(&b'{') => {
                mono = true;
                i += 1;
            }
            Some(b'}') if mono && b.get(i + 1) == Some(&b'}') => {
                mono = false;
                i += 1;
            }
            _ if mono => {}
            Some(b'[') => depth += 1,
            Some(b']') => depth = depth.saturating_sub(1),
            Some(b'|') if depth == 0 => {
                cells.push(row.get(start..i).unwrap_or_default());
                // `||` is one separator.
                if b.get(i + 1) == Some(&b'|') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    cells.push(row.get(start..).unwrap_or_default());
    // The leading and trailing pipes leave empty cells at the ends.
    if cells.first().is_some_and(|c| c.trim().is_empty()) {
        cells.remove(0);
    }
    if cells.last().is_some_and(|c| c.trim().is_empty()) {
        cells.pop();
    }
    cells
}
