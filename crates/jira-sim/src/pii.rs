//! Generators for planted personal data and secrets. Every value is syntactically valid
//! for its kind (Luhn-valid cards, mod-97-valid IBANs, well-formed JWTs), so a scrubber
//! that validates before redacting still has to catch them.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::model::PiiKind;

/// People who are not Jira users (customers, contacts) — planted as [`PiiKind::CustomerName`].
pub(crate) const CUSTOMER_NAMES: &[&str] = &[
    "Maria González",
    "Thabo Nkosi",
    "Oluwaseun Adeyemi",
    "Siobhán O'Connor",
    "Hiroshi Tanaka",
    "Fatima Al-Sayed",
    "Bartłomiej Kowalczyk",
    "Ingrid Johansson",
    "Rafael Moreira",
    "Chloé Dubois",
    "Dmitri Volkov",
    "Priya Raghunathan",
    "Kwame Mensah",
    "Elif Yıldız",
    "Nguyen Thi Lan",
    "Margaret Whitfield",
    "Jonas Lindqvist",
    "Aylin Demir",
    "Roberto Bianchi",
    "Sarah O'Brien",
];

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

pub(crate) fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    // Callers pass non-empty constant tables.
    &items[rng.random_range(0..items.len())]
}

fn chars(rng: &mut ChaCha8Rng, set: &[u8], n: usize) -> String {
    (0..n)
        .map(|_| char::from(*pick(rng, set)))
        .collect::<String>()
}

fn digits(rng: &mut ChaCha8Rng, n: usize) -> String {
    chars(rng, b"0123456789", n)
}

/// A Luhn-valid 16-digit Visa or Mastercard number, grouped by spaces, dashes or not.
pub(crate) fn payment_card(rng: &mut ChaCha8Rng) -> String {
    let prefix = if rng.random_bool(0.5) { "4" } else { "52" };
    let mut d: Vec<u32> = prefix.chars().filter_map(|c| c.to_digit(10)).collect();
    while d.len() < 15 {
        d.push(rng.random_range(0..10));
    }
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            if i % 2 == 0 {
                let y = x * 2;
                if y > 9 { y - 9 } else { y }
            } else {
                x
            }
        })
        .sum();
    d.push((10 - sum % 10) % 10);
    let s: String = d.iter().filter_map(|x| char::from_digit(*x, 10)).collect();
    match rng.random_range(0..3) {
        0 => s,
        k => {
            let sep = if k == 1 { " " } else { "-" };
            s.as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join(sep)
        }
    }
}

/// Whether a digit string (separators ignored) passes the Luhn check.
pub fn luhn_valid(s: &str) -> bool {
    let d: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() < 12 {
        return false;
    }
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            if i % 2 == 1 {
                let y = x * 2;
                if y > 9 { y - 9 } else { y }
            } else {
                x
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn mod97(s: &str) -> u32 {
    let mut r: u32 = 0;
    for c in s.chars() {
        let v = if let Some(d) = c.to_digit(10) {
            d
        } else if c.is_ascii_uppercase() {
            u32::from(c as u8 - b'A') + 10
        } else {
            continue;
        };
        r = if v >= 10 {
            (r * 100 + v) % 97
        } else {
            (r * 10 + v) % 97
        };
    }
    r
}

/// Whether an IBAN (spaces ignored) passes the mod-97 check.
pub fn iban_valid(s: &str) -> bool {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() < 15 || !compact.is_ascii() {
        return false;
    }
    let (head, tail) = compact.split_at(4);
    mod97(&format!("{tail}{head}")) == 1
}

/// A mod-97-valid German, British, French or Dutch IBAN, sometimes grouped by four.
pub(crate) fn iban(rng: &mut ChaCha8Rng) -> String {
    let (cc, bban) = match rng.random_range(0..4) {
        0 => ("DE", digits(rng, 18)),
        1 => (
            "GB",
            format!(
                "{}{}",
                chars(rng, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", 4),
                digits(rng, 14)
            ),
        ),
        2 => ("FR", format!("{}{}", digits(rng, 21), digits(rng, 2))),
        _ => (
            "NL",
            format!(
                "{}{}",
                chars(rng, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", 4),
                digits(rng, 10)
            ),
        ),
    };
    let check = 98 - mod97(&format!("{bban}{cc}00"));
    let compact = format!("{cc}{check:02}{bban}");
    if rng.random_bool(0.5) {
        compact
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        compact
    }
}

/// A phone number in one of several international and national formats.
pub(crate) fn phone(rng: &mut ChaCha8Rng) -> String {
    match rng.random_range(0..7) {
        0 => format!("+49 30 {}", digits(rng, 8)),
        1 => format!("+1 (415) 555-{}", digits(rng, 4)),
        2 => format!("+44 20 7946 {}", digits(rng, 4)),
        3 => format!("030 {}", digits(rng, 7)),
        4 => format!("(212) 555-{}", digits(rng, 4)),
        5 => format!("0171 {}", digits(rng, 7)),
        _ => format!(
            "+33 6 {} {} {} {}",
            digits(rng, 2),
            digits(rng, 2),
            digits(rng, 2),
            digits(rng, 2)
        ),
    }
}

pub(crate) fn ipv4(rng: &mut ChaCha8Rng) -> String {
    let first = *pick(rng, &[10u8, 81, 94, 172, 185, 192, 203]);
    format!(
        "{}.{}.{}.{}",
        first,
        rng.random_range(0..=255),
        rng.random_range(0..=255),
        rng.random_range(1..=254)
    )
}

pub(crate) fn ipv6(rng: &mut ChaCha8Rng) -> String {
    let g: Vec<String> = (0..4)
        .map(|_| format!("{:x}", rng.random_range(1..0xffffu32)))
        .collect();
    if rng.random_bool(0.5) {
        format!("2001:db8:{}:{}::{}:{}", g[0], g[1], g[2], g[3])
    } else {
        format!("fe80::{}:{}:{}:{}", g[0], g[1], g[2], g[3])
    }
}

pub(crate) fn national_id(rng: &mut ChaCha8Rng) -> String {
    format!(
        "{:03}-{:02}-{:04}",
        rng.random_range(100..665),
        rng.random_range(10..99),
        rng.random_range(1000..9999)
    )
}

pub(crate) fn url_with_credentials(rng: &mut ChaCha8Rng) -> String {
    let user = pick(rng, &["deploy", "admin", "svc-backup", "ci"]);
    format!(
        "https://{}:{}@{}/{}",
        user,
        chars(rng, ALNUM, 14),
        pick(
            rng,
            &[
                "git.acme-robotics.example",
                "nexus.internal.example",
                "db.eu-west-1.example.net"
            ]
        ),
        pick(rng, &["platform.git", "repository/releases", "admin"])
    )
}

pub(crate) fn aws_key(rng: &mut ChaCha8Rng) -> String {
    format!("AKIA{}", chars(rng, UPPER_B32, 16))
}

pub(crate) fn github_token(rng: &mut ChaCha8Rng) -> String {
    format!("ghp_{}", chars(rng, ALNUM, 36))
}

pub(crate) fn slack_token(rng: &mut ChaCha8Rng) -> String {
    format!(
        "xoxb-{}-{}-{}",
        digits(rng, 11),
        digits(rng, 13),
        chars(rng, ALNUM, 24)
    )
}

pub(crate) fn jwt(rng: &mut ChaCha8Rng) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = format!(
        r#"{{"sub":"{}","iat":{},"role":"admin"}}"#,
        digits(rng, 8),
        rng.random_range(1_600_000_000u64..1_760_000_000)
    );
    let payload = URL_SAFE_NO_PAD.encode(payload.as_bytes());
    let sig: Vec<u8> = (0..32).map(|_| rng.random()).collect();
    format!("{header}.{payload}.{}", URL_SAFE_NO_PAD.encode(sig))
}

pub(crate) fn private_key(rng: &mut ChaCha8Rng) -> String {
    let body: Vec<u8> = (0..144).map(|_| rng.random()).collect();
    let b64 = STANDARD.encode(body);
    let lines: Vec<String> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    format!(
        "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----",
        lines.join("\n")
    )
}

pub(crate) fn password_assignment(rng: &mut ChaCha8Rng) -> String {
    let key = pick(rng, &["password", "db_password", "PASSWORD", "passwd"]);
    let sep = pick(rng, &["=", ": ", "="]);
    format!("{key}{sep}{}{}!", chars(rng, ALNUM, 10), digits(rng, 2))
}

/// A value of `kind`, except for the two name kinds (the caller supplies those).
pub(crate) fn value(rng: &mut ChaCha8Rng, kind: PiiKind, email_domain_user: &str) -> String {
    match kind {
        PiiKind::Email => {
            let domain = pick(
                rng,
                &[
                    "gmail.com",
                    "outlook.com",
                    "customer-corp.example",
                    "web.de",
                    "yahoo.co.jp",
                ],
            );
            format!("{email_domain_user}{}@{domain}", rng.random_range(1..99))
        }
        PiiKind::Phone => phone(rng),
        PiiKind::PaymentCard => payment_card(rng),
        PiiKind::Iban => iban(rng),
        PiiKind::Ipv4 => ipv4(rng),
        PiiKind::Ipv6 => ipv6(rng),
        PiiKind::NationalId => national_id(rng),
        PiiKind::UrlWithCredentials => url_with_credentials(rng),
        PiiKind::AwsAccessKey => aws_key(rng),
        PiiKind::GithubToken => github_token(rng),
        PiiKind::SlackToken => slack_token(rng),
        PiiKind::Jwt => jwt(rng),
        PiiKind::PrivateKey => private_key(rng),
        PiiKind::PasswordAssignment | PiiKind::UserName | PiiKind::CustomerName => {
            password_assignment(rng)
        }
    }
}

/// A sentence carrying `v` (of `kind`) for descriptions and comments.
pub(crate) fn sentence(rng: &mut ChaCha8Rng, kind: PiiKind, v: &str) -> String {
    let templates: &[&str] = match kind {
        PiiKind::Email => &[
            "Customer wrote from {} asking for a refund.",
            "Please reply to {} once this ships.",
            "Forwarded by {} — see the thread below.",
        ],
        PiiKind::Phone => &[
            "Call back on {} after 3pm.",
            "The site contact can be reached at {}.",
            "Escalation hotline: {}",
        ],
        PiiKind::UserName => &[
            "Spoke with {} about the rollout plan.",
            "{} said the fix works on staging.",
            "Handing this over to {} while I'm away.",
        ],
        PiiKind::CustomerName => &[
            "{} from the customer side reported this again.",
            "Reported by {} via the support portal.",
            "Meeting with {} on Thursday to review.",
        ],
        PiiKind::PaymentCard => &[
            "Checkout failed for card {} with a 402.",
            "The log shows the full PAN {} — must be masked!",
        ],
        PiiKind::Iban => &[
            "Refund to IBAN {} was rejected by the bank.",
            "Customer supplied account {} for the payout.",
        ],
        PiiKind::Ipv4 => &[
            "Requests originate from {} and hit the WAF.",
            "Blocked client {} after repeated 401s.",
        ],
        PiiKind::Ipv6 => &[
            "The client address was {} according to the LB log.",
            "Allow-list {} for the VPN.",
        ],
        PiiKind::NationalId => &[
            "The form echoed the SSN {} back in the page.",
            "Applicant id {} appears in the export.",
        ],
        PiiKind::UrlWithCredentials => &[
            "Mirror configured as {} in the build.",
            "Clone with {} until SSO is fixed.",
        ],
        PiiKind::AwsAccessKey => &[
            "Rotated key {} which leaked in the CI log.",
            "Env has AWS_ACCESS_KEY_ID={} set.",
        ],
        PiiKind::GithubToken => &[
            "Temporary token {} for the release job.",
            "Use {} for the API until the app is installed.",
        ],
        PiiKind::SlackToken => &[
            "Bot token {} is in the config map.",
            "Slack integration uses {} for now.",
        ],
        PiiKind::Jwt => &[
            "Failing request carried Authorization: Bearer {}",
            "Session token {} never expires.",
        ],
        PiiKind::PrivateKey => &["{}"],
        PiiKind::PasswordAssignment => &[
            "Config line: {} (rotate after the demo).",
            "Staging uses {} for the admin user.",
        ],
    };
    pick(rng, templates).replacen("{}", v, 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn cards_and_ibans_validate() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..200 {
            let c = payment_card(&mut rng);
            assert!(luhn_valid(&c), "{c}");
            let i = iban(&mut rng);
            assert!(iban_valid(&i), "{i}");
        }
        assert!(iban_valid("DE89 3704 0044 0532 0130 00"));
        assert!(!iban_valid("DE89 3704 0044 0532 0130 01"));
        assert!(luhn_valid("4111 1111 1111 1111"));
        assert!(!luhn_valid("4111 1111 1111 1112"));
    }

    #[test]
    fn jwt_has_three_parts_and_decodes() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let t = jwt(&mut rng);
        let parts: Vec<&str> = t.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header = URL_SAFE_NO_PAD.decode(parts[0]).unwrap_or_default();
        assert_eq!(header, br#"{"alg":"HS256","typ":"JWT"}"#);
    }
}
