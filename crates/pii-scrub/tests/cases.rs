//! Table-driven detector cases: every `tests/cases/*.tsv` line is
//! `input<TAB>expected`, run through one scrubber.

use jirafe_pii_scrub::{Kind, Person, Scrubber};

fn unescape(s: &str) -> String {
    s.replace("\\n", "\n").replace("\\t", "\t")
}

fn run(file: &str, scrubber: &Scrubber) {
    let path = format!("{}/tests/cases/{file}", env!("CARGO_MANIFEST_DIR"));
    let data = std::fs::read_to_string(&path).expect("case file readable");
    let mut failures = Vec::new();
    let mut n = 0;
    for (i, line) in data.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (input, expected) = line.split_once('\t').expect("input<TAB>expected");
        let (input, expected) = (unescape(input), unescape(expected));
        n += 1;
        let got = scrubber.scrub(&input).text.into_owned();
        if got != expected {
            failures.push(format!(
                "{file}:{}\n  input:    {input}\n  expected: {expected}\n  got:      {got}",
                i + 1
            ));
        }
        // Idempotence on every case.
        let again = scrubber.scrub(&got).text.into_owned();
        if again != got {
            failures.push(format!(
                "{file}:{} not idempotent\n  once:  {got}\n  twice: {again}",
                i + 1
            ));
        }
    }
    assert!(n > 5, "{file} has too few cases");
    assert!(
        failures.is_empty(),
        "{} failing cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn detector_cases() {
    run("detectors.tsv", &Scrubber::builder().build().unwrap());
}

#[test]
fn directory_cases() {
    let s = Scrubber::builder()
        .with_people([
            Person::new("Ada Lovelace").with_account_id("acc-ada"),
            Person::new("Will Turner"),
            Person::new("José Álvarez"),
            Person::new("Mark Li"),
            Person::new("Maria Özm̂en"),
            Person::new("Karl Ćosić"),
            Person::new("Åsa Weiß"),
        ])
        .build()
        .unwrap();
    run("directory.tsv", &s);
}

/// A scrubber with only `kinds` on.
fn only(kinds: &[Kind]) -> Scrubber {
    Kind::ALL
        .iter()
        .fold(Scrubber::builder(), |b, k| {
            b.with_detector(*k, kinds.contains(k))
        })
        .build()
        .unwrap()
}

#[test]
fn detectors_find_the_same_alone_as_together() {
    // Some passes over the text are shared (the `:` positions of the secrets'
    // candidates feed IPv6, the e-mail pass records `[` for the placeholder
    // check): with the sharing detector off, the others scan for themselves.
    let text = "route 2001:db8::1 via ada@example.com, key [CARD:4111111111111111] kept";
    let cases: [(&[Kind], &str); 4] = [
        (
            &[Kind::Ip],
            "route [IP] via ada@example.com, key [CARD:4111111111111111] kept",
        ),
        (
            &[Kind::Ip, Kind::Secret],
            "route [IP] via ada@example.com, key [CARD:4111111111111111] kept",
        ),
        (
            &[Kind::Card],
            "route 2001:db8::1 via ada@example.com, key [CARD:4111111111111111] kept",
        ),
        (
            &[Kind::Card, Kind::Email],
            "route 2001:db8::1 via [EMAIL], key [CARD:4111111111111111] kept",
        ),
    ];
    for (kinds, want) in cases {
        assert_eq!(only(kinds).scrub(text).text, want, "{kinds:?}");
    }
    // An existing placeholder is kept; the same digits outside one are not.
    assert_eq!(only(&[Kind::Card]).scrub("4111111111111111").text, "[CARD]");
}

#[test]
fn a_value_two_detectors_find_gets_the_same_kind_in_short_and_long_texts() {
    // `10.1.2.3` after `password=` is both an assignment's value and an IPv4
    // address: the earlier detector (secrets) names it, however many other
    // findings the text holds.
    let s = Scrubber::builder().build().unwrap();
    for n in [0, 5, 30, 200] {
        let text = format!(
            "{}password= 10.1.2.3 done",
            "mail ada@example.com, ".repeat(n)
        );
        let out = s.scrub(&text).text.into_owned();
        assert!(out.ends_with("password= [SECRET] done"), "{n}: {out}");
        assert_eq!(out.matches("[EMAIL]").count(), n);
    }
}

#[test]
fn findings_longer_than_64_kib_are_ordered_too() {
    // Such a finding takes the general sort instead of the packed keys.
    let body = "QUJD".repeat(20_000);
    let text = format!(
        "from ada@example.com: -----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY----- and 10.1.2.3"
    );
    let out = Scrubber::builder()
        .build()
        .unwrap()
        .scrub(&text)
        .text
        .into_owned();
    assert_eq!(out, "from [EMAIL]: [SECRET] and [IP]");
}
