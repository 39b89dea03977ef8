//! `jirafe keyring` and secrets read from the OS keyring (feature `keyring`; on Linux the
//! kernel key retention service, which needs no daemon). Each run uses its own service
//! name, so a real `jirafe` entry on the machine is never touched.
#![cfg(all(feature = "keyring", target_os = "linux"))]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn jirafe(service: &str, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jirafe"))
        .args(args)
        .env_remove("JIRAFE_HASH_KEY")
        .env("JIRAFE_KEYRING_SERVICE", service)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("jirafe runs");
    // A command that fails before reading its input closes the pipe: not an error here.
    if let Err(e) = child.stdin.take().expect("stdin").write_all(stdin) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().expect("jirafe finishes")
}

#[test]
fn a_hash_key_in_the_keyring_is_used_when_the_variable_is_unset() {
    let service = format!("jirafe-test-{}", std::process::id());
    let line = b"{\"text\":\"mail ada@example.com\"}\n";

    // Nothing stored: scrub runs with its default (unkeyed placeholders only).
    let out = jirafe(&service, &["scrub"], line);
    assert_eq!(out.status.code(), Some(0), "{out:?}");

    // A key too short to be accepted, stored in the keyring: scrub now reads it and
    // refuses it with a configuration error naming the variable, not the value.
    let stored = jirafe(&service, &["keyring", "set", "JIRAFE_HASH_KEY"], b"Zq9xW\n");
    assert_eq!(stored.status.code(), Some(0), "{stored:?}");
    let out = jirafe(&service, &["scrub"], line);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("JIRAFE_HASH_KEY"), "{stderr}");
    assert!(!stderr.contains("Zq9xW"), "{stderr}");

    // A good key: accepted.
    let key = "k".repeat(48);
    let stored = jirafe(
        &service,
        &["keyring", "set", "JIRAFE_HASH_KEY"],
        format!("{key}\n").as_bytes(),
    );
    assert_eq!(stored.status.code(), Some(0), "{stored:?}");
    let out = jirafe(&service, &["scrub"], line);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("ada@example.com"));

    // Removed: back to the default; removing twice says so.
    let removed = jirafe(&service, &["keyring", "delete", "JIRAFE_HASH_KEY"], b"");
    assert_eq!(removed.status.code(), Some(0), "{removed:?}");
    let again = jirafe(&service, &["keyring", "delete", "JIRAFE_HASH_KEY"], b"");
    assert!(String::from_utf8_lossy(&again.stdout).contains("was not in the keyring"));
}

#[test]
fn only_jirafe_secrets_are_kept() {
    let service = format!("jirafe-test-names-{}", std::process::id());
    let out = jirafe(&service, &["keyring", "set", "HOME"], b"x\n");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("JIRA_API_TOKEN"));
    let out = jirafe(&service, &["keyring", "set", "JIRA_API_TOKEN"], b"\n");
    assert_eq!(
        out.status.code(),
        Some(2),
        "an empty value is refused: {out:?}"
    );
}
