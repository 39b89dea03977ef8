//! The plain-text writer shared by the ADF and wiki renderers.
//!
//! Content is written through [`Writer::text`]; block structure is expressed as
//! "newlines owed" (`pending`), settled lazily when the next content arrives, so
//! no trailing separators are ever emitted. Line prefixes (list markers, quote
//! bars, panel labels) live on a stack and are written at the start of every
//! line. Inside table cells the writer is "flat": line breaks become spaces.
//! Every byte goes through [`Writer::push`], which enforces the output limit.

use crate::TRUNCATION_MARKER;

/// A line prefix: `first` is written on the first line it applies to, `rest` on
/// the following ones (for list items: `"- "` then `"  "`).
#[derive(Debug, Clone)]
pub(crate) struct Prefix {
    first: Marker,
    rest: Marker,
    used: bool,
}

#[derive(Debug, Clone)]
pub(crate) enum Marker {
    Static(&'static str),
    /// An ordered-list number, written as `"{n}. "`.
    Number(u64),
    /// Spaces as wide as an ordered-list number marker.
    NumberPad(u64),
}

impl Marker {
    fn write(&self, out: &mut String) {
        match self {
            Marker::Static(s) => out.push_str(s),
            Marker::Number(n) => {
                push_u64(out, *n);
                out.push_str(". ");
            }
            Marker::NumberPad(n) => {
                let width = decimal_width(*n) + 2;
                out.extend(std::iter::repeat_n(' ', width));
            }
        }
    }
}

pub(crate) fn decimal_width_pub(n: u64) -> usize {
    decimal_width(n)
}

fn decimal_width(mut n: u64) -> usize {
    let mut w = 1;
    while n >= 10 {
        n /= 10;
        w += 1;
    }
    w
}

pub(crate) fn push_u64(out: &mut String, n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        // `n % 10` is below 10, so the cast cannot truncate.
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        out.push(char::from(b));
    }
}

impl Prefix {
    pub(crate) fn new(first: &'static str, rest: &'static str) -> Self {
        Prefix {
            first: Marker::Static(first),
            rest: Marker::Static(rest),
            used: false,
        }
    }

    pub(crate) fn number(n: u64) -> Self {
        Prefix {
            first: Marker::Number(n),
            rest: Marker::NumberPad(n),
            used: false,
        }
    }
}

/// The output buffer capacity a reused writer keeps between texts.
const RETAINED_CAPACITY: usize = 256 * 1024;

#[derive(Debug)]
pub(crate) struct Writer {
    pub(crate) out: String,
    max: usize,
    /// The output limit was hit: everything after is dropped.
    pub(crate) full: bool,
    prefixes: Vec<Prefix>,
    /// Nothing (not even a prefix) has been written on the current line.
    col0: bool,
    /// Newlines owed before the next content (1 = new line, 2 = blank line;
    /// more only from consecutive line breaks in text).
    pending: u32,
    /// Anything written at all (leading separators are dropped).
    started: bool,
    /// Nesting of flat regions (table cells, content past the depth limit).
    flat: u32,
    /// Anything written inside the innermost flat region.
    flat_started: bool,
    scratch: String,
}

impl Default for Writer {
    fn default() -> Self {
        Writer::new(crate::Options::DEFAULT_MAX_OUTPUT_BYTES)
    }
}

impl Writer {
    pub(crate) fn new(max: usize) -> Self {
        Writer {
            out: String::new(),
            max,
            full: false,
            prefixes: Vec::new(),
            col0: true,
            pending: 0,
            started: false,
            flat: 0,
            flat_started: false,
            scratch: String::new(),
        }
    }

    /// Starts a new text with output limit `max`, keeping the buffers (and
    /// their capacity) of earlier texts.
    pub(crate) fn reset(&mut self, max: usize) {
        if self.out.capacity() > RETAINED_CAPACITY {
            // A huge document passed: do not hold on to its buffer.
            self.out = String::new();
        }
        self.out.clear();
        self.max = max;
        self.full = false;
        self.prefixes.clear();
        self.col0 = true;
        self.pending = 0;
        self.started = false;
        self.flat = 0;
        self.flat_started = false;
    }

    /// The text written so far, without trailing whitespace.
    pub(crate) fn as_text(&self) -> &str {
        self.out.trim_end()
    }

    /// The text, without trailing whitespace.
    #[cfg(test)]
    pub(crate) fn into_string(mut self) -> String {
        let kept = self.out.trim_end().len();
        self.out.truncate(kept);
        self.out
    }

    /// Appends raw bytes, enforcing the output limit. Returns `false` once full.
    fn push(&mut self, s: &str) -> bool {
        if self.full {
            return false;
        }
        if self.out.len() + s.len() <= self.max {
            self.out.push_str(s);
            return true;
        }
        self.truncate_with(s);
        false
    }

    #[cold]
    fn truncate_with(&mut self, s: &str) {
        // Keep what fits, leaving room for the marker, then add the marker.
        let budget = self.max.saturating_sub(TRUNCATION_MARKER.len());
        if self.out.len() > budget {
            let cut = floor_boundary(&self.out, budget);
            self.out.truncate(cut);
        } else {
            let room = budget - self.out.len();
            let cut = floor_boundary(s, room);
            if let Some(head) = s.get(..cut) {
                self.out.push_str(head);
            }
        }
        if self.out.len() + TRUNCATION_MARKER.len() <= self.max {
            self.out.push_str(TRUNCATION_MARKER);
        }
        self.full = true;
    }

    /// Requests at least `n` newlines (1 = new line, 2 = blank line) before
    /// the next content.
    pub(crate) fn sep(&mut self, n: u8) {
        let n = u32::from(n);
        if self.pending < n {
            self.pending = n;
        }
    }

    /// A line break: one more newline owed, up to a blank line (a break
    /// right after a block adds nothing to the block's separation).
    pub(crate) fn hard_break(&mut self) {
        if self.pending < 2 {
            self.pending += 1;
        }
    }

    /// Writes a space unless the output is at a line start or already ends
    /// in whitespace or an opening bracket: keeps inline atoms (cards,
    /// media) apart from adjacent words.
    pub(crate) fn space_before_atom(&mut self) {
        if self.pending > 0 || self.col0 || self.full {
            return;
        }
        let Some(last) = self.out.chars().next_back() else {
            return;
        };
        if !last.is_whitespace() && !matches!(last, '(' | '[' | '"' | '\'') {
            self.push(" ");
        }
    }

    pub(crate) fn push_prefix(&mut self, p: Prefix) {
        self.prefixes.push(p);
    }

    pub(crate) fn pop_prefix(&mut self) {
        self.prefixes.pop();
    }

    pub(crate) fn enter_flat(&mut self) {
        if self.flat == 0 && self.pending > 0 {
            // Settle the separation from what came before (a stray cell
            // outside any row); inside a row this is already done.
            self.begin();
        }
        self.flat += 1;
        self.flat_started = false;
        self.pending = 0;
    }

    pub(crate) fn leave_flat(&mut self) {
        self.flat = self.flat.saturating_sub(1);
        self.pending = 0;
        // The enclosing cell (if any) has content now: this one.
        self.flat_started = true;
    }

    fn end_line(&mut self) -> bool {
        if self.col0 {
            // An empty line: write the continuation prefixes without trailing spaces.
            let mut s = std::mem::take(&mut self.scratch);
            s.clear();
            // Prefixes that have not started their first line yet do not
            // apply to blank lines before it.
            for p in self.prefixes.iter().filter(|p| p.used) {
                p.rest.write(&mut s);
            }
            let ok = self.push(s.trim_end());
            self.scratch = s;
            if !ok {
                return false;
            }
        } else {
            // Drop trailing spaces (of the content, or of a bare prefix).
            let kept = self.out.trim_end_matches([' ', '\t']).len();
            self.out.truncate(kept);
        }
        self.col0 = true;
        self.push("\n")
    }

    fn start_line(&mut self) -> bool {
        self.col0 = false;
        if self.prefixes.is_empty() {
            return !self.full;
        }
        let mut s = std::mem::take(&mut self.scratch);
        s.clear();
        for p in &mut self.prefixes {
            if p.used {
                p.rest.write(&mut s);
            } else {
                p.first.write(&mut s);
                p.used = true;
            }
        }
        let ok = self.push(&s);
        self.scratch = s;
        ok
    }

    /// Settles owed separators and line prefixes before content.
    #[inline]
    pub(crate) fn begin(&mut self) -> bool {
        if self.flat > 0 {
            if self.pending > 0 && self.flat_started {
                self.pending = 0;
                if !self.push(" ") {
                    return false;
                }
            }
            self.pending = 0;
            self.flat_started = true;
            if self.col0 {
                return self.start_line();
            }
            return !self.full;
        }
        if self.pending > 0 {
            if self.started {
                for _ in 0..self.pending {
                    if !self.end_line() {
                        return false;
                    }
                }
            }
            self.pending = 0;
        }
        self.started = true;
        if self.col0 {
            return self.start_line();
        }
        !self.full
    }

    /// Writes inline text; embedded newlines become line breaks (spaces when flat).
    pub(crate) fn text(&mut self, s: &str) -> bool {
        if s.is_empty() {
            return !self.full;
        }
        let bytes = s.as_bytes();
        if memchr::memchr2(b'\n', b'\r', bytes).is_none() {
            return self.begin() && self.push(s);
        }
        self.text_lines(s)
    }

    #[cold]
    fn text_lines(&mut self, s: &str) -> bool {
        for (i, line) in s.split('\n').enumerate() {
            if i > 0 {
                // Owed, not written: a trailing newline in text adds nothing.
                self.pending = self.pending.saturating_add(1);
            }
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.is_empty() {
                continue;
            }
            if !self.begin() || !self.push(line) {
                return false;
            }
        }
        !self.full
    }

    /// Writes text with no line handling at all (separators such as `" | "`).
    pub(crate) fn raw(&mut self, s: &str) -> bool {
        self.begin() && self.push(s)
    }
}

/// The largest char boundary of `s` at or below `i`.
pub(crate) fn floor_boundary(s: &str, i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    let mut i = i;
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_are_lazy_and_prefixes_apply_per_line() {
        let mut w = Writer::new(1000);
        w.sep(2);
        w.text("a");
        w.sep(2);
        w.push_prefix(Prefix::new("- ", "  "));
        w.text("b\nc");
        w.pop_prefix();
        w.sep(2);
        assert_eq!(w.into_string(), "a\n\n- b\n  c");
    }

    #[test]
    fn output_limit_truncates_on_a_char_boundary_with_marker() {
        let mut w = Writer::new(TRUNCATION_MARKER.len() + 3);
        assert!(w.text("ab"));
        assert!(!w.text(&"é".repeat(10)));
        assert!(w.full);
        assert_eq!(w.out, format!("ab{TRUNCATION_MARKER}"));
        assert!(w.out.len() <= TRUNCATION_MARKER.len() + 3);
    }

    #[test]
    fn numbers_and_padding() {
        let mut s = String::new();
        Marker::Number(12).write(&mut s);
        Marker::NumberPad(12).write(&mut s);
        assert_eq!(s, "12.     ");
    }
}
