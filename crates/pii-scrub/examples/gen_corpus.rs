//! Generates the labelled, Jira-like evaluation corpus.
//!
//! Non-user names, directory names and phone numbers come from the `fake` crate's
//! locale lists (en, fr_FR, de_DE, it_IT, pt_BR) — deliberately *not* from the
//! US Census gazetteer the scrubber uses, so the evaluation is not circular.
//!
//! ```sh
//! cargo run -p jirafe-pii-scrub --example gen_corpus -- crates/pii-scrub/tests/data
//! ```
//! writes `corpus.jsonl` (one comment per line: text, planted values by kind,
//! noise tokens) and `directory.txt` (500 display names).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;

use fake::Fake;
use fake::faker::internet::raw::{FreeEmail, IPv4, IPv6};
use fake::faker::name::raw::{FirstName, LastName};
use fake::faker::phone_number::raw::PhoneNumber;
use fake::locales::{DE_DE, EN, FR_FR, IT_IT, PT_BR};
use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

const COMMENTS: usize = 2000;
const DIRECTORY: usize = 500;
const LOCALES: [&str; 5] = ["en", "fr_FR", "de_DE", "it_IT", "pt_BR"];

fn first(rng: &mut SmallRng, loc: &str) -> String {
    match loc {
        "fr_FR" => FirstName(FR_FR).fake_with_rng(rng),
        "de_DE" => FirstName(DE_DE).fake_with_rng(rng),
        "it_IT" => FirstName(IT_IT).fake_with_rng(rng),
        "pt_BR" => FirstName(PT_BR).fake_with_rng(rng),
        _ => FirstName(EN).fake_with_rng(rng),
    }
}

fn last(rng: &mut SmallRng, loc: &str) -> String {
    match loc {
        "fr_FR" => LastName(FR_FR).fake_with_rng(rng),
        "de_DE" => LastName(DE_DE).fake_with_rng(rng),
        "it_IT" => LastName(IT_IT).fake_with_rng(rng),
        "pt_BR" => LastName(PT_BR).fake_with_rng(rng),
        _ => LastName(EN).fake_with_rng(rng),
    }
}

fn phone(rng: &mut SmallRng, loc: &str) -> String {
    let d = |rng: &mut SmallRng, n: usize| -> String {
        (0..n)
            .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
            .collect()
    };
    match (loc, rng.random_range(0..3)) {
        ("de_DE", 0) => format!("+49 (0) {} {}", rng.random_range(30..90), d(rng, 7)),
        ("de_DE", 1) => format!("0{} {}", rng.random_range(30..899), d(rng, 7)),
        ("de_DE", _) => format!("+49 {} {}", rng.random_range(151..179), d(rng, 8)),
        ("fr_FR", 2) => format!(
            "+33 {} {} {} {} {}",
            rng.random_range(1..8),
            d(rng, 2),
            d(rng, 2),
            d(rng, 2),
            d(rng, 2)
        ),
        ("fr_FR", _) => PhoneNumber(FR_FR).fake_with_rng(rng),
        ("it_IT", _) => PhoneNumber(IT_IT).fake_with_rng(rng),
        ("pt_BR", _) => PhoneNumber(PT_BR).fake_with_rng(rng),
        (_, 0) => format!(
            "001-{}-{}-{}x{}",
            rng.random_range(201..989),
            d(rng, 3),
            d(rng, 4),
            d(rng, 3)
        ),
        (_, 1) => format!("+44 20 {} {}", d(rng, 4), d(rng, 4)),
        _ => PhoneNumber(EN).fake_with_rng(rng),
    }
}

fn luhn_complete(mut digits: Vec<u8>) -> String {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let v = u32::from(*d) * if i % 2 == 0 { 2 } else { 1 };
            if v > 9 { v - 9 } else { v }
        })
        .sum();
    digits.push(u8::try_from((10 - sum % 10) % 10).unwrap_or(0));
    digits.iter().map(|d| char::from(b'0' + d)).collect()
}

fn card(rng: &mut SmallRng) -> String {
    let (prefix, len): (&[u8], usize) = *[
        (&[4u8][..], 16),
        (&[5, 3][..], 16),
        (&[3, 7][..], 15),
        (&[6, 0, 1, 1][..], 16),
        (&[2, 2, 3, 1][..], 16),
    ]
    .choose(rng)
    .unwrap_or(&(&[4u8][..], 16));
    let mut v = prefix.to_vec();
    while v.len() < len - 1 {
        v.push(rng.random_range(0..10));
    }
    let n = luhn_complete(v);
    let groups: Vec<String> = if len == 15 {
        vec![n[..4].into(), n[4..10].into(), n[10..].into()]
    } else {
        n.as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect()
    };
    match rng.random_range(0..3) {
        0 => n,
        1 => groups.join(" "),
        _ => groups.join("-"),
    }
}

fn iban(rng: &mut SmallRng) -> String {
    let (cc, len, letters) = *[
        ("DE", 22, 0),
        ("GB", 22, 4),
        ("FR", 27, 0),
        ("NL", 18, 4),
        ("ES", 24, 0),
        ("IT", 27, 1),
    ]
    .choose(rng)
    .unwrap_or(&("DE", 22, 0));
    let mut bban = String::new();
    for i in 0..len - 4 {
        bban.push(if i < letters {
            char::from(b'A' + rng.random_range(0..26u8))
        } else {
            char::from(b'0' + rng.random_range(0..10u8))
        });
    }
    let numeric: String = format!("{bban}{cc}00")
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                c.to_string()
            } else {
                (u32::from(c) - 55).to_string()
            }
        })
        .collect();
    let rem = numeric
        .bytes()
        .fold(0u32, |r, b| (r * 10 + u32::from(b - b'0')) % 97);
    let full = format!("{cc}{:02}{bban}", 98 - rem);
    if rng.random_bool(0.7) {
        full.as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        full
    }
}

fn rand_str(rng: &mut SmallRng, alphabet: &[u8], n: usize) -> String {
    (0..n)
        .map(|_| char::from(*alphabet.choose(rng).unwrap_or(&b'x')))
        .collect()
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// A secret and the sentence around it; the value recorded is the secret part.
fn secret(rng: &mut SmallRng) -> (String, String) {
    match rng.random_range(0..12) {
        0 => {
            let v = format!("AKIA{}", rand_str(rng, UPNUM, 16));
            (format!("AWS key {v} was committed to the repo."), v)
        }
        1 => {
            let v = format!("ghp_{}", rand_str(rng, ALNUM, 36));
            (format!("Rotate the GitHub token {v} now."), v)
        }
        2 => {
            let v = format!("glpat-{}", rand_str(rng, ALNUM, 20));
            (format!("CI uses {v} for the registry."), v)
        }
        3 => {
            let v = format!(
                "xoxb-{}-{}-{}",
                rand_str(rng, b"0123456789", 12),
                rand_str(rng, b"0123456789", 13),
                rand_str(rng, ALNUM, 24)
            );
            (format!("Slack bot token: {v}"), v)
        }
        4 => {
            let v = format!("sk_live_{}", rand_str(rng, ALNUM, 24));
            (format!("Stripe key {v} must be revoked."), v)
        }
        5 => {
            let v = format!("AIza{}", rand_str(rng, B64, 35));
            (format!("Maps API key {v} is in the client bundle."), v)
        }
        6 => {
            let v = format!("ATATT3xFfGF0{}", rand_str(rng, B64, 180));
            (format!("Atlassian API token {v} expires soon."), v)
        }
        7 => {
            let v = format!(
                "eyJhbGciOiJIUzI1NiJ9.eyJ{}.{}",
                rand_str(rng, B64, 40),
                rand_str(rng, B64, 43)
            );
            (format!("Authorization: Bearer {v}"), v)
        }
        8 => {
            let v = rand_str(rng, ALNUM, 14);
            (format!("The config had password={v} in plain text."), v)
        }
        9 => {
            let v = rand_str(rng, ALNUM, 32);
            (format!("\"api_key\": \"{v}\""), v)
        }
        10 => {
            let v = rand_str(rng, ALNUM, 24);
            (format!("The client secret is {v} per the vault."), v)
        }
        _ => {
            let body = (0..6)
                .map(|_| rand_str(rng, ALNUM, 64))
                .collect::<Vec<_>>()
                .join("\n");
            let v = rand_str(rng, ALNUM, 64);
            (
                format!("-----BEGIN PRIVATE KEY-----\n{v}\n{body}\n-----END PRIVATE KEY-----"),
                v,
            )
        }
    }
}

fn noise(rng: &mut SmallRng) -> String {
    let h = |rng: &mut SmallRng, n| rand_str(rng, b"0123456789abcdef", n);
    match rng.random_range(0..20) {
        16 => [
            "Visual Studio",
            "Google Drive",
            "Service Desk",
            "Spring Boot",
            "Data Center",
            "Release Notes",
            "Acceptance Criteria",
            "Active Directory",
            "Power BI",
            "Azure DevOps",
            "Load Balancer",
            "Feature Flag",
            "Customer Portal",
            "Sprint Review",
        ]
        .choose(rng)
        .unwrap_or(&"Service Desk")
        .to_string(),
        17 => [
            "user_account_id",
            "max_retry_count",
            "Config.load",
            "Invoice.total",
            "OrderService.submit()",
            "getUserName",
            "HTTP_PROXY",
        ]
        .choose(rng)
        .unwrap_or(&"Config.load")
        .to_string(),
        18 => [
            "Will retry",
            "Mark as duplicate",
            "Grant access",
            "Bill the customer",
            "May fail",
            "Rose by 20%",
            "Frank feedback",
            "Summer release",
        ]
        .choose(rng)
        .unwrap_or(&"Will retry")
        .to_string(),
        19 => format!("{}:{:02}", rng.random_range(0..24), rng.random_range(0..60)),
        0 => format!(
            "{}-{}",
            ["PROJ", "ABC", "OPS", "BILL", "WEB"]
                .choose(rng)
                .unwrap_or(&"ABC"),
            rng.random_range(1..9999)
        ),
        1 => format!(
            "v{}.{}.{}",
            rng.random_range(0..5),
            rng.random_range(0..30),
            rng.random_range(0..50)
        ),
        2 => format!(
            "{}.{}.{}-rc{}",
            rng.random_range(1..4),
            rng.random_range(0..12),
            rng.random_range(0..9),
            rng.random_range(1..5)
        ),
        3 => {
            let n = if rng.random_bool(0.5) { 40 } else { 7 };
            h(rng, n)
        }
        4 => format!(
            "2024-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            rng.random_range(1..13),
            rng.random_range(1..29),
            rng.random_range(0..24),
            rng.random_range(0..60),
            rng.random_range(0..60)
        ),
        5 => format!("{}h {}m", rng.random_range(1..9), rng.random_range(1..59)),
        6 => [
            "UserService",
            "NullPointerException",
            "InvoiceController",
            "HttpClientFactory",
            "OrderRepositoryImpl",
        ]
        .choose(rng)
        .unwrap_or(&"UserService")
        .to_string(),
        7 => format!(
            "{}-{}-4{}-a{}-{}",
            h(rng, 8),
            h(rng, 4),
            h(rng, 3),
            h(rng, 3),
            h(rng, 12)
        ),
        8 => format!(
            "{}-{:02}.{}.example.internal",
            ["db", "api", "cache", "worker"]
                .choose(rng)
                .unwrap_or(&"db"),
            rng.random_range(1..20),
            ["prod", "staging"].choose(rng).unwrap_or(&"prod")
        ),
        9 => rng.random_range(10_000..99_999_999u64).to_string(),
        10 => format!(
            "port {}",
            [8080, 5432, 6379, 443, 9092].choose(rng).unwrap_or(&8080)
        ),
        11 => format!(
            "/var/log/{}/{}.log",
            ["app", "nginx", "billing"].choose(rng).unwrap_or(&"app"),
            rng.random_range(2020..2026)
        ),
        12 => format!("build #{}", rng.random_range(100..99999)),
        13 => format!(
            "{:02}/{:02}/2024",
            rng.random_range(1..29),
            rng.random_range(1..13)
        ),
        14 => format!("{}ms", rng.random_range(5..30000)),
        _ => format!(
            "com.acme.{}.{}",
            ["billing", "auth", "search"].choose(rng).unwrap_or(&"auth"),
            ["Main", "Config", "Handler"].choose(rng).unwrap_or(&"Main")
        ),
    }
}

struct Rec {
    text: String,
    planted: Vec<(&'static str, String)>,
    noise: Vec<String>,
}

impl Rec {
    fn plant(&mut self, kind: &'static str, v: String) -> String {
        self.planted.push((kind, v.clone()));
        v
    }
    fn noise(&mut self, v: String) -> String {
        self.noise.push(v.clone());
        v
    }
}

fn sentence(rng: &mut SmallRng, loc: &str, dir: &[(String, String)], r: &mut Rec) -> String {
    let n1 = noise(rng);
    let n1 = r.noise(n1);
    match rng.random_range(0..17) {
        0 => {
            let (f, l) = (first(rng, loc), last(rng, loc));
            let e = fold(&format!(
                "{}.{}@{}",
                f,
                l,
                ["example.com", "acme.io", "kunde.de", "cliente.com.br"]
                    .choose(rng)
                    .unwrap_or(&"example.com")
            ))
            .to_lowercase();
            format!("Customer wrote from {} about {n1}.", r.plant("email", e))
        }
        1 => {
            let e: String = FreeEmail(EN).fake_with_rng(rng);
            format!("Please reply to {} regarding {n1}.", r.plant("email", e))
        }
        2 => {
            let p = phone(rng, loc);
            format!("Call back on {} before {n1}.", r.plant("phone", p))
        }
        3 => {
            let ip: String = if rng.random_bool(0.7) {
                IPv4(EN).fake_with_rng(rng)
            } else {
                IPv6(EN).fake_with_rng(rng)
            };
            format!("Requests from {} fail since {n1}.", r.plant("ip", ip))
        }
        4 => {
            let c = card(rng);
            format!(
                "The customer pasted card {} into the ticket ({n1}).",
                r.plant("card", c)
            )
        }
        5 => {
            let i = iban(rng);
            format!("Refund to IBAN {} after {n1}.", r.plant("iban", i))
        }
        6 => {
            let (s, v) = secret(rng);
            r.plant("secret", v);
            format!("{s} See {n1}.")
        }
        7 => {
            let v = if rng.random_bool(0.5) {
                format!(
                    "{:03}-{:02}-{:04}",
                    rng.random_range(1..665),
                    rng.random_range(1..99),
                    rng.random_range(1..9999)
                )
            } else {
                format!(
                    "{}{} {:02} {:02} {:02} {}",
                    ["A", "J", "P", "S"].choose(rng).unwrap_or(&"A"),
                    ["B", "R", "T", "Y"].choose(rng).unwrap_or(&"B"),
                    rng.random_range(0..99),
                    rng.random_range(0..99),
                    rng.random_range(0..99),
                    ["A", "B", "C", "D"].choose(rng).unwrap_or(&"A")
                )
            };
            format!(
                "Applicant id {} was attached in {n1}.",
                r.plant("national_id", v)
            )
        }
        8 => {
            let u = rand_str(rng, b"abcdefghijklmnop", 6);
            let p = rand_str(rng, ALNUM, 12);
            let v = format!("{u}:{p}");
            r.plant("url_credentials", p);
            format!("Clone with https://{v}@git.example.com/team/repo.git and retry {n1}.")
        }
        9 => {
            let t = rand_str(rng, ALNUM, 32);
            let v = r.plant("url_credentials", t);
            format!(
                "The link https://files.example.com/export?id={}&access_token={v} leaked in {n1}.",
                rng.random_range(1..999)
            )
        }
        10..=12 => {
            let (full, _) = dir.choose(rng).cloned().unwrap_or_default();
            let parts: Vec<&str> = full.split(' ').collect();
            let (f, l) = (
                parts.first().copied().unwrap_or(""),
                parts.last().copied().unwrap_or(""),
            );
            match rng.random_range(0..6) {
                0 => format!(
                    "{} moved this to In Progress ({n1}).",
                    r.plant("directory", full.clone())
                ),
                1 => format!(
                    "Assigned to {} for {n1}.",
                    r.plant("directory", full.clone())
                ),
                2 => format!(
                    "@{} can you check {n1}?",
                    r.plant("directory", full.clone())
                ),
                3 => format!(
                    "As discussed with {}, we postpone {n1}.",
                    r.plant("directory", f.to_string())
                ),
                4 => format!(
                    "{}, {} approved {n1}.",
                    r.plant("directory", l.to_string()),
                    f
                ),
                _ => format!(
                    "Waiting for {} to confirm {n1}.",
                    r.plant("directory", l.to_string())
                ),
            }
        }
        13 | 14 => {
            let (f, l) = (first(rng, loc), last(rng, loc));
            match rng.random_range(0..9) {
                0 => format!("Hi {}, thanks for reporting {n1}.", r.plant("person", f)),
                1 => format!(
                    "Customer {} called about {n1}.",
                    r.plant("person", format!("{f} {l}"))
                ),
                2 => format!(
                    "Dear {} {}, the fix for {n1} is live.",
                    ["Mr.", "Ms.", "Mrs.", "Dr."].choose(rng).unwrap_or(&"Mr."),
                    r.plant("person", l)
                ),
                3 => format!("cc {} on {n1}", r.plant("person", format!("{f} {l}"))),
                4 => format!(
                    "Spoke with {} about {n1}.",
                    r.plant("person", format!("{f} {l}"))
                ),
                5 => format!(
                    "See {n1}. Regards,\n{}",
                    r.plant("person", format!("{f} {l}"))
                ),
                6 => format!("{}'s laptop still shows {n1}.", r.plant("person", f)),
                7 => format!(
                    "According to {} the issue started with {n1}.",
                    r.plant("person", format!("{f} {l}"))
                ),
                _ => format!(
                    "{} reported that {n1} fails.",
                    r.plant("person", format!("{f} {l}"))
                ),
            }
        }
        15 => {
            let n2 = noise(rng);
            let n2 = r.noise(n2);
            format!("• Steps: deploy {n1}\n• Expected: {n2} passes")
        }
        _ => {
            let n2 = noise(rng);
            let n2 = r.noise(n2);
            format!("Retried {n1} with {n2}, Deploy blocked until Monday.")
        }
    }
}

fn fold(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' => Some('a'),
            'ç' => Some('c'),
            'è' | 'é' | 'ê' | 'ë' => Some('e'),
            'ì' | 'í' | 'î' | 'ï' => Some('i'),
            'ñ' => Some('n'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => Some('o'),
            'ù' | 'ú' | 'û' | 'ü' => Some('u'),
            'ß' => Some('s'),
            '\'' => None,
            c if c.is_whitespace() => None,
            c => Some(c),
        })
        .collect()
}

fn main() -> std::io::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "crates/pii-scrub/tests/data".into());
    let mut rng = SmallRng::seed_from_u64(0x6a69_7261_6665);
    let mut people = Vec::new();
    let mut seen = std::collections::HashSet::new();
    while people.len() < DIRECTORY {
        let loc = *LOCALES.choose(&mut rng).unwrap_or(&"en");
        let full = format!("{} {}", first(&mut rng, loc), last(&mut rng, loc));
        if !full.contains(['\'', '.']) && seen.insert(full.clone()) {
            people.push((full, loc.to_string()));
        }
    }
    let mut d = std::fs::File::create(format!("{dir}/directory.txt"))?;
    for (p, _) in &people {
        writeln!(d, "{p}")?;
    }
    let mut out = std::io::BufWriter::new(std::fs::File::create(format!("{dir}/corpus.jsonl"))?);
    for id in 0..COMMENTS {
        let loc = LOCALES[id % LOCALES.len()];
        let mut r = Rec {
            text: String::new(),
            planted: Vec::new(),
            noise: Vec::new(),
        };
        let n = rng.random_range(3..7);
        let parts: Vec<String> = (0..n)
            .map(|_| sentence(&mut rng, loc, &people, &mut r))
            .collect();
        r.text = parts.join(if rng.random_bool(0.3) { "\n" } else { " " });
        let planted: Vec<serde_json::Value> = r
            .planted
            .iter()
            .map(|(k, v)| serde_json::json!([k, v]))
            .collect();
        serde_json::to_writer(
            &mut out,
            &serde_json::json!({"id": id, "locale": loc, "text": r.text, "planted": planted, "noise": r.noise}),
        )?;
        writeln!(out)?;
    }
    out.flush()?;
    eprintln!("wrote {COMMENTS} comments and {DIRECTORY} people to {dir}");
    Ok(())
}
