//! The sync engine: scope → extract → privacy → flatten → upsert → checkpoint → census.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use arrow::array::RecordBatch;
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use jirafe_jira_client::models::{Field, Issue, Project};
use jirafe_jira_client::{
    Error as JiraError, Id, IssueBundle, JiraClient, Jql, SearchRequest, Timestamp,
};
use jirafe_partition_writer::{Month, Outcome, PartitionWriter, TableSpec, WriteReport};
use jirafe_pii_scrub::HashKey;
use jirafe_schema::{
    Deletion, DeletionReason, FieldCatalog, Flattener, IssueRecord, Table, TableBatches,
};

use crate::config::Config;
use crate::error::Result;
use crate::privacy::RunPrivacy;
use crate::report::{ProjectReport, RunReport, SkippedProject, WrittenObject};
use crate::state::{ProjectCursor, SyncState};
use crate::warehouse::Warehouse;

/// Progress callbacks, for a progress bar or log lines. They receive counts and project
/// keys only.
pub trait Progress: Send {
    /// A project's extraction starts.
    fn project_started(&mut self, key: &str);
    /// `n` more issues of the project were written.
    fn issues_written(&mut self, key: &str, n: u64);
    /// A project is done.
    fn project_finished(&mut self, report: &ProjectReport);
}

/// A [`Progress`] that reports nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn project_started(&mut self, _key: &str) {}
    fn issues_written(&mut self, _key: &str, _n: u64) {}
    fn project_finished(&mut self, _report: &ProjectReport) {}
}

/// One sync run.
pub struct Sync<'a> {
    cfg: &'a Config,
    client: JiraClient,
    warehouse: Warehouse,
    writer: PartitionWriter,
    privacy: RunPrivacy,
    fields: Vec<Field>,
    specs: BTreeMap<Table, TableSpec>,
    /// Per table with retention, the first microsecond kept: older rows are not written.
    keep_from: BTreeMap<Table, i64>,
    /// Position of each object in `report.objects_written`.
    written_index: std::collections::HashMap<String, usize>,
    /// Projects in scope (the webhook path checks each re-fetched issue against it).
    in_scope: BTreeSet<Id>,
    report: RunReport,
}

/// What [`Sync::refresh_issues`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RefreshReport {
    /// Issues re-fetched and written.
    pub written: u64,
    /// Issues removed (deleted, no longer visible, or under a security level).
    pub removed: u64,
    /// Issues with a security level (not stored).
    pub skipped_security_level: u64,
    /// Issues in projects outside the scope (private, not allow-listed) or malformed.
    pub out_of_scope: u64,
    /// Issues the bulk fetch missed but Jira still shows: left for the next delivery or sync.
    pub deferred: u64,
}

impl std::fmt::Debug for Sync<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sync")
            .field("warehouse", &self.warehouse.url)
            .finish_non_exhaustive()
    }
}

fn now() -> Timestamp {
    Timestamp::from(time::OffsetDateTime::now_utc())
}

impl<'a> Sync<'a> {
    /// Prepares a run.
    ///
    /// # Errors
    /// When the privacy gate or the table specs cannot be built.
    pub fn new(
        cfg: &'a Config,
        client: JiraClient,
        warehouse: Warehouse,
        key: HashKey,
    ) -> Result<Sync<'a>> {
        let policy = cfg.privacy.policy.clone().unwrap_or_default();
        let key_id = key.key_id();
        let privacy = RunPrivacy::new(key, policy, cfg.privacy.opt_out.iter().cloned())?;
        let writer = warehouse
            .writer()
            .with_lock_stale_after(std::time::Duration::from_secs(
                cfg.warehouse.lock_stale_seconds.max(1),
            ));
        let mut specs = BTreeMap::new();
        for t in Table::ALL {
            specs.insert(t, t.spec()?);
        }
        let report = RunReport {
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            started_at: now().to_string(),
            config_digest: cfg.digest(),
            key_id,
            ..RunReport::default()
        };
        let keep_from = crate::retention::keep_from_micros(cfg, time::OffsetDateTime::now_utc())
            .into_iter()
            .collect();
        Ok(Sync {
            cfg,
            client,
            warehouse,
            writer,
            privacy,
            fields: Vec::new(),
            specs,
            keep_from,
            written_index: std::collections::HashMap::new(),
            in_scope: BTreeSet::new(),
            report,
        })
    }

    /// The privacy gate (for the leak scan after the run).
    pub fn privacy(&self) -> &RunPrivacy {
        &self.privacy
    }

    /// Runs the sync to the end.
    ///
    /// # Errors
    /// Any Jira, warehouse or state error. Cursors already committed stay committed: the
    /// next run resumes from them.
    pub async fn run(&mut self, progress: &mut dyn Progress) -> Result<RunReport> {
        let started = Instant::now();
        let outcome = self.run_inner(progress).await;
        self.finish_report(started, outcome.is_ok());
        outcome.map(|()| self.report.clone())
    }

    /// The report so far: after a failed [`run`](Self::run), what the run did before it
    /// failed (`success` false), for the audit log and the metrics.
    pub fn report(&self) -> &RunReport {
        &self.report
    }

    fn finish_report(&mut self, started: Instant, success: bool) {
        let m = self.client.metrics();
        self.report.requests.clear();
        for ((endpoint, status), n) in &m.requests {
            *self
                .report
                .requests
                .entry(format!("{endpoint} {status}"))
                .or_default() += n;
        }
        for (endpoint, n) in &m.transport_errors {
            *self
                .report
                .requests
                .entry(format!("{endpoint} transport_error"))
                .or_default() += n;
        }
        self.report.requests_total = m.total_requests();
        self.report.retries = m.retries;
        self.report.rate_limit_wait_ms = m.rate_limit_wait.as_millis() as u64;
        self.report.pii_findings = self.privacy.findings();
        self.report.duration_ms = started.elapsed().as_millis() as u64;
        self.report.success = success;
    }

    /// Who runs, the name directory, the fields and the projects in scope.
    async fn prepare(&mut self) -> Result<(Vec<Project>, Vec<Project>)> {
        let me = self.client.myself().await?;
        self.privacy.observe(&me);
        self.privacy.refresh()?;
        self.report.runner = me.stable_id().and_then(|id| self.privacy.pseudonym_of(id));

        // The name directory must not depend on which issues this run happens to read (an
        // incremental or resumed run reads few): load every user Jira lets us list.
        match self.client.users().try_collect::<Vec<_>>().await {
            Ok(users) => {
                for u in &users {
                    self.privacy.observe(u);
                }
                self.report.directory = "users_search";
            }
            // Without "Browse users and groups" the directory is the people seen in the run.
            Err(JiraError::Forbidden { .. }) | Err(JiraError::NotFound { .. }) => {
                self.report.directory = "people_seen"
            }
            Err(e) => return Err(e.into()),
        }
        self.privacy.refresh()?;

        self.fields = self.client.fields().await?;
        let browsable: Vec<Project> = self.client.projects().try_collect().await?;
        let (collect, skipped) = self.scope(&browsable);
        self.report.skipped_projects = skipped;
        Ok((browsable, collect))
    }

    async fn run_inner(&mut self, progress: &mut dyn Progress) -> Result<()> {
        let (browsable, collect) = self.prepare().await?;

        let mut state = SyncState::load(&self.warehouse).await?;
        // Projects we hold data for that are no longer browsable: access lost.
        let collected_ids: BTreeSet<Id> = collect.iter().map(|p| p.id).collect();
        let browsable_ids: BTreeSet<Id> = browsable.iter().map(|p| p.id).collect();
        let lost: Vec<Id> = state
            .projects
            .keys()
            .copied()
            .filter(|id| !browsable_ids.contains(id))
            .collect();
        for pid in lost {
            let ids = SyncState::known_ids(&self.warehouse, pid).await?;
            self.remove_issues(
                pid,
                ids.iter()
                    .map(|&i| (i, DeletionReason::AccessLost))
                    .collect(),
            )
            .await?;
            SyncState::save_known_ids(&self.warehouse, pid, &BTreeSet::new()).await?;
            state.remove_project(pid);
            state.save(&self.warehouse).await?;
        }

        for project in &collect {
            progress.project_started(&project.key);
            let pr = self
                .sync_project(project, &mut state, &collected_ids, progress)
                .await?;
            progress.project_finished(&pr);
            self.report.projects.push(pr);
        }
        self.write_dimensions(&collect).await?;
        Ok(())
    }

    fn scope(&self, browsable: &[Project]) -> (Vec<Project>, Vec<SkippedProject>) {
        scope(self.cfg, browsable)
    }

    async fn sync_project(
        &mut self,
        project: &Project,
        state: &mut SyncState,
        collected: &BTreeSet<Id>,
        progress: &mut dyn Progress,
    ) -> Result<ProjectReport> {
        let cursor = state.projects.get(&project.id).cloned().unwrap_or_default();
        let mut pr = ProjectReport {
            id: project.id,
            key: project.key.clone(),
            cursor_ms: cursor.updated_ms,
            ..Default::default()
        };
        let overlap = i64::from(self.cfg.sync.overlap_minutes) * 60_000;
        let lower = cursor
            .updated_ms
            .map(|ms| ms - overlap)
            .or(self.cfg.since_ms());
        let mut jql = Jql::new().project(&project.id.to_string());
        if let Some(ms) = lower {
            jql = jql.updated_at_or_after_ms(ms);
        }
        let jql = jql.order_by_updated().build()?;

        let mut known = SyncState::known_ids(&self.warehouse, project.id).await?;
        let mut restricted: Vec<(Id, DeletionReason)> = Vec::new();
        let mut max_updated = cursor.updated_ms;
        let mut buffer: Vec<IssueBundle> = Vec::new();
        // Pages of (at most) 100 issues are read ahead while a batch is written.
        let mut pages = read_ahead(
            self.client.search_complete(SearchRequest::new(jql)),
            self.cfg.sync.prefetch_issues.div_ceil(100),
        );
        while let Some(page) = pages.try_next().await? {
            for b in page {
                let updated = b.issue.fields.updated.map(|t| t.unix_millis());
                max_updated = max_updated.max(updated);
                if b.issue.has_security_level() {
                    pr.skipped_security_level += 1;
                    *self
                        .report
                        .skipped_issues
                        .entry("security_level".into())
                        .or_default() += 1;
                    if known.contains(&b.issue.id) {
                        restricted.push((b.issue.id, DeletionReason::AccessLost));
                    }
                    continue;
                }
                if b.issue.id <= 0 {
                    *self
                        .report
                        .skipped_issues
                        .entry("invalid_id".into())
                        .or_default() += 1;
                    continue;
                }
                buffer.push(b);
            }
            if buffer.len() >= self.cfg.sync.batch_issues {
                let n = self.flush(&mut buffer, &mut known).await?;
                pr.issues += n;
                progress.issues_written(&project.key, n);
            }
        }
        let n = self.flush(&mut buffer, &mut known).await?;
        pr.issues += n;
        progress.issues_written(&project.key, n);

        // Deletion census.
        let runs = cursor.runs + 1;
        let census_due =
            self.cfg.sync.census_every > 0 && runs % u64::from(self.cfg.sync.census_every) == 0;
        if census_due {
            pr.census = true;
            let census: BTreeSet<Id> = self
                .client
                .census(
                    Jql::new()
                        .project(&project.id.to_string())
                        .order_by_id()
                        .build()?,
                )
                .try_collect()
                .await?;
            for id in known.difference(&census).copied().collect::<Vec<_>>() {
                let reason = match self
                    .client
                    .issue(&id.to_string(), &["project", "security"], &[])
                    .await
                {
                    Ok(i) if i.has_security_level() => Some(DeletionReason::AccessLost),
                    Ok(i) => match i.fields.project.as_ref().map(|p| p.id) {
                        // Moved to another collected project: its sync stores it there.
                        Some(pid) if pid != project.id && collected.contains(&pid) => None,
                        Some(pid) if pid == project.id => None,
                        _ => Some(DeletionReason::AccessLost),
                    },
                    // Jira answers 404 for "deleted" and for "not visible": it cannot tell.
                    Err(JiraError::NotFound { .. }) => Some(DeletionReason::Unknown),
                    Err(e) => return Err(e.into()),
                };
                match reason {
                    Some(r) => restricted.push((id, r)),
                    None => {
                        known.remove(&id);
                    }
                }
            }
        }
        if !restricted.is_empty() {
            for (id, _) in &restricted {
                known.remove(id);
            }
            pr.removed += restricted.len() as u64;
            self.remove_issues(project.id, restricted).await?;
        }

        // Checkpoint: the partitions above are durable; now the ids, then the cursor.
        SyncState::save_known_ids(&self.warehouse, project.id, &known).await?;
        state.set_project(
            project.id,
            ProjectCursor {
                key: project.key.clone(),
                updated_ms: max_updated,
                runs,
            },
        );
        state.save(&self.warehouse).await?;
        pr.cursor_ms = max_updated;
        Ok(pr)
    }

    /// The webhook path: re-fetches `ids` with the run's credentials and writes what Jira
    /// returns, exactly as a sync would (scope, security levels, privacy, retention).
    /// Issues Jira no longer returns are confirmed one by one (a 404) and removed; those in
    /// `deleted` (the delivery said "deleted") are recorded as `deleted`, the others as
    /// `unknown`. The sync state is not touched: polling sync stays the source of truth.
    ///
    /// # Errors
    /// Any Jira or warehouse error; nothing is half-written (each partition is replaced
    /// atomically), so the caller can retry the same ids.
    pub async fn refresh_issues(
        &mut self,
        ids: &[Id],
        deleted: &BTreeSet<Id>,
    ) -> Result<RefreshReport> {
        if self.fields.is_empty() {
            let (_, collect) = self.prepare().await?;
            self.in_scope = collect.iter().map(|p| p.id).collect();
        }
        let mut out = RefreshReport::default();
        let wanted: BTreeSet<Id> = ids.iter().copied().filter(|&i| i > 0).collect();
        if wanted.is_empty() {
            return Ok(out);
        }
        let issues: Vec<Issue> = self
            .client
            .bulk_issues(
                wanted.iter().copied().collect(),
                vec!["*all".to_owned()],
                vec!["changelog".to_owned()],
            )
            .try_collect()
            .await?;
        let found: BTreeSet<Id> = issues.iter().map(|i| i.id).collect();
        let bundles = self.client.complete_page(issues).await?;
        let mut by_project: BTreeMap<Id, Vec<(Id, DeletionReason)>> = BTreeMap::new();
        let mut buffer = Vec::new();
        for b in bundles {
            let project = b.issue.fields.project.as_ref().map(|p| p.id);
            if !project.is_some_and(|p| self.in_scope.contains(&p)) {
                out.out_of_scope += 1;
                continue;
            }
            if b.issue.has_security_level() {
                out.skipped_security_level += 1;
                by_project
                    .entry(project.unwrap_or_default())
                    .or_default()
                    .push((b.issue.id, DeletionReason::AccessLost));
                continue;
            }
            if b.issue.fields.created.is_none() {
                out.out_of_scope += 1;
                continue;
            }
            buffer.push(b);
        }
        let mut known = BTreeSet::new();
        out.written = self.flush(&mut buffer, &mut known).await?;
        // Absent from the bulk fetch: confirm each one before removing anything.
        for &id in wanted.difference(&found) {
            match self.client.issue(&id.to_string(), &["project"], &[]).await {
                Err(JiraError::NotFound { .. }) => {
                    let reason = if deleted.contains(&id) {
                        DeletionReason::Deleted
                    } else {
                        DeletionReason::Unknown
                    };
                    by_project.entry(0).or_default().push((id, reason));
                }
                // Visible after all (the bulk fetch lagged): the next delivery or sync
                // writes it.
                Ok(_) => out.deferred += 1,
                Err(e) => return Err(e.into()),
            }
        }
        for (project, removals) in by_project {
            out.removed += removals.len() as u64;
            self.remove_issues_if_stored(project, removals).await?;
        }
        Ok(out)
    }

    /// What was written since the last call (the webhook path's per-batch record), with
    /// the gate's cumulative PII findings; the counters start again from zero.
    pub fn take_batch_report(&mut self) -> RunReport {
        self.written_index.clear();
        let mut out = RunReport {
            runner: self.report.runner.clone(),
            pii_findings: self.privacy.findings(),
            ..RunReport::default()
        };
        std::mem::swap(&mut out.rows, &mut self.report.rows);
        std::mem::swap(&mut out.objects_written, &mut self.report.objects_written);
        std::mem::swap(&mut out.removed_issues, &mut self.report.removed_issues);
        std::mem::swap(&mut out.skipped_issues, &mut self.report.skipped_issues);
        out.bytes_written = std::mem::take(&mut self.report.bytes_written);
        out.partitions_unchanged = std::mem::take(&mut self.report.partitions_unchanged);
        out
    }

    /// Removes issues we hold (rows and children) and records a deletion for each one
    /// that was actually stored.
    async fn remove_issues_if_stored(
        &mut self,
        project_id: Id,
        issues: Vec<(Id, DeletionReason)>,
    ) -> Result<()> {
        let Some(spec) = self.specs.get(&Table::Issues).cloned() else {
            return Ok(());
        };
        let ids: Vec<Id> = issues.iter().map(|(i, _)| *i).collect();
        let stored = self.writer.delete(&spec, &ids).await?;
        if stored
            .partitions
            .iter()
            .all(|p| p.outcome == Outcome::Unchanged)
        {
            return Ok(());
        }
        self.record(&stored);
        let project = (project_id > 0).then_some(project_id);
        self.remove_issues_for(project, issues).await
    }

    /// Flattens and writes a batch of issues. Returns how many were written.
    async fn flush(
        &mut self,
        buffer: &mut Vec<IssueBundle>,
        known: &mut BTreeSet<Id>,
    ) -> Result<u64> {
        if buffer.is_empty() {
            return Ok(0);
        }
        for b in buffer.iter() {
            observe_people(&mut self.privacy, b);
        }
        self.privacy.refresh()?;
        let batches = {
            let mut f = Flattener::new(&self.privacy, FieldCatalog::new(&self.fields));
            for b in buffer.iter() {
                f.append_issue(
                    IssueRecord::new(&b.issue)
                        .with_comments(&b.comments)
                        .with_worklogs(&b.worklogs)
                        .with_changelog(&b.changelog),
                )?;
            }
            f.finish()?
        };
        // Child rows are replaced per issue: a comment, worklog or link deleted in Jira
        // disappears here in the same atomic partition write.
        let owners: Vec<(Id, Month)> = buffer
            .iter()
            .filter_map(|b| {
                Some((
                    b.issue.id,
                    b.issue.fields.created?.month().parse::<Month>().ok()?,
                ))
            })
            .collect();
        self.write_replacing(batches, &owners).await?;
        let n = buffer.len() as u64;
        known.extend(buffer.iter().map(|b| b.issue.id));
        buffer.clear();
        Ok(n)
    }

    async fn write(&mut self, batches: TableBatches) -> Result<()> {
        for (table, batch) in batches.non_empty() {
            let Some(spec) = self.specs.get(&table) else {
                continue;
            };
            let batch = &self.unexpired(table, spec, batch)?;
            if batch.num_rows() == 0 {
                continue;
            }
            let rep = self.writer.upsert(spec, [batch.clone()]).await?;
            *self.report.rows.entry(table.name().to_owned()).or_default() +=
                batch.num_rows() as u64;
            self.record(&rep);
        }
        Ok(())
    }

    async fn write_replacing(
        &mut self,
        batches: TableBatches,
        owners: &[(Id, Month)],
    ) -> Result<()> {
        for (table, batch) in batches.iter() {
            let Some(spec) = self.specs.get(&table) else {
                continue;
            };
            let batch = &self.unexpired(table, spec, batch)?;
            let rep = if table.is_issue_child() && spec.owner_column().is_some() {
                // Owners in a month past retention: nothing of theirs is written there.
                let keep_from = self.keep_from.get(&table).copied();
                let owners: Vec<(Id, Month)> = owners
                    .iter()
                    .copied()
                    .filter(|(_, m)| {
                        keep_from.is_none_or(|k| crate::retention::month_start_micros(*m) >= k)
                    })
                    .collect();
                self.writer
                    .upsert_replacing(spec, &owners, [batch.clone()])
                    .await?
            } else if batch.num_rows() > 0 {
                self.writer.upsert(spec, [batch.clone()]).await?
            } else {
                continue;
            };
            *self.report.rows.entry(table.name().to_owned()).or_default() +=
                batch.num_rows() as u64;
            self.record(&rep);
        }
        Ok(())
    }

    /// The rows of `batch` in months that are not past the table's retention.
    fn unexpired(
        &self,
        table: Table,
        spec: &TableSpec,
        batch: &RecordBatch,
    ) -> Result<RecordBatch> {
        match self.keep_from.get(&table) {
            Some(&keep_from) => {
                crate::retention::drop_expired(batch, spec.month_column(), keep_from)
            }
            None => Ok(batch.clone()),
        }
    }

    fn record(&mut self, rep: &WriteReport) {
        for p in &rep.partitions {
            match p.outcome {
                Outcome::Unchanged => self.report.partitions_unchanged += 1,
                _ => {
                    if let Some(sha) = &p.sha256 {
                        self.report.bytes_written += p.bytes;
                        let object = WrittenObject {
                            path: p.path.to_string(),
                            bytes: p.bytes,
                            sha256: sha.clone(),
                        };
                        // One entry per object: its final state in this run.
                        match self.written_index.get(&object.path) {
                            Some(&i) => self.report.objects_written[i] = object,
                            None => {
                                self.written_index
                                    .insert(object.path.clone(), self.report.objects_written.len());
                                self.report.objects_written.push(object);
                            }
                        }
                    }
                }
            }
        }
    }

    /// Removes issues and their child rows everywhere, and records them in `deletions`.
    async fn remove_issues(
        &mut self,
        project_id: Id,
        issues: Vec<(Id, DeletionReason)>,
    ) -> Result<()> {
        self.remove_issues_for(Some(project_id), issues).await
    }

    async fn remove_issues_for(
        &mut self,
        project_id: Option<Id>,
        issues: Vec<(Id, DeletionReason)>,
    ) -> Result<()> {
        if issues.is_empty() {
            return Ok(());
        }
        let ids: Vec<Id> = issues.iter().map(|(i, _)| *i).collect();
        let owned: Vec<Table> = Table::ALL
            .into_iter()
            .filter(|t| t.owner_column().is_some() && *t != Table::Deletions)
            .collect();
        for table in owned {
            if let Some(spec) = self.specs.get(&table).cloned() {
                let rep = self.writer.delete(&spec, &ids).await?;
                self.record(&rep);
            }
        }
        // Jira drops links to a removed issue from the other end too, without touching that
        // issue's `updated`: remove those rows by the other end's id.
        if let Some(links) = self.specs.get(&Table::IssueLinks) {
            let by_other = TableSpec::builder(links.name(), links.schema().clone())
                .primary_key(links.primary_key().iter().cloned())
                .month_column(links.month_column())
                .owner_column("other_issue_id");
            let by_other = match links.version_column() {
                Some(v) => by_other.version_column(v),
                None => by_other,
            }
            .build()?;
            let rep = self.writer.delete(&by_other, &ids).await?;
            self.record(&rep);
        }
        let detected_at = now();
        let batches = {
            let mut f = Flattener::new(&self.privacy, FieldCatalog::new(&self.fields));
            for (issue_id, reason) in &issues {
                f.append_deletion(&Deletion {
                    issue_id: *issue_id,
                    project_id,
                    detected_at,
                    reason: *reason,
                });
                *self
                    .report
                    .removed_issues
                    .entry(reason.as_str().to_owned())
                    .or_default() += 1;
            }
            f.finish()?
        };
        self.write(batches).await
    }

    /// Projects, boards, sprints, fields and users.
    async fn write_dimensions(&mut self, collected: &[Project]) -> Result<()> {
        let mut boards = Vec::new();
        for p in collected {
            let found: Vec<_> = self
                .client
                .boards(Some(&p.id.to_string()))
                .try_collect()
                .await?;
            boards.extend(found);
        }
        let mut sprints = Vec::new();
        for b in boards
            .iter()
            .filter(|b| b.board_type.as_deref() == Some("scrum"))
        {
            let found: Vec<_> = self.client.sprints(b.id).try_collect().await?;
            sprints.extend(found);
        }
        let batches = {
            let mut f = Flattener::new(&self.privacy, FieldCatalog::new(&self.fields));
            for p in collected {
                f.append_project(p);
            }
            for b in &boards {
                f.append_board(b);
            }
            let mut seen = BTreeSet::new();
            for s in &sprints {
                if seen.insert(s.id) {
                    f.append_sprint(s);
                }
            }
            for field in &self.fields {
                f.append_field(field);
            }
            for (id, _) in self.privacy.people().iter() {
                let user = jirafe_jira_client::models::User {
                    account_id: Some(id.clone()),
                    ..Default::default()
                };
                f.append_user(&user);
            }
            f.finish()?
        };
        self.write(batches).await
    }
}

/// Which of the browsable projects a sync collects; the others with a reason.
pub(crate) fn scope(cfg: &Config, browsable: &[Project]) -> (Vec<Project>, Vec<SkippedProject>) {
    let allow: BTreeSet<&str> = cfg.scope.projects.iter().map(String::as_str).collect();
    let private_ok: BTreeSet<&str> = cfg
        .scope
        .include_private
        .iter()
        .map(String::as_str)
        .collect();
    let mut collect = Vec::new();
    let mut skipped = Vec::new();
    for p in browsable {
        let reason = if !allow.is_empty() && !allow.contains(p.key.as_str()) {
            Some("not_in_allow_list")
        } else if p.is_private == Some(true) && !private_ok.contains(p.key.as_str()) {
            Some("private")
        } else if p.archived == Some(true) {
            Some("archived")
        } else if p.id <= 0 {
            Some("invalid_id")
        } else {
            None
        };
        match reason {
            Some(reason) => skipped.push(SkippedProject {
                id: Some(p.id),
                key: p.key.clone(),
                reason,
            }),
            None => collect.push(p.clone()),
        }
    }
    for key in &allow {
        if !browsable.iter().any(|p| p.key == *key) {
            skipped.push(SkippedProject {
                id: None,
                key: (*key).to_owned(),
                reason: "not_browsable",
            });
        }
    }
    (collect, skipped)
}

/// Polls `stream` on its own task, up to `depth` items ahead of the consumer, so fetching
/// overlaps flattening and writing. Dropping the returned stream stops the task (and so
/// the requests) at once; `depth` 0 returns `stream` as it is.
fn read_ahead<T: Send + 'static>(
    stream: BoxStream<'static, T>,
    depth: usize,
) -> BoxStream<'static, T> {
    struct AbortOnDrop(tokio::task::JoinHandle<()>);
    impl Drop for AbortOnDrop {
        fn drop(&mut self) {
            self.0.abort();
        }
    }
    if depth == 0 {
        return stream;
    }
    let (tx, rx) = tokio::sync::mpsc::channel(depth);
    let task = AbortOnDrop(tokio::spawn(async move {
        let mut stream = stream;
        while let Some(item) = stream.next().await {
            if tx.send(item).await.is_err() {
                break;
            }
        }
    }));
    futures::stream::unfold((rx, task), |(mut rx, task)| async move {
        let item = rx.recv().await?;
        Some((item, (rx, task)))
    })
    .boxed()
}

fn observe_people(privacy: &mut RunPrivacy, b: &IssueBundle) {
    let f = &b.issue.fields;
    for u in [&f.reporter, &f.assignee, &f.creator].into_iter().flatten() {
        privacy.observe(u);
    }
    for c in &b.comments {
        for u in [&c.author, &c.update_author].into_iter().flatten() {
            privacy.observe(u);
        }
    }
    for w in &b.worklogs {
        for u in [&w.author, &w.update_author].into_iter().flatten() {
            privacy.observe(u);
        }
    }
    for h in &b.changelog {
        if let Some(u) = &h.author {
            privacy.observe(u);
        }
    }
    for a in &f.attachment {
        if let Some(u) = &a.author {
            privacy.observe(u);
        }
    }
    observe_custom_users(privacy, &b.issue);
}

/// User-picker custom fields carry user objects: learn them too.
fn observe_custom_users(privacy: &mut RunPrivacy, issue: &Issue) {
    fn walk(privacy: &mut RunPrivacy, v: &serde_json::Value, depth: usize) {
        if depth > 4 {
            return;
        }
        match v {
            serde_json::Value::Object(m) if m.contains_key("accountId") => {
                if let Ok(u) = serde_json::from_value::<jirafe_jira_client::models::User>(v.clone())
                {
                    privacy.observe(&u);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(privacy, x, depth + 1)),
            _ => {}
        }
    }
    for (_, v) in issue.fields.custom_fields() {
        walk(privacy, v, 0);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use futures::StreamExt;

    use super::read_ahead;

    fn counting(produced: Arc<AtomicUsize>) -> futures::stream::BoxStream<'static, usize> {
        futures::stream::iter(0..1000)
            .map(move |i| {
                produced.fetch_add(1, Ordering::SeqCst);
                i
            })
            .boxed()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn read_ahead_keeps_order_and_stays_bounded() {
        let produced = Arc::new(AtomicUsize::new(0));
        let mut s = read_ahead(counting(produced.clone()), 3);
        assert_eq!(s.next().await, Some(0));
        assert_eq!(s.next().await, Some(1));
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        // Two taken, at most three queued and one waiting to be sent.
        let ahead = produced.load(Ordering::SeqCst);
        assert!((3..=6).contains(&ahead), "produced {ahead}");
        let rest: Vec<usize> = s.collect().await;
        assert_eq!(rest, (2..1000).collect::<Vec<_>>());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn dropping_the_reader_stops_the_producer() {
        let produced = Arc::new(AtomicUsize::new(0));
        let mut s = read_ahead(counting(produced.clone()), 2);
        assert_eq!(s.next().await, Some(0));
        drop(s);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let after_drop = produced.load(Ordering::SeqCst);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert_eq!(produced.load(Ordering::SeqCst), after_drop);
        assert!(after_drop < 10, "produced {after_drop}");
    }

    #[tokio::test]
    async fn depth_zero_is_the_stream_itself() {
        let produced = Arc::new(AtomicUsize::new(0));
        let s = read_ahead(counting(produced.clone()), 0);
        assert_eq!(produced.load(Ordering::SeqCst), 0);
        assert_eq!(s.count().await, 1000);
    }
}
