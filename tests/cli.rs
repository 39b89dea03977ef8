//! The `jirafe` binary as a user runs it: exit codes, stdout, stderr.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn jirafe(args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jirafe"));
    cmd.args(args)
        .env_remove("JIRAFE_HASH_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("jirafe runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("write stdin");
    child.wait_with_output().expect("jirafe finishes")
}

#[test]
fn scrub_removes_pii_and_keeps_the_rest() {
    let input = concat!(
        r#"{"id":1,"text":"Mail ada@example.com or call +49 30 1234567; AWS key AKIAIOSFODNN7EXAMPLE; see ENG-123 on v2.3.1","n":7}"#,
        "\n",
        r#"{"id":2,"body":"other field is untouched: bob@example.com"}"#,
        "\n"
    );
    let out = jirafe(&["scrub"], input.as_bytes(), &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    let text = lines[0]["text"].as_str().unwrap();
    for gone in ["ada@example.com", "1234567", "AKIAIOSFODNN7EXAMPLE"] {
        assert!(!text.contains(gone), "{gone} survived: {text}");
    }
    for kept in ["ENG-123", "v2.3.1"] {
        assert!(text.contains(kept), "{kept} was altered: {text}");
    }
    assert_eq!(lines[0]["n"], 7);
    assert_eq!(
        lines[1]["body"],
        "other field is untouched: bob@example.com"
    );
}

#[test]
fn scrub_field_and_names_options() {
    let names = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(names.path(), "# people\nGrace Hopper\tgrace@navy.example\n").unwrap();
    let input = br#"{"body":"Thanks Grace, I asked Hopper to mail grace@navy.example"}"#;
    let out = jirafe(
        &[
            "scrub",
            "--field",
            "body",
            "--names",
            names.path().to_str().unwrap(),
        ],
        input,
        &[],
    );
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        !stdout.contains("Hopper") && !stdout.contains("Grace") && !stdout.contains("grace@"),
        "{stdout}"
    );
}

#[test]
fn scrub_reports_malformed_lines_by_number_without_their_content() {
    let input = b"{\"text\":\"a\"}\nnot json with secret-name Zelda\n{\"text\":\"b\"}\n[1,2]\n";
    let out = jirafe(&["scrub"], input, &[]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout, "{\"text\":\"a\"}\n{\"text\":\"b\"}\n",
        "good lines are not lost"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("line 2, 4"), "{stderr}");
    assert!(
        !stderr.contains("Zelda"),
        "no user content on stderr: {stderr}"
    );
}

#[test]
fn configuration_errors_exit_2_and_name_the_setting() {
    let out = jirafe(&["scrub", "--names", "/nonexistent/names.txt"], b"", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--names"));

    let out = jirafe(&["scrub"], b"", &[("JIRAFE_HASH_KEY", "too-short")]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("JIRAFE_HASH_KEY") && !stderr.contains("too-short"),
        "{stderr}"
    );

    let out = jirafe(&["sim", "--listen", "0.0.0.0:0"], b"", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));

    let out = jirafe(&["no-such-command"], b"", &[]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sim_serves_until_stopped() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_jirafe"))
        .args([
            "sim",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--issues",
            "50",
            "--seed",
            "3",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut answered = false;
    for _ in 0..100 {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::Read;
            s.write_all(b"GET /rest/api/3/myself HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut buf = String::new();
            let _ = s.read_to_string(&mut buf);
            assert!(buf.starts_with("HTTP/1.1 401"), "{buf}");
            answered = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(answered, "the simulator answered on 127.0.0.1:{port}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("JIRA_BASE_URL=http://127.0.0.1:"),
        "{stdout}"
    );
}

#[test]
fn sync_output_and_report_carry_no_user_content() {
    use jirafe::jira_sim::{OrgConfig, SimConfig, SimServer};
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sim = rt
        .block_on(SimServer::start(SimConfig {
            org: OrgConfig::new(21, 200),
            ..SimConfig::default()
        }))
        .unwrap();
    let creds = sim.credentials();
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_jirafe"))
        .arg("sync")
        .env("JIRA_BASE_URL", sim.base_url())
        .env("JIRA_EMAIL", &creds.email)
        .env("JIRA_API_TOKEN", &creds.api_token)
        .env(
            "JIRAFE_HASH_KEY",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        )
        .env("JIRAFE_WAREHOUSE", dir.path())
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env(
            "JIRAFE_PROMETHEUS_FILE",
            dir.path().join("textfile/jirafe.prom"),
        )
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("leak scan: clean"), "{text}");
    // Everything the run leaves beside the tables: reports, audit records (and the
    // local copy), metrics.
    for folder in ["_reports", "_audit", "state/jirafe", "textfile"] {
        for file in std::fs::read_dir(dir.path().join(folder)).unwrap() {
            text.push_str(&std::fs::read_to_string(file.unwrap().path()).unwrap());
        }
    }
    assert!(text.contains("jirafe_last_run_success 1"));
    assert!(text.contains("\"kind\":\"privacy_scan\""));
    assert!(
        text.contains("issues"),
        "the output says what was loaded: {text}"
    );
    let org = sim.org();
    for u in &org.users {
        assert!(!text.contains(&u.account_id), "account id in output");
        assert!(!text.contains(&u.display_name), "display name in output");
        if let Some(e) = &u.email {
            assert!(!text.contains(e.as_str()), "email in output");
        }
    }
    for p in &org.planted {
        assert!(!text.contains(&p.value), "planted {:?} in output", p.kind);
    }
    assert!(!text.contains(&creds.api_token), "token in output");
    rt.block_on(sim.shutdown());
}

fn run_in(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jirafe"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("JIRAFE_HASH_KEY")
        .env_remove("JIRA_BASE_URL")
        .env_remove("JIRA_API_TOKEN")
        .env_remove("JIRA_PAT")
        .env("XDG_STATE_HOME", dir.join("state"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("jirafe runs")
}

#[test]
fn audit_verify_verify_privacy_and_retention_on_a_demo_warehouse() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let wh_s = wh.to_str().unwrap();
    let out = run_in(dir.path(), &["demo", "--out", wh_s, "--issues", "300"], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let env = [("JIRAFE_WAREHOUSE", wh_s)];

    let out = run_in(dir.path(), &["audit", "verify"], &env);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("audit chain intact: 2 record(s)"),
        "{stdout}"
    );

    let out = run_in(dir.path(), &["verify-privacy"], &env);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("leak scan: clean"), "{stdout}");
    assert!(stdout.contains("detectors only"), "{stdout}");

    // Retention needs a rule; with one, a dry run lists and deletes nothing.
    let out = run_in(dir.path(), &["retention", "--dry-run"], &env);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("retention.default_days"));
    std::fs::write(
        dir.path().join("jirafe.toml"),
        "[retention]\ndefault_days = 1\n",
    )
    .unwrap();
    let before = std::fs::read_dir(wh.join("issues")).unwrap().count();
    let out = run_in(dir.path(), &["retention", "--dry-run"], &env);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(&format!("{before} partition(s) would delete"))
            || stdout.contains("would delete"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_dir(wh.join("issues")).unwrap().count(),
        before
    );
    let out = run_in(dir.path(), &["retention"], &env);
    assert_eq!(out.status.code(), Some(0));
    let left = std::fs::read_dir(wh.join("issues"))
        .map(|dirs| {
            dirs.filter(|d| d.as_ref().unwrap().path().join("data.parquet").exists())
                .count()
        })
        .unwrap_or(0);
    assert_eq!(left, 0, "every issues month is older than a day");
    assert!(wh.join("projects").exists(), "dimension tables stay");
    let out = run_in(dir.path(), &["audit", "verify"], &env);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("4 record(s)"),
        "demo 2 + verify-privacy 1 + retention 1: {stdout}"
    );

    // Tamper with the first record: exit 3, and the break is named.
    let first = wh.join("_audit/000000000001.jsonl");
    let text = std::fs::read_to_string(&first).unwrap();
    std::fs::write(
        &first,
        text.replacen("\"success\":true", "\"success\":false", 1),
    )
    .unwrap();
    let out = run_in(dir.path(), &["audit", "verify"], &env);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    assert!(
        stdout.contains("AUDIT CHAIN BROKEN at _audit/000000000002.jsonl"),
        "{stdout}"
    );
}

fn http(addr: &str, request: &str) -> String {
    use std::io::Read;
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

#[test]
fn serve_fails_closed_without_a_secret_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_jirafe"))
        .args(["serve", "--listen", &addr])
        .current_dir(dir.path())
        .env("JIRA_BASE_URL", "http://127.0.0.1:9")
        .env("JIRA_EMAIL", "someone@example.com")
        .env("JIRA_API_TOKEN", "not-a-real-token")
        .env(
            "JIRAFE_HASH_KEY",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        )
        .env("JIRAFE_WAREHOUSE", dir.path().join("wh"))
        .env("JIRAFE_WEBHOOK_DIR", dir.path().join("journal"))
        .env_remove("JIRAFE_WEBHOOK_SECRET")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::net::TcpStream::connect(&addr).is_err() {
        assert!(std::time::Instant::now() < deadline, "serve did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let body = r#"{"webhookEvent":"jira:issue_updated","issue":{"id":"10001","key":"ABC-1"}}"#;
    let resp = http(
        &addr,
        &format!(
            "POST /webhooks/jira HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nx-hub-signature: sha256={}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            "0".repeat(64),
            body.len()
        ),
    );
    assert!(resp.starts_with("HTTP/1.1 503"), "{resp}");
    let health = http(
        &addr,
        "GET /health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    );
    assert!(health.contains("\"secret_set\":false"), "{health}");
    assert!(!health.contains("not-a-real-token"));
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "{status:?} {stderr}");
    assert!(
        stderr.contains("JIRAFE_WEBHOOK_SECRET is not set"),
        "{stderr}"
    );
    assert!(!stderr.contains("not-a-real-token"));
}
