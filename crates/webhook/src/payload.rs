//! Strict, ASCII-only validation of webhook payloads.
//!
//! The payload is parsed only after its signature verified, and only for the issue id(s)
//! and the event kind. Every other field is skipped without being copied. Nothing from the
//! payload is ever used to build a path or a URL, logged, or stored.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use crate::event::EventKind;

/// The longest project part of an issue key (`PROJ` in `PROJ-12`).
pub const MAX_PROJECT_KEY_LEN: usize = 32;
/// The most digits in the number part of an issue key.
pub const MAX_KEY_NUMBER_DIGITS: usize = 12;
/// The most digits in an issue id (ids stay below 10^18, so they fit `i64` and `u64`).
pub const MAX_ID_DIGITS: usize = 18;
const MAX_EVENT_NAME_LEN: usize = 64;

/// Whether `key` is a Jira issue key: `^[A-Z][A-Z0-9]{0,31}-[0-9]{1,12}$` over ASCII
/// bytes, with a hard end (no trailing newline).
///
/// ```
/// use jirafe_webhook::is_valid_issue_key;
/// assert!(is_valid_issue_key("TES-41"));
/// assert!(!is_valid_issue_key("TES-41\n"));
/// assert!(!is_valid_issue_key("А-1")); // Cyrillic A
/// assert!(!is_valid_issue_key("A_B-1"));
/// assert!(!is_valid_issue_key("../../etc/passwd"));
/// ```
pub fn is_valid_issue_key(key: &str) -> bool {
    let b = key.as_bytes();
    let Some(dash) = b.iter().position(|&c| c == b'-') else {
        return false;
    };
    let (project, rest) = b.split_at(dash);
    let number = rest.get(1..).unwrap_or_default();
    let project_ok = match project.split_first() {
        Some((first, tail)) => {
            first.is_ascii_uppercase()
                && project.len() <= MAX_PROJECT_KEY_LEN
                && tail
                    .iter()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        }
        None => false,
    };
    project_ok
        && !number.is_empty()
        && number.len() <= MAX_KEY_NUMBER_DIGITS
        && number.iter().all(u8::is_ascii_digit)
}

/// Parses an issue id: 1 to 18 ASCII digits, no sign, no leading zero, not zero.
///
/// ```
/// use jirafe_webhook::parse_issue_id;
/// assert_eq!(parse_issue_id("10040"), Some(10040));
/// assert_eq!(parse_issue_id("١٢"), None); // Arabic-Indic digits
/// assert_eq!(parse_issue_id("+1"), None);
/// assert_eq!(parse_issue_id("010"), None);
/// assert_eq!(parse_issue_id("1234567890123456789"), None); // 19 digits
/// ```
pub fn parse_issue_id(id: &str) -> Option<u64> {
    let b = id.as_bytes();
    let ok = !b.is_empty()
        && b.len() <= MAX_ID_DIGITS
        && b.iter().all(u8::is_ascii_digit)
        && b.first() != Some(&b'0');
    if !ok {
        return None;
    }
    id.parse().ok()
}

fn valid_id_number(n: u64) -> bool {
    n > 0 && n < 1_000_000_000_000_000_000
}

/// Why a payload was refused (the `400` reason code; never contains payload content).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reject {
    /// Not JSON, not an object, a field of the wrong type, or an invalid id or key.
    Malformed,
    /// `webhookEvent` missing, null, or not a plain event name.
    BadEventName,
    /// The event names no issue (`issue` missing or null, no worklog or link ids).
    MissingIssue,
}

impl Reject {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::Malformed => "malformed_payload",
            Self::BadEventName => "invalid_event_name",
            Self::MissingIssue => "missing_issue",
        }
    }
}

/// What a valid payload yields: the event kind and one or two issue ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Parsed {
    pub(crate) kind: EventKind,
    pub(crate) issue_ids: Vec<u64>,
}

/// Validates a raw (already authenticated) body.
pub(crate) fn parse(body: &[u8]) -> Result<Parsed, Reject> {
    // Only an object at the top level; serde would otherwise read a struct from an array.
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(Reject::Malformed);
    }
    let payload: Payload<'_> = serde_json::from_slice(body).map_err(|_| Reject::Malformed)?;
    let name = payload.webhook_event.ok_or(Reject::BadEventName)?;
    if !valid_event_name(&name) {
        return Err(Reject::BadEventName);
    }
    let kind = EventKind::from_webhook_event(&name);
    let mut issue_ids = Vec::with_capacity(2);
    if let Some(MapOnly(issue)) = payload.issue {
        if !is_valid_issue_key(&issue.key) {
            return Err(Reject::Malformed);
        }
        issue_ids.push(issue.id.0);
    } else {
        match kind {
            EventKind::WorklogCreated | EventKind::WorklogUpdated | EventKind::WorklogDeleted => {
                if let Some(MapOnly(w)) = payload.worklog {
                    issue_ids.push(w.issue_id.0);
                }
            }
            EventKind::IssueLinkCreated | EventKind::IssueLinkDeleted => {
                if let Some(MapOnly(l)) = payload.issue_link {
                    issue_ids.push(l.source.0);
                    if l.destination.0 != l.source.0 {
                        issue_ids.push(l.destination.0);
                    }
                }
            }
            _ => {}
        }
    }
    if issue_ids.is_empty() {
        return Err(Reject::MissingIssue);
    }
    Ok(Parsed { kind, issue_ids })
}

/// Event names are short ASCII identifiers like `jira:issue_updated`.
fn valid_event_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_EVENT_NAME_LEN
        && b.first().is_some_and(u8::is_ascii_lowercase)
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'_' | b':'))
}

#[derive(Deserialize)]
struct Payload<'a> {
    #[serde(rename = "webhookEvent", borrow, default)]
    webhook_event: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    issue: Option<MapOnly<IssueRef<'a>>>,
    #[serde(default)]
    worklog: Option<MapOnly<WorklogRef>>,
    #[serde(rename = "issueLink", default)]
    issue_link: Option<MapOnly<LinkRef>>,
}

#[derive(Deserialize)]
struct IssueRef<'a> {
    id: Id,
    #[serde(borrow)]
    key: Cow<'a, str>,
    // Anything else (`fields`, `self`, …) is skipped by serde without being copied.
}

#[derive(Deserialize)]
struct WorklogRef {
    #[serde(rename = "issueId")]
    issue_id: Id,
}

#[derive(Deserialize)]
struct LinkRef {
    #[serde(rename = "sourceIssueId")]
    source: Id,
    #[serde(rename = "destinationIssueId")]
    destination: Id,
}

/// An issue id given as a JSON string of ASCII digits or as a JSON integer.
struct Id(u64);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an issue id")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Id, E> {
                if valid_id_number(v) {
                    Ok(Id(v))
                } else {
                    Err(E::custom("issue id out of range"))
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Id, E> {
                u64::try_from(v)
                    .map_err(|_| E::custom("negative issue id"))
                    .and_then(|v| self.visit_u64(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Id, E> {
                parse_issue_id(v)
                    .map(Id)
                    .ok_or_else(|| E::custom("invalid issue id"))
            }
        }
        d.deserialize_any(V)
    }
}

/// A value that must be a JSON object (serde would also read a struct from an array).
struct MapOnly<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for MapOnly<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = T;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_map(V(PhantomData)).map(MapOnly)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(body: &str) -> Parsed {
        parse(body.as_bytes()).unwrap_or_else(|e| panic!("{body}: {e:?}"))
    }

    #[test]
    fn keys_table() {
        let good = [
            "A-1",
            "TES-41",
            "A1B2-000000000001",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345-999999999999",
        ];
        for k in good {
            assert!(is_valid_issue_key(k), "{k:?}");
        }
        let bad = [
            "",
            "-1",
            "A-",
            "a-1",
            "1A-1",
            "A_B-1",
            "A B-1",
            "A--1",
            "A-1-2",
            "A-1a",
            "TEST-1\n",
            "TEST-1\r\n",
            "\nTEST-1",
            " TEST-1",
            "TEST-1 ",
            "TEST-1\0",
            "А-1",     // Cyrillic A
            "TEST-١",  // Arabic-Indic one
            "TEST-१२", // Devanagari
            "TEST-１", // fullwidth one
            "ＴEST-1", // fullwidth T
            "../../etc/passwd",
            "..%2F..",
            "/etc/passwd",
            "C:\\Windows",
            "TEST-1/../../x",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456-1", // 33-char project
            "A-1234567890123",                     // 13 digits
        ];
        for k in bad {
            assert!(!is_valid_issue_key(k), "{k:?}");
        }
    }

    #[test]
    fn ids_table() {
        assert_eq!(parse_issue_id("1"), Some(1));
        assert_eq!(
            parse_issue_id("999999999999999999"),
            Some(999_999_999_999_999_999)
        );
        for bad in [
            "",
            "0",
            "00",
            "01",
            "-1",
            "+1",
            " 1",
            "1 ",
            "1\n",
            "1.0",
            "1e3",
            "0x10",
            "١",
            "१",
            "１",
            "1234567890123456789",
            "18446744073709551616",
        ] {
            assert_eq!(parse_issue_id(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn kinds_and_ids() {
        let p =
            ok(r#"{"webhookEvent":"jira:issue_created","issue":{"id":"10040","key":"TES-41"}}"#);
        assert_eq!(
            p,
            Parsed {
                kind: EventKind::IssueCreated,
                issue_ids: vec![10040]
            }
        );
        let p = ok(r#"{"webhookEvent":"worklog_created","worklog":{"issueId":"10014","id":"1"}}"#);
        assert_eq!(p.issue_ids, vec![10014]);
        let p = ok(
            r#"{"webhookEvent":"issuelink_created","issueLink":{"id":5,"sourceIssueId":11442,"destinationIssueId":11961}}"#,
        );
        assert_eq!(
            (p.kind, p.issue_ids),
            (EventKind::IssueLinkCreated, vec![11442, 11961])
        );
        let p = ok(r#"{"webhookEvent":"issue_property_set","issue":{"id":7,"key":"X-1"}}"#);
        assert_eq!(p.kind, EventKind::Other);
    }

    #[test]
    fn hostile_payloads_rejected() {
        let cases: &[(&str, Reject)] = &[
            ("", Reject::Malformed),
            ("null", Reject::Malformed),
            ("[]", Reject::Malformed),
            (
                r#"["jira:issue_created",{"id":"1","key":"A-1"}]"#,
                Reject::Malformed,
            ),
            ("{", Reject::Malformed),
            ("{}", Reject::BadEventName),
            (
                r#"{"webhookEvent":null,"issue":{"id":"1","key":"A-1"}}"#,
                Reject::BadEventName,
            ),
            (
                r#"{"webhookEvent":7,"issue":{"id":"1","key":"A-1"}}"#,
                Reject::Malformed,
            ),
            (
                r#"{"webhookEvent":"../../etc/passwd","issue":{"id":"1","key":"A-1"}}"#,
                Reject::BadEventName,
            ),
            (
                r#"{"webhookEvent":"jira:issue_updated/../x","issue":{"id":"1","key":"A-1"}}"#,
                Reject::BadEventName,
            ),
            (
                r#"{"webhookEvent":"jira:issue_updated\n","issue":{"id":"1","key":"A-1"}}"#,
                Reject::BadEventName,
            ),
            (
                r#"{"webhookEvent":"jira:issue_updated"}"#,
                Reject::MissingIssue,
            ),
            (
                r#"{"webhookEvent":"jira:issue_updated","issue":null}"#,
                Reject::MissingIssue,
            ),
            (
                r#"{"webhookEvent":"project_created","project":{"id":1}}"#,
                Reject::MissingIssue,
            ),
            (
                r#"{"webhookEvent":"worklog_created","worklog":null}"#,
                Reject::MissingIssue,
            ),
            (
                r#"{"webhookEvent":"jira:issue_updated","issue":{}}"#,
                Reject::Malformed,
            ),
            (
                r#"{"webhookEvent":"jira:issue_updated","issue":["1","A-1"]}"#,
                Reject::Malformed,
            ),
            (
                r#"{"webhookEvent":"jira:issue_updated","issue":{"id":null,"key":"A-1"}}"#,
                Reject::Malformed,
            ),
            (
                r#"{"webhookEvent":"jira:issue_updated","issue":{"id":"1","key":null}}"#,
                Reject::Malformed,
            ),
            (
                r#"{"webhookEvent":"jira:issue_updated","issue":{"id":"1"}}"#,
                Reject::Malformed,
            ),
            (
                r#"{"webhookEvent":"jira:issue_updated","issue":{"key":"A-1"}}"#,
                Reject::Malformed,
            ),
            (
                r#"{"webhookEvent":"jira:issue_updated","issue":{"id":"../1","key":"A-1"}}"#,
                Reject::Malformed,
            ),
            (
                r#"{"webhookEvent":"jira:issue_updated","issue":{"id":-1,"key":"A-1"}}"#,
                Reject::Malformed,
            ),
            (
                r#"{"webhookEvent":"jira:issue_updated","issue":{"id":1.5,"key":"A-1"}}"#,
                Reject::Malformed,
            ),
            (
                r#"{"webhookEvent":"jira:issue_updated","issue":{"id":1e3,"key":"A-1"}}"#,
                Reject::Malformed,
            ),
            (
                r#"{"webhookEvent":"jira:issue_updated","issue":{"id":99999999999999999999999,"key":"A-1"}}"#,
                Reject::Malformed,
            ),
            (
                r#"{"webhookEvent":"jira:issue_updated","issue":{"id":"1","key":"TEST-1\n"}}"#,
                Reject::Malformed,
            ),
            (
                r#"{"webhookEvent":"jira:issue_updated","issue":{"id":"1","key":"TEST-\u0661"}}"#,
                Reject::Malformed,
            ),
            (
                r#"{"webhookEvent":"jira:issue_updated","issue":{"id":"1","key":"/etc/passwd"}}"#,
                Reject::Malformed,
            ),
            (
                r#"{"webhookEvent":"jira:issue_updated","issue":{"id":"1","key":7}}"#,
                Reject::Malformed,
            ),
            (
                r#"{"webhookEvent":"jira:issue_updated","issue":{"id":"1","id":"2","key":"A-1"}}"#,
                Reject::Malformed,
            ),
            (
                r#"{"webhookEvent":"jira:issue_updated","issue":{"id":"1","key":"A-1"}} trailing"#,
                Reject::Malformed,
            ),
            (
                r#"{"webhookEvent":"issuelink_created","issueLink":{"sourceIssueId":"x","destinationIssueId":1}}"#,
                Reject::Malformed,
            ),
        ];
        for (body, want) in cases {
            assert_eq!(parse(body.as_bytes()), Err(*want), "{body}");
        }
    }

    #[test]
    fn deep_nesting_is_skipped_without_recursion() {
        // serde_json skips ignored values iteratively: 100,000 levels neither overflow the
        // stack nor matter; the ids around them still decide.
        let depth = 100_000;
        let body = format!(
            r#"{{"webhookEvent":"jira:issue_updated","issue":{{"id":"1","key":"A-1","fields":{}{}}}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        assert_eq!(parse(body.as_bytes()).map(|p| p.issue_ids), Ok(vec![1]));
        let body = format!(
            r#"{{"webhookEvent":"jira:issue_updated","issue":{}{}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        assert_eq!(parse(body.as_bytes()), Err(Reject::Malformed));
    }
}
