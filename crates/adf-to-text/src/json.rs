//! A small, iterative JSON parser into a flat arena, and the read-only view the
//! renderer walks (implemented for both the arena and `serde_json::Value`).
//!
//! The parser never recurses, so nesting depth is bounded only by memory, and
//! strings without escapes are not copied: they are ranges into the input.

use crate::{Error, Result};
use serde_json::Value;

/// A string: a range of the input (`escaped == false`) or of the arena's
/// buffer of unescaped strings.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    end: u32,
    escaped: bool,
}

#[derive(Debug, Clone, Copy)]
enum Val {
    Null,
    Bool(bool),
    /// The number's text, a range of the input.
    Num(Span),
    Str(Span),
    /// Elements are `items[start..start + len]`.
    Arr {
        start: u32,
        len: u32,
    },
    /// Members are `entries[start..start + len]`.
    Obj {
        start: u32,
        len: u32,
    },
}

/// Reusable parse buffers. Holds no borrow of the input, so one arena serves
/// any number of documents.
#[derive(Debug, Default)]
pub(crate) struct Arena {
    vals: Vec<Val>,
    items: Vec<u32>,
    entries: Vec<(Span, u32)>,
    unescaped: String,
    // Parse-time scratch.
    stack: Vec<Open>,
    pending_items: Vec<u32>,
    pending_entries: Vec<(Span, u32)>,
}

#[derive(Debug, Clone, Copy)]
struct Open {
    val: u32,
    is_obj: bool,
    /// Where this container's children start in the pending scratch vector.
    scratch_start: usize,
    /// The key awaiting its value (objects only).
    key: Option<Span>,
}

/// A parsed document: the arena plus the input it points into.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Doc<'a> {
    arena: &'a Arena,
    input: &'a str,
}

impl<'a> Doc<'a> {
    pub(crate) fn root(self) -> ANode<'a> {
        ANode { doc: self, idx: 0 }
    }

    fn span(self, s: Span) -> &'a str {
        let src = if s.escaped {
            self.arena.unescaped.as_str()
        } else {
            self.input
        };
        src.get(s.start as usize..s.end as usize).unwrap_or("")
    }
}

/// A node of a parsed document.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ANode<'a> {
    doc: Doc<'a>,
    idx: u32,
}

impl<'a> ANode<'a> {
    fn val(self) -> Val {
        self.doc
            .arena
            .vals
            .get(self.idx as usize)
            .copied()
            .unwrap_or(Val::Null)
    }
}

fn u32_of(n: usize, at: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| Error::InputTooLarge { len: at })
}

impl Arena {
    /// Parses `input` (already valid UTF-8) into this arena.
    pub(crate) fn parse<'a>(&'a mut self, input: &'a str) -> Result<Doc<'a>> {
        self.vals.clear();
        self.items.clear();
        self.entries.clear();
        self.unescaped.clear();
        self.stack.clear();
        self.pending_items.clear();
        self.pending_entries.clear();
        if u32::try_from(input.len()).is_err() {
            return Err(Error::InputTooLarge { len: input.len() });
        }
        let mut p = Parser {
            s: input,
            b: input.as_bytes(),
            pos: 0,
        };
        self.run(&mut p)?;
        p.skip_ws();
        if p.pos < p.b.len() {
            return Err(p.err("trailing characters after the JSON value"));
        }
        Ok(Doc { arena: self, input })
    }

    fn push_val(&mut self, v: Val) -> Result<u32> {
        let idx = u32_of(self.vals.len(), self.vals.len())?;
        self.vals.push(v);
        Ok(idx)
    }

    fn run(&mut self, p: &mut Parser<'_>) -> Result<()> {
        // `expect_value`: the next token starts a value (else: `,` or a closer).
        let mut expect_value = true;
        loop {
            p.skip_ws();
            if expect_value {
                // In an object, a key comes first.
                if let Some(top) = self.stack.last()
                    && top.is_obj
                    && top.key.is_none()
                {
                    match p.peek() {
                        Some(b'"') => {
                            let key = p.string(&mut self.unescaped)?;
                            p.skip_ws();
                            if p.peek() != Some(b':') {
                                return Err(p.err("expected `:` after an object key"));
                            }
                            p.pos += 1;
                            if let Some(top) = self.stack.last_mut() {
                                top.key = Some(key);
                            }
                            continue;
                        }
                        Some(b'}') if self.pending_entries.len() == top.scratch_start => {
                            // `{}`: close below.
                            p.pos += 1;
                            self.close()?;
                            expect_value = false;
                            if self.stack.is_empty() {
                                return Ok(());
                            }
                            continue;
                        }
                        _ => return Err(p.err("expected an object key")),
                    }
                }
                let idx = match p.peek() {
                    Some(b'{') | Some(b'[') => {
                        let is_obj = p.peek() == Some(b'{');
                        p.pos += 1;
                        let val = self.push_val(Val::Null)?;
                        let scratch_start = if is_obj {
                            self.pending_entries.len()
                        } else {
                            self.pending_items.len()
                        };
                        self.stack.push(Open {
                            val,
                            is_obj,
                            scratch_start,
                            key: None,
                        });
                        if !is_obj {
                            p.skip_ws();
                            if p.peek() == Some(b']') {
                                p.pos += 1;
                                self.close()?;
                                expect_value = false;
                                if self.stack.is_empty() {
                                    return Ok(());
                                }
                            }
                        }
                        continue;
                    }
                    Some(b'"') => {
                        let s = p.string(&mut self.unescaped)?;
                        self.push_val(Val::Str(s))?
                    }
                    Some(b't') => {
                        p.literal(b"true")?;
                        self.push_val(Val::Bool(true))?
                    }
                    Some(b'f') => {
                        p.literal(b"false")?;
                        self.push_val(Val::Bool(false))?
                    }
                    Some(b'n') => {
                        p.literal(b"null")?;
                        self.push_val(Val::Null)?
                    }
                    Some(b'-' | b'0'..=b'9') => {
                        let s = p.number()?;
                        self.push_val(Val::Num(s))?
                    }
                    Some(_) => return Err(p.err("expected a JSON value")),
                    None => return Err(p.err("unexpected end of input")),
                };
                if self.stack.is_empty() {
                    return Ok(());
                }
                self.attach(idx);
                expect_value = false;
            } else {
                let Some(top) = self.stack.last().copied() else {
                    return Ok(());
                };
                match p.peek() {
                    Some(b',') => {
                        p.pos += 1;
                        expect_value = true;
                    }
                    Some(b'}') if top.is_obj => {
                        p.pos += 1;
                        self.close()?;
                        if self.stack.is_empty() {
                            return Ok(());
                        }
                    }
                    Some(b']') if !top.is_obj => {
                        p.pos += 1;
                        self.close()?;
                        if self.stack.is_empty() {
                            return Ok(());
                        }
                    }
                    Some(_) => return Err(p.err("expected `,` or a closing bracket")),
                    None => return Err(p.err("unexpected end of input")),
                }
            }
        }
    }

    /// Attaches a finished value to the innermost open container.
    fn attach(&mut self, idx: u32) {
        if let Some(top) = self.stack.last_mut() {
            if top.is_obj {
                if let Some(key) = top.key.take() {
                    self.pending_entries.push((key, idx));
                }
            } else {
                self.pending_items.push(idx);
            }
        }
    }

    /// Closes the innermost container: moves its children into place.
    fn close(&mut self) -> Result<()> {
        let Some(open) = self.stack.pop() else {
            return Ok(());
        };
        let val = if open.is_obj {
            let start = u32_of(self.entries.len(), self.entries.len())?;
            let children = self.pending_entries.drain(open.scratch_start..);
            let len = u32_of(children.len(), 0)?;
            self.entries.extend(children);
            Val::Obj { start, len }
        } else {
            let start = u32_of(self.items.len(), self.items.len())?;
            let children = self.pending_items.drain(open.scratch_start..);
            let len = u32_of(children.len(), 0)?;
            self.items.extend(children);
            Val::Arr { start, len }
        };
        if let Some(slot) = self.vals.get_mut(open.val as usize) {
            *slot = val;
        }
        self.attach(open.val);
        Ok(())
    }
}

struct Parser<'b> {
    s: &'b str,
    b: &'b [u8],
    pos: usize,
}

impl Parser<'_> {
    fn err(&self, reason: &'static str) -> Error {
        Error::InvalidJson {
            offset: self.pos,
            reason,
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(&c) = self.b.get(self.pos) {
            if c == b' ' || c == b'\n' || c == b'\r' || c == b'\t' {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn literal(&mut self, lit: &[u8]) -> Result<()> {
        if self.b.get(self.pos..self.pos + lit.len()) == Some(lit) {
            self.pos += lit.len();
            Ok(())
        } else {
            Err(self.err("invalid literal"))
        }
    }

    fn number(&mut self) -> Result<Span> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.pos;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.pos += 1;
            }
            p.pos > s
        };
        if !digits(self) {
            return Err(self.err("invalid number"));
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !digits(self) {
                return Err(self.err("invalid number"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !digits(self) {
                return Err(self.err("invalid number"));
            }
        }
        Ok(Span {
            start: u32_of(start, start)?,
            end: u32_of(self.pos, self.pos)?,
            escaped: false,
        })
    }

    /// Parses a string at `"`; strings with escapes are unescaped into `buf`.
    fn string(&mut self, buf: &mut String) -> Result<Span> {
        self.pos += 1; // the opening quote
        let start = self.pos;
        let rest = self.b.get(start..).unwrap_or_default();
        match memchr::memchr2(b'"', b'\\', rest) {
            Some(i) if rest.get(i) == Some(&b'"') => {
                self.pos = start + i + 1;
                Ok(Span {
                    start: u32_of(start, start)?,
                    end: u32_of(start + i, start)?,
                    escaped: false,
                })
            }
            Some(i) => self.string_escaped(buf, start, start + i),
            None => Err(self.err("unterminated string")),
        }
    }

    #[cold]
    fn string_escaped(
        &mut self,
        buf: &mut String,
        start: usize,
        first_escape: usize,
    ) -> Result<Span> {
        let out_start = buf.len();
        let text = self.s;
        buf.push_str(text.get(start..first_escape).unwrap_or_default());
        self.pos = first_escape;
        loop {
            let rest = self.b.get(self.pos..).unwrap_or_default();
            let Some(i) = memchr::memchr2(b'"', b'\\', rest) else {
                return Err(self.err("unterminated string"));
            };
            buf.push_str(text.get(self.pos..self.pos + i).unwrap_or_default());
            self.pos += i;
            if self.peek() == Some(b'"') {
                self.pos += 1;
                return Ok(Span {
                    start: u32_of(out_start, out_start)?,
                    end: u32_of(buf.len(), buf.len())?,
                    escaped: true,
                });
            }
            // A backslash.
            self.pos += 1;
            let Some(c) = self.peek() else {
                return Err(self.err("unterminated string"));
            };
            self.pos += 1;
            match c {
                b'"' => buf.push('"'),
                b'\\' => buf.push('\\'),
                b'/' => buf.push('/'),
                b'b' => buf.push('\u{8}'),
                b'f' => buf.push('\u{c}'),
                b'n' => buf.push('\n'),
                b'r' => buf.push('\r'),
                b't' => buf.push('\t'),
                b'u' => {
                    let hi = self.hex4()?;
                    let ch = if (0xD800..0xDC00).contains(&hi) {
                        // A high surrogate: a low one should follow.
                        if self.b.get(self.pos..self.pos + 2) == Some(b"\\u") {
                            let save = self.pos;
                            self.pos += 2;
                            let lo = self.hex4()?;
                            if (0xDC00..0xE000).contains(&lo) {
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                            } else {
                                self.pos = save;
                                None
                            }
                        } else {
                            None
                        }
                    } else {
                        char::from_u32(hi)
                    };
                    // Lone surrogates become U+FFFD rather than an error.
                    buf.push(ch.unwrap_or(char::REPLACEMENT_CHARACTER));
                }
                _ => return Err(self.err("invalid escape in string")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                _ => return Err(self.err("invalid \\u escape")),
            };
            v = v * 16 + u32::from(d);
            self.pos += 1;
        }
        Ok(v)
    }
}

/// The members the renderer reads from every node, found in one pass over
/// the node's members (instead of one lookup per member).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields<N> {
    pub(crate) ty: Option<N>,
    pub(crate) text: Option<N>,
    pub(crate) content: Option<N>,
    pub(crate) attrs: Option<N>,
    pub(crate) marks: Option<N>,
}

impl<N> Default for Fields<N> {
    fn default() -> Self {
        Fields {
            ty: None,
            text: None,
            content: None,
            attrs: None,
            marks: None,
        }
    }
}

impl<N> Fields<N> {
    /// Records a member if it is one the renderer reads. Called in member
    /// order, so for a duplicated key the last one wins, as with `get`.
    #[inline]
    fn note(&mut self, key: &str, value: N) {
        match key.as_bytes() {
            b"type" => self.ty = Some(value),
            b"text" => self.text = Some(value),
            b"content" => self.content = Some(value),
            b"attrs" => self.attrs = Some(value),
            b"marks" => self.marks = Some(value),
            _ => {}
        }
    }
}

/// What the renderer needs from a JSON tree.
pub(crate) trait Json<'a>: Copy {
    /// Nodes live in separate heap allocations (see `adf::warm`), not in one arena.
    const SCATTERED: bool;
    /// Reads this node's keys and strings and queues up to `room` of its
    /// containers (see `adf::warm`); returns a byte of what it read.
    fn warm_children(self, queue: &mut Vec<Self>, room: usize) -> u8;
    fn get(self, key: &str) -> Option<Self>;
    /// `type`, `text`, `content`, `attrs` and `marks` of an object (`None`
    /// if this is not an object).
    fn fields(self) -> Option<Fields<Self>>;
    fn as_str(self) -> Option<&'a str>;
    fn as_f64(self) -> Option<f64>;
    /// Number of elements if this is an array.
    fn array_len(self) -> Option<usize>;
    fn at(self, i: usize) -> Option<Self>;
    fn is_object(self) -> bool;
    /// Text for a top-level scalar: numbers and booleans as JSON, null as nothing.
    fn scalar_text(self, out: &mut String);

    /// `self.get(key)` as a string.
    #[inline]
    fn str_of(self, key: &str) -> Option<&'a str> {
        self.get(key).and_then(Json::as_str)
    }
}

impl<'a> Json<'a> for ANode<'a> {
    const SCATTERED: bool = false;

    fn warm_children(self, _queue: &mut Vec<Self>, _room: usize) -> u8 {
        0
    }

    #[inline]
    fn get(self, key: &str) -> Option<Self> {
        let Val::Obj { start, len } = self.val() else {
            return None;
        };
        let entries = self
            .doc
            .arena
            .entries
            .get(start as usize..(start as usize + len as usize))?;
        // Last duplicate wins, as in serde_json.
        entries
            .iter()
            .rev()
            .find(|(k, _)| (k.end - k.start) as usize == key.len() && self.doc.span(*k) == key)
            .map(|&(_, idx)| ANode { doc: self.doc, idx })
    }

    #[inline]
    fn fields(self) -> Option<Fields<Self>> {
        let Val::Obj { start, len } = self.val() else {
            return None;
        };
        let mut f = Fields::default();
        let entries = self
            .doc
            .arena
            .entries
            .get(start as usize..(start as usize + len as usize))
            .unwrap_or_default();
        for &(k, idx) in entries {
            f.note(self.doc.span(k), ANode { doc: self.doc, idx });
        }
        Some(f)
    }

    #[inline]
    fn as_str(self) -> Option<&'a str> {
        match self.val() {
            Val::Str(s) => Some(self.doc.span(s)),
            _ => None,
        }
    }

    fn as_f64(self) -> Option<f64> {
        match self.val() {
            Val::Num(s) => self.doc.span(s).parse().ok(),
            _ => None,
        }
    }

    #[inline]
    fn array_len(self) -> Option<usize> {
        match self.val() {
            Val::Arr { len, .. } => Some(len as usize),
            _ => None,
        }
    }

    #[inline]
    fn at(self, i: usize) -> Option<Self> {
        match self.val() {
            Val::Arr { start, len } if i < len as usize => {
                let idx = *self.doc.arena.items.get(start as usize + i)?;
                Some(ANode { doc: self.doc, idx })
            }
            _ => None,
        }
    }

    #[inline]
    fn is_object(self) -> bool {
        matches!(self.val(), Val::Obj { .. })
    }

    fn scalar_text(self, out: &mut String) {
        match self.val() {
            Val::Bool(b) => out.push_str(if b { "true" } else { "false" }),
            Val::Num(s) => out.push_str(self.doc.span(s)),
            Val::Str(s) => out.push_str(self.doc.span(s)),
            _ => {}
        }
    }
}

impl<'a> Json<'a> for &'a Value {
    const SCATTERED: bool = true;

    fn warm_children(self, queue: &mut Vec<Self>, room: usize) -> u8 {
        let mut seen = 0;
        let mut room = room;
        let mut member = |v: &'a Value, queue: &mut Vec<Self>| match v {
            Value::String(s) => seen ^= s.as_bytes().first().copied().unwrap_or(0),
            Value::Object(_) | Value::Array(_) if room > 0 => {
                room -= 1;
                queue.push(v);
            }
            _ => {}
        };
        match self {
            Value::Object(map) => {
                let mut keys = 0;
                for (k, v) in map {
                    member(v, queue);
                    keys ^= k.as_bytes().first().copied().unwrap_or(0);
                }
                return keys ^ seen;
            }
            Value::Array(items) => items.iter().for_each(|v| member(v, queue)),
            _ => {}
        }
        seen
    }

    #[inline]
    fn get(self, key: &str) -> Option<Self> {
        self.as_object()?.get(key)
    }

    #[inline]
    fn fields(self) -> Option<Fields<Self>> {
        let mut f = Fields::default();
        for (k, v) in self.as_object()? {
            f.note(k, v);
        }
        Some(f)
    }

    #[inline]
    fn as_str(self) -> Option<&'a str> {
        Value::as_str(self)
    }

    fn as_f64(self) -> Option<f64> {
        Value::as_f64(self)
    }

    #[inline]
    fn array_len(self) -> Option<usize> {
        self.as_array().map(Vec::len)
    }

    #[inline]
    fn at(self, i: usize) -> Option<Self> {
        self.as_array()?.get(i)
    }

    #[inline]
    fn is_object(self) -> bool {
        Value::is_object(self)
    }

    fn scalar_text(self, out: &mut String) {
        match self {
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => out.push_str(&n.to_string()),
            Value::String(s) => out.push_str(s),
            _ => {}
        }
    }
}

/// Checks UTF-8 and reports where it breaks.
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str> {
    std::str::from_utf8(bytes).map_err(|e| Error::InvalidUtf8 {
        offset: e.valid_up_to(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_same(s: &str) {
        let mut a = Arena::default();
        let doc = a.parse(s).unwrap();
        let ours = to_value(doc.root());
        let theirs: Value = serde_json::from_str(s).unwrap();
        assert_eq!(ours, theirs, "{s}");
    }

    fn to_value(n: ANode<'_>) -> Value {
        match n.val() {
            Val::Null => Value::Null,
            Val::Bool(b) => Value::Bool(b),
            Val::Num(_) => {
                let mut s = String::new();
                n.scalar_text(&mut s);
                serde_json::from_str(&s).unwrap()
            }
            Val::Str(_) => Value::String(n.as_str().unwrap().to_owned()),
            Val::Arr { len, .. } => Value::Array(
                (0..len as usize)
                    .map(|i| to_value(n.at(i).unwrap()))
                    .collect(),
            ),
            Val::Obj { start, len } => {
                let mut m = serde_json::Map::new();
                for (k, idx) in &n.doc.arena.entries[start as usize..(start + len) as usize] {
                    m.insert(
                        n.doc.span(*k).to_owned(),
                        to_value(ANode {
                            doc: n.doc,
                            idx: *idx,
                        }),
                    );
                }
                Value::Object(m)
            }
        }
    }

    #[test]
    fn agrees_with_serde_json() {
        for s in [
            "null",
            " true ",
            "[]",
            "{}",
            "[[],{}]",
            r#"{"a":[1,-2.5e3,"x\"y\\z\u00e9\ud83d\ude00",{"b":null}],"c":false}"#,
            r#"{"type":"doc","content":[{"type":"text","text":"hi\n"}]}"#,
            r#"["\ud800x"]"#,
        ] {
            if s == r#"["\ud800x"]"# {
                // serde_json rejects lone surrogates; we replace them.
                let mut a = Arena::default();
                let d = a.parse(s).unwrap();
                assert_eq!(d.root().at(0).unwrap().as_str(), Some("\u{fffd}x"));
                continue;
            }
            parse_same(s);
        }
    }

    #[test]
    fn rejects_malformed_json_with_an_offset() {
        for (s, at) in [
            ("", 0),
            ("[1,]", 3),
            ("{\"a\"}", 4),
            ("{\"a\":1,}", 7),
            ("[1 2]", 3),
            ("\"abc", 1),
            ("[tru]", 1),
            ("{} x", 3),
            ("[-]", 2),
            ("\"\\x\"", 3),
        ] {
            let mut a = Arena::default();
            match a.parse(s) {
                Err(Error::InvalidJson { offset, .. }) => assert_eq!(offset, at, "{s}"),
                other => panic!("{s}: {other:?}"),
            }
        }
    }

    #[test]
    fn deep_nesting_does_not_recurse() {
        let depth = 200_000;
        let s = "[".repeat(depth) + &"]".repeat(depth);
        let mut a = Arena::default();
        let d = a.parse(&s).unwrap();
        assert_eq!(d.root().array_len(), Some(1));
    }
}
