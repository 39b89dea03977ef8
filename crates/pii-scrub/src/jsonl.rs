//! Streaming JSON Lines scrubbing: the engine of `jirafe scrub`.
//!
//! Reads one line at a time into a reused buffer, so memory stays flat whatever
//! the input size. For each line that is a JSON object, the string value of the
//! chosen field is scrubbed; every other field is passed through byte for byte
//! (re-serialized keys, original values). A line whose field is missing or not a
//! string is passed through unchanged; a line whose field is clean is echoed as is.
//!
//! **Malformed lines** (not JSON, or not an object) are *not* echoed — they may
//! hold PII that could not be scrubbed — and are reported by line number in the
//! [`Summary`]; processing continues, so no other output is lost. The CLI prints
//! the line numbers on stderr and exits non-zero when [`Summary::malformed`] is
//! non-empty. Blank lines are skipped.
//!
//! ```
//! use jirafe_pii_scrub::{Scrubber, jsonl};
//! let scrubber = Scrubber::builder().build()?;
//! let input = b"{\"id\":1,\"text\":\"mail ada@example.com\"}\nnot json\n{\"id\":3,\"text\":\"ok\"}\n";
//! let mut out = Vec::new();
//! let summary = jsonl::scrub_jsonl(&scrubber, "text", &input[..], &mut out)?;
//! assert_eq!(
//!     String::from_utf8(out).unwrap(),
//!     "{\"id\":1,\"text\":\"mail [EMAIL]\"}\n{\"id\":3,\"text\":\"ok\"}\n"
//! );
//! assert_eq!(summary.lines, 3);
//! assert_eq!(summary.malformed, vec![2]);
//! # Ok::<(), jirafe_pii_scrub::Error>(())
//! ```

use std::borrow::Cow;
use std::io::{BufRead, Write};

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::{Error, Findings, Result, Scrubber};

/// At most this many malformed line numbers are kept in [`Summary::malformed`];
/// [`Summary::malformed_count`] counts them all.
pub const MAX_REPORTED_MALFORMED: usize = 1000;

/// What a run of [`scrub_jsonl`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Lines read (including blank and malformed ones).
    pub lines: u64,
    /// Lines written.
    pub written: u64,
    /// Lines whose field changed.
    pub scrubbed: u64,
    /// 1-based numbers of malformed lines (the first [`MAX_REPORTED_MALFORMED`]).
    pub malformed: Vec<u64>,
    /// Number of malformed lines.
    pub malformed_count: u64,
    /// Findings per kind over the whole stream.
    pub findings: Findings,
}

impl Summary {
    /// `true` when every line was valid.
    pub fn is_clean(&self) -> bool {
        self.malformed_count == 0
    }
}

/// One JSON object's entries in order, values left raw.
struct Entries<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de> serde::Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let mut v = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some(k) = map.next_key::<Cow<'de, str>>()? {
                    let raw: &'de RawValue = map.next_value()?;
                    v.push((k, raw));
                }
                Ok(Entries(v))
            }
        }
        d.deserialize_map(V)
    }
}

/// Scrubs the string field `field` of every JSON object line of `input` into
/// `output`. See the [module docs](self) for what happens to each kind of line.
///
/// # Errors
/// [`Error::Read`] or [`Error::Write`] when the streams fail (with the line
/// number). Malformed lines are not errors: they are reported in the [`Summary`].
pub fn scrub_jsonl<R: BufRead, W: Write>(
    scrubber: &Scrubber,
    field: &str,
    mut input: R,
    mut output: W,
) -> Result<Summary> {
    let mut summary = Summary::default();
    let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut out: Vec<u8> = Vec::with_capacity(64 * 1024);
    loop {
        buf.clear();
        let line_no = summary.lines + 1;
        let n = input
            .read_until(b'\n', &mut buf)
            .map_err(|source| Error::Read {
                line: line_no,
                source,
            })?;
        if n == 0 {
            break;
        }
        summary.lines = line_no;
        let line = trim_newline(&buf);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        out.clear();
        match scrub_line(scrubber, field, line, &mut out, &mut summary.findings) {
            Some(changed) => {
                if changed {
                    summary.scrubbed += 1;
                } else {
                    out.clear();
                    out.extend_from_slice(line);
                }
                out.push(b'\n');
                output.write_all(&out).map_err(|source| Error::Write {
                    line: line_no,
                    source,
                })?;
                summary.written += 1;
            }
            None => {
                summary.malformed_count += 1;
                if summary.malformed.len() < MAX_REPORTED_MALFORMED {
                    summary.malformed.push(line_no);
                }
            }
        }
    }
    output.flush().map_err(|source| Error::Write {
        line: summary.lines,
        source,
    })?;
    Ok(summary)
}

fn trim_newline(b: &[u8]) -> &[u8] {
    let b = b.strip_suffix(b"\n").unwrap_or(b);
    b.strip_suffix(b"\r").unwrap_or(b)
}

/// Writes the scrubbed object to `out`; `Some(changed)`, or `None` if malformed.
fn scrub_line(
    scrubber: &Scrubber,
    field: &str,
    line: &[u8],
    out: &mut Vec<u8>,
    findings: &mut Findings,
) -> Option<bool> {
    let line = std::str::from_utf8(line).ok()?;
    let entries: Entries<'_> = serde_json::from_str(line).ok()?;
    let mut changed = false;
    out.push(b'{');
    for (i, (k, v)) in entries.0.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut *out, k.as_ref()).ok()?;
        out.push(b':');
        let raw = v.get();
        if k == field && raw.starts_with('"') {
            let text: Cow<'_, str> = serde_json::from_str(raw).ok()?;
            match scrubber.scrub_counting(&text, findings) {
                Cow::Owned(s) => {
                    changed = true;
                    serde_json::to_writer(&mut *out, &s).ok()?;
                }
                Cow::Borrowed(_) => out.extend_from_slice(raw.as_bytes()),
            }
        } else {
            out.extend_from_slice(raw.as_bytes());
        }
    }
    out.push(b'}');
    Some(changed)
}
