//! The `jirafe scrub` engine: JSON Lines in, JSON Lines out.

use jirafe_pii_scrub::{Kind, Scrubber, jsonl};

fn run(input: &str, field: &str) -> (String, jsonl::Summary) {
    let s = Scrubber::builder().build().unwrap();
    let mut out = Vec::new();
    let summary = jsonl::scrub_jsonl(&s, field, input.as_bytes(), &mut out).unwrap();
    (String::from_utf8(out).unwrap(), summary)
}

#[test]
fn scrubs_only_the_chosen_field_and_keeps_order() {
    let (out, summary) = run(
        "{\"z\":1,\"body\":\"ping 10.1.2.3\",\"text\":\"ada@example.com\",\"nested\":{\"text\":\"b@example.com\"}}\n",
        "body",
    );
    assert_eq!(
        out,
        "{\"z\":1,\"body\":\"ping [IP]\",\"text\":\"ada@example.com\",\"nested\":{\"text\":\"b@example.com\"}}\n"
    );
    assert_eq!(summary.scrubbed, 1);
    assert_eq!(summary.findings.get(Kind::Ip), 1);
}

#[test]
fn malformed_lines_are_reported_not_echoed_and_do_not_stop_the_stream() {
    let input =
        "{\"text\":\"a@b.io\"}\n{\"text\": \"secret a@b.io\"\n[1,2]\n\n{\"text\":\"fine\"}\r\n";
    let (out, summary) = run(input, "text");
    assert_eq!(out, "{\"text\":\"[EMAIL]\"}\n{\"text\":\"fine\"}\n");
    assert_eq!(summary.malformed, vec![2, 3]);
    assert_eq!(summary.malformed_count, 2);
    assert_eq!(summary.lines, 5);
    assert_eq!(summary.written, 2);
    assert!(!summary.is_clean());
}

#[test]
fn missing_or_non_string_fields_pass_through_verbatim() {
    let input = "{\"id\": 1, \"text\": null}\n{\"id\":2}\n";
    let (out, summary) = run(input, "text");
    assert_eq!(out, input);
    assert!(summary.is_clean());
}

#[test]
fn escapes_round_trip() {
    let (out, _) = run(
        "{\"text\":\"line\\nmail \\u0061@example.com \\\"q\\\"\"}\n",
        "text",
    );
    assert_eq!(out, "{\"text\":\"line\\nmail [EMAIL] \\\"q\\\"\"}\n");
}

#[test]
fn read_errors_carry_the_line_number() {
    struct Failing;
    impl std::io::Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk gone"))
        }
    }
    let s = Scrubber::builder().build().unwrap();
    let err =
        jsonl::scrub_jsonl(&s, "text", std::io::BufReader::new(Failing), Vec::new()).unwrap_err();
    assert!(
        matches!(err, jirafe_pii_scrub::Error::Read { line: 1, .. }),
        "{err}"
    );
}
