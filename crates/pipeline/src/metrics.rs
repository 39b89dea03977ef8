//! Run metrics in the Prometheus text exposition format, for node_exporter's textfile
//! collector, and the privacy alert POST.
//!
//! Every metric describes the **last run** (gauges), except
//! `jirafe_last_success_timestamp_seconds`, which is carried over from the previous file
//! when a run fails, so a "stale data" alert keeps counting from the last good run.
//! `docs/operations.md` lists each metric and suggested alert rules.

use std::fmt::Write as _;
use std::path::Path;

use crate::leak_scan::LeakReport;
use crate::report::RunReport;

/// Everything one textfile holds.
#[derive(Debug, Clone, Default)]
pub struct RunMetrics<'a> {
    /// The run report (success, requests, rows, findings…).
    pub report: Option<&'a RunReport>,
    /// The leak scan, when it ran.
    pub leak: Option<&'a LeakReport>,
    /// Partitions retention deleted, when it ran.
    pub retention_deleted: Option<u64>,
    /// When the run ended, Unix seconds.
    pub finished_unix: i64,
}

fn label(value: &str) -> String {
    value
        .chars()
        .map(|c| match c {
            '\\' => "\\\\".to_owned(),
            '"' => "\\\"".to_owned(),
            '\n' => "\\n".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

struct Out(String);

impl Out {
    fn help(&mut self, name: &str, help: &str) {
        let _ = writeln!(self.0, "# HELP {name} {help}\n# TYPE {name} gauge");
    }
    fn value(&mut self, name: &str, labels: &[(&str, &str)], v: f64) {
        self.0.push_str(name);
        if !labels.is_empty() {
            self.0.push('{');
            for (i, (k, val)) in labels.iter().enumerate() {
                if i > 0 {
                    self.0.push(',');
                }
                let _ = write!(self.0, "{k}=\"{}\"", label(val));
            }
            self.0.push('}');
        }
        let _ = writeln!(self.0, " {v}");
    }
    fn single(&mut self, name: &str, help: &str, v: f64) {
        self.help(name, help);
        self.value(name, &[], v);
    }
}

/// Renders the metrics. `previous_success` is the last successful run's time from the
/// previous file, used when this run failed.
pub fn render(m: &RunMetrics<'_>, previous_success: Option<f64>) -> String {
    let mut o = Out(String::new());
    let success = m.report.is_some_and(|r| r.success);
    o.single(
        "jirafe_last_run_success",
        "1 if the last run finished, 0 if it failed.",
        if success { 1.0 } else { 0.0 },
    );
    o.single(
        "jirafe_last_run_timestamp_seconds",
        "When the last run ended (Unix time).",
        m.finished_unix as f64,
    );
    let last_success = if success {
        Some(m.finished_unix as f64)
    } else {
        previous_success
    };
    if let Some(t) = last_success {
        o.single(
            "jirafe_last_success_timestamp_seconds",
            "When the last successful run ended (Unix time).",
            t,
        );
    }
    if let Some(r) = m.report {
        o.single(
            "jirafe_last_run_duration_seconds",
            "Wall time of the last run.",
            r.duration_ms as f64 / 1000.0,
        );
        o.help(
            "jirafe_last_run_requests",
            "HTTP requests to Jira in the last run, by endpoint and status.",
        );
        for (key, n) in &r.requests {
            let (endpoint, status) = key.rsplit_once(' ').unwrap_or((key.as_str(), ""));
            o.value(
                "jirafe_last_run_requests",
                &[("endpoint", endpoint), ("status", status)],
                *n as f64,
            );
        }
        o.single(
            "jirafe_last_run_retries",
            "Requests retried in the last run (5xx, timeouts, 429).",
            r.retries as f64,
        );
        o.single(
            "jirafe_last_run_rate_limit_wait_seconds",
            "Time the last run spent waiting on Jira's rate limits.",
            r.rate_limit_wait_ms as f64 / 1000.0,
        );
        o.single(
            "jirafe_last_run_issues",
            "Issues collected in the last run.",
            r.issues() as f64,
        );
        o.help(
            "jirafe_last_run_rows",
            "Rows upserted in the last run, by table.",
        );
        for (table, n) in &r.rows {
            o.value("jirafe_last_run_rows", &[("table", table)], *n as f64);
        }
        o.help(
            "jirafe_last_run_skipped_issues",
            "Issues not collected in the last run, by reason.",
        );
        for (reason, n) in &r.skipped_issues {
            o.value(
                "jirafe_last_run_skipped_issues",
                &[("reason", reason)],
                *n as f64,
            );
        }
        o.help(
            "jirafe_last_run_skipped_projects",
            "Projects not collected in the last run, by reason.",
        );
        let mut by_reason = std::collections::BTreeMap::<&str, u64>::new();
        for s in &r.skipped_projects {
            *by_reason.entry(s.reason).or_default() += 1;
        }
        for (reason, n) in by_reason {
            o.value(
                "jirafe_last_run_skipped_projects",
                &[("reason", reason)],
                n as f64,
            );
        }
        o.help(
            "jirafe_last_run_removed_issues",
            "Issues removed from the warehouse in the last run, by reason.",
        );
        for (reason, n) in &r.removed_issues {
            o.value(
                "jirafe_last_run_removed_issues",
                &[("reason", reason)],
                *n as f64,
            );
        }
        o.help(
            "jirafe_last_run_pii_scrubbed",
            "Personal data found and replaced in memory in the last run, by kind.",
        );
        for (kind, n) in r.pii_findings.iter() {
            o.value(
                "jirafe_last_run_pii_scrubbed",
                &[("kind", kind.name())],
                n as f64,
            );
        }
        o.single(
            "jirafe_last_run_bytes_written",
            "Bytes of Parquet written in the last run.",
            r.bytes_written as f64,
        );
        o.single(
            "jirafe_last_run_objects_written",
            "Partition objects written in the last run.",
            r.objects_written.len() as f64,
        );
    }
    if let Some(leak) = m.leak {
        o.single(
            "jirafe_privacy_alert",
            "1 if the post-write leak scan found personal data in the warehouse.",
            if leak.clean() { 0.0 } else { 1.0 },
        );
        o.help(
            "jirafe_leak_findings",
            "Personal data found in stored output by the leak scan, by kind (should be 0).",
        );
        for (kind, n) in &leak.findings {
            o.value("jirafe_leak_findings", &[("kind", kind)], *n as f64);
        }
        o.single(
            "jirafe_leak_scan_values",
            "String values the leak scan examined.",
            leak.values_scanned as f64,
        );
    }
    if let Some(n) = m.retention_deleted {
        o.single(
            "jirafe_retention_deleted_partitions",
            "Partitions deleted by retention in the last run.",
            n as f64,
        );
    }
    o.0
}

/// The last-success time recorded in an existing textfile.
pub fn previous_success(path: &Path) -> Option<f64> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("jirafe_last_success_timestamp_seconds "))
        .and_then(|v| v.trim().parse().ok())
}

/// Writes the textfile atomically: a temp file in the same directory, then a rename, so
/// the collector never reads half a file.
///
/// # Errors
/// The I/O error, naming the file.
pub fn write_textfile(path: &Path, m: &RunMetrics<'_>) -> std::io::Result<()> {
    let body = render(m, previous_success(path));
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("jirafe.prom");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, body)?;
    std::fs::rename(&tmp, path)
}

/// POSTs the counts of a leak finding to the alert URL (no values, no locations' content:
/// kinds, counts, object names and the warehouse digest). Errors are returned for the
/// caller to report; they never hide the alert's exit code.
///
/// # Errors
/// A transport failure or a non-success status.
pub async fn post_alert(url: &str, warehouse_url: &str, leak: &LeakReport) -> Result<(), String> {
    let body = serde_json::json!({
        "alert": "jirafe_privacy_leak",
        "warehouse_digest": &crate::audit::sha256_hex(warehouse_url.as_bytes())[..16],
        "findings": leak.findings,
        "total": leak.total(),
        "objects": leak.locations.iter().map(|l| l.object.as_str()).collect::<std::collections::BTreeSet<_>>(),
    });
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| format!("alert client: {e}"))?;
    let resp = client
        .post(url)
        .json(&body)
        .send()
        .await
        .map_err(|e| format!("alert POST failed: {}", e.without_url()))?;
    if resp.status().is_success() {
        Ok(())
    } else {
        Err(format!("alert POST answered {}", resp.status().as_u16()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_run_keeps_the_last_success_time() {
        let r = RunReport {
            success: false,
            ..RunReport::default()
        };
        let text = render(
            &RunMetrics {
                report: Some(&r),
                finished_unix: 2000,
                ..RunMetrics::default()
            },
            Some(1000.0),
        );
        assert!(text.contains("jirafe_last_run_success 0\n"));
        assert!(text.contains("jirafe_last_success_timestamp_seconds 1000\n"));
        assert!(text.contains("jirafe_last_run_timestamp_seconds 2000\n"));
    }

    #[test]
    fn labels_are_escaped() {
        let mut r = RunReport {
            success: true,
            ..RunReport::default()
        };
        r.requests.insert("GET /rest/api/3/\"x\" 200".into(), 3);
        let text = render(
            &RunMetrics {
                report: Some(&r),
                finished_unix: 5,
                ..RunMetrics::default()
            },
            None,
        );
        assert!(text.contains(
            "jirafe_last_run_requests{endpoint=\"GET /rest/api/3/\\\"x\\\"\",status=\"200\"} 3\n"
        ));
        assert!(text.contains("jirafe_last_success_timestamp_seconds 5\n"));
    }
}
