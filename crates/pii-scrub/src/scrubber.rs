//! The scrubber: builder, one pass per engine, merge, redact.

use std::borrow::Cow;
use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::detect::{Span, Structured};
use crate::key::{Domain, HashKey, Pseudonym};
use crate::names::{Directory, Person};
use crate::{Detectors, Error, Findings, Kind, Policy, Result};

/// How a finding is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Redaction {
    /// The kind's typed placeholder, e.g. `[EMAIL]`. The default.
    #[default]
    Placeholder,
    /// The placeholder with a keyed pseudonym, e.g. `[EMAIL:3q2-7wAbc…]`, so equal
    /// values stay linkable without being readable. Directory people get the
    /// pseudonym of their account id (the same as in the `users` table).
    /// Needs a [`HashKey`].
    Pseudonym,
    /// Letters and digits replaced by `*`, other characters kept; cards keep their
    /// last four digits.
    Mask,
}

/// The result of scrubbing one text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scrubbed<'a> {
    /// The scrubbed text: borrowed when nothing was found.
    pub text: Cow<'a, str>,
    /// What was found, by kind.
    pub findings: Findings,
}

/// Builds a [`Scrubber`]. Everything is compiled once, in [`ScrubberBuilder::build`].
#[derive(Debug, Clone, Default)]
pub struct ScrubberBuilder {
    detectors: Detectors,
    redaction: [Redaction; Kind::COUNT],
    allow: Vec<String>,
    people: Vec<Person>,
    opt_out: Vec<String>,
    key: Option<HashKey>,
}

impl ScrubberBuilder {
    /// A builder with every detector on and typed placeholders.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder configured from a [`Policy`]: detectors, redaction styles,
    /// allow-list and opt-outs.
    pub fn from_policy(policy: &Policy) -> Self {
        let mut b = Self::new().with_detectors(policy.detectors);
        for (kind, r) in &policy.redaction {
            b = b.with_redaction(*kind, *r);
        }
        b.allow.extend(policy.allow.iter().cloned());
        b.opt_out.extend(policy.opt_out.iter().cloned());
        b
    }

    /// Sets which detectors run.
    #[must_use]
    pub fn with_detectors(mut self, detectors: Detectors) -> Self {
        self.detectors = detectors;
        self
    }

    /// Switches one detector on or off.
    #[must_use]
    pub fn with_detector(mut self, kind: Kind, on: bool) -> Self {
        self.detectors.set(kind, on);
        self
    }

    /// Sets how findings of `kind` are replaced.
    #[must_use]
    pub fn with_redaction(mut self, kind: Kind, redaction: Redaction) -> Self {
        if let Some(slot) = self.redaction.get_mut(kind.index()) {
            *slot = redaction;
        }
        self
    }

    /// Sets every kind's redaction style.
    #[must_use]
    pub fn with_redaction_all(mut self, redaction: Redaction) -> Self {
        self.redaction = [redaction; Kind::COUNT];
        self
    }

    /// Never redacts this exact value (case-insensitive), e.g. a public address.
    #[must_use]
    pub fn with_allowed(mut self, value: impl Into<String>) -> Self {
        self.allow.push(value.into());
        self
    }

    /// Adds a person of the run's directory.
    #[must_use]
    pub fn with_person(mut self, person: Person) -> Self {
        self.people.push(person);
        self
    }

    /// Adds people of the run's directory.
    #[must_use]
    pub fn with_people(mut self, people: impl IntoIterator<Item = Person>) -> Self {
        self.people.extend(people);
        self
    }

    /// Marks a person (account id or e-mail address) as opted out: their account
    /// pseudonym becomes [`crate::OPTED_OUT_PSEUDONYM`] and mentions of their name are
    /// always the bare `[PERSON]`. Dropping their authored text is the caller's
    /// job; ask [`Scrubber::is_opted_out`].
    #[must_use]
    pub fn with_opt_out(mut self, id_or_email: impl Into<String>) -> Self {
        self.opt_out.push(id_or_email.into());
        self
    }

    /// Sets the key for pseudonyms.
    #[must_use]
    pub fn with_key(mut self, key: HashKey) -> Self {
        self.key = Some(key);
        self
    }

    /// Compiles the detectors and the directory.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when a pseudonym redaction is asked for without a
    /// key; [`Error::Directory`] when the directory automaton cannot be built;
    /// [`Error::Patterns`] if the built-in patterns fail to compile (a bug).
    pub fn build(self) -> Result<Scrubber> {
        if self.key.is_none()
            && let Some(kind) = Kind::ALL
                .iter()
                .find(|k| self.redaction.get(k.index()) == Some(&Redaction::Pseudonym))
        {
            return Err(Error::InvalidConfig {
                key: format!("redaction.{}", kind.name()),
                reason: "pseudonym redaction needs a hash key (JIRAFE_HASH_KEY)".into(),
            });
        }
        let structured = Structured::new(&self.detectors)?;
        let directory = if self.detectors.person {
            Directory::new(&self.people)?
        } else {
            Directory::new(&[])?
        };
        let opt_out: HashSet<String> = self
            .opt_out
            .iter()
            .map(|s| s.trim().to_lowercase())
            .collect();
        let person_opted_out: Vec<bool> = self
            .people
            .iter()
            .map(|p| {
                p.account_id
                    .iter()
                    .chain(p.email.iter())
                    .any(|v| opt_out.contains(&v.trim().to_lowercase()))
            })
            .collect();
        let person_pseudonyms: Vec<Option<Pseudonym>> = match &self.key {
            Some(key) => self
                .people
                .iter()
                .zip(&person_opted_out)
                .map(|(p, out)| {
                    if *out {
                        return Some(Pseudonym::opted_out());
                    }
                    Some(match &p.account_id {
                        Some(id) => key.pseudonym(Domain::AccountId, id),
                        None => key.pseudonym(
                            Domain::Detected(Kind::Person),
                            &p.display_name.to_lowercase(),
                        ),
                    })
                })
                .collect(),
            None => vec![None; self.people.len()],
        };
        // The gazetteer is loaded once per process, here rather than on first use.
        if self.detectors.person {
            std::sync::LazyLock::force(&crate::names::GAZETTEER);
        }
        Ok(Scrubber {
            structured,
            directory,
            detectors: self.detectors,
            redaction: self.redaction,
            allow: self.allow.iter().map(|s| s.to_lowercase()).collect(),
            opt_out,
            person_opted_out,
            person_pseudonyms,
            key: self.key,
        })
    }
}

/// A compiled, immutable scrubber. `Send + Sync`: build it once per run and share
/// it (`Arc<Scrubber>`) across threads.
#[derive(Debug)]
pub struct Scrubber {
    structured: Structured,
    directory: Directory,
    detectors: Detectors,
    redaction: [Redaction; Kind::COUNT],
    allow: HashSet<String>,
    opt_out: HashSet<String>,
    person_opted_out: Vec<bool>,
    person_pseudonyms: Vec<Option<Pseudonym>>,
    key: Option<HashKey>,
}

impl Scrubber {
    /// A builder.
    pub fn builder() -> ScrubberBuilder {
        ScrubberBuilder::new()
    }

    /// Scrubs `text`: every finding replaced, counted by kind.
    ///
    /// ```
    /// use jirafe_pii_scrub::{Kind, Scrubber};
    /// let s = Scrubber::builder().build()?;
    /// let out = s.scrub("Mail ada@example.com from 10.1.2.3 about PROJ-42 (v2.0.1)");
    /// assert_eq!(out.text, "Mail [EMAIL] from [IP] about PROJ-42 (v2.0.1)");
    /// assert_eq!(out.findings.get(Kind::Email), 1);
    /// // Nothing found: the input is borrowed, not copied.
    /// assert!(matches!(s.scrub("nothing here").text, std::borrow::Cow::Borrowed(_)));
    /// # Ok::<(), jirafe_pii_scrub::Error>(())
    /// ```
    pub fn scrub<'a>(&self, text: &'a str) -> Scrubbed<'a> {
        let mut findings = Findings::default();
        let text = self.scrub_counting(text, &mut findings);
        Scrubbed { text, findings }
    }

    /// Scrubs `text`, adding the findings to `findings` (for running totals).
    pub fn scrub_counting<'a>(&self, text: &'a str, findings: &mut Findings) -> Cow<'a, str> {
        let (out, glued) = self.scrub_once(text, findings);
        if glued {
            Cow::Owned(self.rescan(out.into_owned(), findings))
        } else {
            out
        }
    }

    /// One scan of `text`, and whether a replacement is glued to other text
    /// ([`any_glued`]).
    fn scrub_once<'a>(&self, text: &'a str, findings: &mut Findings) -> (Cow<'a, str>, bool) {
        self.with_spans(text, |spans| {
            (self.redact(text, spans, findings), any_glued(text, spans))
        })
    }

    /// A replacement glued to its neighbours (`2001:db8::Ada Bauer`,
    /// `Bayer.Ada Bauer`) changes what they look like: the result is scanned
    /// again until nothing new is found, so that scrubbing is idempotent.
    #[cold]
    #[inline(never)]
    fn rescan(&self, mut out: String, findings: &mut Findings) -> String {
        for _ in 0..MAX_RESCANS {
            let (next, glued) = match self.scrub_once(&out, findings) {
                (Cow::Borrowed(_), _) => break,
                (Cow::Owned(next), glued) => (next, glued),
            };
            out = next;
            if !glued {
                break;
            }
        }
        out
    }

    fn redact<'a>(&self, text: &'a str, spans: &[Span], findings: &mut Findings) -> Cow<'a, str> {
        if spans.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len() + 16);
        let mut last = 0;
        for span in spans {
            if let (Some(keep), Some(value)) =
                (text.get(last..span.start), text.get(span.start..span.end))
            {
                out.push_str(keep);
                self.redact_into(&mut out, span, value);
                findings.add(span.kind);
                last = span.end;
            }
        }
        out.push_str(text.get(last..).unwrap_or(""));
        Cow::Owned(out)
    }

    /// Counts what `text` contains without building the scrubbed text: the
    /// post-write leak scan.
    ///
    /// ```
    /// use jirafe_pii_scrub::{Kind, Scrubber};
    /// let s = Scrubber::builder().build()?;
    /// let f = s.scan("card 4111 1111 1111 1111, key AKIAIOSFODNN7EXAMPLE");
    /// assert_eq!((f.get(Kind::Card), f.get(Kind::Secret)), (1, 1));
    /// # Ok::<(), jirafe_pii_scrub::Error>(())
    /// ```
    pub fn scan(&self, text: &str) -> Findings {
        self.with_spans(text, |spans| {
            let mut f = Findings::default();
            for s in spans {
                f.add(s.kind);
            }
            f
        })
    }

    /// The pseudonym of a Jira account id: [`crate::OPTED_OUT_PSEUDONYM`] for
    /// opted-out people, `None` when the scrubber has no key.
    ///
    /// ```
    /// use jirafe_pii_scrub::{HashKey, Scrubber, OPTED_OUT_PSEUDONYM};
    /// let s = Scrubber::builder()
    ///     .with_key(HashKey::from_bytes(&[9u8; 32])?)
    ///     .with_opt_out("opted-out-account")
    ///     .build()?;
    /// assert_eq!(s.account_pseudonym("opted-out-account").unwrap().as_str(), OPTED_OUT_PSEUDONYM);
    /// assert_eq!(s.account_pseudonym("557058:abc").unwrap().as_str().len(), 22);
    /// # Ok::<(), jirafe_pii_scrub::Error>(())
    /// ```
    pub fn account_pseudonym(&self, account_id: &str) -> Option<Pseudonym> {
        if self.is_opted_out(account_id) {
            return Some(Pseudonym::opted_out());
        }
        self.key
            .as_ref()
            .map(|k| k.pseudonym(Domain::AccountId, account_id))
    }

    /// Pseudonymizes a column value under the column's own domain
    /// ([`crate::ColumnAction::Pseudonymize`]). `None` without a key.
    pub fn column_pseudonym(&self, column: &str, value: &str) -> Option<Pseudonym> {
        self.key
            .as_ref()
            .map(|k| k.pseudonym(Domain::Column(column), value))
    }

    /// Whether an account id or e-mail address is on the opt-out list.
    pub fn is_opted_out(&self, id_or_email: &str) -> bool {
        !self.opt_out.is_empty() && self.opt_out.contains(&id_or_email.trim().to_lowercase())
    }

    /// The key id of the pseudonym key, if any ([`HashKey::key_id`]).
    pub fn key_id(&self) -> Option<String> {
        self.key.as_ref().map(HashKey::key_id)
    }

    /// Which detectors run.
    pub fn detectors(&self) -> &Detectors {
        &self.detectors
    }

    /// Calls `f` with the findings of `text` ([`Scrubber::spans_into`]), computed
    /// in this thread's scratch buffers (no allocation per text once they have
    /// grown).
    fn with_spans<R>(&self, text: &str, f: impl FnOnce(&[Span]) -> R) -> R {
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => {
                self.spans_into(text, &mut scratch);
                let r = f(&scratch.kept);
                scratch.trim();
                r
            }
            // Only reachable if `f` scrubbed again on the same thread.
            Err(_) => {
                let mut scratch = Scratch::default();
                self.spans_into(text, &mut scratch);
                f(&scratch.kept)
            }
        })
    }

    /// All findings into `scratch.kept`: sorted, non-overlapping, minus
    /// allow-listed values and existing placeholders.
    fn spans_into(&self, text: &str, scratch: &mut Scratch) {
        let Scratch {
            masks,
            spans,
            kept,
            starts,
            colons,
            opens,
            order,
            found,
            dir_spans,
            digit_spans,
            groups,
            protected,
        } = scratch;
        spans.clear();
        kept.clear();
        if text.is_empty() {
            return;
        }
        masks.fill(text.as_bytes());
        let b = text.as_bytes();
        let d = &self.detectors;
        let secrets = self.structured.is_on();
        let digits = d.card || d.phone || d.ip || d.national_id || d.iban;
        starts.clear();
        digit_spans.clear();
        found.clear();
        dir_spans.clear();
        if secrets || digits || d.person {
            // One walk over the word runs feeds the secrets' word-start
            // candidates, the digit clusters and both name detectors.
            let mut scan = crate::detect::DigitScan::default();
            crate::names::walk_runs(
                &self.directory,
                (d.person, secrets),
                text,
                masks,
                found,
                dir_spans,
                |s, e, high, class, pair| {
                    if secrets {
                        self.structured
                            .word_starts_in_run(b, (s, e, high), pair, starts);
                    }
                    if digits && class & (crate::scan::DIGIT | crate::scan::UPPER) != 0 {
                        scan.at_run_start(text, d, s, groups, digit_spans);
                    }
                },
            );
        }
        // Spans in the order of the separate passes: structured, digits,
        // e-mails, IPv6, directory, non-users.
        let have_colons = self.structured.find(text, masks, starts, colons, spans);
        spans.append(digit_spans);
        if self.detectors.email {
            crate::detect::find_emails(text, masks, opens, spans);
        }
        if self.detectors.ip {
            crate::detect::find_ipv6(text, have_colons.then_some(&colons[..]), spans);
        }
        spans.append(dir_spans);
        spans.append(found);
        if spans.is_empty() {
            return;
        }
        sort_spans(text, spans, order);
        placeholders(text, self.detectors.email.then_some(&opens[..]), protected);
        let mut last_end = 0;
        for &i in order.iter() {
            let Some(&s) = usize::try_from(i).ok().and_then(|i| spans.get(i)) else {
                continue;
            };
            if s.end <= s.start {
                continue;
            }
            if s.start < last_end {
                // Overlapping findings are merged: the union is redacted.
                if s.end > last_end
                    && let Some(prev) = kept.last_mut()
                {
                    prev.end = s.end;
                    last_end = s.end;
                }
                continue;
            }
            if protected
                .iter()
                .any(|(ps, pe)| s.start < *pe && *ps < s.end)
            {
                continue;
            }
            if !self.allow.is_empty()
                && text
                    .get(s.start..s.end)
                    .is_some_and(|v| self.allow.contains(&v.to_lowercase()))
            {
                continue;
            }
            last_end = s.end;
            kept.push(s);
        }
    }

    fn redact_into(&self, out: &mut String, span: &Span, value: &str) {
        let redaction = self
            .redaction
            .get(span.kind.index())
            .copied()
            .unwrap_or_default();
        let person = usize::try_from(span.person).ok();
        let opted_out = span.kind == Kind::Person
            && person
                .and_then(|p| self.person_opted_out.get(p))
                .copied()
                .unwrap_or(false);
        match redaction {
            _ if opted_out => out.push_str(Kind::Person.placeholder()),
            Redaction::Placeholder => out.push_str(span.kind.placeholder()),
            Redaction::Pseudonym => {
                let from_directory = person
                    .and_then(|p| self.person_pseudonyms.get(p))
                    .copied()
                    .flatten();
                let pseudonym = from_directory.or_else(|| {
                    self.key.as_ref().map(|k| {
                        k.pseudonym(Domain::Detected(span.kind), &normalize(span.kind, value))
                    })
                });
                match pseudonym {
                    Some(p) => {
                        out.push('[');
                        out.push_str(span.kind.tag());
                        out.push(':');
                        out.push_str(p.as_str());
                        out.push(']');
                    }
                    None => out.push_str(span.kind.placeholder()),
                }
            }
            Redaction::Mask => mask_into(out, span.kind, value),
        }
    }
}

fn normalize(kind: Kind, value: &str) -> String {
    match kind {
        Kind::Email | Kind::Person => value.to_lowercase(),
        Kind::Phone | Kind::Card | Kind::Iban | Kind::NationalId => value
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_uppercase(),
        _ => value.to_string(),
    }
}

fn mask_into(out: &mut String, kind: Kind, value: &str) {
    let keep_from = if kind == Kind::Card {
        let digits = value.chars().filter(char::is_ascii_digit).count();
        digits.saturating_sub(4)
    } else {
        usize::MAX
    };
    let mut seen = 0usize;
    for c in value.chars() {
        if c.is_alphanumeric() {
            if c.is_ascii_digit() {
                seen += 1;
            }
            if c.is_ascii_digit() && seen > keep_from {
                out.push(c);
            } else {
                out.push('*');
            }
        } else {
            out.push(c);
        }
    }
}

/// How many times at most a scrubbed text is scanned again
/// ([`Scrubber::scrub_counting`]); each scan only replaces more of it.
const MAX_RESCANS: usize = 4;

/// Whether a finding touches a neighbouring character that its replacement
/// could make look different to a detector. Not glued: white space; before
/// it, an opening bracket or quote, the `=` before a secret value, the `://`
/// before URL user-info, the `@` of a mention; after it, the `@` after URL
/// user-info, a possessive `'s`, or closing punctuation followed by white
/// space or the end.
fn any_glued(text: &str, spans: &[Span]) -> bool {
    let b = text.as_bytes();
    spans.iter().any(|s| {
        // ASCII neighbours (the common case) by byte, others by character.
        let glued_before = match s.start.checked_sub(1).and_then(|p| b.get(p)) {
            None => false,
            Some(&c) if c < 0x80 => {
                !(c.is_ascii_whitespace()
                    || b"([{<\"'`".contains(&c)
                    || (c == b'=' && matches!(s.kind, Kind::Secret | Kind::UrlCredentials))
                    || (c == b'@' && s.kind == Kind::Person)
                    || (s.kind == Kind::UrlCredentials
                        && s.start >= 3
                        && b.get(s.start - 3..s.start) == Some(b"://")))
            }
            Some(_) => text
                .get(..s.start)
                .and_then(|t| t.chars().next_back())
                .is_some_and(|c| !c.is_whitespace() && !matches!(c, '“' | '‘' | '«')),
        };
        glued_before
            || (glued_after(text, s.end)
                && !(s.kind == Kind::UrlCredentials && b.get(s.end) == Some(&b'@')))
    })
}

/// The `after` half of [`any_glued`] for a finding ending at `end`.
fn glued_after(text: &str, end: usize) -> bool {
    let b = text.as_bytes();
    let Some(&c) = b.get(end) else {
        return false;
    };
    let followed_by_blank = |at: usize| match b.get(at) {
        None => true,
        Some(&n) if n < 0x80 => n.is_ascii_whitespace(),
        Some(_) => text
            .get(at..)
            .and_then(|t| t.chars().next())
            .is_some_and(char::is_whitespace),
    };
    if c < 0x80 {
        return !(c.is_ascii_whitespace()
            || (c == b'\'' && b.get(end + 1) == Some(&b's'))
            || (b")]}>\"'`,;.:!?".contains(&c) && followed_by_blank(end + 1)));
    }
    let Some(ch) = text.get(end..).and_then(|t| t.chars().next()) else {
        return false;
    };
    let next = end + ch.len_utf8();
    !(ch.is_whitespace()
        || (ch == '’' && b.get(next) == Some(&b's'))
        || (matches!(ch, '”' | '’' | '»') && followed_by_blank(next)))
}

/// Byte ranges of placeholders already in the text (`[EMAIL]`, `[PERSON:…]`), so
/// scrubbing is idempotent.
fn placeholders(text: &str, opens: Option<&[usize]>, out: &mut Vec<(usize, usize)>) {
    out.clear();
    match opens {
        Some(opens) => {
            for &start in opens {
                placeholder_at(text, start, out);
            }
        }
        None => {
            for start in memchr::memchr_iter(b'[', text.as_bytes()) {
                placeholder_at(text, start, out);
            }
        }
    }
}

/// The placeholder opening at the `[` at `start`, if any, into `out`.
fn placeholder_at(text: &str, start: usize, out: &mut Vec<(usize, usize)>) {
    let Some(rest) = text.get(start + 1..) else {
        return;
    };
    let Some(kind) = Kind::ALL.iter().find(|k| rest.starts_with(k.tag())) else {
        return;
    };
    let after = rest.get(kind.tag().len()..).unwrap_or("");
    if after.starts_with(']') {
        out.push((start, start + 1 + kind.tag().len() + 1));
    } else if let Some(p) = after.strip_prefix(':') {
        let len = p
            .bytes()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_')
            .count();
        if p.as_bytes().get(len) == Some(&b']') {
            out.push((start, start + 1 + kind.tag().len() + 1 + len + 1));
        }
    }
}

/// The order of `spans` (indices into it, in `order`): by start, the longest
/// first among those with the same start, and otherwise in the order they
/// were found (the order of the detectors). Usually through packed integer
/// keys, which sort without data-dependent branches.
fn sort_spans(text: &str, spans: &mut [Span], order: &mut Vec<u64>) {
    const SHORT: usize = 0xFFFF;
    order.clear();
    let packable = u32::try_from(text.len()).is_ok()
        && spans.len() <= SHORT
        && spans.iter().all(|s| s.end.saturating_sub(s.start) <= SHORT);
    if !packable {
        // Stable: equal starts and ends keep the order of the detectors.
        spans.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        order.extend(0..spans.len() as u64);
        return;
    }
    // start (32 bits) | SHORT - length (16) | index (16).
    order.extend(spans.iter().enumerate().map(|(i, s)| {
        let len = s.end.saturating_sub(s.start);
        ((s.start as u64) << 32) | (((SHORT - len) as u64) << 16) | i as u64
    }));
    order.sort_unstable();
    for k in order.iter_mut() {
        *k &= 0xFFFF;
    }
}

/// Per-thread buffers reused from text to text.
#[derive(Debug, Default)]
struct Scratch {
    masks: crate::scan::Masks,
    spans: Vec<Span>,
    kept: Vec<Span>,
    starts: Vec<usize>,
    /// Every `:` of the text, from the secrets' candidate pass for IPv6.
    colons: Vec<usize>,
    /// Every `[` of the text, from the e-mail pass for the placeholders.
    opens: Vec<usize>,
    /// The sorted order of `spans`.
    order: Vec<u64>,
    found: Vec<Span>,
    dir_spans: Vec<Span>,
    digit_spans: Vec<Span>,
    groups: Vec<(usize, usize)>,
    protected: Vec<(usize, usize)>,
}

impl Scratch {
    /// Lets go of buffers grown by an unusually large text, so a thread keeps
    /// only a small, bounded amount of memory between texts.
    fn trim(&mut self) {
        const KEEP: usize = 1 << 12;
        self.masks.shrink(KEEP);
        for v in [
            &mut self.spans,
            &mut self.kept,
            &mut self.found,
            &mut self.dir_spans,
            &mut self.digit_spans,
        ] {
            if v.capacity() > KEEP {
                *v = Vec::new();
            }
        }
        for v in [&mut self.groups, &mut self.protected] {
            if v.capacity() > KEEP {
                *v = Vec::new();
            }
        }
        if self.starts.capacity() > KEEP {
            self.starts = Vec::new();
        }
        if self.order.capacity() > KEEP {
            self.order = Vec::new();
        }
        for v in [&mut self.colons, &mut self.opens] {
            if v.capacity() > KEEP {
                *v = Vec::new();
            }
        }
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}
