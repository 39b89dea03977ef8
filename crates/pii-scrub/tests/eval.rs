//! Scores the scrubber on the committed, labelled corpus and fails when any
//! per-kind recall target or the noise budget is missed.

#[path = "support/eval.rs"]
mod eval;

#[test]
fn corpus_meets_recall_and_precision_targets() {
    let scrubber = eval::scrubber();
    let report = eval::evaluate(&scrubber);
    let table = report.table();
    assert!(report.comments >= 2000, "corpus too small:\n{table}");
    let mut failed = Vec::new();
    for (kind, target) in eval::TARGETS {
        let tally = report.kinds.get(*kind).copied().unwrap_or_default();
        assert!(
            tally.planted >= 100,
            "too few planted {kind} values:\n{table}"
        );
        if tally.recall() < *target {
            let misses: Vec<_> = report
                .misses
                .iter()
                .filter(|(k, _)| k == kind)
                .take(10)
                .collect();
            failed.push(format!(
                "{kind}: {:.4} < {target} (e.g. {misses:?})",
                tally.recall()
            ));
        }
    }
    if report.noise_share() > eval::MAX_NOISE_ALTERED {
        failed.push(format!(
            "noise altered {:.4} (e.g. {:?})",
            report.noise_share(),
            &report.altered[..report.altered.len().min(10)]
        ));
    }
    assert!(failed.is_empty(), "{}\n{table}", failed.join("\n"));
}
