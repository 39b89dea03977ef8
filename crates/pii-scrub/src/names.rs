//! Person names: the run's directory (one Aho-Corasick pass) and non-users found
//! by a public-domain gazetteer combined with context.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use aho_corasick::automaton::Automaton;
use aho_corasick::{Anchored, MatchKind};

use crate::detect::Span;
use crate::lexicon::Lexicon;
use crate::scan::Masks;
use crate::{Error, Kind, Result};

/// A small, fast FNV-1a hasher for short ASCII keys (names, words).
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FastSet = HashSet<&'static str, BuildHasherDefault<Fnv>>;

fn load(list: &'static str) -> FastSet {
    list.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// The shipped gazetteer (US Census 1990, public domain) and word lists.
pub(crate) struct Gazetteer {
    /// Every listed word with its [`GIVEN`] / [`SURNAME`] / [`WORD`] / [`STOP`]
    /// flags, and the context words ([`TRIGGER`], [`HONORIFIC`],
    /// [`PAIR_SECOND`]): one lookup answers all questions about a word.
    flags: Lexicon<u8>,
    /// A bit per [`context_key`] of every ASCII word with a [`CONTEXT`] flag:
    /// most words before a capitalised token need no lookup.
    context_filter: Box<[u64; CONTEXT_FILTER_BITS / 64]>,
}

/// The flags [`Before`] looks at.
const CONTEXT: u8 = TRIGGER | HONORIFIC | PAIR_SECOND;

const CONTEXT_FILTER_BITS: usize = 1 << 14;

/// The first and last bytes (folded to five bits, ASCII case ignored) and the
/// length (up to 15) of the word `b[s..e]`: 14 bits.
#[inline]
fn context_key(b: &[u8], s: usize, e: usize) -> usize {
    let fold = |i: usize| usize::from(b.get(i).map_or(0, |c| (c | 0x20) & 0x1f));
    (fold(s) << 9) | (fold(e.saturating_sub(1)) << 4) | e.saturating_sub(s).min(15)
}

const GIVEN: u8 = 1;
const SURNAME: u8 = 2;
/// Census names that are also ordinary English or technical words.
const WORD: u8 = 4;
const STOP: u8 = 8;
/// A greeting or role word before a name ([`TRIGGERS`]).
const TRIGGER: u8 = 16;
/// An honorific ([`HONORIFICS`]).
const HONORIFIC: u8 = 32;
/// The second word of a [`PAIR_TRIGGERS`] pair.
const PAIR_SECOND: u8 = 64;
/// The first word of a [`PAIR_TRIGGERS`] pair.
const PAIR_FIRST: u8 = 128;

pub(crate) static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(|| {
    let mut flags: Lexicon<u8> = Lexicon::new();
    let lists: [(FastSet, u8); 8] = [
        (load(include_str!("../data/given-names.txt")), GIVEN),
        (load(include_str!("../data/surnames.txt")), SURNAME),
        (load(include_str!("../data/name-words.txt")), WORD),
        (STOP_WORDS.iter().copied().collect(), STOP | WORD),
        (TRIGGERS.iter().copied().collect(), TRIGGER),
        (HONORIFICS.iter().copied().collect(), HONORIFIC),
        (PAIR_TRIGGERS.iter().map(|(_, b)| *b).collect(), PAIR_SECOND),
        (PAIR_TRIGGERS.iter().map(|(a, _)| *a).collect(), PAIR_FIRST),
    ];
    let mut context_filter = Box::new([0u64; CONTEXT_FILTER_BITS / 64]);
    for (set, flag) in lists {
        for w in set {
            flags.upsert(w, flag, |a, b| *a |= b);
            if flag & CONTEXT != 0 && w.is_ascii() {
                let k = context_key(w.as_bytes(), 0, w.len());
                if let Some(bits) = context_filter.get_mut(k / 64) {
                    *bits |= 1 << (k % 64);
                }
            }
        }
    }
    Gazetteer {
        flags,
        context_filter,
    }
});

impl Gazetteer {
    /// Flags of a word, compared case-insensitively.
    #[inline]
    fn flags(&self, w: &str) -> u8 {
        self.flags.get(w).unwrap_or(0)
    }
    /// Flags of the word `text[s..e]`.
    #[inline]
    fn flags_at(&self, text: &str, s: usize, e: usize) -> u8 {
        self.flags.get_at(text, s, e).unwrap_or(0)
    }
    /// The [`CONTEXT`] flags of the word `text[s..e]` (`ascii`: whether it is
    /// ASCII): an ASCII word outside the context filter has none, without a
    /// lookup.
    #[inline]
    fn context_flags_at(&self, text: &str, s: usize, e: usize, ascii: bool) -> u8 {
        let b = text.as_bytes();
        if ascii {
            let k = context_key(b, s, e);
            let maybe = self
                .context_filter
                .get(k / 64)
                .is_some_and(|bits| bits & (1 << (k % 64)) != 0);
            if !maybe {
                return 0;
            }
        }
        self.flags_at(text, s, e) & CONTEXT
    }
    fn is_word(&self, w: &str) -> bool {
        self.flags(w) & WORD != 0
    }
}

/// Capitalised words that are not names even right after a greeting or a
/// role word ("Hi Team", "cc Support"), and technical words that are names too.
const STOP_WORDS: &[&str] = &[
    "team",
    "all",
    "everyone",
    "everybody",
    "folks",
    "guys",
    "there",
    "again",
    "both",
    "support",
    "sales",
    "ops",
    "devops",
    "admin",
    "admins",
    "customer",
    "customers",
    "client",
    "clients",
    "contact",
    "user",
    "users",
    "i",
    "we",
    "you",
    "they",
    "he",
    "she",
    "it",
    "this",
    "that",
    "these",
    "those",
    "the",
    "a",
    "an",
    "please",
    "for",
    "and",
    "or",
    "but",
    "so",
    "in",
    "on",
    "at",
    "to",
    "from",
    "with",
    "as",
    "per",
    "see",
    "any",
    "some",
    "our",
    "your",
    "their",
    "my",
    "his",
    "her",
    "its",
    "service",
    "services",
    "engineering",
    "product",
    "security",
    "qa",
    "dev",
    "devs",
    "friends",
    "colleagues",
    "is",
    "was",
    "are",
    "were",
    "will",
    "would",
    "can",
    "could",
    "should",
    "has",
    "have",
    "had",
    "did",
    "does",
    "do",
    "not",
    "no",
    "yes",
    "ok",
    "okay",
    "thanks",
    "thank",
    "hi",
    "hello",
    "hey",
    "dear",
    "regards",
    "cheers",
    "best",
    "kind",
    "sorry",
    "also",
    "just",
    "then",
    "when",
    "if",
    "after",
    "before",
    "today",
    "tomorrow",
    "yesterday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jira",
    "confluence",
    "jenkins",
    "github",
    "gitlab",
    "bitbucket",
    "slack",
    "google",
    "aws",
    "azure",
    "gcp",
    "docker",
    "kubernetes",
    "helm",
    "terraform",
    "linux",
    "windows",
    "mac",
    "macos",
    "ios",
    "android",
    "chrome",
    "firefox",
    "safari",
    "edge",
    "api",
    "ui",
    "ux",
    "sdk",
    "cli",
    "db",
    "sql",
    "json",
    "xml",
    "html",
    "css",
    "http",
    "https",
    "url",
    "id",
    "ids",
    "prod",
    "production",
    "staging",
    "test",
    "tests",
    "build",
    "release",
    "sprint",
    "epic",
    "story",
    "bug",
    "task",
    "subtask",
    "issue",
    "ticket",
    "comment",
    "project",
    "board",
    "backlog",
    "version",
    "fix",
    "hotfix",
    "feature",
    "merge",
    "pull",
    "request",
    "pr",
    "review",
    "deploy",
    "deployment",
    "server",
    "cluster",
    "node",
    "pod",
    "error",
    "warning",
    "exception",
    "null",
    "true",
    "false",
    "none",
    "new",
    "old",
    "high",
    "low",
    "medium",
    "critical",
    "blocker",
    "major",
    "minor",
    "trivial",
    "done",
    "open",
    "closed",
    "resolved",
    "todo",
    "progress",
    "group",
    "org",
    "company",
    "inc",
    "ltd",
    "gmbh",
    "llc",
    "corp",
    "dept",
    "department",
    "office",
    "hq",
    "anyone",
    "someone",
    "nobody",
    "here",
    "now",
    "asap",
    "fyi",
    "btw",
    "re",
    "fw",
    "fwd",
    "sir",
    "madam",
    "sirs",
    "manager",
    "lead",
    "owner",
    "staff",
    "java",
    "python",
    "ruby",
    "rust",
    "go",
    "scala",
    "kotlin",
    "swift",
    "julia",
    "node",
    "react",
    "angular",
    "vue",
    "spring",
    "kafka",
    "redis",
    "postgres",
    "mysql",
    "oracle",
    "mongo",
    "elastic",
    "grafana",
    "prometheus",
    "maven",
    "gradle",
    "npm",
    "yarn",
    "travis",
    "jackson",
    "hudson",
    "sonar",
    "nexus",
    "bamboo",
    "apple",
    "amazon",
    "microsoft",
    "atlassian",
    "stripe",
    "twilio",
    "zoom",
    "teams",
    "outlook",
    "gmail",
    "excel",
    "word",
    "powerpoint",
    "sentry",
    "datadog",
    "splunk",
    "okta",
    "auth",
    "login",
    "logout",
    "email",
    "phone",
    "mobile",
    "web",
    "app",
    "apps",
    "backend",
    "frontend",
    "database",
    "cache",
    "queue",
    "worker",
    "job",
    "cron",
    "the",
    "what",
    "why",
    "how",
    "who",
    "which",
    "where",
    "let",
    "lets",
    "let's",
    "note",
    "update",
    "updated",
    "steps",
    "expected",
    "actual",
    "result",
    "summary",
    "description",
    "environment",
    "priority",
    "status",
    "assignee",
    "reporter",
    "component",
    "components",
    "label",
    "labels",
    "attachment",
    "attachments",
    "screenshot",
    "log",
    "logs",
    "config",
    "settings",
    "dashboard",
    "report",
    "reports",
    "invoice",
    "order",
    "account",
    "billing",
    "payment",
    "checkout",
    "cart",
    "export",
    "import",
    "upload",
    "download",
    "sync",
    "search",
    "filter",
    "page",
    "pages",
    "file",
    "files",
    "folder",
    "data",
    "schema",
    "table",
    "column",
    "row",
    "field",
    "fields",
    "value",
    "values",
    "key",
    "keys",
    "token",
    "tokens",
    "secret",
    "password",
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "miss",
    "mx",
    "herr",
    "frau",
    "mme",
    "mlle",
    "sr",
    "sra",
    "srta",
    "sig",
    "hallo",
    "bonjour",
    "salut",
    "hola",
    "ciao",
    "merci",
    "danke",
    "grazie",
    "obrigado",
    "obrigada",
    "gracias",
    "bom",
    "dia",
    "guten",
    "tag",
    "buongiorno",
    "european",
    "english",
    "german",
    "french",
    "italian",
    "spanish",
    "portuguese",
    "american",
    "us",
    "uk",
    "eu",
    "usa",
    "europe",
    "asia",
    "africa",
    "america",
    "portal",
    "success",
    "experience",
    "journey",
    "feedback",
    "care",
    "number",
    "name",
    "names",
    "side",
    "base",
    "facing",
    "input",
    "issues",
    "request",
    "requests",
    "tickets",
    "complaint",
    "complaints",
];

const HONORIFICS: &[&str] = &[
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "herr", "frau", "mme", "mlle",
    "sr", "sra", "srta", "sig", "sigra", "dott", "ing", "monsieur", "madame", "señor", "señora",
    "senhor", "senhora", "signor", "signora", "dra",
];

const TRIGGERS: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "dear",
    "thanks",
    "thx",
    "ty",
    "cheers",
    "regards",
    "greetings",
    "hallo",
    "bonjour",
    "salut",
    "hola",
    "ciao",
    "olá",
    "ola",
    "merci",
    "danke",
    "grazie",
    "obrigado",
    "obrigada",
    "gracias",
    "sincerely",
    "customer",
    "client",
    "contact",
    "caller",
    "requester",
    "reporter",
    "cc",
    "attn",
    "called",
    "named",
    "asked",
    "ask",
    "ping",
    "pinged",
    "told",
    "tell",
    "emailed",
    "contacted",
    "informed",
    "inform",
    "thanked",
    "notify",
    "notified",
    "remind",
    "reminded",
    "colleague",
    "user",
    "manager",
    "guest",
    "patient",
    "tenant",
    "applicant",
    "employee",
    "candidate",
    "liebe",
    "lieber",
    "caro",
    "cara",
    "prezado",
    "prezada",
    "querido",
    "querida",
    "cher",
    "chère",
    "customers",
];

/// `X with/to NAME`, `X by NAME`, `X from NAME`.
const PAIR_TRIGGERS: &[(&str, &str)] = &[
    ("spoke", "with"),
    ("spoke", "to"),
    ("talked", "to"),
    ("talked", "with"),
    ("met", "with"),
    ("call", "with"),
    ("chatted", "with"),
    ("meeting", "with"),
    ("sent", "to"),
    ("forwarded", "to"),
    ("escalated", "to"),
    ("assigned", "to"),
    ("reassigned", "to"),
    ("wrote", "to"),
    ("reported", "by"),
    ("requested", "by"),
    ("raised", "by"),
    ("opened", "by"),
    ("submitted", "by"),
    ("approved", "by"),
    ("reviewed", "by"),
    ("signed", "by"),
    ("email", "from"),
    ("message", "from"),
    ("call", "from"),
    ("feedback", "from"),
    ("complaint", "from"),
    ("ticket", "from"),
    ("request", "from"),
    ("mail", "from"),
    ("thank", "you"),
    ("on", "behalf"),
    ("according", "to"),
    ("confirmed", "by"),
    ("handled", "by"),
    ("sent", "by"),
    ("forwarded", "by"),
    ("contacted", "by"),
    ("created", "by"),
    ("written", "by"),
    ("owned", "by"),
    ("as", "per"),
    ("per", "the"),
];

const PARTICLES: &[&str] = &[
    "van", "von", "der", "den", "de", "da", "del", "della", "di", "du", "le", "la", "dos", "das",
    "do", "bin", "al", "ter", "ten", "zu",
];

/// A person known to the run (from the Jira user directory).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Person {
    /// Display name, e.g. `"Ada Lovelace"`. Its parts, full form and `Last, First`
    /// form are all matched.
    pub display_name: String,
    /// Jira account id, used for pseudonyms and opt-out matching.
    pub account_id: Option<String>,
    /// E-mail address, used for opt-out matching (e-mails in text are found by the
    /// e-mail detector anyway).
    pub email: Option<String>,
}

impl Person {
    /// A person with a display name only.
    pub fn new(display_name: impl Into<String>) -> Self {
        Self {
            display_name: display_name.into(),
            ..Self::default()
        }
    }

    /// Sets the account id.
    #[must_use]
    pub fn with_account_id(mut self, id: impl Into<String>) -> Self {
        self.account_id = Some(id.into());
        self
    }

    /// Sets the e-mail address.
    #[must_use]
    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }
}

/// What a lower-cased word starts in the directory.
#[derive(Debug, Default)]
struct WordEntry {
    /// The first word of a multi-word form.
    multi: bool,
    /// A bit per [`continuation_key`] of the forms this word starts: the
    /// automaton is only run where the text goes on as one of them does.
    continuations: u64,
    /// A single-word part (letters and digits only) with the spelling from the
    /// directory: no automaton walk.
    single: Option<(DirPattern, String)>,
}

#[derive(Debug, Clone, Copy)]
struct DirPattern {
    person: u32,
    single: bool,
    /// Single part that is a common word or very short: needs exact capitalisation
    /// and must not start a sentence.
    ambiguous: bool,
}

/// The directory's Aho-Corasick automaton, walked by hand ([`longest_at`]).
#[derive(Debug)]
enum DirAutomaton {
    Contiguous(aho_corasick::nfa::contiguous::NFA),
    Noncontiguous(aho_corasick::nfa::noncontiguous::NFA),
}

/// The longest form of `a` that starts at `s` (an anchored walk of a
/// leftmost-longest automaton, a few bytes long): its pattern and end.
#[inline]
fn longest_at<A: Automaton>(a: &A, b: &[u8], s: usize) -> Option<(aho_corasick::PatternID, usize)> {
    let mut sid = a.start_state(Anchored::Yes).ok()?;
    let mut found = None;
    for (at, &c) in b.get(s..)?.iter().enumerate() {
        sid = a.next_state(Anchored::Yes, sid, c);
        if a.is_special(sid) {
            if a.is_dead(sid) {
                break;
            }
            if a.is_match(sid) {
                found = Some((a.match_pattern(sid, 0), s + at + 1));
            }
        }
    }
    found
}

/// The directory automaton.
#[derive(Debug)]
pub(crate) struct Directory {
    ac: Option<DirAutomaton>,
    /// Lower-cased first word of every multi-word form (`true`: run the
    /// automaton there) and every single-word part: one lookup per word, an
    /// index into `entries`.
    words: Lexicon<u32>,
    entries: Vec<WordEntry>,
    /// Bitmap over (first two letters, length) of the first words: rejects most
    /// words before any hashing.
    first_filter: Vec<u64>,
    /// Bitmap over [`ascii_filter_key`] of the ASCII words: rejects almost every
    /// ASCII word that is not in `words`.
    ascii_filter: Box<[u64; ASCII_FILTER_BITS / 64]>,
    /// Bitmap over [`pair_key`] of the ASCII words: a cheaper first filter.
    pair_filter: Box<[u64; PAIR_FILTER_BITS / 64]>,
    patterns: Vec<DirPattern>,
    texts: Vec<String>,
}

/// The gazetteer flags of `head` with its diacritics folded
/// ([`fold_diacritics`]), lower-cased: on the stack when the folded form is
/// ASCII (as for most Latin names).
fn folded_flags(head: &str, gz: &Gazetteer) -> u8 {
    let mut buf = [0u8; 48];
    let mut n = 0;
    let mut ch = [0u8; 4];
    for c in head.chars() {
        let part = match fold_char(c) {
            Some(f) => f.as_bytes(),
            None if c.is_ascii() => c.encode_utf8(&mut ch).as_bytes(),
            None => return gz.flags(&fold_diacritics(head).to_lowercase()),
        };
        for &f in part {
            let Some(slot) = buf.get_mut(n) else {
                return gz.flags(&fold_diacritics(head).to_lowercase());
            };
            *slot = f.to_ascii_lowercase();
            n += 1;
        }
    }
    match buf.get(..n).and_then(|w| std::str::from_utf8(w).ok()) {
        Some(w) => gz.flags(w),
        None => 0,
    }
}

/// The ASCII spelling of a Latin letter with a diacritic (case kept), if it
/// has one.
fn fold_char(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => "a",
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "A",
        'ç' => "c",
        'Ç' => "C",
        'è' | 'é' | 'ê' | 'ë' => "e",
        'È' | 'É' | 'Ê' | 'Ë' => "E",
        'ì' | 'í' | 'î' | 'ï' => "i",
        'Ì' | 'Í' | 'Î' | 'Ï' => "I",
        'ñ' => "n",
        'Ñ' => "N",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => "o",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => "O",
        'ù' | 'ú' | 'û' | 'ü' => "u",
        'Ù' | 'Ú' | 'Û' | 'Ü' => "U",
        'ý' | 'ÿ' => "y",
        'ß' => "ss",
        _ => return None,
    })
}

fn fold_diacritics(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match fold_char(c) {
            Some(f) => out.push_str(f),
            None => out.push(c),
        }
    }
    out
}

impl Directory {
    pub(crate) fn new(people: &[Person]) -> Result<Self> {
        let gz = &*GAZETTEER;
        let mut seen: HashSet<String> = HashSet::new();
        let mut texts = Vec::new();
        let mut patterns = Vec::new();
        let mut singles: HashMap<String, (DirPattern, String), BuildHasherDefault<Fnv>> =
            HashMap::default();
        let mut push = |text: String, p: DirPattern| {
            if p.single && text.chars().all(char::is_alphanumeric) {
                singles.entry(text.to_lowercase()).or_insert((p, text));
                return;
            }
            // ASCII case is folded by the automaton; other letters are not.
            let key = text.to_ascii_lowercase();
            if key.chars().count() >= 2 && seen.insert(key) {
                texts.push(text);
                patterns.push(p);
            }
        };
        for (idx, person) in people.iter().enumerate() {
            let person_idx = u32::try_from(idx).unwrap_or(u32::MAX - 1);
            let parts: Vec<&str> = person
                .display_name
                .split_whitespace()
                .map(|p| p.trim_matches(|c: char| !c.is_alphanumeric()))
                .filter(|p| !p.is_empty())
                .collect();
            let mut forms: Vec<(String, bool)> = Vec::new();
            if parts.len() >= 2 {
                forms.push((parts.join(" "), false));
                if let (Some(first), Some(last)) = (parts.first(), parts.last()) {
                    forms.push((format!("{last}, {first}"), false));
                    forms.push((format!("{first} {last}"), false));
                }
            }
            for part in &parts {
                forms.push(((*part).to_string(), true));
            }
            for (form, single) in forms {
                let lower = form.to_lowercase();
                let ambiguous = single
                    && (lower.chars().count() <= 2
                        || gz.is_word(&lower)
                        || lower.chars().all(|c| c.is_ascii_digit()));
                // Single letters, two-letter parts and particles (`de`, `van`)
                // would match inside ordinary words far too often.
                if single && (lower.chars().count() < 3 || is_in(PARTICLES, &lower)) {
                    continue;
                }
                let p = DirPattern {
                    person: person_idx,
                    single,
                    ambiguous,
                };
                let folded = fold_diacritics(&form);
                if !form.is_ascii() {
                    // ASCII case folding does not cover non-ASCII letters.
                    push(form.to_lowercase(), p);
                    push(form.to_uppercase(), p);
                }
                if folded != form {
                    push(folded, p);
                }
                push(form, p);
            }
        }
        let mut first_filter = vec![0u64; FILTER_BITS.div_ceil(64)];
        let mut by_word: HashMap<Vec<u8>, WordEntry, BuildHasherDefault<Fnv>> = HashMap::default();
        for t in &texts {
            let Some(first) = t.split(|c: char| !c.is_alphanumeric()).next() else {
                continue;
            };
            let entry = by_word
                .entry(first.to_lowercase().into_bytes())
                .or_default();
            entry.multi = true;
            entry.continuations |= t
                .as_bytes()
                .get(first.len()..)
                .and_then(continuation_key)
                .map_or(u64::MAX, |k| 1 << k);
        }
        for (w, single) in singles {
            by_word.entry(w.into_bytes()).or_default().single = Some(single);
        }
        let mut words: Lexicon<u32> = Lexicon::new();
        let mut entries = Vec::with_capacity(by_word.len());
        let mut ascii_filter = Box::new([0u64; ASCII_FILTER_BITS / 64]);
        let mut pair_filter = Box::new([0u64; PAIR_FILTER_BITS / 64]);
        for (w, entry) in by_word {
            let Ok(word) = std::str::from_utf8(&w) else {
                continue;
            };
            let idx = u32::try_from(entries.len()).unwrap_or(u32::MAX);
            words.upsert(word, idx, |a, b| *a = b);
            entries.push(entry);
            let k = filter_key(&w);
            if let Some(slot) = first_filter.get_mut(k / 64) {
                *slot |= 1 << (k % 64);
            }
            if w.is_ascii() {
                let k = ascii_filter_key(&w, 0, w.len());
                if let Some(slot) = ascii_filter.get_mut(k / 64) {
                    *slot |= 1 << (k % 64);
                }
                let k = pair_key(&w, 0, w.len());
                if let Some(slot) = pair_filter.get_mut(k / 64) {
                    *slot |= 1 << (k % 64);
                }
            }
        }
        if texts.is_empty() {
            return Ok(Self {
                ac: None,
                words,
                entries,
                first_filter,
                ascii_filter,
                pair_filter,
                patterns,
                texts,
            });
        }
        // The compact automaton; the other kind if the directory is too
        // large for it.
        let ac = aho_corasick::nfa::contiguous::NFA::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(&texts)
            .map(DirAutomaton::Contiguous)
            .or_else(|_| {
                aho_corasick::nfa::noncontiguous::NFA::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&texts)
                    .map(DirAutomaton::Noncontiguous)
            })
            .map_err(|e| Error::Directory {
                people: people.len(),
                source: Box::new(e),
            })?;
        Ok(Self {
            ac: Some(ac),
            words,
            entries,
            first_filter,
            ascii_filter,
            pair_filter,
            patterns,
            texts,
        })
    }

    /// At the directory-pass word start `s` of the run `s..e` (`high`: the run
    /// has non-ASCII bytes, `under`: it has a `_`), with `floor` where the last
    /// match ended; returns the new floor. An ASCII run is one word; a run with
    /// non-ASCII bytes is walked character by character. The automaton is run
    /// anchored (a few bytes, as a trie walk) for the longest directory form
    /// starting at a word.
    #[inline]
    fn find_in_run(
        &self,
        text: &str,
        (s, e, high): (usize, usize, bool),
        (word_end, k): (usize, usize),
        floor: usize,
        out: &mut Vec<Span>,
    ) -> usize {
        if e <= floor {
            return floor;
        }
        if s <= floor && floor > 0 {
            return self.scan_range(text, floor, e, true, out);
        }
        if high {
            return self.scan_range(text, s, e, false, out);
        }
        // Most words are rejected by the filters: no call for them.
        if self
            .pair_filter
            .get(k / 64)
            .is_none_or(|bits| bits & (1 << (k % 64)) == 0)
        {
            return floor;
        }
        if !self.ascii_maybe(text.as_bytes(), s, word_end) {
            return floor;
        }
        self.word_at(text, s, word_end, true, out).unwrap_or(floor)
    }

    /// Whether the ASCII word `b[s..e]` may be in the directory's word table.
    #[inline(always)]
    fn ascii_maybe(&self, b: &[u8], s: usize, e: usize) -> bool {
        let k = ascii_filter_key(b, s, e);
        self.ascii_filter
            .get(k / 64)
            .is_some_and(|bits| bits & (1 << (k % 64)) != 0)
    }

    /// The character-by-character scan of `from..to` (`prev_word`: whether the
    /// character before `from` counts as a word character); returns where the
    /// scan stopped (past `to` after a match that runs on).
    fn scan_range(
        &self,
        text: &str,
        from: usize,
        to: usize,
        mut prev_word: bool,
        out: &mut Vec<Span>,
    ) -> usize {
        let b = text.as_bytes();
        let mut i = from;
        while i < to {
            let Some(&c) = b.get(i) else { break };
            let (is_word, len) = if c < 0x80 {
                (c.is_ascii_alphanumeric() || c == b'_', 1)
            } else {
                match text.get(i..).and_then(|t| t.chars().next()) {
                    Some(ch) => (crate::scan::is_alnum(ch), ch.len_utf8()),
                    None => (false, 1),
                }
            };
            if is_word && !prev_word {
                let (word_end, ascii) = word_end_ascii(text, i);
                if let Some(e) = self.word_at(text, i, word_end, ascii, out) {
                    i = e;
                    prev_word = true;
                    continue;
                }
                i = word_end.max(i + len);
                prev_word = true;
                continue;
            }
            prev_word = is_word;
            i += len;
        }
        i
    }

    /// A directory match of the word `i..word_end` (alphanumerics) or of a
    /// multi-word form starting there; returns where the scan continues.
    #[inline]
    fn word_at(
        &self,
        text: &str,
        i: usize,
        word_end: usize,
        ascii: bool,
        out: &mut Vec<Span>,
    ) -> Option<usize> {
        let b = text.as_bytes();
        let maybe = if ascii {
            self.ascii_maybe(b, i, word_end)
        } else {
            let k = filter_key_of(b.get(i..word_end).unwrap_or_default(), ascii);
            self.first_filter
                .get(k / 64)
                .is_some_and(|bits| bits & (1 << (k % 64)) != 0)
        };
        if !maybe {
            return None;
        }
        let (multi, continuations, single) = match self
            .words
            .get_at(text, i, word_end)
            .and_then(|k| self.entries.get(k as usize))
        {
            Some(entry) => (entry.multi, entry.continuations, entry.single.as_ref()),
            None => (false, 0, None),
        };
        if multi
            && continues(b.get(word_end..).unwrap_or_default(), continuations)
            && let Some(ac) = &self.ac
            && let Some(e) = self.match_at(ac, text, i, out)
        {
            return Some(e);
        }
        if let Some((p, original)) = single
            && word_bounded(text, i, word_end)
            && single_ok(text, i, word_end, p, Some(original))
        {
            return Some(push_person(text, i, word_end, p, out));
        }
        None
    }

    fn match_at(
        &self,
        ac: &DirAutomaton,
        text: &str,
        s: usize,
        out: &mut Vec<Span>,
    ) -> Option<usize> {
        let found = match ac {
            DirAutomaton::Contiguous(a) => longest_at(a, text.as_bytes(), s),
            DirAutomaton::Noncontiguous(a) => longest_at(a, text.as_bytes(), s),
        };
        let (pid, e) = found?;
        let p = self.patterns.get(pid.as_usize())?;
        if !text.is_char_boundary(e) || !word_bounded(text, s, e) {
            return None;
        }
        if p.single && !single_ok(text, s, e, p, self.texts.get(pid.as_usize())) {
            return None;
        }
        Some(push_person(text, s, e, p, out))
    }
}

/// How a directory form goes on after its first word, as six bits: its
/// separator (the ASCII bytes up to the next letter or digit, at most four)
/// and the first byte of its second word, ASCII case folded. `None` when that
/// is not settled by ASCII bytes (a non-ASCII separator, a longer one, or
/// nothing after the separator).
fn continuation_key(rest: &[u8]) -> Option<u32> {
    let sep = rest
        .iter()
        .take_while(|c| c.is_ascii() && !c.is_ascii_alphanumeric())
        .count();
    let next = *rest.get(sep)?;
    if sep == 0 || sep > 4 || (!next.is_ascii() && next < 0xC0) {
        return None;
    }
    let fold = |c: u8| if c.is_ascii_uppercase() { c | 0x20 } else { c };
    let h = rest
        .get(..sep)?
        .iter()
        .chain(std::iter::once(&next))
        .fold(0u32, |h, &c| {
            h.wrapping_mul(31).wrapping_add(u32::from(fold(c)))
        });
    Some(h.wrapping_mul(0x9E37_79B9) >> 26)
}

/// Whether the text `rest` after a first word may go on as one of the forms
/// in `continuations` (see [`WordEntry::continuations`]).
fn continues(rest: &[u8], continuations: u64) -> bool {
    continuations == u64::MAX
        || continuation_key(rest).is_none_or(|k| continuations & (1 << k) != 0)
}

/// Records a directory match; returns where the scan continues.
fn push_person(text: &str, s: usize, e: usize, p: &DirPattern, out: &mut Vec<Span>) -> usize {
    // A directory part next to an unknown capitalised name-like token is one
    // person ("Phoebe Lindgren" where only "Lindgren" is a user's name).
    let start = if p.single {
        unknown_name_before(text, s).unwrap_or(s)
    } else {
        s
    };
    let end = if p.single {
        unknown_name_after(text, e).unwrap_or(e)
    } else {
        e
    };
    out.push(Span {
        start,
        end,
        kind: Kind::Person,
        person: p.person,
    });
    end
}

/// Is `w` capitalised, name-shaped, and neither an ordinary word nor a stop word?
fn unknown_name_like(w: &str) -> bool {
    name_token(w) == Some(w.len()) && GAZETTEER.flags(w) & WORD == 0
}

fn unknown_name_before(text: &str, s: usize) -> Option<usize> {
    let before = text.get(..s)?.strip_suffix(' ')?;
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| crate::scan::is_alpha(*c) || *c == '-' || *c == '\'')
        .last()
        .map(|(i, _)| i)?;
    let w = before.get(start..)?;
    (unknown_name_like(w) && !code_context(text, start, before.len())).then_some(start)
}

fn unknown_name_after(text: &str, e: usize) -> Option<usize> {
    let (ns, ne) = next_name_token(text, e)?;
    unknown_name_like(text.get(ns..ne)?).then_some(ne)
}

const FILTER_BITS: usize = 27 * 27 * 32;

const ASCII_FILTER_BITS: usize = 1 << 16;

/// Bits of the [`pair_key`] filters (the directory's and the secrets').
pub(crate) const PAIR_FILTER_BITS: usize = 1 << 14;

/// The first two bytes (folded to five bits, ASCII case ignored) and the
/// length (up to 15) of the ASCII word `b[s..e]`: 14 bits.
#[inline(always)]
pub(crate) fn pair_key(b: &[u8], s: usize, e: usize) -> usize {
    let len = e.saturating_sub(s);
    let fold = |c: Option<&u8>| c.map_or(0, |c| usize::from((c | 0x20) & 0x1f));
    let first = fold(b.get(s));
    // The second byte only counts inside the word: a select, not a branch.
    let second = fold(b.get(s + 1)) & if len >= 2 { 0x1f } else { 0 };
    (first << 9) | (second << 4) | len.min(15)
}

/// A 16-bit hash of the ASCII word `b[s..e]` (letters and digits), case-folded:
/// its first eight bytes and its length.
#[inline(always)]
fn ascii_filter_key(b: &[u8], s: usize, e: usize) -> usize {
    let len = e.saturating_sub(s);
    let keep = if len >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * len)) - 1
    };
    let head = match b.get(s..s + 8) {
        Some(h) => {
            let mut a = [0u8; 8];
            a.copy_from_slice(h);
            u64::from_le_bytes(a)
        }
        None => {
            let mut a = [0u8; 8];
            for (d, c) in a.iter_mut().zip(b.get(s..e).unwrap_or_default()) {
                *d = *c;
            }
            u64::from_le_bytes(a)
        }
    };
    let x = ((head | 0x2020_2020_2020_2020) & keep) ^ (len as u64).wrapping_mul(0x0100_0000_01b3);
    (x.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 48) as usize
}

/// (first two bytes, length) of a word, ASCII letters case-folded, everything
/// else in one bucket; the same for a word and its lower-cased form.
fn filter_key(w: &[u8]) -> usize {
    filter_key_of(w, w.is_ascii())
}

/// [`filter_key`] when the caller already knows whether `w` is ASCII.
fn filter_key_of(w: &[u8], ascii: bool) -> usize {
    let class = |c: Option<&u8>| match c {
        Some(c) if c.is_ascii_alphabetic() => usize::from(c.to_ascii_lowercase() - b'a'),
        _ => 26,
    };
    let len = if ascii { w.len().min(31) } else { 31 };
    (class(w.first()) * 27 + class(w.get(1))) * 32 + len
}

/// End of the run of alphanumeric characters starting at `i`, and whether the
/// run is all ASCII.
fn word_end_ascii(text: &str, mut i: usize) -> (usize, bool) {
    let b = text.as_bytes();
    let mut ascii = true;
    while let Some(&c) = b.get(i) {
        if c < 0x80 {
            if !c.is_ascii_alphanumeric() {
                break;
            }
            i += 1;
        } else {
            match text.get(i..).and_then(|t| t.chars().next()) {
                Some(ch) if crate::scan::is_alnum(ch) => {
                    ascii = false;
                    i += ch.len_utf8();
                }
                _ => break,
            }
        }
    }
    (i, ascii)
}

fn is_word_char(c: char) -> bool {
    crate::scan::is_alnum(c) || c == '_'
}

fn word_bounded(text: &str, s: usize, e: usize) -> bool {
    let before = text.get(..s).and_then(|t| t.chars().next_back());
    let after = text.get(e..).and_then(|t| t.chars().next());
    !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
}

/// Code-like surroundings: `Foo.bar`, `obj.Name`, `name(`, `path/Name`, `$Name`.
fn code_context(text: &str, s: usize, e: usize) -> bool {
    let b = text.as_bytes();
    let before = s.checked_sub(1).and_then(|i| b.get(i)).copied();
    let after = b.get(e).copied();
    let after2 = b.get(e + 1).copied();
    matches!(
        before,
        Some(b'.' | b'/' | b'\\' | b'$' | b'#' | b'_' | b'<' | b'{' | b'`' | b'=')
    ) || matches!(
        after,
        Some(b'(' | b'_' | b'/' | b'\\' | b'=' | b'>' | b'}' | b'`' | b'[')
    ) || (after == Some(b'.') && after2.is_some_and(|c| c.is_ascii_alphabetic()))
        || (after == Some(b':') && after2 == Some(b':'))
}

fn sentence_start(text: &str, s: usize) -> bool {
    let before = text
        .get(..s)
        .unwrap_or("")
        .trim_end_matches([' ', '\t', '"', '\'', '(', '*']);
    match before.chars().next_back() {
        None => true,
        // `]` closes a placeholder as often as not: `api_key: Piper` reads
        // as a sentence start, and so must `[SECRET] Piper` after scrubbing.
        Some(c) => matches!(
            c,
            '.' | '!' | '?' | '\n' | '\r' | ':' | ';' | '-' | '•' | '>' | ']'
        ),
    }
}

fn single_ok(text: &str, s: usize, e: usize, p: &DirPattern, pattern: Option<&String>) -> bool {
    if code_context(text, s, e) {
        return false;
    }
    if !p.ambiguous {
        return true;
    }
    let Some(found) = text.get(s..e) else {
        return false;
    };
    // Exactly capitalised like the directory entry ("Will", not "will" or "WILL").
    let exact = pattern.is_some_and(|pat| pat == found);
    let capitalised = found.chars().next().is_some_and(char::is_uppercase)
        && found.chars().skip(1).all(|c| !c.is_uppercase());
    if !exact || !capitalised {
        return false;
    }
    !sentence_start(text, s) || triggered_before(text, s)
}

// ---------------------------------------------------------------------------
// Non-users: gazetteer + context.

fn lower_into<'b>(w: &str, buf: &'b mut [u8; 48]) -> Option<&'b [u8]> {
    if w.len() > buf.len() || !w.is_ascii() {
        return None;
    }
    let dst = buf.get_mut(..w.len())?;
    for (d, c) in dst.iter_mut().zip(w.bytes()) {
        *d = c.to_ascii_lowercase();
    }
    Some(dst)
}

fn with_lower<R>(w: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 48];
    match lower_into(w, &mut buf).and_then(|l| std::str::from_utf8(l).ok()) {
        Some(l) => f(l),
        None => f(&w.to_lowercase()),
    }
}

/// Length of a name-like token at the start of `rest`: `Upper lower+` with
/// hyphen/apostrophe joins (`Jean-Pierre`, `O'Brien`) and `Mc`/`Mac` prefixes.
/// Returns `None` for all-caps, CamelCase, digits or underscores.
fn name_token(rest: &str) -> Option<usize> {
    name_token_plain(rest.as_bytes()).or_else(|| name_token_other(rest))
}

/// [`name_token`] of a token that [`name_token_plain`] does not measure.
fn name_token_other(rest: &str) -> Option<usize> {
    match name_token_ascii(rest.as_bytes()) {
        Ok(r) => r,
        Err(NonAscii) => name_token_chars(rest),
    }
}

/// [`name_token`] of the common shape, eight bytes at a time: an ASCII capital,
/// lower-case ASCII letters, then an ASCII byte that ends the token (not a
/// letter, digit, `_`, `-` or `'`). `None` when `b` has another shape.
#[inline]
fn name_token_plain(b: &[u8]) -> Option<usize> {
    use crate::scan::{HI, between};
    if !b.first()?.is_ascii_uppercase() {
        return None;
    }
    let mut j = 1;
    loop {
        let w = <[u8; 8]>::try_from(b.get(j..j + 8)?).ok()?;
        let x = u64::from_le_bytes(w);
        // High bit of each byte set iff it is `a..=z`.
        let other = !between(x, 0x60, 0x7b) & HI;
        if other == 0 {
            j += 8;
            continue;
        }
        let k = j + (other.trailing_zeros() / 8) as usize;
        let c = *b.get(k)?;
        if k == 1 || c >= 0x80 || c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'\'') {
            return None;
        }
        return Some(k);
    }
}

/// A non-ASCII byte was reached: the answer needs the character-level code.
struct NonAscii;

/// [`name_token`] over ASCII bytes; `Err` as soon as a non-ASCII byte matters.
fn name_token_ascii(b: &[u8]) -> Result<Option<usize>, NonAscii> {
    let first = *b.first().ok_or(NonAscii)?;
    if first >= 0x80 {
        return Err(NonAscii);
    }
    if !first.is_ascii_uppercase() {
        return Ok(None);
    }
    let mut i = 1;
    let mut end = 1;
    let mut lower_run = 0usize;
    let mut prev_upper = true;
    let mut part_start = 0usize;
    while let Some(&c) = b.get(i) {
        if c >= 0x80 {
            return Err(NonAscii);
        }
        if c.is_ascii_lowercase() {
            lower_run += 1;
            prev_upper = false;
            i += 1;
            end = i;
        } else if c.is_ascii_uppercase() {
            let part = b.get(part_start..i).unwrap_or_default();
            if prev_upper || !matches!(part, b"Mc" | b"Mac" | b"De" | b"Di" | b"La" | b"Le") {
                return Ok(None);
            }
            prev_upper = true;
            i += 1;
            end = i;
        } else if c == b'-' || c == b'\'' {
            match b.get(i + 1) {
                Some(&n) if n >= 0x80 => return Err(NonAscii),
                Some(&n) if n.is_ascii_uppercase() => {
                    part_start = i + 1;
                    prev_upper = true;
                    lower_run = 0;
                    i += 2;
                    end = i;
                }
                _ => break,
            }
        } else if c.is_ascii_alphanumeric() || c == b'_' {
            return Ok(None);
        } else {
            break;
        }
    }
    if lower_run == 0 {
        return Ok(None);
    }
    Ok(Some(end))
}

fn name_token_chars(rest: &str) -> Option<usize> {
    let mut chars = rest.char_indices().peekable();
    let (_, first) = chars.next()?;
    if !first.is_uppercase() {
        return None;
    }
    let mut end = first.len_utf8();
    let mut lower_run = 0usize;
    let mut prev_upper = true;
    let mut part_start_text = 0usize;
    while let Some(&(i, c)) = chars.peek() {
        if c.is_lowercase() {
            lower_run += 1;
            prev_upper = false;
            end = i + c.len_utf8();
            chars.next();
        } else if c.is_uppercase() {
            // Allowed after Mc / Mac / O' / D' (part prefix), otherwise CamelCase.
            let part = rest.get(part_start_text..i).unwrap_or("");
            if prev_upper || !matches!(part, "Mc" | "Mac" | "De" | "Di" | "La" | "Le") {
                return None;
            }
            prev_upper = true;
            end = i + c.len_utf8();
            chars.next();
        } else if c == '-' || c == '\'' || c == '’' {
            // Join only when an upper-case letter (or a lower-case one after O'/D') follows.
            let mut look = chars.clone();
            look.next();
            match look.peek() {
                Some(&(j, n)) if n.is_uppercase() => {
                    chars.next();
                    chars.next();
                    part_start_text = j;
                    prev_upper = true;
                    lower_run = 0;
                    end = j + n.len_utf8();
                }
                _ => break,
            }
        } else if crate::scan::is_alnum(c) || c == '_' {
            return None;
        } else {
            break;
        }
    }
    if lower_run == 0 && end <= first.len_utf8() {
        return None;
    }
    if lower_run == 0 {
        return None;
    }
    Some(end)
}

fn prev_word(text: &str, s: usize) -> Option<(usize, usize)> {
    match prev_word_ascii(text.as_bytes(), s) {
        Ok(r) => r,
        Err(NonAscii) => prev_word_chars(text, s),
    }
}

/// [`prev_word`] over ASCII bytes; `Err` as soon as a non-ASCII byte matters.
fn prev_word_ascii(b: &[u8], s: usize) -> Result<Option<(usize, usize)>, NonAscii> {
    let mut j = s.min(b.len());
    let mut gap = 0;
    while let Some(j1) = j.checked_sub(1) {
        let c = *b.get(j1).ok_or(NonAscii)?;
        if c >= 0x80 {
            return Err(NonAscii);
        }
        if c.is_ascii_alphanumeric() || c == b'_' || c == b'\'' {
            break;
        }
        // Only blanks and light punctuation between a trigger and the name.
        if gap == 4
            || !matches!(
                c,
                b' ' | b'\t' | b',' | b':' | b'\n' | b'\r' | b'.' | b';' | b'@' | b'('
            )
        {
            // The gap (the whole trailing run of such characters) has more than
            // four characters or one outside the list, whatever precedes it.
            return Ok(None);
        }
        gap += 1;
        j = j1;
    }
    let end = j;
    let mut start = end;
    while let Some(k1) = start.checked_sub(1) {
        let c = *b.get(k1).ok_or(NonAscii)?;
        if c >= 0x80 {
            return Err(NonAscii);
        }
        if c.is_ascii_alphanumeric() || c == b'_' || c == b'\'' {
            start = k1;
        } else {
            break;
        }
    }
    if start == end {
        return Ok(None);
    }
    Ok(Some((start, end)))
}

fn prev_word_chars(text: &str, s: usize) -> Option<(usize, usize)> {
    let before = text.get(..s)?;
    let trimmed = before.trim_end_matches(|c: char| !is_word_char(c) && c != '\'');
    let gap = before.get(trimmed.len()..)?;
    // Only blanks and light punctuation between a trigger and the name.
    if gap.chars().count() > 4
        || gap.chars().any(|c| {
            !matches!(
                c,
                ' ' | '\t' | ',' | ':' | '\n' | '\r' | '.' | ';' | '@' | '('
            )
        })
    {
        return None;
    }
    let end = trimmed.len();
    let start = trimmed
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word_char(*c) || *c == '\'')
        .last()
        .map(|(i, _)| i)?;
    Some((start, end))
}

fn is_in(list: &[&str], w: &str) -> bool {
    list.contains(&w)
}

/// The maximal run of word and non-ASCII bytes just before a token's run
/// ([`Masks::runs`]).
#[derive(Debug, Clone, Copy)]
struct PrevRun {
    start: usize,
    end: usize,
    high: bool,
}

/// The light punctuation [`prev_word`] allows between a context word and a name.
fn is_gap_byte(c: u8) -> bool {
    matches!(
        c,
        b' ' | b'\t' | b',' | b':' | b'\n' | b'\r' | b'.' | b';' | b'@' | b'('
    )
}

impl PrevRun {
    /// Whether the word before `s` may be an honorific: `false` only when the
    /// run settles that it is not one (no word, or an ASCII word whose length
    /// or first letter no honorific has; the ASCII honorifics are 2 to 8
    /// letters long and start with `d f h i m p s`).
    fn may_be_honorific(self, b: &[u8], s: usize) -> bool {
        match self.prev_word(b, s) {
            None => true,
            Some(None) => false,
            Some(Some((ps, pe))) => {
                (2..=8).contains(&(pe - ps))
                    && b.get(ps).is_some_and(|c| {
                        matches!(
                            c.to_ascii_lowercase(),
                            b'd' | b'f' | b'h' | b'i' | b'm' | b'p' | b's'
                        )
                    })
            }
        }
    }

    /// [`prev_word`] at `s`, the start of the run after this one, from the
    /// run's bounds: `Some(answer)` when they settle it, `None` when the
    /// byte-level scan is needed (an apostrophe in the gap or before the run,
    /// non-ASCII bytes).
    fn prev_word(self, b: &[u8], s: usize) -> Option<Option<(usize, usize)>> {
        let gap = b.get(self.end..s)?;
        // Gap bytes are ASCII non-word bytes: one look at each of a short gap.
        if gap.len() > 4 {
            return if gap.contains(&b'\'') {
                None
            } else {
                Some(None)
            };
        }
        let mut light = true;
        for &c in gap {
            if c == b'\'' {
                return None;
            }
            light &= is_gap_byte(c);
        }
        if !light {
            return Some(None);
        }
        if self.high || (self.start > 0 && b.get(self.start - 1) == Some(&b'\'')) {
            return None;
        }
        Some(Some((self.start, self.end)))
    }
}

/// What precedes a token: an `@`, and the previous word with its [`CONTEXT`] flags.
#[derive(Debug, Clone, Copy)]
struct Before {
    at_sign: bool,
    word: Option<(usize, usize)>,
    flags: u8,
}

impl Before {
    fn of(text: &str, s: usize, gz: &Gazetteer, prev_run: Option<PrevRun>) -> Self {
        let at_sign = s > 0 && text.as_bytes().get(s - 1) == Some(&b'@');
        // A word settled by the run before is ASCII (`PrevRun::prev_word`).
        let (word, ascii) = match prev_run.and_then(|p| p.prev_word(text.as_bytes(), s)) {
            Some(w) => (w, true),
            None => {
                let w = prev_word(text, s);
                let ascii = w.is_some_and(|(ps, pe)| {
                    text.as_bytes().get(ps..pe).is_some_and(<[u8]>::is_ascii)
                });
                (w, ascii)
            }
        };
        let flags = word.map_or(0, |(ps, pe)| gz.context_flags_at(text, ps, pe, ascii));
        Self {
            at_sign,
            word,
            flags,
        }
    }

    /// Is the word before a greeting, role word, honorific or pair trigger?
    fn triggered(&self, text: &str) -> bool {
        if self.at_sign || self.flags & (TRIGGER | HONORIFIC) != 0 {
            return true;
        }
        let Some((ps, pe)) = self.word else {
            return false;
        };
        if self.flags & PAIR_SECOND == 0 {
            return false;
        }
        let gz = &*GAZETTEER;
        let Some(p) = text.get(ps..pe) else {
            return false;
        };
        let Some((qs, qe)) = prev_word(text, ps) else {
            return false;
        };
        if gz.flags_at(text, qs, qe) & PAIR_FIRST == 0 {
            return false;
        }
        let Some(q) = text.get(qs..qe) else {
            return false;
        };
        with_lower(p, |p| {
            with_lower(q, |q| PAIR_TRIGGERS.iter().any(|(a, b)| *a == q && *b == p))
        })
    }

    fn honorific(&self) -> bool {
        self.word.is_some() && self.flags & HONORIFIC != 0
    }
}

/// Is the word before `s` a greeting, role word, honorific or pair trigger?
fn triggered_before(text: &str, s: usize) -> bool {
    Before::of(text, s, &GAZETTEER, None).triggered(text)
}

/// Finds person names: the run's directory and, when `non_users`, people who
/// are not users (gazetteer and context). One walk over the runs of `masks`
/// feeds both, and calls `per_run(start, end, has_non_ascii, class, pair)`
/// first for every run (the other word-driven detectors; `class` is the
/// [`crate::scan::CLASS`] of its first byte, `pair` the [`pair_key`] of the
/// word at its start when the directory or `secrets` needs it, else 0).
/// Directory spans go to `out`, non-user spans to `found` (both cleared first).
pub(crate) fn walk_runs(
    directory: &Directory,
    (non_users, secrets): (bool, bool),
    text: &str,
    masks: &Masks,
    found: &mut Vec<Span>,
    out: &mut Vec<Span>,
    mut per_run: impl FnMut(usize, usize, bool, u8, usize),
) {
    let gz = &*GAZETTEER;
    let b = text.as_bytes();
    let dir_on = !directory.words.is_empty();
    found.clear();
    out.clear();
    let mut dir_floor = 0;
    let mut nu_floor = 0;
    let mut last_ctx_end: Option<usize> = None;
    let mut prev_run: Option<PrevRun> = None;
    for (s, e, high, under) in masks.runs() {
        let class = b
            .get(s)
            .and_then(|c| crate::scan::CLASS.get(usize::from(*c)))
            .copied()
            .unwrap_or(0);
        // The word at the run's start (to its first `_`) and its pair key,
        // for the directory's and the secrets' filters.
        let (word_end, k) = if dir_on || secrets {
            let word_end = if under { masks.alnum_end(s) } else { e };
            (word_end, pair_key(b, s, word_end))
        } else {
            (e, 0)
        };
        per_run(s, e, high, class, k);
        let before = prev_run.replace(PrevRun {
            start: s,
            end: e,
            high,
        });
        if dir_on {
            let found_before = out.len();
            dir_floor = directory.find_in_run(text, (s, e, high), (word_end, k), dir_floor, out);
            // One directory name over this run and nothing after it that a
            // name could run on into or a list go on with: what the non-user
            // scan finds inside it changes nothing, so it is not scanned.
            if non_users && out.len() != found_before {
                nu_floor = skip_to(text, (s, e), dir_floor, out.get(found_before..), nu_floor);
            }
        }
        // Only runs that start with something other than an ASCII lower-case
        // letter, digit or `_` can hold a capitalised token.
        if non_users && e > nu_floor {
            let from = s.max(nu_floor);
            if from == s
                && class & (crate::scan::LOWER | crate::scan::DIGIT | crate::scan::UNDERSCORE) != 0
            {
                continue;
            }
            // `before` is the run just before `s`: a hint only when the scan
            // starts at `s`.
            let hint = if from == s { before } else { None };
            nu_floor = non_users_range(text, from, e, gz, &mut last_ctx_end, hint, found);
        }
    }
}

#[cfg(test)]
thread_local! {
    /// Turns off, on this thread, the skip of the non-user scan over a
    /// directory name ([`nothing_joins`]): the test that it changes no output.
    static SKIP_OFF: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[cfg(test)]
fn skip_off() -> bool {
    SKIP_OFF.with(std::cell::Cell::get)
}

#[cfg(not(test))]
#[inline(always)]
fn skip_off() -> bool {
    false
}

/// Where the non-user scan goes on after the directory found `found` in the
/// run `s..e` (and went on to `dir_floor`): past one match over the run that
/// nothing can join ([`nothing_joins`]), else at `nu_floor`.
#[cold]
#[inline(never)]
fn skip_to(
    text: &str,
    (s, e): (usize, usize),
    dir_floor: usize,
    found: Option<&[Span]>,
    nu_floor: usize,
) -> usize {
    match found {
        Some([m])
            if !skip_off()
                && m.start <= s
                && m.end == dir_floor
                && dir_floor >= e
                && nothing_joins(text, dir_floor) =>
        {
            nu_floor.max(dir_floor)
        }
        _ => nu_floor,
    }
}

/// Whether nothing after a name ending at `end` can join it ([`extend`]: a
/// blank then a capitalised token, an initial or a particle; a hyphen or an
/// apostrophe) or go on with a list of names ([`list_gap`]: a comma or a
/// joining word, then a capitalised token).
fn nothing_joins(text: &str, end: usize) -> bool {
    let b = text.as_bytes();
    match b.get(end) {
        None => true,
        Some(b' ') => match b.get(end + 1) {
            Some(c) if c.is_ascii_digit() => true,
            Some(c) if c.is_ascii_lowercase() => {
                let rest = text.get(end + 1..).unwrap_or("");
                let word = rest
                    .split(|c: char| !c.is_ascii_lowercase())
                    .next()
                    .unwrap_or("");
                particle_len(rest).is_none() && !list_gap(text.get(end..end + word.len() + 2))
            }
            _ => false,
        },
        // After a comma a list goes on only with a capitalised token or `and`.
        Some(b',') => {
            let after = if b.get(end + 1) == Some(&b' ') {
                end + 2
            } else {
                end + 1
            };
            b.get(after)
                .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                && b.get(after..after + 3) != Some(b"and")
        }
        Some(&c) => c.is_ascii() && !c.is_ascii_alphanumeric() && !matches!(c, b'-' | b'\'' | b'_'),
    }
}

/// The byte-by-byte scan for capitalised tokens over `from..to`; returns where
/// it stopped (past `to` after a name that runs on).
fn non_users_range(
    text: &str,
    from: usize,
    to: usize,
    gz: &Gazetteer,
    last_ctx_end: &mut Option<usize>,
    prev_run: Option<PrevRun>,
    out: &mut Vec<Span>,
) -> usize {
    let b = text.as_bytes();
    // `from..to` lies in one run of word and non-ASCII bytes: skipping the
    // rest of a word inside it goes to `to`.
    let mut i = from;
    while i < to {
        let Some(&c) = b.get(i) else { break };
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' {
            // Skip the rest of this word.
            i = to;
            continue;
        }
        if c < 0x80 && !c.is_ascii_uppercase() {
            i += 1;
            continue;
        }
        let first_len = if c < 0x80 {
            // An ASCII capital.
            1
        } else {
            if !text.is_char_boundary(i) {
                i += 1;
                continue;
            }
            let first = text.get(i..).and_then(|r| r.chars().next()).unwrap_or(' ');
            if !first.is_uppercase() {
                i += first.len_utf8().max(1);
                continue;
            }
            first.len_utf8()
        };
        let rest = text.get(i..).unwrap_or("");
        // A capitalised token: preceded by a word character means mid-word.
        let mid_word = match i.checked_sub(1).and_then(|p| b.get(p)) {
            None => false,
            Some(&p) if p < 0x80 => p.is_ascii_alphanumeric() || p == b'_',
            Some(_) => text
                .get(..i)
                .and_then(|t| t.chars().next_back())
                .is_some_and(is_word_char),
        };
        if mid_word {
            i += first_len;
            continue;
        }
        // `plain`: letters only (an ASCII capital, then lower case).
        let token = match name_token_plain(rest.as_bytes()) {
            Some(len) => Some((len, true)),
            None => name_token_other(rest).map(|len| (len, false)),
        };
        let Some((len, plain)) = token else {
            i = to;
            i = i.max(1);
            while i < b.len() && !text.is_char_boundary(i) {
                i += 1;
            }
            continue;
        };
        let (s, e) = (i, i + len);
        // The run before is only the word before for a token at `from`.
        let hint = if s == from { prev_run } else { None };
        match classify(text, s, e, plain, gz, *last_ctx_end, hint) {
            Some((end, ctx)) => {
                out.push(Span::new(s, end, Kind::Person));
                *last_ctx_end = ctx.then_some(end);
                i = end;
            }
            None => i = e,
        }
    }
    i
}

/// Whether `gap` joins two names of a list (`, `, ` and `, ` & `, …).
fn list_gap(gap: Option<&str>) -> bool {
    matches!(
        gap,
        Some(", " | "," | " and " | " & " | ", and " | " und " | " et " | " e " | " y ")
    )
}

/// Decides whether the token `s..e` starts a name; returns the name's end and
/// whether it was found by context (so a following `, Name` list continues it).
fn classify(
    text: &str,
    s: usize,
    e: usize,
    plain: bool,
    gz: &Gazetteer,
    last_ctx_end: Option<usize>,
    prev_run: Option<PrevRun>,
) -> Option<(usize, bool)> {
    if code_context(text, s, e) {
        return None;
    }
    let (given, surname, word, stop) = if plain {
        lookup_plain(text, s, e, gz)
    } else {
        let w = text.get(s..e)?;
        lookup(text, s, e, head_of(w), gz)
    };
    let name_like = !word || given || surname;
    // The word before, looked at once and only when needed.
    let mut before: Option<Before> = None;
    let mut before_of = || *before.get_or_insert_with(|| Before::of(text, s, gz, prev_run));
    // For name-like tokens an honorific is one of the triggers looked at below.
    let honorific = (stop || !name_like)
        && prev_run.is_none_or(|p| p.may_be_honorific(text.as_bytes(), s))
        && before_of().honorific();
    if stop && !honorific {
        return None;
    }
    let possessive = text
        .get(e..)
        .is_some_and(|r| r.starts_with("'s") || r.starts_with("’s"));
    let list_continuation = last_ctx_end.is_some_and(|end| list_gap(text.get(end..s)));
    // The context look-behind only matters for tokens that may be names.
    let eligible = name_like || honorific;
    if eligible && (honorific || list_continuation || before_of().triggered(text)) {
        return Some((extend(text, e, gz, true), true));
    }
    // "Given Surname" adjacency.
    if given {
        if let Some((ns, ne)) = next_name_token(text, e) {
            let f = gz.flags_at(text, ns, ne);
            let (n_surname, n_word, n_stop) = (f & SURNAME != 0, f & WORD != 0, f & STOP != 0);
            let ok = if word {
                n_surname && !n_word
            } else {
                !n_stop && (n_surname || !n_word)
            };
            if ok {
                return Some((extend(text, e, gz, false), false));
            }
        }
        if !word && !sentence_start_code(text, s, e) {
            return Some((e, false));
        }
    }
    // A possessive of a capitalised token that is no ordinary word: "Gaia's laptop".
    if possessive && (given || !word) {
        return Some((e, false));
    }
    // Two capitalised name-like tokens, neither an ordinary word, one of them a
    // known given name or surname: "Gustave Michaud reported".
    if !word && let Some((ns, ne)) = next_name_token(text, e) {
        let next = text.get(ns..ne)?;
        let n_head = head_of(next);
        let (n_given, n_surname, n_word, n_stop) = lookup(text, ns, ne, n_head, gz);
        if !n_word && !n_stop && (given || surname || n_surname || n_given) {
            return Some((extend(text, e, gz, false), false));
        }
    }
    None
}

/// The first part of a token: up to its first `-`, `'` or `’`.
fn head_of(w: &str) -> &str {
    let b = w.as_bytes();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'-' || c == b'\'' || (c == 0xe2 && b.get(i + 1..i + 3) == Some(&[0x80, 0x99][..]))
        {
            return w.get(..i).unwrap_or(w);
        }
        i += 1;
    }
    w
}

/// (given, surname, ordinary word, stop word) for a token, trying the
/// diacritic-folded spelling too (`Jérôme` → `jerome`).
fn lookup(text: &str, s: usize, e: usize, head: &str, gz: &Gazetteer) -> (bool, bool, bool, bool) {
    let mut f = gz.flags_at(text, s, e);
    let mut h = if s + head.len() == e {
        f
    } else {
        gz.flags_at(text, s, s + head.len())
    };
    if !text.get(s..e).is_some_and(str::is_ascii) {
        h |= folded_flags(head, gz);
    }
    let names = (f | h) & (GIVEN | SURNAME);
    f = (f & (WORD | STOP)) | names;
    (
        f & GIVEN != 0,
        f & SURNAME != 0,
        f & WORD != 0,
        f & STOP != 0,
    )
}

/// [`lookup`] of a token of ASCII letters only (its own head).
fn lookup_plain(text: &str, s: usize, e: usize, gz: &Gazetteer) -> (bool, bool, bool, bool) {
    let f = gz.flags_at(text, s, e);
    (
        f & GIVEN != 0,
        f & SURNAME != 0,
        f & WORD != 0,
        f & STOP != 0,
    )
}

/// Standalone given names are taken unless the token looks like a heading or code.
fn sentence_start_code(text: &str, s: usize, e: usize) -> bool {
    code_context(text, s, e)
}

/// The next name-like token after `e` separated by exactly one space.
fn next_name_token(text: &str, e: usize) -> Option<(usize, usize)> {
    let rest = text.get(e..)?;
    let after = rest.strip_prefix(' ')?;
    let ns = e + 1;
    let len = name_token(after)?;
    let ne = ns + len;
    if code_context(text, ns, ne) {
        return None;
    }
    Some((ns, ne))
}

/// The length of the [`PARTICLES`] word that `s` starts with, up to its first
/// space (or the end), if it is one. Only the first bytes are looked at: no
/// particle is longer than five.
fn particle_len(s: &str) -> Option<usize> {
    const LONGEST: usize = 5;
    let b = s.as_bytes();
    let n = b
        .iter()
        .take(LONGEST + 1)
        .position(|&c| c == b' ')
        .unwrap_or(b.len());
    (n <= LONGEST && is_in(PARTICLES, s.get(..n)?)).then_some(n)
}

/// Extends a name over following capitalised parts, initials (`J.`) and
/// particles (`van der`), up to three more parts.
fn extend(text: &str, mut e: usize, gz: &Gazetteer, lenient: bool) -> usize {
    for _ in 0..3 {
        let Some(rest) = text.get(e..) else { break };
        let Some(after) = rest.strip_prefix(' ') else {
            break;
        };
        // Initial: "J. " followed by a name.
        let ab = after.as_bytes();
        if ab.len() >= 3
            && ab.first().is_some_and(u8::is_ascii_uppercase)
            && ab.get(1) == Some(&b'.')
            && ab.get(2) == Some(&b' ')
        {
            if let Some(len) = after.get(3..).and_then(name_token) {
                e = e + 1 + 3 + len;
                continue;
            }
            break;
        }
        // Particles: "van der Berg", "da Silva".
        if let Some(pl) = particle_len(after) {
            let tail = after.get(pl..).unwrap_or("");
            if let Some(t) = tail.strip_prefix(' ') {
                if let Some(len) = name_token(t) {
                    e = e + 1 + pl + 1 + len;
                    continue;
                }
                if let Some(p2) = particle_len(t) {
                    let t2 = t.get(p2..).unwrap_or("");
                    if let Some(len) = t2.strip_prefix(' ').and_then(name_token) {
                        e = e + 1 + pl + 1 + p2 + 1 + len;
                        continue;
                    }
                }
            }
            break;
        }
        let Some((ns, ne)) = next_name_token(text, e) else {
            break;
        };
        let f = gz.flags_at(text, ns, ne);
        let (n_surname, n_given, n_word, n_stop) = (
            f & SURNAME != 0,
            f & GIVEN != 0,
            f & WORD != 0,
            f & STOP != 0,
        );
        let ok = !n_stop && (n_surname || n_given || (lenient || !n_word));
        if !ok {
            break;
        }
        e = ne;
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<&str> {
        let mut v = Vec::new();
        let directory = Directory::new(&[]).unwrap();
        let mut found = Vec::new();
        let masks = Masks::new(text.as_bytes());
        walk_runs(
            &directory,
            (true, false),
            text,
            &masks,
            &mut found,
            &mut v,
            |_, _, _, _, _| {},
        );
        v.append(&mut found);
        v.iter().map(|s| &text[s.start..s.end]).collect()
    }

    #[test]
    fn context_and_adjacency() {
        assert_eq!(names("Hi Jürgen, the export fails."), vec!["Jürgen"]);
        assert_eq!(
            names("Customer Jean-Pierre Dubois called."),
            vec!["Jean-Pierre Dubois"]
        );
        assert_eq!(
            names("cc Anna Schmidt, Klaus Meyer"),
            vec!["Anna Schmidt", "Klaus Meyer"]
        );
        assert_eq!(names("Maria Gonzalez reported it"), vec!["Maria Gonzalez"]);
        assert_eq!(names("Spoke with Mr. O'Brien today"), vec!["O'Brien"]);
        assert_eq!(
            names("Customer Ludwig van Beethoven called"),
            vec!["Ludwig van Beethoven"]
        );
    }

    #[test]
    fn honorific_shortcut_covers_every_ascii_honorific() {
        let text = "x y";
        for h in HONORIFICS.iter().filter(|h| h.is_ascii()) {
            let t = format!("{h} Name");
            let run = PrevRun {
                start: 0,
                end: h.len(),
                high: false,
            };
            assert!(run.may_be_honorific(t.as_bytes(), h.len() + 1), "{h}");
        }
        let run = PrevRun {
            start: 0,
            end: 1,
            high: false,
        };
        assert!(!run.may_be_honorific(text.as_bytes(), 2));
    }

    #[test]
    fn code_and_words_survive() {
        assert!(names("Hi Team, UserService threw NullPointerException in Foo.bar").is_empty());
        assert!(names("Please Deploy the Release to Staging on Monday").is_empty());
        assert!(names("Thanks Jenkins for the build").is_empty());
        assert!(names("Will this work? Mark it done.").is_empty());
    }

    #[test]
    fn particles_are_read_up_to_the_first_space() {
        assert!(PARTICLES.iter().all(|p| p.len() <= 5));
        for p in PARTICLES {
            assert_eq!(particle_len(p), Some(p.len()), "{p}");
            assert_eq!(particle_len(&format!("{p} Berg")), Some(p.len()), "{p}");
            assert_eq!(particle_len(&format!("{p}x Berg")), None, "{p}");
        }
        assert_eq!(particle_len("vanilla bean"), None);
        assert_eq!(particle_len(""), None);
        assert_eq!(particle_len(" van"), None);
    }

    #[test]
    fn continuation_filter_only_skips_walks_that_cannot_match() {
        let people: Vec<Person> = [
            "Ada Lovelace",
            "Jean-Pierre Dubois",
            "Kelly O'Brien",
            "José Álvarez",
            "Anne Marie Smith",
            "Li Wei",
            "Ada Byron",
            "Dr. Ada Lee",
        ]
        .into_iter()
        .map(Person::new)
        .collect();
        let filtered = Directory::new(&people).unwrap();
        let mut reference = Directory::new(&people).unwrap();
        for e in &mut reference.entries {
            e.continuations = u64::MAX;
        }
        let spans = |d: &Directory, text: &str| {
            let (mut found, mut out) = (Vec::new(), Vec::new());
            let masks = Masks::new(text.as_bytes());
            walk_runs(
                d,
                (false, false),
                text,
                &masks,
                &mut found,
                &mut out,
                |_, _, _, _, _| {},
            );
            out.iter().map(|s| (s.start, s.end)).collect::<Vec<_>>()
        };
        let firsts = [
            "Ada", "ada", "ADA", "Jean", "Kelly", "José", "Anne", "Li", "Dr", "Lovelace",
        ];
        let seps = [
            "", " ", "  ", ", ", ",", "-", "'", ". ", "_", "é", "\u{2019}", "\n",
        ];
        let seconds = [
            "Lovelace", "lovelace", "Byron", "Pierre", "O'Brien", "Marie", "Wei", "Ada", "x",
            "Álvarez", "9",
        ];
        let mut n = 0;
        for f in firsts {
            for sep in seps {
                for second in seconds {
                    for tail in ["", " Smith", " Lee", ", Ada", "x"] {
                        let text = format!("cc {f}{sep}{second}{tail} ok");
                        assert_eq!(
                            spans(&filtered, &text),
                            spans(&reference, &text),
                            "{text:?}"
                        );
                        n += 1;
                    }
                }
            }
        }
        assert!(n > 5000);
        // The filter does reject: `Ada` then `, we` starts no form.
        let rest = b", we";
        let ada = filtered
            .words
            .get("ada")
            .and_then(|k| filtered.entries.get(k as usize));
        assert!(ada.is_some_and(|e| e.multi && !continues(rest, e.continuations)));
    }

    #[test]
    fn skipping_the_non_user_scan_over_directory_names_changes_nothing() {
        let people = [
            "Ada Lovelace",
            "Kelly O'Brien",
            "José Álvarez",
            "Li Wei",
            "Mark Stone",
        ]
        .map(Person::new);
        let scrubber = crate::Scrubber::builder()
            .with_people(people)
            .build()
            .unwrap();
        let scrub = |text: &str, off: bool| {
            SKIP_OFF.with(|c| c.set(off));
            let out = scrubber.scrub(text);
            SKIP_OFF.with(|c| c.set(false));
            (out.text.into_owned(), out.findings)
        };
        let befores = [
            "",
            "Hi ",
            "cc ",
            "Dr. ",
            "Thanks, ",
            "the customer ",
            "Bob and ",
        ];
        let names = [
            "Ada Lovelace",
            "ada lovelace",
            "Lovelace, Ada",
            "Ada",
            "Lovelace",
            "Kelly O'Brien",
            "José Álvarez",
            "Li",
            "Mark",
        ];
        let afters = [
            "",
            " ",
            ".",
            ",",
            ", Bob",
            " and Bob",
            " & Bob",
            " e Bob",
            " y María",
            " und Jörg",
            " van Berg",
            " de la Cruz",
            " Smith",
            " J. Smith",
            "'s laptop",
            "\u{2019}s",
            "-Smith",
            " moved this",
            " 42",
            "\nRegards",
            ":",
            " Summer",
            " (QA)",
            " ÉMILE",
            ", we",
            ",we",
            ", and Bob",
            ",and Bob",
            ",  Bob",
            ", 42",
            ", é",
            ",Bob",
            ", andrea Bob",
        ];
        let mut n = 0;
        let mut skipped = 0;
        for before in befores {
            for name in names {
                for after in afters {
                    for tail in ["", " ok", " Monday"] {
                        let text = format!("{before}{name}{after}{tail}");
                        let on = scrub(&text, false);
                        assert_eq!(on, scrub(&text, true), "{text:?}");
                        n += 1;
                        let b = text.as_bytes();
                        let end = before.len() + name.len();
                        skipped +=
                            usize::from(nothing_joins(&text, end) && b.get(before.len()).is_some());
                    }
                }
            }
        }
        assert!(n > 4000);
        // The cases do take the skip, and the ones it must not take.
        assert!(skipped > 1000, "{skipped}");
        assert!(nothing_joins("Ada Lovelace moved", 12));
        assert!(nothing_joins("Ada Lovelace.", 12));
        assert!(nothing_joins("Ada Lovelace", 12));
        assert!(nothing_joins("Ada Lovelace, we", 12));
        assert!(nothing_joins("Ada Lovelace,4", 12));
        for after in [
            " Smith",
            ", Bob",
            ",Bob",
            ", and Bob",
            ",and Bob",
            ",  Bob",
            " and Bob",
            " van Berg",
            "'s",
            "-Smith",
            " É",
        ] {
            assert!(
                !nothing_joins(&format!("Ada Lovelace{after}"), 12),
                "{after:?}"
            );
        }
    }

    #[test]
    fn the_hand_walk_finds_what_the_searcher_finds() {
        use aho_corasick::{AhoCorasick, Input, StartKind};
        let forms = [
            "Ada Lovelace",
            "Lovelace, Ada",
            "Ada",
            "Ada Lovelace-Byron",
            "Li Wei",
            "Li",
            "José Álvarez",
            "Anne Marie Smith",
            "Anne Marie",
        ];
        let searcher = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Anchored)
            .build(forms)
            .unwrap();
        let contiguous = aho_corasick::nfa::contiguous::NFA::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(forms)
            .unwrap();
        let noncontiguous = aho_corasick::nfa::noncontiguous::NFA::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(forms)
            .unwrap();
        let texts = [
            "cc ada lovelace-byron and LI WEI, Lovelace, Ada.",
            "Anne Marie Smithers met Anne Marie and José Álvarez",
            "AdaAda Lovelac Li Wei Lovelace,Ada Anne Mari",
        ];
        let mut n = 0;
        for text in texts {
            for s in 0..text.len() {
                let want = searcher
                    .find(Input::new(text).span(s..text.len()).anchored(Anchored::Yes))
                    .map(|m| (m.pattern(), m.end()));
                assert_eq!(
                    longest_at(&contiguous, text.as_bytes(), s),
                    want,
                    "{text:?} {s}"
                );
                assert_eq!(
                    longest_at(&noncontiguous, text.as_bytes(), s),
                    want,
                    "{text:?} {s}"
                );
                n += usize::from(want.is_some());
            }
        }
        assert!(n >= 10, "{n}");
    }
}
