//! The generated organisation: determinism, distributions, planted ground truth.

use jirafe_jira_sim::{Org, OrgConfig, PiiKind, Place, iban_valid, luhn_valid};

#[test]
fn same_seed_and_size_give_the_same_org_and_others_differ() {
    let a = Org::generate(&OrgConfig::new(11, 400));
    let b = Org::generate(&OrgConfig::new(11, 400));
    assert_eq!(a.digest(), b.digest());
    assert_eq!(a.issues, b.issues);
    assert_ne!(a.digest(), Org::generate(&OrgConfig::new(12, 400)).digest());
    assert_ne!(a.digest(), Org::generate(&OrgConfig::new(11, 401)).digest());
}

#[test]
fn default_org_has_realistic_distributions() {
    let org = Org::generate(&OrgConfig::default());
    let n = org.issues.len();
    assert_eq!(n, 3000);
    assert!(org.users.len() >= 60, "{}", org.users.len());

    // Most issues have a few comments; some need paging.
    let few = org.issues.iter().filter(|i| i.comments.len() <= 5).count();
    assert!(few * 100 / n >= 90, "{few} of {n} have <= 5 comments");
    let with = org.issues.iter().filter(|i| !i.comments.is_empty()).count();
    assert!(with * 100 / n >= 50, "{with} of {n} have comments");
    let page_c = org.issues.iter().filter(|i| i.comments.len() > 20).count();
    let page_c100 = org.issues.iter().filter(|i| i.comments.len() > 100).count();
    let page_w = org.issues.iter().filter(|i| i.worklogs.len() > 20).count();
    let page_h = org
        .issues
        .iter()
        .filter(|i| i.histories.len() > 100)
        .count();
    for (what, k) in [
        ("comments>20", page_c),
        ("worklogs>20", page_w),
        ("histories>100", page_h),
    ] {
        assert!(k * 1000 / n >= 10 && k * 100 / n <= 5, "{what}: {k} of {n}");
    }
    assert!(page_c100 > 0);

    // Time span: 18+ months, all before "now".
    let first = org.issues.iter().map(|i| i.created_ms).min().unwrap_or(0);
    assert!(org.now_ms - first > 18 * 30 * 86_400_000);
    assert!(
        org.issues
            .iter()
            .all(|i| i.updated_ms < org.now_ms && i.updated_ms >= i.created_ms)
    );

    // Restricted data exists in every form.
    assert!(org.projects.iter().any(|p| p.is_private && p.browsable));
    assert!(org.projects.iter().any(|p| !p.browsable));
    assert!(
        org.issues
            .iter()
            .any(|i| i.security_level.is_some() && i.visible_to_owner)
    );
    assert!(
        org.issues
            .iter()
            .any(|i| i.security_level.is_some() && !i.visible_to_owner)
    );
    assert!(
        org.issues
            .iter()
            .any(|i| !i.visible_to_owner && i.security_level.is_none())
    );

    // Structure: epics with children, subtasks, links, sprints, remote links, attachments.
    assert!(org.issues.iter().any(|i| !i.subtask_ids.is_empty()));
    assert!(
        org.issues
            .iter()
            .any(|i| i.parent_id.is_some() && i.issue_type != "Subtask")
    );
    assert!(org.issues.iter().any(|i| !i.links.is_empty()));
    assert!(org.issues.iter().any(|i| !i.sprint_ids.is_empty()));
    assert!(org.issues.iter().any(|i| !i.remote_links.is_empty()));
    assert!(org.issues.iter().any(|i| !i.attachments.is_empty()));
    let custom_types: std::collections::BTreeSet<_> = org
        .fields
        .iter()
        .filter_map(|f| f.schema_custom.clone())
        .collect();
    assert!(custom_types.len() >= 15, "{custom_types:?}");
    assert!(custom_types.contains("com.pyxis.greenhopper.jira:gh-sprint"));
    let mentions = org
        .issues
        .iter()
        .flat_map(|i| i.comments.iter())
        .filter(|c| !c.body.mentions().is_empty())
        .count();
    assert!(mentions > 100, "{mentions}");
}

#[test]
fn every_pii_kind_is_planted_where_the_ground_truth_says() {
    let org = Org::generate(&OrgConfig::default());
    for kind in PiiKind::ALL {
        assert!(
            org.planted.iter().any(|p| p.kind == kind),
            "{kind:?} missing"
        );
    }
    let places: std::collections::BTreeSet<String> = org
        .planted
        .iter()
        .map(|p| {
            format!("{:?}", p.location.place)
                .split([' ', '{'])
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    for want in [
        "Summary",
        "Description",
        "Comment",
        "WorklogComment",
        "CustomField",
        "AttachmentFilename",
        "RemoteLinkTitle",
        "ChangelogValue",
    ] {
        assert!(places.contains(want), "{want} missing from {places:?}");
    }
    for p in &org.planted {
        let Some(issue) = org.issue(&p.location.issue_id.to_string()) else {
            panic!("planted value points at a missing issue");
        };
        let text = match &p.location.place {
            Place::Summary => issue.summary.clone(),
            Place::Description => issue
                .description
                .as_ref()
                .map(|d| d.to_plain_text())
                .unwrap_or_default(),
            Place::Environment => issue
                .environment
                .as_ref()
                .map(|d| d.to_plain_text())
                .unwrap_or_default(),
            Place::Comment { comment_id } => issue
                .comments
                .iter()
                .find(|c| c.id == *comment_id)
                .map(|c| c.body.to_plain_text())
                .unwrap_or_default(),
            Place::WorklogComment { worklog_id } => issue
                .worklogs
                .iter()
                .find(|w| w.id == *worklog_id)
                .and_then(|w| w.comment.as_ref())
                .map(|c| c.to_plain_text())
                .unwrap_or_default(),
            Place::CustomField { field_id } => issue
                .custom_field(field_id)
                .map(|v| v.to_string())
                .unwrap_or_default(),
            Place::AttachmentFilename { attachment_id } => issue
                .attachments
                .iter()
                .find(|a| a.id == *attachment_id)
                .map(|a| a.filename.clone())
                .unwrap_or_default(),
            Place::RemoteLinkTitle { remote_link_id } => issue
                .remote_links
                .iter()
                .find(|r| r.id == *remote_link_id)
                .map(|r| r.title.clone())
                .unwrap_or_default(),
            Place::ChangelogValue { history_id } => issue
                .histories
                .iter()
                .find(|h| h.id == *history_id)
                .map(|h| format!("{:?}", h.items))
                .unwrap_or_default(),
            _ => String::new(),
        };
        // Custom field values are compared in their JSON form (escaped quotes).
        let needle = if matches!(p.location.place, Place::CustomField { .. }) {
            serde_json::to_string(&p.value)
                .unwrap_or_default()
                .trim_matches('"')
                .to_owned()
        } else if matches!(p.location.place, Place::ChangelogValue { .. }) {
            format!("{:?}", p.value).trim_matches('"').to_owned()
        } else {
            p.value.clone()
        };
        assert!(
            text.contains(&needle),
            "{:?} not found at {:?}",
            p.kind,
            p.location.place
        );
        match p.kind {
            PiiKind::PaymentCard => assert!(luhn_valid(&p.value)),
            PiiKind::Iban => assert!(iban_valid(&p.value)),
            PiiKind::UserName => assert!(org.users.iter().any(|u| u.display_name == p.value)),
            PiiKind::CustomerName => assert!(org.users.iter().all(|u| u.display_name != p.value)),
            _ => {}
        }
    }
}

#[test]
fn odd_configs_do_not_panic() {
    for cfg in [
        OrgConfig {
            pii_rate: 7.0,
            ..OrgConfig::new(1, 30)
        },
        OrgConfig {
            pii_rate: f64::NAN,
            months: 0,
            ..OrgConfig::new(2, 30)
        },
        OrgConfig::new(3, 0),
        OrgConfig {
            months: u32::MAX,
            now_ms: i64::MAX,
            ..OrgConfig::new(5, 20)
        },
        OrgConfig::new(4, 1),
    ] {
        let org = Org::generate(&cfg);
        assert_eq!(org.issues.len(), cfg.issues);
        assert!(org.issues.iter().all(|i| i.created_ms <= i.updated_ms));
    }
}
