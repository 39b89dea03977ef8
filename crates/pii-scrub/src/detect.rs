//! Structured detectors: one multi-pattern regex (a single lazy-DFA pass over the
//! text) whose candidates are confirmed by validators (Luhn, mod 97, octet ranges,
//! std IPv6 parsing, SSN and NINO rules, phone structure, entropy).

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use regex_automata::{
    Anchored, Input, MatchKind,
    meta::{self, Regex},
    util::syntax,
};

use crate::scan::{Masks, is_alnum, is_alpha};
use crate::{Detectors, Error, Kind, Result};

/// A found value: byte range in the text and its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) kind: Kind,
    /// Directory person index (for pseudonyms), `u32::MAX` when not a directory match.
    pub(crate) person: u32,
}

impl Span {
    pub(crate) const fn new(start: usize, end: usize, kind: Kind) -> Self {
        Self {
            start,
            end,
            kind,
            person: u32::MAX,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Det {
    Pem,
    AuthHeader,
    Bearer,
    Token,
    UrlUserinfo,
    UrlQuery,
    Assignment,
    ContextEntropy,
}

impl Det {
    const fn kind(self) -> Kind {
        match self {
            Det::Pem
            | Det::AuthHeader
            | Det::Bearer
            | Det::Token
            | Det::Assignment
            | Det::ContextEntropy => Kind::Secret,
            Det::UrlUserinfo | Det::UrlQuery => Kind::UrlCredentials,
        }
    }
}

// `B` is an ASCII word boundary: Unicode `\b` would force the slow engines on
// non-ASCII text, and every pattern here starts and ends on ASCII characters.
const PATTERNS: &[(Det, &str)] = &[
    (
        Det::Pem,
        r"-----BEGIN[ A-Z0-9]*PRIVATE KEY-----(?:[A-Za-z0-9+/=\r\n\t :,.\-]*?-----END[ A-Z0-9]*PRIVATE KEY-----|[A-Za-z0-9+/=\r\n\t :,.]*)",
    ),
    (
        Det::AuthHeader,
        r#"(?-u:\b)(?:authorization|Authorization|AUTHORIZATION|proxy\-authorization|Proxy\-authorization|PROXY\-AUTHORIZATION)["']?[ \t]*[:=][ \t]*["']?(?:(?:bearer|Bearer|BEARER|basic|Basic|BASIC|token|Token|TOKEN|digest|Digest|DIGEST|negotiate|Negotiate|NEGOTIATE|apikey|Apikey|APIKEY|bot|Bot|BOT|sso\-key|Sso\-key|SSO\-KEY|ntlm|Ntlm|NTLM|aws4\-hmac\-sha256|Aws4\-hmac\-sha256|AWS4\-HMAC\-SHA256)[ \t]+)?[A-Za-z0-9._~+/=:,\-]{6,}"#,
    ),
    (
        Det::Bearer,
        r"(?-u:\b)(?:bearer|Bearer|BEARER)[ \t]+[A-Za-z0-9._~+/\-]{16,}=*",
    ),
    (
        Det::Token,
        concat!(
            r"(?-u:\b)(?:",
            r"(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}",
            r"|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,}",
            r"|gl(?:pat|dt|rt|ptt|cbt|oas|ft|imt|soat)-[A-Za-z0-9_\-]{20,}",
            r"|xox[abposre]-[A-Za-z0-9\-]{10,}|xapp-[0-9]-[A-Za-z0-9\-]{10,}",
            r"|(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9]{24,}",
            r"|AIza[0-9A-Za-z_\-]{30,}|ya29\.[0-9A-Za-z_\-]{20,}|GOCSPX-[0-9A-Za-z_\-]{20,}",
            r"|AT(?:ATT|CTT|OAT)[A-Za-z0-9_=\-]{40,}",
            r"|eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]*",
            r"|npm_[A-Za-z0-9]{30,}|sk-(?:proj-|ant-)?[A-Za-z0-9_\-]{32,}|SG\.[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{16,}",
            r"|SK[0-9a-f]{32,}|hf_[A-Za-z]{30,}|dop_v1_[a-f0-9]{32,}|shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32,}",
            r")",
            r"|hooks\.slack\.com/services/[A-Za-z0-9/_]+",
        ),
    ),
    (Det::UrlUserinfo, r"://[A-Za-z0-9._~%!$&'()*+,;=:\-]+@"),
    (
        Det::UrlQuery,
        r"[?&;](?:access_token|Access_token|ACCESS_TOKEN|id_token|Id_token|ID_TOKEN|refresh_token|Refresh_token|REFRESH_TOKEN|auth_token|Auth_token|AUTH_TOKEN|token|Token|TOKEN|api_key|Api_key|API_KEY|apikey|Apikey|APIKEY|api\-key|Api\-key|API\-KEY|key|Key|KEY|sig|Sig|SIG|signature|Signature|SIGNATURE|password|Password|PASSWORD|passwd|Passwd|PASSWD|pwd|Pwd|PWD|secret|Secret|SECRET|client_secret|Client_secret|CLIENT_SECRET|auth|Auth|AUTH|code|Code|CODE|session|Session|SESSION|sessionid|Sessionid|SESSIONID|session_id|Session_id|SESSION_ID|sid|Sid|SID|jwt|Jwt|JWT|private_token|Private_token|PRIVATE_TOKEN|x\-amz\-signature|X\-amz\-signature|X\-AMZ\-SIGNATURE|x\-amz\-credential|X\-amz\-credential|X\-AMZ\-CREDENTIAL|x\-amz\-security\-token|X\-amz\-security\-token|X\-AMZ\-SECURITY\-TOKEN|x\-goog\-signature|X\-goog\-signature|X\-GOOG\-SIGNATURE|x\-goog\-credential|X\-goog\-credential|X\-GOOG\-CREDENTIAL)=[A-Za-z0-9._~%+/=\-]+",
    ),
    (
        Det::Assignment,
        r#"(?:password|Password|PASSWORD|passwd|Passwd|PASSWD|pwd|Pwd|PWD|passphrase|Passphrase|PASSPHRASE|secret|Secret|SECRET|api_key|Api_key|API_KEY|api\-key|Api\-key|API\-KEY|apikey|Apikey|APIKEY|access_key|Access_key|ACCESS_KEY|access\-key|Access\-key|ACCESS\-KEY|private_key|Private_key|PRIVATE_KEY|private\-key|Private\-key|PRIVATE\-KEY|auth_token|Auth_token|AUTH_TOKEN|auth\-token|Auth\-token|AUTH\-TOKEN|access_token|Access_token|ACCESS_TOKEN|access\-token|Access\-token|ACCESS\-TOKEN|refresh_token|Refresh_token|REFRESH_TOKEN|refresh\-token|Refresh\-token|REFRESH\-TOKEN|client_secret|Client_secret|CLIENT_SECRET|client\-secret|Client\-secret|CLIENT\-SECRET|token|Token|TOKEN|credential|Credential|CREDENTIAL|credentials|Credentials|CREDENTIALS)[A-Za-z0-9_.\-]*["']?[ \t]*(?:=>|:=|=|:)"#,
    ),
    (
        Det::ContextEntropy,
        r"(?-u:\b)(?:token|Token|TOKEN|tokens|Tokens|TOKENS|secret|Secret|SECRET|secrets|Secrets|SECRETS|key|Key|KEY|keys|Keys|KEYS|credential|Credential|CREDENTIAL|credentials|Credentials|CREDENTIALS|password|Password|PASSWORD|passwords|Passwords|PASSWORDS|passwd|Passwd|PASSWD|apikey|Apikey|APIKEY|signature|Signature|SIGNATURE|bearer|Bearer|BEARER)(?-u:\b)",
    ),
];

/// Literals that start a match of [`PATTERNS`] anywhere (not only at a word
/// start); matched exactly, as the patterns spell them, as `(head, word)`:
/// `word` starts right after the ASCII punctuation that ends `head`, so it
/// always starts a run of [`crate::scan::Masks::runs`], and the walk over the
/// runs finds every occurrence without a pass of its own.
/// (`://` is found by the separator scan of [`Structured::candidates`].)
const ANYWHERE: &[(&str, &str)] = &[("-----", "BEGIN"), ("hooks.", "slack.com/services/")];

/// Literals that start a match of a `\b`-anchored pattern (tokens, the
/// `Authorization` header, `Bearer`, secret-like context words), matched ASCII
/// case-insensitively at ASCII word starts.
const AT_WORD_START: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "bearer",
    "akia",
    "asia",
    "agpa",
    "aida",
    "aroa",
    "aipa",
    "anpa",
    "anva",
    "abia",
    "acca",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "gldt-",
    "glrt-",
    "glptt-",
    "glcbt-",
    "gloas-",
    "glft-",
    "glimt-",
    "glsoat-",
    "xox",
    "xapp-",
    "sk_",
    "rk_",
    "pk_",
    "whsec_",
    "aiza",
    "ya29.",
    "gocspx-",
    "atatt",
    "atctt",
    "atoat",
    "eyj",
    "npm_",
    "sk-",
    "sg.",
    "sk0",
    "sk1",
    "sk2",
    "sk3",
    "sk4",
    "sk5",
    "sk6",
    "sk7",
    "sk8",
    "sk9",
    "ska",
    "skb",
    "skc",
    "skd",
    "ske",
    "skf",
    "hf_",
    "dop_v1_",
    "shpat_",
    "shpca_",
    "shppa_",
    "shpss_",
    "token",
    "secret",
    "key",
    "credential",
    "password",
    "passwd",
    "apikey",
    "signature",
];

/// Keywords of `password=`-style assignments: matched ASCII case-insensitively
/// anywhere inside the identifier run just before a `:` or `=`.
const ASSIGNMENT_KEYS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "api_key",
    "api-key",
    "apikey",
    "access_key",
    "access-key",
    "private_key",
    "private-key",
    "auth_token",
    "auth-token",
    "access_token",
    "access-token",
    "refresh_token",
    "refresh-token",
    "client_secret",
    "client-secret",
    "token",
    "credential",
];

/// Whether an identifier run may hold an [`ASSIGNMENT_KEYS`] keyword: every
/// keyword holds one of `pa`, `pw`, `se`, `ke`, `to`, `cr` (ASCII case-folded),
/// so a run without any of them needs no automaton.
fn may_hold_assignment_key(run: &[u8]) -> bool {
    run.windows(2).any(|w| match *w {
        [a, b] => matches!(
            (a | 0x20, b | 0x20),
            (b'p', b'a' | b'w') | (b's' | b'k', b'e') | (b't', b'o') | (b'c', b'r')
        ),
        _ => false,
    })
}

/// Bit per folded first three bytes of an [`AT_WORD_START`] literal.
const TRIGRAM_BITS: usize = 1 << 15;

fn trigram(b: &[u8]) -> Option<usize> {
    let f = |c: u8| usize::from((c | 0x20) & 0x1f);
    match *b {
        [x, y, z, ..] => Some((f(x) << 10) | (f(y) << 5) | f(z)),
        _ => None,
    }
}

/// The first eight bytes at the start of `b` (zero-padded), ASCII upper case
/// folded to lower case.
#[inline]
fn lower8(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    for (d, c) in a.iter_mut().zip(b) {
        *d = *c;
    }
    let x = u64::from_le_bytes(a);
    x | (crate::scan::between(x, 0x40, 0x5b) >> 2)
}

/// An [`AT_WORD_START`] literal, lower-cased, its first eight bytes packed.
#[derive(Debug)]
struct Literal {
    head: u64,
    mask: u64,
    tail: &'static [u8],
}

impl Literal {
    fn new(lit: &'static str) -> Self {
        let b = lit.as_bytes();
        let n = b.len().min(8);
        let mask = if n == 8 {
            u64::MAX
        } else {
            (1u64 << (8 * n)) - 1
        };
        Self {
            head: lower8(b) & mask,
            mask,
            tail: b.get(8..).unwrap_or_default(),
        }
    }

    /// Whether the literal starts `rest` (`head`: [`lower8`] of `rest`).
    #[inline]
    fn matches(&self, head: u64, rest: &[u8]) -> bool {
        head & self.mask == self.head
            && (self.tail.is_empty()
                || rest
                    .get(8..8 + self.tail.len())
                    .is_some_and(|r| r.eq_ignore_ascii_case(self.tail)))
    }
}

/// The compiled structured detectors.
#[derive(Debug)]
pub(crate) struct Structured {
    re: Option<Regex>,
    dets: Vec<Det>,
    /// The [`AT_WORD_START`] literals, sorted by [`trigram`].
    by_trigram: Vec<Literal>,
    /// Per [`trigram`]: its group in `groups` (0: none).
    group_of: Vec<u8>,
    /// The range of `by_trigram` of each group (group 0 is empty).
    groups: Vec<(u8, u8)>,
    /// [`crate::names::pair_key`]s (any length from 2) of the first two letters
    /// of the [`AT_WORD_START`] literals and of the [`ANYWHERE`] words.
    pairs: Box<[u64; crate::names::PAIR_FILTER_BITS / 64]>,
    /// [`trigram`]s of the [`AT_WORD_START`] literals and of the [`ANYWHERE`] words.
    trigrams: Box<[u64; TRIGRAM_BITS / 64]>,
    /// Case-insensitive [`ASSIGNMENT_KEYS`].
    assignment: Option<AhoCorasick>,
    /// Whether [`Det::UrlUserinfo`] is on (it is matched by hand).
    userinfo: bool,
    /// Whether [`Det::UrlQuery`] is on (it is matched by hand).
    query: bool,
}

impl Structured {
    pub(crate) fn new(enabled: &Detectors) -> Result<Self> {
        let (dets, pats): (Vec<Det>, Vec<&str>) = PATTERNS
            .iter()
            .filter(|(d, _)| enabled.is_enabled(d.kind()))
            .map(|(d, p)| (*d, *p))
            .unzip();
        if pats.is_empty() {
            return Ok(Self {
                re: None,
                dets,
                by_trigram: Vec::new(),
                group_of: Vec::new(),
                groups: Vec::new(),
                trigrams: Box::new([0; TRIGRAM_BITS / 64]),
                pairs: Box::new([0; crate::names::PAIR_FILTER_BITS / 64]),
                assignment: None,
                userinfo: false,
                query: false,
            });
        }
        let re = Regex::builder()
            .syntax(syntax::Config::new().unicode(true).utf8(true))
            .configure(
                meta::Config::new()
                    .match_kind(MatchKind::LeftmostFirst)
                    .utf8_empty(true)
                    .hybrid_cache_capacity(8 * 1024 * 1024),
            )
            .build_many(&pats)
            .map_err(|e| Error::Patterns {
                source: Box::new(e),
            })?;
        let ac_err = |e: aho_corasick::BuildError| Error::Patterns {
            source: Box::new(e),
        };
        let mut sorted: Vec<(usize, &'static str)> = AT_WORD_START
            .iter()
            .filter_map(|lit| Some((trigram(lit.as_bytes())?, *lit)))
            .collect();
        sorted.sort_unstable();
        let mut group_of = vec![0u8; TRIGRAM_BITS];
        let mut groups = vec![(0u8, 0u8)];
        for (i, (t, _)) in sorted.iter().enumerate() {
            let i = u8::try_from(i).map_err(|_| Error::Patterns {
                source: "too many word-start literals".into(),
            })?;
            match group_of.get_mut(*t) {
                Some(g) if *g == 0 => {
                    *g = u8::try_from(groups.len()).map_err(|_| Error::Patterns {
                        source: "too many word-start trigrams".into(),
                    })?;
                    groups.push((i, i + 1));
                }
                Some(g) => {
                    if let Some(r) = groups.get_mut(usize::from(*g)) {
                        r.1 = i + 1;
                    }
                }
                None => {}
            }
        }
        let by_trigram = sorted.iter().map(|(_, l)| Literal::new(l)).collect();
        let assignment = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(aho_corasick::MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(ASSIGNMENT_KEYS)
            .map_err(ac_err)?;
        let mut trigrams = Box::new([0u64; TRIGRAM_BITS / 64]);
        let mut pairs = Box::new([0u64; crate::names::PAIR_FILTER_BITS / 64]);
        for lit in AT_WORD_START.iter().chain(ANYWHERE.iter().map(|(_, w)| w)) {
            // The word a literal starts (its letters and digits up to the
            // first `_` or other byte) holds the literal's leading letters and
            // digits: exactly those when another byte follows them in the
            // literal (`ghp_`, `glpat-`), at least those otherwise (`akia`).
            let lit = lit.as_bytes();
            let head = lit.iter().take_while(|c| c.is_ascii_alphanumeric()).count();
            // `pair_key` caps lengths at 15.
            let lens = if head < lit.len() {
                head.min(15)..head.min(15) + 1
            } else {
                head.min(15)..16
            };
            for len in lens {
                let k = crate::names::pair_key(lit, 0, len);
                if let Some(slot) = pairs.get_mut(k / 64) {
                    *slot |= 1 << (k % 64);
                }
            }
        }
        let anywhere_words = ANYWHERE.iter().map(|(_, w)| *w);
        for lit in AT_WORD_START.iter().copied().chain(anywhere_words) {
            if let Some(t) = trigram(lit.as_bytes())
                && let Some(slot) = trigrams.get_mut(t / 64)
            {
                *slot |= 1 << (t % 64);
            }
        }
        let userinfo = dets.contains(&Det::UrlUserinfo);
        let query = dets.contains(&Det::UrlQuery);
        Ok(Self {
            re: Some(re),
            dets,
            by_trigram,
            group_of,
            groups,
            trigrams,
            pairs,
            assignment: Some(assignment),
            userinfo,
            query,
        })
    }

    /// Whether any pattern is on (else [`Structured::find`] finds nothing).
    pub(crate) fn is_on(&self) -> bool {
        self.re.is_some()
    }

    /// The candidates at the ASCII word starts of the run `s..e` of
    /// [`crate::scan::Masks::runs`] (`high`: it holds non-ASCII bytes): its first byte when
    /// that is a word byte, and a word byte after a non-ASCII byte inside it;
    /// and the start of an [`ANYWHERE`] literal whose word starts the run.
    /// Called for every run, in order, before [`Structured::find`].
    #[inline]
    pub(crate) fn word_starts_in_run(
        &self,
        hay: &[u8],
        (s, e, high): (usize, usize, bool),
        pair: usize,
        starts: &mut Vec<usize>,
    ) {
        let is_word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
        // `pair`: the [`crate::names::pair_key`] of the word at `s`; a literal
        // starts there only if its first two letters do.
        let pair_hit = self
            .pairs
            .get(pair / 64)
            .is_some_and(|w| w & (1 << (pair % 64)) != 0);
        if pair_hit && self.trigram_hit(hay, s) {
            self.starts_at_run_start(hay, s, starts);
        }
        if high {
            for p in s + 1..e {
                if hay.get(p).is_some_and(|c| is_word(*c))
                    && hay.get(p - 1).is_some_and(|c| *c >= 0x80)
                    && self.trigram_hit(hay, p)
                    && self.literal_at(hay, p)
                {
                    starts.push(p);
                }
            }
        }
    }

    /// Whether the [`trigram`] at `p` is one of [`Structured::trigrams`].
    #[inline(always)]
    fn trigram_hit(&self, hay: &[u8], p: usize) -> bool {
        hay.get(p..p + 3)
            .and_then(trigram)
            .and_then(|t| self.trigrams.get(t / 64).map(|w| w & (1 << (t % 64)) != 0))
            .unwrap_or(false)
    }

    /// The candidates at the run start `s` once its trigram passed: an
    /// [`AT_WORD_START`] literal at `s`, an [`ANYWHERE`] literal whose `word`
    /// starts at `s`.
    #[inline(never)]
    fn starts_at_run_start(&self, hay: &[u8], s: usize, starts: &mut Vec<usize>) {
        if self.literal_at(hay, s) {
            starts.push(s);
        }
        for (head, word) in ANYWHERE {
            if let Some(p) = s.checked_sub(head.len())
                && hay.get(s..).is_some_and(|r| r.starts_with(word.as_bytes()))
                && hay.get(p..s) == Some(head.as_bytes())
            {
                starts.push(p);
            }
        }
    }

    /// Whether an [`AT_WORD_START`] literal starts at `p` (ASCII case
    /// ignored): the check behind the [`trigram`] filter, over the few
    /// literals that share the trigram at `p`.
    #[inline(never)]
    fn literal_at(&self, hay: &[u8], p: usize) -> bool {
        let Some(t) = hay.get(p..p + 3).and_then(trigram) else {
            return false;
        };
        let group = usize::from(self.group_of.get(t).copied().unwrap_or(0));
        let Some(&(from, to)) = self.groups.get(group) else {
            return false;
        };
        let rest = hay.get(p..).unwrap_or_default();
        let head = lower8(rest);
        self.by_trigram
            .get(usize::from(from)..usize::from(to))
            .unwrap_or_default()
            .iter()
            .any(|lit| lit.matches(head, rest))
    }

    /// Every offset where a pattern match may start, sorted and deduplicated:
    /// a superset of the real match starts. `starts` already holds the word
    /// start candidates ([`Structured::word_starts_in_run`]).
    fn candidates(
        &self,
        hay: &[u8],
        masks: &Masks,
        starts: &mut Vec<usize>,
        colons: &mut Vec<usize>,
    ) -> bool {
        let scanned = self.assignment.is_some();
        if let Some(ac) = &self.assignment {
            for q in masks.positions(crate::scan::COLON_EQUALS) {
                if hay.get(q) == Some(&b':') {
                    colons.push(q);
                }
                if hay.get(q..q + 3) == Some(b"://") {
                    starts.push(q);
                }
                // `key["']?[ \t]*` before the separator; the key is the run of
                // identifier bytes, and an assignment keyword lies inside it.
                let mut j = q;
                while j > 0 && matches!(hay.get(j - 1), Some(b' ' | b'\t')) {
                    j -= 1;
                }
                if j > 0 && matches!(hay.get(j - 1), Some(b'"' | b'\'')) {
                    j -= 1;
                }
                let re = j;
                let rs = key_run_start(hay, j);
                if rs == re {
                    continue;
                }
                // `?key=`: a URL query parameter starts at the separator before.
                if rs > 0 && matches!(hay.get(rs - 1), Some(b'?' | b'&' | b';')) {
                    starts.push(rs - 1);
                }
                // Runs end at distinct separators, so they never overlap.
                if re - rs >= 3 && hay.get(rs..re).is_some_and(may_hold_assignment_key) {
                    let run = aho_corasick::Input::new(hay).span(rs..re);
                    starts.extend(ac.find_overlapping_iter(run).map(|m| m.start()));
                }
            }
        }
        starts.sort_unstable();
        starts.dedup();
        scanned
    }

    /// Appends every confirmed finding in `text` to `out`, in order.
    /// `starts` holds the word start candidates of every run
    /// ([`Structured::word_starts_in_run`]) and is scratch space.
    ///
    /// `colons` gets the position of every `:` (cleared first); returns
    /// whether it holds them all (`false` when no pattern is on).
    pub(crate) fn find(
        &self,
        text: &str,
        masks: &Masks,
        starts: &mut Vec<usize>,
        colons: &mut Vec<usize>,
        out: &mut Vec<Span>,
    ) -> bool {
        colons.clear();
        let Some(re) = &self.re else {
            return false;
        };
        let hay = text.as_bytes();
        let scanned = self.candidates(hay, masks, starts, colons);
        let mut at = 0;
        for &p in starts.iter() {
            if p < at {
                continue;
            }
            let (det, ms, me) = if hay.get(p..p + 3) == Some(b"://") {
                // Only the URL user-info pattern can match at `://`.
                if !self.userinfo {
                    continue;
                }
                let Some(e) = userinfo_end(hay, p) else {
                    continue;
                };
                (Det::UrlUserinfo, p, e)
            } else if hay.get(p..p + 10) == Some(b"-----BEGIN") {
                // Only the PEM pattern can match here; by hand, as the lazy
                // body makes the automaton slow over a whole key block.
                let Some(e) = pem_end(hay, p) else {
                    continue;
                };
                (Det::Pem, p, e)
            } else if matches!(hay.get(p), Some(b'?' | b'&' | b';')) {
                // Only the URL query pattern can match at these separators.
                if !self.query {
                    continue;
                }
                let Some(e) = query_end(hay, p) else {
                    continue;
                };
                (Det::UrlQuery, p, e)
            } else {
                let input = Input::new(hay).span(p..hay.len()).anchored(Anchored::Yes);
                let Some(m) = re.search(&input) else {
                    continue;
                };
                let Some(det) = self.dets.get(m.pattern().as_usize()).copied() else {
                    break;
                };
                (det, m.start(), m.end())
            };
            match validate(det, text, ms, me) {
                Some((s, e)) => {
                    out.push(Span::new(s, e, det.kind()));
                    at = me.max(e).max(ms + 1);
                }
                None => at = resume_after(hay, ms),
            }
            while at < hay.len() && !text.is_char_boundary(at) {
                at += 1;
            }
        }
        scanned
    }
}

/// The start of the run of [`KEY_CLASS`] bytes that ends at `j`, eight bytes
/// at a time.
fn key_run_start(hay: &[u8], mut j: usize) -> usize {
    use crate::scan::{HI, between};
    while let Some(w) = j
        .checked_sub(8)
        .and_then(|i| hay.get(i..j))
        .and_then(|w| <[u8; 8]>::try_from(w).ok())
    {
        let x = u64::from_le_bytes(w);
        // High bit of each byte set iff it is a letter, a digit, `-`, `.` or `_`.
        let key = between(x, 0x2f, 0x3a)
            | between(x | 0x2020_2020_2020_2020, 0x60, 0x7b)
            | between(x, 0x2c, 0x2f)
            | between(x, 0x5e, 0x60);
        let other = !key & HI;
        if other != 0 {
            // Just after the last byte that is not a key byte.
            return j - 8 + (63 - other.leading_zeros() as usize) / 8 + 1;
        }
        j -= 8;
    }
    while j > 0 && hay.get(j - 1).is_some_and(|c| KEY_CLASS[usize::from(*c)]) {
        j -= 1;
    }
    j
}

/// The end of a match of the [`Det::Pem`] pattern at `p`, by hand: the
/// `-----BEGIN … PRIVATE KEY-----` line, then the body up to the first
/// `-----END … PRIVATE KEY-----` line reachable through body bytes, or, when
/// there is none, the run of body bytes without `-`.
fn pem_end(hay: &[u8], p: usize) -> Option<usize> {
    let body = p + 10 + key_label_end(hay.get(p + 10..)?)?;
    let in_body = |c: u8| PEM_BODY[usize::from(c)];
    let mut q = body;
    while let Some(&c) = hay.get(q) {
        if c == b'-'
            && hay.get(q..q + 8) == Some(b"-----END")
            && let Some(len) = hay.get(q + 8..).and_then(key_label_end)
        {
            return Some(q + 8 + len);
        }
        if !in_body(c) {
            break;
        }
        q += 1;
    }
    let run = hay
        .get(body..)?
        .iter()
        .take_while(|&&c| c != b'-' && in_body(c))
        .count();
    Some(body + run)
}

/// The length of `[ A-Z0-9]*PRIVATE KEY-----` at the start of `rest`: the run
/// of capitals, digits and blanks must end in `PRIVATE KEY`, then `-----`.
fn key_label_end(rest: &[u8]) -> Option<usize> {
    let run = rest
        .iter()
        .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || **c == b' ')
        .count();
    (rest.get(..run)?.ends_with(b"PRIVATE KEY") && rest.get(run..run + 5) == Some(b"-----"))
        .then_some(run + 5)
}

/// The end of a match of the [`Det::UrlUserinfo`] pattern
/// `://[A-Za-z0-9._~%!$&'()*+,;=:\-]+@` at `p`, by hand: no `@` is in the class,
/// so the match is the whole run of class bytes and the `@` after it.
fn userinfo_end(hay: &[u8], p: usize) -> Option<usize> {
    let in_class = |c: &u8| USERINFO_CLASS[usize::from(*c)];
    let run = hay.get(p + 3..)?.iter().take_while(|c| in_class(c)).count();
    let at = p + 3 + run;
    (run > 0 && hay.get(at) == Some(&b'@')).then_some(at + 1)
}

/// Query parameter names of the [`Det::UrlQuery`] pattern, lower case; each is
/// matched lower case, capitalised or upper case, as the pattern spells them.
const QUERY_KEYS: &[&str] = &[
    "access_token",
    "id_token",
    "refresh_token",
    "auth_token",
    "token",
    "api_key",
    "apikey",
    "api-key",
    "key",
    "sig",
    "signature",
    "password",
    "passwd",
    "pwd",
    "secret",
    "client_secret",
    "auth",
    "code",
    "session",
    "sessionid",
    "session_id",
    "sid",
    "jwt",
    "private_token",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "x-goog-signature",
    "x-goog-credential",
];

/// Whether `name` is a [`QUERY_KEYS`] name spelt lower case, capitalised or
/// upper case.
fn is_query_key(name: &[u8]) -> bool {
    let Some((&first, rest)) = name.split_first() else {
        return false;
    };
    let lower_rest = !rest.iter().any(u8::is_ascii_uppercase);
    let upper_rest = !rest.iter().any(u8::is_ascii_lowercase);
    let spelt = if first.is_ascii_uppercase() {
        lower_rest || upper_rest
    } else {
        lower_rest
    };
    spelt
        && QUERY_KEYS
            .iter()
            .any(|k| k.len() == name.len() && k.as_bytes().eq_ignore_ascii_case(name))
}

/// The end of a match of the [`Det::UrlQuery`] pattern
/// `[?&;](?:key)=[A-Za-z0-9._~%+/=\-]+` at `p`, by hand: the name runs from
/// after the separator to the first `=` (no name holds one).
fn query_end(hay: &[u8], p: usize) -> Option<usize> {
    let from = p + 1;
    let eq = from + memchr::memchr(b'=', hay.get(from..(from + 21).min(hay.len()))?)?;
    if !is_query_key(hay.get(from..eq)?) {
        return None;
    }
    let in_class = |c: &u8| QUERY_VALUE_CLASS[usize::from(*c)];
    let run = hay
        .get(eq + 1..)?
        .iter()
        .take_while(|c| in_class(c))
        .count();
    (run > 0).then_some(eq + 1 + run)
}

/// Where to search next after a rejected candidate starting at `start`: past the
/// candidate's first word, so a suffix of the same token is not tried again.
fn resume_after(hay: &[u8], start: usize) -> usize {
    let mut i = start;
    match hay.get(i) {
        Some(b) if b.is_ascii_alphanumeric() => {
            while hay.get(i).is_some_and(u8::is_ascii_alphanumeric) {
                i += 1;
            }
        }
        Some(_) => i += 1,
        None => {}
    }
    i.max(start + 1)
}

fn byte_before(text: &str, i: usize) -> Option<u8> {
    i.checked_sub(1)
        .and_then(|j| text.as_bytes().get(j).copied())
}

fn char_before(text: &str, i: usize) -> Option<char> {
    text.get(..i).and_then(|s| s.chars().next_back())
}

fn char_after(text: &str, i: usize) -> Option<char> {
    text.get(i..).and_then(|s| s.chars().next())
}

fn validate(det: Det, text: &str, s: usize, e: usize) -> Option<(usize, usize)> {
    let m = text.get(s..e)?;
    match det {
        Det::Pem => Some((s, e)),
        Det::Token => (m.len() >= 20).then_some((s, e)),
        Det::AuthHeader => {
            let v = value_start_after_separator(m)?;
            let v = skip_auth_scheme(m, v);
            let value = m.get(v..)?;
            let scheme_only = [
                "bearer",
                "basic",
                "token",
                "digest",
                "negotiate",
                "apikey",
                "sso-key",
                "ntlm",
            ]
            .iter()
            .any(|w| w.eq_ignore_ascii_case(value));
            (e - (s + v) >= 6 && !scheme_only).then_some((s + v, e))
        }
        Det::Bearer => {
            let v = m.find([' ', '\t'])?;
            let v = v + m.get(v..)?.len() - m.get(v..)?.trim_start().len();
            Some((s + v, e))
        }
        Det::UrlUserinfo => {
            let u = 3;
            let info = m.get(u..m.len() - 1)?;
            let tokenish = info.len() >= 16 && info.bytes().any(|b| b.is_ascii_digit());
            (info.contains(':') || tokenish).then_some((s + u, e - 1))
        }
        Det::UrlQuery => {
            let v = m.find('=')? + 1;
            let value = m.get(v..)?;
            if value.len() < 4
                || (value.len() < 6 && value.bytes().all(|b| b.is_ascii_digit()))
                || is_issue_key(value)
            {
                return None;
            }
            Some((s + v, e))
        }
        Det::Assignment => assignment(text, s, e),
        Det::ContextEntropy => context_entropy(text, e),
    }
}

fn is_placeholder(v: &str) -> bool {
    v.starts_with('[') && v.ends_with(']') && v.len() >= 4
        || !v.is_empty() && v.bytes().all(|b| b == b'*')
}

fn is_issue_key(v: &str) -> bool {
    let b = v.as_bytes();
    let Some(dash) = b.iter().position(|&c| c == b'-') else {
        return false;
    };
    let (p, n) = (
        b.get(..dash).unwrap_or_default(),
        b.get(dash + 1..).unwrap_or_default(),
    );
    p.first().is_some_and(u8::is_ascii_uppercase)
        && p.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && !n.is_empty()
        && n.iter().all(u8::is_ascii_digit)
}

/// Offset of the value after the first `:` or `=` (and any `>`, blanks, quotes).
fn value_start_after_separator(m: &str) -> Option<usize> {
    let b = m.as_bytes();
    let mut i = m.find([':', '='])? + 1;
    while b
        .get(i)
        .is_some_and(|c| matches!(c, b'=' | b'>' | b' ' | b'\t' | b'"' | b'\''))
    {
        i += 1;
    }
    (i < b.len()).then_some(i)
}

fn skip_auth_scheme(m: &str, v: usize) -> usize {
    let rest = m.get(v..).unwrap_or("");
    if let Some(sp) = rest.find([' ', '\t']) {
        let after = rest.get(sp..).unwrap_or("").trim_start();
        if !after.is_empty() {
            return m.len() - after.len();
        }
    }
    v
}

const VALUE_PUNCT: &[u8] = b"!#$%&()*+-./:;<=>?@[]^_{|}~";

/// Per byte value: ASCII letters and digits, and the bytes of `extra`.
const fn byte_class(extra: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = (c as u8).is_ascii_alphanumeric();
        c += 1;
    }
    let mut i = 0;
    while i < extra.len() {
        t[extra[i] as usize] = true;
        i += 1;
    }
    t
}

/// The user-info class of [`Det::UrlUserinfo`]: `[A-Za-z0-9._~%!$&'()*+,;=:\-]`.
static USERINFO_CLASS: [bool; 256] = byte_class(b"._~%!$&'()*+,;=:-");
/// The value class of [`Det::UrlQuery`]: `[A-Za-z0-9._~%+/=\-]`.
static QUERY_VALUE_CLASS: [bool; 256] = byte_class(b"._~%+/=-");
/// The bytes of a `key` before `:` or `=`: `[A-Za-z0-9_.\-]`.
static KEY_CLASS: [bool; 256] = byte_class(b"_.-");
/// The bytes of a PEM block's body ([`pem_end`]).
static PEM_BODY: [bool; 256] = byte_class(b"+/=\r\n\t :,.-");
/// [`is_value_byte`] per byte value.
static VALUE_CLASS: [bool; 256] = byte_class(VALUE_PUNCT);

fn is_value_byte(c: u8) -> bool {
    VALUE_CLASS[usize::from(c)]
}

fn is_token_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'_' | b'=' | b'.' | b'-')
}

/// `key = value`: the match ends at the separator; the value follows.
fn assignment(text: &str, s: usize, e: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let key = text.get(s..e)?.as_bytes();
    let mut v = e;
    while b
        .get(v)
        .is_some_and(|c| matches!(c, b' ' | b'\t' | b'"' | b'\''))
    {
        v += 1;
    }
    let mut end = v;
    while b.get(end).is_some_and(|c| is_value_byte(*c)) {
        end += 1;
    }
    // A trailing sentence period is not part of the value.
    while end > v && matches!(b.get(end - 1), Some(b'.' | b',' | b';' | b')')) {
        end -= 1;
    }
    let value = text.get(v..end)?;
    if value.len() < 3 || is_placeholder(value) {
        return None;
    }
    let not_a_value = [
        "true", "false", "null", "none", "nil", "required", "optional", "redacted", "n/a", "empty",
        "unset", "yes", "no",
    ];
    if not_a_value.iter().any(|w| w.eq_ignore_ascii_case(value)) {
        return None;
    }
    let holds = |w: &[u8]| key.windows(w.len()).any(|k| k.eq_ignore_ascii_case(w));
    let passwordish = holds(b"pass") || holds(b"pwd");
    if passwordish {
        return Some((v, end));
    }
    let digits = value.bytes().any(|c| c.is_ascii_digit());
    let upper = value.bytes().any(|c| c.is_ascii_uppercase());
    let lowerc = value.bytes().any(|c| c.is_ascii_lowercase());
    let symbol = value.bytes().any(|c| !c.is_ascii_alphanumeric());
    let strong = value.len() >= 8 && (digits || (upper && lowerc) || symbol);
    (strong && !is_issue_key(value) && !looks_like_url_or_path(value)).then_some((v, end))
}

/// After a secret-like keyword: within 40 bytes of words, a token of 20+
/// characters with high entropy.
fn context_entropy(text: &str, e: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let mut i = e;
    let limit = e + 48;
    while i < b.len() && i <= limit {
        let c = *b.get(i)?;
        if is_token_byte(c) {
            let start = i;
            while b.get(i).is_some_and(|c| is_token_byte(*c)) {
                i += 1;
            }
            let mut end = i;
            while end > start && matches!(b.get(end - 1), Some(b'.')) {
                end -= 1;
            }
            if end - start >= 20 {
                let v = text.get(start..end)?;
                return high_entropy_secret(v).then_some((start, end));
            }
        } else if matches!(c, b' ' | b',' | b':' | b'(' | b')' | b'\'' | b'"') {
            i += 1;
        } else {
            return None;
        }
    }
    None
}

fn looks_like_url_or_path(v: &str) -> bool {
    v.contains("://") || (v.starts_with('/') && v.bytes().filter(|b| *b == b'/').count() >= 2)
}

/// Shannon entropy in bits per byte.
pub(crate) fn entropy(v: &str) -> f64 {
    let mut counts = [0u32; 256];
    // The byte values present, to visit only those, in ascending order.
    let mut present = [0u64; 4];
    for b in v.bytes() {
        if let Some(c) = counts.get_mut(usize::from(b)) {
            *c += 1;
        }
        if let Some(w) = present.get_mut(usize::from(b >> 6)) {
            *w |= 1 << (b & 63);
        }
    }
    // H = log2(n) - (1/n) * sum(c * log2(c)): one logarithm per string, the
    // terms of small counts from a table.
    let table = &*C_LOG2_C;
    let mut sum = 0.0;
    for (k, mut w) in present.into_iter().enumerate() {
        while w != 0 {
            let b = k * 64 + w.trailing_zeros() as usize;
            w &= w - 1;
            let c = counts.get(b).copied().unwrap_or(0);
            sum += match table.get(c as usize) {
                Some(t) => *t,
                None => f64::from(c) * f64::from(c).log2(),
            };
        }
    }
    let n = v.len() as f64;
    if n == 0.0 {
        return 0.0;
    }
    n.log2() - sum / n
}

/// `c * log2(c)` for the counts [`entropy`] meets most.
static C_LOG2_C: std::sync::LazyLock<[f64; 128]> = std::sync::LazyLock::new(|| {
    let mut t = [0.0; 128];
    for (c, v) in t.iter_mut().enumerate().skip(1) {
        let c = c as f64;
        *v = c * c.log2();
    }
    t
});

fn high_entropy_secret(v: &str) -> bool {
    let v = v.trim_end_matches('.');
    if v.len() < 20 || v.contains("://") || is_uuid(v) {
        return false;
    }
    let has_digit = v.bytes().any(|b| b.is_ascii_digit());
    let has_alpha = v.bytes().any(|b| b.is_ascii_alphabetic());
    if !has_digit || !has_alpha {
        return false;
    }
    // Hostnames and file names: dotted words ending in an alphabetic suffix.
    if let Some((_, last)) = v.rsplit_once('.')
        && (2..=6).contains(&last.len())
        && last.bytes().all(|b| b.is_ascii_alphabetic())
    {
        return false;
    }
    entropy(v) >= 3.3
}

pub(crate) fn is_uuid(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

const FILE_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "java", "py", "js", "ts", "rs", "go",
    "kt", "rb", "php", "css", "html", "json", "yaml", "yml", "xml", "txt", "log", "md", "jar",
    "war", "zip", "gz", "tar", "lock", "toml", "sh", "class",
];

/// What follows the last `.` of `v` (all of `v` without one).
fn after_last_dot(v: &str) -> &str {
    memchr::memrchr(b'.', v.as_bytes())
        .and_then(|p| v.get(p + 1..))
        .unwrap_or(v)
}

fn email(text: &str, s: usize, e: usize) -> Option<(usize, usize)> {
    if char_after(text, e).is_some_and(|c| is_alnum(c) || c == '_') {
        return None;
    }
    let m = text.get(s..e)?;
    let tld = after_last_dot(m);
    if tld.len() <= 5 && FILE_EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(tld)) {
        return None;
    }
    // Trim leading dots and dashes that are punctuation, not part of the address.
    let lead = m.len() - m.trim_start_matches(['.', '-', '+']).len();
    Some((s + lead, e))
}

/// IBAN lengths by country (ISO 13616 registry).
fn iban_length(cc: &[u8]) -> Option<usize> {
    let n = match cc {
        b"AD" => 24,
        b"AE" => 23,
        b"AL" => 28,
        b"AT" => 20,
        b"AZ" => 28,
        b"BA" => 20,
        b"BE" => 16,
        b"BG" => 22,
        b"BH" => 22,
        b"BR" => 29,
        b"BY" => 28,
        b"CH" => 21,
        b"CR" => 22,
        b"CY" => 28,
        b"CZ" => 24,
        b"DE" => 22,
        b"DK" => 18,
        b"DO" => 28,
        b"EE" => 20,
        b"EG" => 29,
        b"ES" => 24,
        b"FI" => 18,
        b"FO" => 18,
        b"FR" => 27,
        b"GB" => 22,
        b"GE" => 22,
        b"GI" => 23,
        b"GL" => 18,
        b"GR" => 27,
        b"GT" => 28,
        b"HR" => 21,
        b"HU" => 28,
        b"IE" => 22,
        b"IL" => 23,
        b"IQ" => 23,
        b"IS" => 26,
        b"IT" => 27,
        b"JO" => 30,
        b"KW" => 30,
        b"KZ" => 20,
        b"LB" => 28,
        b"LC" => 32,
        b"LI" => 21,
        b"LT" => 20,
        b"LU" => 20,
        b"LV" => 21,
        b"MC" => 27,
        b"MD" => 24,
        b"ME" => 22,
        b"MK" => 19,
        b"MR" => 27,
        b"MT" => 31,
        b"MU" => 30,
        b"NL" => 18,
        b"NO" => 15,
        b"PK" => 24,
        b"PL" => 28,
        b"PS" => 29,
        b"PT" => 25,
        b"QA" => 29,
        b"RO" => 24,
        b"RS" => 22,
        b"SA" => 24,
        b"SC" => 31,
        b"SE" => 24,
        b"SI" => 19,
        b"SK" => 24,
        b"SM" => 27,
        b"ST" => 25,
        b"SV" => 28,
        b"TL" => 23,
        b"TN" => 24,
        b"TR" => 26,
        b"UA" => 29,
        b"VA" => 22,
        b"VG" => 24,
        b"XK" => 20,
        _ => return None,
    };
    Some(n)
}

/// Takes exactly the country's IBAN length of characters (spaces skipped) from the
/// candidate and checks mod 97; the span ends on the last character taken.
fn iban(text: &str, s: usize, e: usize) -> Option<(usize, usize)> {
    let m = text.get(s..e)?.as_bytes();
    let want = iban_length(m.get(..2)?)?;
    let mut buf = [0u8; 34];
    let mut taken = 0;
    let mut end = 0;
    for (i, c) in m.iter().enumerate() {
        if *c == b' ' {
            continue;
        }
        *buf.get_mut(taken)? = *c;
        taken += 1;
        if taken == want {
            end = i + 1;
            break;
        }
    }
    let chars = buf.get(..taken)?;
    if taken != want {
        return None;
    }
    let next = text.as_bytes().get(s + end);
    if next.is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    mod97(chars).then_some((s, s + end))
}

pub(crate) fn mod97(iban: &[u8]) -> bool {
    let rearranged = iban.iter().skip(4).chain(iban.iter().take(4));
    let mut rem: u32 = 0;
    for c in rearranged {
        match c {
            b'0'..=b'9' => rem = (rem * 10 + u32::from(c - b'0')) % 97,
            b'A'..=b'Z' => rem = (rem * 100 + u32::from(c - b'A' + 10)) % 97,
            _ => return false,
        }
    }
    rem == 1
}

pub(crate) fn luhn(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(*d);
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum.is_multiple_of(10)
}

fn card(m: &str) -> bool {
    let mut buf = [0u8; 19];
    let mut n = 0;
    let mut first_sep = None;
    let mut mixed = false;
    for c in m.bytes() {
        if c.is_ascii_digit() {
            if let Some(d) = buf.get_mut(n) {
                *d = c - b'0';
            }
            n += 1;
        } else {
            match first_sep {
                None => first_sep = Some(c),
                Some(f) => mixed |= f != c,
            }
        }
    }
    let Some(digits) = buf.get(..n) else {
        return false;
    };
    if !(13..=19).contains(&n) || !luhn(digits) {
        return false;
    }
    // One separator style, in groups of at least three digits.
    if first_sep.is_some() && (mixed || has_short_group(m.as_bytes())) {
        return false;
    }
    let p2 = digits
        .iter()
        .take(2)
        .fold(0u32, |a, d| a * 10 + u32::from(*d));
    let p4 = digits
        .iter()
        .take(4)
        .fold(0u32, |a, d| a * 10 + u32::from(*d));
    let p3 = p4 / 10;
    match digits.first() {
        Some(4) => matches!(n, 13 | 16 | 19),
        Some(5) => (51..=55).contains(&p2) && n == 16 || p2 == 50 || (56..=59).contains(&p2),
        Some(2) => (2221..=2720).contains(&p4) && n == 16,
        Some(3) => {
            (p2 == 34 || p2 == 37) && n == 15
                || (3528..=3589).contains(&p4)
                || (300..=305).contains(&p3)
                || p2 == 36
                || p2 == 38
                || p2 == 39
        }
        Some(6) => true,
        _ => false,
    }
}

/// Whether a piece of `m` between blanks and dashes (or before the first,
/// or after the last) is shorter than three bytes.
fn has_short_group(m: &[u8]) -> bool {
    let mut len = 0;
    for &c in m {
        if c == b' ' || c == b'-' {
            if len < 3 {
                return true;
            }
            len = 0;
        } else {
            len += 1;
        }
    }
    len < 3
}

fn ssn(m: &str) -> bool {
    let mut d = [0u32; 9];
    let mut n = 0;
    for c in m.bytes().filter(u8::is_ascii_digit) {
        if let Some(x) = d.get_mut(n) {
            *x = u32::from(c - b'0');
        }
        n += 1;
    }
    if n != 9 {
        return false;
    }
    let area = d.iter().take(3).fold(0, |a, x| a * 10 + x);
    let group = d.iter().skip(3).take(2).fold(0, |a, x| a * 10 + x);
    let serial = d.iter().skip(5).fold(0, |a, x| a * 10 + x);
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

fn nino(m: &str) -> bool {
    let prefix = m.get(..2).unwrap_or("");
    let first = m.as_bytes().first().copied().unwrap_or(b'D');
    let second = m.as_bytes().get(1).copied().unwrap_or(b'D');
    if matches!(first, b'D' | b'F' | b'I' | b'Q' | b'U' | b'V')
        || matches!(second, b'D' | b'F' | b'I' | b'O' | b'Q' | b'U' | b'V')
    {
        return false;
    }
    !matches!(prefix, "BG" | "GB" | "NK" | "KN" | "TN" | "NT" | "ZZ")
}

/// Whether the ASCII letters just before `s` (after trailing whitespace) are
/// one of `words`, ignoring ASCII case.
fn previous_word_is(text: &str, s: usize, words: &[&str]) -> bool {
    let before = text.get(..s).unwrap_or("").trim_end().as_bytes();
    let len = before
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    let word = before.get(before.len() - len..).unwrap_or_default();
    words
        .iter()
        .any(|w| w.as_bytes().eq_ignore_ascii_case(word))
}

/// An IPv4 octet: 1 to 3 ASCII digits, at most 255.
fn octet(part: &[u8]) -> Option<u32> {
    if part.is_empty() || part.len() > 3 || !part.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let v = part.iter().fold(0u32, |a, d| a * 10 + u32::from(d - b'0'));
    (v <= 255).then_some(v)
}

fn ipv4(text: &str, s: usize, e: usize) -> bool {
    let Some(m) = text.get(s..e) else {
        return false;
    };
    let mut octets = [0u32; 4];
    for (slot, part) in octets.iter_mut().zip(m.as_bytes().split(|c| *c == b'.')) {
        if part.len() > 1 && part.first() == Some(&b'0') {
            return false;
        }
        match octet(part) {
            Some(v) => *slot = v,
            None => return false,
        }
    }
    // Part of a longer dotted number (a 5-part version) or of a word.
    if byte_before(text, s) == Some(b'.')
        || (text.as_bytes().get(e) == Some(&b'.')
            && text.as_bytes().get(e + 1).is_some_and(u8::is_ascii_digit))
    {
        return false;
    }
    if matches!(octets, [0, 0, 0, 0] | [127, 0, 0, 1] | [255, 255, _, _]) {
        return false;
    }
    !previous_word_is(
        text,
        s,
        &[
            "version", "ver", "v", "build", "release", "rev", "revision", "firmware", "fw",
        ],
    )
}

fn ipv6(text: &str, s: usize, e: usize) -> Option<(usize, usize)> {
    let m = text.get(s..e)?;
    // A `:` next to the address is punctuation unless an address-like
    // character is on its other side.
    let b = text.as_bytes();
    let joined = |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_alphanumeric() || *c == b':');
    // (A hex digit before a `:` would have been taken into the address.)
    let colon_before = s >= 2
        && b.get(s - 2)
            .is_some_and(|c| c.is_ascii_hexdigit() || *c == b':');
    let colon_after = joined(b.get(e + 1));
    if char_before(text, s)
        .is_some_and(|c| is_alnum(c) || (c == ':' && colon_before) || c == '_' || c == '.')
        || char_after(text, e).is_some_and(|c| is_alnum(c) || (c == ':' && colon_after) || c == '_')
    {
        return None;
    }
    let addr = m.split('%').next()?;
    if !addr.bytes().any(|b| b.is_ascii_digit()) || addr.len() < 3 {
        return None;
    }
    addr.parse::<std::net::Ipv6Addr>().ok()?;
    Some((s, e))
}

/// Keys after which `:` or `=` introduces a phone number (`tel:030 1234567`).
const PHONE_KEYS: &[&str] = &[
    "tel",
    "phone",
    "telephone",
    "fax",
    "mobile",
    "cell",
    "telefon",
    "handy",
];

fn phone(text: &str, s: usize, e: usize) -> bool {
    let Some(m) = text.get(s..e) else {
        return false;
    };
    // Split off an extension.
    // (An `ext` holds an `x`.)
    let lower_main_end = m
        .bytes()
        .position(|c| c == b'x' || c == b'#')
        .unwrap_or(m.len());
    let main = m.get(..lower_main_end).unwrap_or(m).trim_end();
    // One pass over `main`: its digits, its digit groups (at most 15 are
    // kept: there are at most 15 digits) and its separators.
    let mb = main.as_bytes();
    let mut glen = [0usize; 16];
    let mut ng = 0;
    let mut digits = 0;
    let mut first_group = "";
    let (mut first_sep, mut any_sep, mut any_dot) = (None, false, false);
    let (mut all_slash_or_dot, mut all_dot) = (true, true);
    let mut i = 0;
    while let Some(&c) = mb.get(i) {
        if c.is_ascii_digit() {
            let gs = i;
            while mb.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            digits += i - gs;
            if ng == 0 {
                first_group = main.get(gs..i).unwrap_or("");
            }
            if let Some(slot) = glen.get_mut(ng) {
                *slot = i - gs;
            }
            ng += 1;
            continue;
        }
        if matches!(c, b'.' | b'-' | b'/') {
            first_sep = first_sep.or(Some(c));
            any_sep = true;
            any_dot |= c == b'.';
            all_slash_or_dot &= matches!(c, b'/' | b'.');
            all_dot &= c == b'.';
        }
        i += 1;
    }
    if !(7..=15).contains(&digits) {
        return false;
    }
    // Context: part of a larger token (paths, versions, keys, times); after
    // `:` or `=` only a number that opens with `(` or `+`, or one after a
    // phone key (`tel:`, `phone=`).
    let marked = matches!(mb.first(), Some(b'(' | b'+'));
    if let Some(p) = char_before(text, s)
        && (is_alnum(p)
            || matches!(p, '-' | '.' | '/' | '_' | '\\' | '+' | '#' | '$')
            || (matches!(p, '=' | ':') && !marked && !previous_word_is(text, s - 1, PHONE_KEYS)))
    {
        return false;
    }
    let after = text.as_bytes().get(e).copied();
    let after2 = text.as_bytes().get(e + 1).copied();
    if matches!(after, Some(b'.' | b'-' | b'/' | b':' | b'_'))
        && after2.is_some_and(|c| c.is_ascii_alphanumeric())
    {
        return false;
    }
    let groups = glen.get(..ng.min(16)).unwrap_or_default();
    let intl = main.starts_with('+') || main.starts_with("00");
    let paren = main.starts_with('(');
    if groups.len() < 2 {
        return false;
    }
    // Dates: 2024-01-15, 15/01/2024, 15.01.2024 at the start.
    let g = |i: usize| groups.get(i).copied().unwrap_or(0);
    if g(0) == 4 && g(1) <= 2 && g(2) <= 2 && matches!(first_sep, Some(b'-' | b'/' | b'.')) {
        return false;
    }
    if g(0) <= 2 && g(1) <= 2 && (g(2) == 4 || g(2) == 2) && any_sep && all_slash_or_dot {
        return false;
    }
    if intl {
        return digits >= 8;
    }
    if paren {
        return digits >= 7 && groups.iter().skip(1).all(|g| *g >= 2);
    }
    if any_dot {
        // Dotted: only US 3.3.4 or French 2.2.2.2.2; anything else is a version or an IP.
        return all_dot && (groups == [3, 3, 4] || groups == [2, 2, 2, 2, 2]);
    }
    if groups.iter().skip(1).any(|g| *g < 2) {
        return false;
    }
    if g(0) == 1 {
        // 1-555-123-4567
        return first_group == "1" && digits >= 10 && g(1) == 3;
    }
    if groups.len() == 2 {
        // National with trunk prefix: 030 1234567, 01234 567890.
        return first_group.starts_with('0') && (2..=5).contains(&g(0)) && digits >= 9;
    }
    (2..=5).contains(&g(0)) && (g(0) < 4 || first_group.starts_with('0') || digits >= 10)
}

// ---------------------------------------------------------------------------
// Digit clusters: cards, SSNs, IPv4 and phones, found by one hand-written scan.

/// Finds cards, SSNs, IPv4 addresses and phone numbers: clusters of digits and
/// separators, then the longest valid candidate per start. Only digits that
/// start a run of word bytes (see [`crate::scan::Masks::runs`]) can start a cluster,
/// and only two capitals at a run start can start an IBAN or a compact NINO; a
/// digit inside a word (v1.2, 3f2a, ABC123) starts nothing.
///
/// [`DigitScan::at_run_start`] is called with every run start in order.
#[derive(Debug, Default)]
pub(crate) struct DigitScan {
    floor: usize,
}

impl DigitScan {
    /// The digit cluster (or IBAN / NINO) starting at the run start `s`, if
    /// any. `groups` is scratch space.
    #[inline]
    pub(crate) fn at_run_start(
        &mut self,
        text: &str,
        det: &Detectors,
        s: usize,
        groups: &mut Vec<(usize, usize)>,
        out: &mut Vec<Span>,
    ) {
        let b = text.as_bytes();
        let Some(&c0) = b.get(s) else { return };
        let letters_on = det.iban || det.national_id;
        let (i, in_word) = if c0.is_ascii_digit() {
            (s, false)
        } else if letters_on
            && c0.is_ascii_uppercase()
            && b.get(s + 1).is_some_and(u8::is_ascii_uppercase)
            && b.get(s + 2).is_some_and(u8::is_ascii_digit)
        {
            (s + 2, true)
        } else {
            return;
        };
        if i < self.floor {
            return;
        }
        self.floor = cluster_at(text, det, i, in_word, groups, out).unwrap_or(self.floor);
    }
}

/// The cluster at digit `i` (`in_word`: after two capitals at a run start);
/// returns the new floor when one was scanned.
fn cluster_at(
    text: &str,
    det: &Detectors,
    i: usize,
    in_word: bool,
    groups: &mut Vec<(usize, usize)>,
    out: &mut Vec<Span>,
) -> Option<usize> {
    let b = text.as_bytes();
    let letters_on = det.iban || det.national_id;
    // IBAN (`DE89 3704 …`) and compact NINO (`AB123456C`): two capitals, then digits.
    // Two capitals just before the digit, or before the blank before it.
    let capitals_before = in_word
        || (i >= 3
            && b.get(i - 1) == Some(&b' ')
            && b.get(i - 3).is_some_and(u8::is_ascii_uppercase)
            && b.get(i - 2).is_some_and(u8::is_ascii_uppercase));
    if i >= 2
        && letters_on
        && capitals_before
        && let Some((s, e, kind)) = letters_then_digits(text, i, det)
    {
        out.push(Span::new(s, e, kind));
        return Some(e);
    }
    if in_word {
        return None;
    }
    // A lone group of fewer than 13 digits that nothing can continue (most
    // numbers, times, hashes): what `cluster` would find, without recording it.
    let e = digits_end(b, i);
    let c = b.get(e).copied();
    let n = b.get(e + 1).copied();
    let may_continue = c == Some(b')')
        || (matches!(c, Some(b' ' | b'.' | b'-' | b'/'))
            && n.is_some_and(|n| n.is_ascii_digit() || matches!(n, b'(' | b'-' | b'/' | b' ')));
    if e - i < 13 && !may_continue {
        return Some(e.max(i + 1));
    }
    let start = if i > 0 && matches!(b.get(i - 1), Some(b'+' | b'(')) {
        i - 1
    } else {
        i
    };
    groups.clear();
    let end = cluster(b, i, groups);
    if !(groups.len() == 1 && groups.first().is_some_and(|(s, e)| e - s < 13)) {
        classify_cluster(text, start, end, groups, det, out);
    }
    Some(end.max(i + 1))
}

/// End of the run of ASCII digits starting at `i`, eight bytes at a time.
#[inline]
fn digits_end(b: &[u8], mut i: usize) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    const LOW7: u64 = LO * 127;
    while let Some(w) = b.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
        let x = u64::from_le_bytes(w);
        let x7 = x & LOW7;
        let digit = (LO * (127 + 0x3a) - x7) & !x & (x7 + LO * (127 - 0x2f)) & HI;
        let other = !digit & HI;
        if other != 0 {
            return i + (other.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

/// Extends a cluster from the digit at `i`: digits, single separators
/// (` . - /`) between digits, `(digits)`. Records digit groups.
fn cluster(b: &[u8], mut i: usize, groups: &mut Vec<(usize, usize)>) -> usize {
    let start = i;
    let mut open = i > 0 && b.get(i - 1) == Some(&b'(');
    loop {
        let gs = i;
        i = digits_end(b, i);
        if i > gs {
            groups.push((gs, i));
        }
        if i - start > 64 || groups.len() > 12 {
            return i;
        }
        let c = b.get(i).copied();
        let n = b.get(i + 1).copied();
        let n2 = b.get(i + 2).copied();
        match (c, n) {
            (Some(b')'), _)
                if open && i > start && b.get(i - 1).is_some_and(u8::is_ascii_digit) =>
            {
                open = false;
                if n == Some(b' ') && (n2.is_some_and(|c| c.is_ascii_digit()) || n2 == Some(b'(')) {
                    i += 2;
                } else if n.is_some_and(|c| c.is_ascii_digit()) {
                    i += 1;
                } else {
                    return i + 1;
                }
            }
            (Some(b' ' | b'.' | b'-' | b'/'), Some(d)) if d.is_ascii_digit() => i += 1,
            (Some(b' '), Some(b'(')) if n2.is_some_and(|c| c.is_ascii_digit()) => {
                open = true;
                i += 2;
            }
            (Some(b' '), Some(b'-' | b'/'))
                if n2 == Some(b' ') && b.get(i + 3).is_some_and(u8::is_ascii_digit) =>
            {
                i += 3
            }
            (Some(b'-' | b'/'), Some(b' ')) if n2.is_some_and(|c| c.is_ascii_digit()) => i += 2,
            _ => return i,
        }
    }
}

/// Length of an extension (` x123`, `ext. 45`, `#7`) at `i`, if any.
fn extension(b: &[u8], i: usize) -> usize {
    let mut j = i;
    while b.get(j) == Some(&b' ') && j - i < 2 {
        j += 1;
    }
    let rest = b.get(j..).unwrap_or_default();
    let lower = |k: usize| rest.get(k).map(u8::to_ascii_lowercase);
    let tag = if lower(0) == Some(b'x') || rest.first() == Some(&b'#') {
        1
    } else if lower(0) == Some(b'e') && lower(1) == Some(b'x') && lower(2) == Some(b't') {
        if rest.get(3) == Some(&b'.') { 4 } else { 3 }
    } else {
        return 0;
    };
    j += tag;
    while b.get(j) == Some(&b' ') && j - i < 8 {
        j += 1;
    }
    let ds = j;
    while b.get(j).is_some_and(u8::is_ascii_digit) && j - ds < 6 {
        j += 1;
    }
    if j == ds || b.get(j).is_some_and(|c| c.is_ascii_alphanumeric()) {
        return 0;
    }
    j - i
}

fn classify_cluster(
    text: &str,
    start: usize,
    end: usize,
    groups: &[(usize, usize)],
    det: &Detectors,
    out: &mut Vec<Span>,
) {
    let b = text.as_bytes();
    // Glued to a following letter (2024-01-15T10, 12ms): the last group is not ours.
    let glued = b
        .get(end)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        && extension(b, end) == 0;
    let usable = if glued {
        groups.len().saturating_sub(1)
    } else {
        groups.len()
    };
    // Digits before each group (groups are runs of digits, at most 13).
    let mut before = [0usize; 17];
    for (g, (gs, ge)) in groups.iter().enumerate() {
        let prev = before.get(g).copied().unwrap_or(0);
        if let Some(slot) = before.get_mut(g + 1) {
            *slot = prev + (ge - gs);
        }
    }
    let glued_left = char_before(text, start).is_some_and(is_alnum);
    let digits_in = |k: usize, m: usize| {
        before.get(m + 1).copied().unwrap_or(0) - before.get(k).copied().unwrap_or(0)
    };
    let mut k = 0;
    while k < usable {
        // A later group's candidate starts at its `(` when one opens it, as
        // the cluster would if it started there: `(0) 30 …` after a value
        // that a secret takes is the same phone number on a second pass. Not
        // in a cluster glued to a word, whose number is all or nothing.
        let cs = if k == 0 {
            start
        } else {
            let gs = groups.get(k).map_or(end, |g| g.0);
            if gs > start && b.get(gs - 1) == Some(&b'(') && !glued_left {
                gs - 1
            } else {
                gs
            }
        };
        let mut found = None;
        for m in (k..usable).rev() {
            let Some(&(_, ge)) = groups.get(m) else {
                continue;
            };
            let ce = if b.get(ge) == Some(&b')')
                && b.get(cs..ge).is_some_and(|r| {
                    r.iter().filter(|c| **c == b'(').count()
                        > r.iter().filter(|c| **c == b')').count()
                }) {
                ge + 1
            } else {
                ge
            };
            let cand = Candidate {
                cs,
                ce,
                n: m + 1 - k,
                digits: digits_in(k, m),
                last: m + 1 == groups.len(),
            };
            if let Some(kind) = digits_kind(text, cand, det) {
                found = Some((kind, m));
                break;
            }
        }
        match found {
            Some(((kind, fs, fe), m)) => {
                out.push(Span::new(fs, fe, kind));
                k = m + 1;
            }
            None => k += 1,
        }
    }
}

/// A candidate `cs..ce` of a digit cluster: `n` digit groups holding `digits`
/// digits, `last` when it ends with the cluster's last group.
#[derive(Clone, Copy)]
struct Candidate {
    cs: usize,
    ce: usize,
    n: usize,
    digits: usize,
    last: bool,
}

/// The kind of a candidate, and its start and end (a phone's end extended by
/// its extension when it ends with the cluster's last group).
fn digits_kind(text: &str, cand: Candidate, det: &Detectors) -> Option<(Kind, usize, usize)> {
    let Candidate {
        cs,
        ce,
        n,
        digits,
        last,
    } = cand;
    let ip = det.ip && n == 4 && digits <= 12;
    let ssn_like = det.national_id && n == 3 && digits == 9;
    let card_like = det.card && (13..=19).contains(&digits);
    let phone_like = det.phone && n >= 2 && (7..=15).contains(&digits);
    if !(ip || ssn_like || card_like || phone_like) {
        return None;
    }
    // A leading `(` or `+` and a closing `)` belong to phone numbers only:
    // `(10.1.2.3)` and `(4111 1111 1111 1111)` are an address and a card.
    let b = text.as_bytes();
    let ks = if matches!(b.get(cs), Some(b'(' | b'+')) {
        cs + 1
    } else {
        cs
    };
    let ke = if ce > ks && b.get(ce - 1) == Some(&b')') {
        ce - 1
    } else {
        ce
    };
    let m = text.get(ks..ke)?;
    if det.ip
        && n == 4
        && digits <= 12
        && m.bytes().all(|c| c.is_ascii_digit() || c == b'.')
        && ipv4(text, ks, ke)
    {
        return Some((Kind::Ip, ks, ke));
    }
    if det.national_id && n == 3 && digits == 9 && ssn_shape(m) && ssn(m) {
        return Some((Kind::NationalId, ks, ke));
    }
    if det.card && (13..=19).contains(&digits) && card(m) {
        return Some((Kind::Card, ks, ke));
    }
    if det.phone && n >= 2 && (7..=15).contains(&digits) {
        let ext = if last {
            extension(text.as_bytes(), ce)
        } else {
            0
        };
        let pe = ce + ext;
        if phone(text, cs, pe) {
            return Some((Kind::Phone, cs, pe));
        }
    }
    None
}

fn ssn_shape(m: &str) -> bool {
    let b = m.as_bytes();
    b.len() == 11
        && (b.get(3) == Some(&b'-') && b.get(6) == Some(&b'-')
            || b.get(3) == Some(&b' ') && b.get(6) == Some(&b' '))
}

/// At digit `i` preceded by two capital letters at a word start: an IBAN or a
/// NINO (compact, or spaced with the letters as their own word).
fn letters_then_digits(text: &str, i: usize, det: &Detectors) -> Option<(usize, usize, Kind)> {
    let b = text.as_bytes();
    let (ws, spaced) = if b.get(i - 1) == Some(&b' ') {
        (i.checked_sub(3)?, true)
    } else {
        (i - 2, false)
    };
    let l1 = *b.get(ws)?;
    let l2 = *b.get(ws + 1)?;
    if !l1.is_ascii_uppercase() || !l2.is_ascii_uppercase() {
        return None;
    }
    if ws > 0
        && b.get(ws - 1)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c >= 0x80)
    {
        return None;
    }
    if det.iban && !spaced {
        let mut e = i;
        while e < b.len() && e - ws < 48 {
            match b.get(e) {
                Some(c) if c.is_ascii_uppercase() || c.is_ascii_digit() => e += 1,
                Some(b' ')
                    if b.get(e + 1)
                        .is_some_and(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) =>
                {
                    e += 1
                }
                _ => break,
            }
        }
        if let Some((s, e)) = iban(text, ws, e) {
            return Some((s, e, Kind::Iban));
        }
    }
    if det.national_id {
        // L L [ ]? dd [ ]? dd [ ]? dd [ ]? [A-D]
        let mut j = ws + 2;
        let mut digits = 0;
        for _ in 0..3 {
            if b.get(j) == Some(&b' ') {
                j += 1;
            }
            for _ in 0..2 {
                if !b.get(j).is_some_and(u8::is_ascii_digit) {
                    return None;
                }
                j += 1;
                digits += 1;
            }
        }
        if b.get(j) == Some(&b' ') {
            j += 1;
        }
        let suffix = b.get(j).copied();
        if digits == 6
            && matches!(suffix, Some(b'A'..=b'D'))
            && !b.get(j + 1).is_some_and(|c| c.is_ascii_alphanumeric())
        {
            let m = text.get(ws..j + 1)?;
            if nino(m) {
                return Some((ws, j + 1, Kind::NationalId));
            }
        }
    }
    None
}

fn is_local_char(c: char) -> bool {
    is_alnum(c) || matches!(c, '.' | '_' | '%' | '+' | '-')
}

/// E-mail addresses: every `@`, expanded to a local part and a dotted domain.
///
/// The same pass over the text records every `[` in `opens` (cleared first),
/// for [`crate::scrubber`]'s placeholder check.
pub(crate) fn find_emails(text: &str, masks: &Masks, opens: &mut Vec<usize>, out: &mut Vec<Span>) {
    let b = text.as_bytes();
    let mut floor = 0;
    opens.clear();
    for at in masks.positions(crate::scan::AT_OPEN) {
        if b.get(at) == Some(&b'[') {
            opens.push(at);
            continue;
        }
        if at < floor {
            continue;
        }
        let Some(before) = text.get(floor..at) else {
            continue;
        };
        // ASCII first; a non-ASCII byte sends the scan to the characters.
        let bb = before.as_bytes();
        let ascii_len = bb
            .iter()
            .rev()
            .take_while(|c| {
                c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-')
            })
            .count();
        let local_len: usize = if bb.len() > ascii_len
            && bb.get(bb.len() - ascii_len - 1).is_some_and(|c| *c >= 0x80)
        {
            before
                .chars()
                .rev()
                .take_while(|c| is_local_char(*c))
                .map(char::len_utf8)
                .sum()
        } else {
            ascii_len
        };
        if local_len == 0 {
            continue;
        }
        let s = at - local_len;
        // `scheme://user:pass@host`: userinfo, left to the URL detector.
        let token_start = b
            .get(..s)
            .and_then(|r| r.iter().rposition(u8::is_ascii_whitespace))
            .map_or(0, |p| p + 1);
        if b.get(token_start..s).is_some_and(|r| {
            memchr::memchr(b':', r).is_some() && memchr::memmem::find(r, b"://").is_some()
        }) {
            continue;
        }
        let Some(after) = text.get(at + 1..) else {
            continue;
        };
        let mut dom_end = at + 1;
        let mut dots = 0;
        let mut label = 0;
        // Byte by byte; a non-ASCII byte is decoded as the character it starts.
        let ab = after.as_bytes();
        let mut k = 0;
        while let Some(&c) = ab.get(k) {
            let (word, len) = if c < 0x80 {
                (c.is_ascii_alphanumeric() || c == b'-', 1)
            } else {
                match after.get(k..).and_then(|r| r.chars().next()) {
                    Some(ch) => (is_alnum(ch), ch.len_utf8()),
                    None => break,
                }
            };
            if word {
                label += 1;
            } else if c == b'.' && label > 0 {
                dots += 1;
                label = 0;
            } else {
                break;
            }
            dom_end += len;
            k += len;
        }
        // Trailing dot or dash is punctuation.
        while dom_end > at + 1 && matches!(b.get(dom_end - 1), Some(b'.' | b'-')) {
            dom_end -= 1;
        }
        let Some(domain) = text.get(at + 1..dom_end) else {
            continue;
        };
        let tld = after_last_dot(domain);
        if dots == 0
            || tld.chars().count() < 2
            || !tld.chars().all(is_alpha)
            || !domain.contains('.')
        {
            continue;
        }
        if let Some((s, e)) = email(text, s, dom_end) {
            out.push(Span::new(s, e, Kind::Email));
            floor = e;
        }
    }
}

/// IPv6 addresses: around every `:`, a run of hex digits, colons and dots.
/// `colons`: the position of every `:` in `text` when known, else `None`.
pub(crate) fn find_ipv6(text: &str, colons: Option<&[usize]>, out: &mut Vec<Span>) {
    let mut floor = 0;
    match colons {
        Some(colons) => {
            for &colon in colons {
                ipv6_at(text, colon, &mut floor, out);
            }
        }
        None => {
            for colon in memchr::memchr_iter(b':', text.as_bytes()) {
                ipv6_at(text, colon, &mut floor, out);
            }
        }
    }
}

/// The IPv6 address around the `:` at `colon`, if any, past `floor`.
#[inline]
fn ipv6_at(text: &str, colon: usize, floor: &mut usize, out: &mut Vec<Span>) {
    let b = text.as_bytes();
    let ip_char = |c: u8| c.is_ascii_hexdigit() || c == b':';
    if colon < *floor {
        return;
    }
    let mut s = colon;
    while s > *floor && b.get(s - 1).is_some_and(|c| ip_char(*c)) {
        s -= 1;
    }
    let mut e = colon;
    while b.get(e).is_some_and(|c| ip_char(*c) || *c == b'.') {
        e += 1;
    }
    if b.get(e) == Some(&b'%') {
        e += 1;
        while b.get(e).is_some_and(u8::is_ascii_alphanumeric) {
            e += 1;
        }
    }
    while e > colon && b.get(e - 1) == Some(&b'.') {
        e -= 1;
    }
    *floor = e.max(colon + 1);
    // A single `:` before or after is punctuation (`ip:2001:db8::1`,
    // `2001:db8::1: unreachable`), a `::` is part of the address.
    if b.get(s) == Some(&b':') && b.get(s + 1) != Some(&b':') {
        s += 1;
    }
    if e >= 2 && b.get(e - 1) == Some(&b':') && b.get(e - 2) != Some(&b':') {
        e -= 1;
    }
    let colons = b
        .get(s..e)
        .map_or(0, |r| r.iter().filter(|c| **c == b':').count());
    if colons < 2 || e - s < 3 {
        return;
    }
    if let Some((s, e)) = ipv6(text, s, e) {
        out.push(Span::new(s, e, Kind::Ip));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_by_hand_matches_the_pattern() {
        let re = meta::Regex::new(PATTERNS[0].1).unwrap();
        let heads = [
            "-----BEGIN PRIVATE KEY-----",
            "-----BEGIN RSA PRIVATE KEY-----",
            "-----BEGIN RSA PUBLIC KEY-----",
            "-----BEGIN  PRIVATE KEY----",
            "-----BEGIN OPENSSH PRIVATE KEY-----x",
            "-----BEGINPRIVATE KEY-----",
        ];
        let ends = [
            "-----END PRIVATE KEY-----",
            "-----END RSA PRIVATE KEY-----",
            "-----END RSA PRIVATE KEY----",
            "-----END CERTIFICATE-----",
            "-----END-----",
            "",
        ];
        let mut x = 0x9e37_79b9_7f4a_7c15_u64;
        let alphabet = b"aZ09+/=\r\n\t :,.-_\\@\xc3";
        let mut matched = 0;
        for head in heads {
            for end in ends {
                for _ in 0..60 {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let len = (x % 24) as usize;
                    let body: Vec<u8> = (0..len)
                        .map(|i| alphabet[((x >> (i % 40)) as usize + i) % alphabet.len()])
                        .collect();
                    let body = String::from_utf8_lossy(&body);
                    let second = if x & 1 == 0 { end } else { "" };
                    let text = format!("x {head}{body}{end}{body}{second} tail");
                    let hay = text.as_bytes();
                    let p = 2;
                    let want = re
                        .search(&Input::new(hay).span(p..hay.len()).anchored(Anchored::Yes))
                        .map(|m| m.end());
                    assert_eq!(pem_end(hay, p), want, "{text:?}");
                    matched += usize::from(want.is_some());
                }
            }
        }
        assert!(matched > 500, "{matched}");
    }

    #[test]
    fn key_runs_end_where_the_bytes_leave_the_class() {
        let slow = |hay: &[u8], mut j: usize| {
            while j > 0 && hay.get(j - 1).is_some_and(|c| KEY_CLASS[usize::from(*c)]) {
                j -= 1;
            }
            j
        };
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        let alphabet = b"aZ09_.-/:=@ \t\"'?&;`[{\x7f\x80\xc3\xa9";
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 40) as usize;
            // Half the cases mostly key bytes, for runs of eight and more.
            let alphabet: &[u8] = if x & 1 == 0 {
                alphabet
            } else {
                b"aZ09_.-aZ09_.-aZ09_.-q/"
            };
            let hay: Vec<u8> = (0..len)
                .map(|i| alphabet[((x >> (i % 50)) as usize + i * 7) % alphabet.len()])
                .collect();
            for j in 0..=hay.len() {
                assert_eq!(key_run_start(&hay, j), slow(&hay, j), "{hay:?} {j}");
            }
        }
        assert_eq!(key_run_start(b"x api_key.v-2", 13), 2);
        assert_eq!(key_run_start(b"abcdefghijklmnopqrstuvwxyz", 26), 0);
    }

    #[test]
    fn pair_filter_lets_every_literal_through() {
        let st = Structured::new(&Detectors::default()).unwrap();
        let words = AT_WORD_START.iter().chain(ANYWHERE.iter().map(|(_, w)| w));
        for lit in words {
            for tail in ["", "AbC0123456789xyzXYZ", "x", "_Ab9", "-Ab9"] {
                for text in [
                    format!("{lit}{tail} ok"),
                    format!("{}{tail} ok", lit.to_uppercase()),
                ] {
                    let b = text.as_bytes();
                    // The word at the run start, as `walk_runs` measures it.
                    let end = b
                        .iter()
                        .position(|c| !c.is_ascii_alphanumeric())
                        .unwrap_or(b.len());
                    let k = crate::names::pair_key(b, 0, end);
                    let hit = st
                        .pairs
                        .get(k / 64)
                        .is_some_and(|w| w & (1 << (k % 64)) != 0);
                    assert!(hit, "{text:?}");
                }
            }
        }
        // And it does filter: an `and` or an `as` is not let through.
        for w in ["and", "as", "any", "be"] {
            let k = crate::names::pair_key(w.as_bytes(), 0, w.len());
            assert!(
                st.pairs
                    .get(k / 64)
                    .is_some_and(|x| x & (1 << (k % 64)) == 0),
                "{w}"
            );
        }
    }

    #[test]
    fn luhn_and_mod97() {
        assert!(luhn(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]));
        assert!(!luhn(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]));
        assert!(mod97(b"DE89370400440532013000"));
        assert!(!mod97(b"DE89370400440532013001"));
        assert!(mod97(b"GB82WEST12345698765432"));
    }

    #[test]
    fn entropy_orders_strings() {
        assert!(entropy("aaaaaaaaaaaaaaaaaaaa") < 0.1);
        assert!(entropy("q8Z3kP0vX7mW2rT9yL4n") > 4.0);
        assert_eq!(entropy(""), 0.0);
        // The table form agrees with the definition, long strings included.
        let long = "ab".repeat(300) + "xyz";
        for v in [
            "abc",
            "aab",
            "q8Z3kP0vX7mW2rT9yL4n",
            "AKIAIOSFODNN7EXAMPLE",
            &long,
        ] {
            let n = v.len() as f64;
            let mut counts = std::collections::BTreeMap::new();
            for b in v.bytes() {
                *counts.entry(b).or_insert(0u32) += 1;
            }
            let h: f64 = counts
                .values()
                .map(|&c| -(f64::from(c) / n) * (f64::from(c) / n).log2())
                .sum();
            assert!((entropy(v) - h).abs() < 1e-9, "{v}: {} vs {h}", entropy(v));
        }
    }
}
