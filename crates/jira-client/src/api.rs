//! Endpoints. Paginated endpoints are async streams: callers never see page tokens.

use std::collections::{BTreeMap, HashMap};

use futures::stream::{self, BoxStream, Stream, StreamExt, TryStreamExt};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::client::{Flavor, JiraClient, Method};
use crate::error::{Error, Result};
use crate::models::{
    Board, ChangelogHistory, Comment, Field, Id, Issue, Myself, Project, RemoteLink, ServerInfo,
    Sprint, Worklog, WorklogChange, de,
};

/// Most issues per page when fields are requested (Jira's cap).
pub const SEARCH_PAGE_MAX: u32 = 100;
/// Most ids per page for an ids-only census (Cloud's cap).
pub const CENSUS_PAGE_MAX: u32 = 5000;
/// Most issues per bulk issue fetch.
pub const BULK_ISSUES_MAX: usize = 100;
/// Most issues per changelog bulk fetch.
pub const BULK_CHANGELOG_ISSUES_MAX: usize = 1000;
/// Most worklogs per `/worklog/list` call.
pub const WORKLOG_LIST_MAX: usize = 1000;

/// The fields the warehouse reads from an issue (everything: custom fields included).
pub const ALL_FIELDS: &str = "*all";

macro_rules! endpoint {
    ($client:expr, $method:literal, $cloud:literal, $dc:literal) => {
        match $client.flavor() {
            Flavor::DataCenter => concat!($method, " ", $dc),
            _ => concat!($method, " ", $cloud),
        }
    };
}

/// An issue search: JQL, which fields, which expansions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRequest {
    jql: String,
    fields: Vec<String>,
    expand: Vec<String>,
    page_size: u32,
}

impl SearchRequest {
    /// A search for `jql` returning every field (`*all`) and the inline changelog, 100 per page.
    pub fn new(jql: impl Into<String>) -> Self {
        SearchRequest {
            jql: jql.into(),
            fields: vec![ALL_FIELDS.to_owned()],
            expand: vec!["changelog".to_owned()],
            page_size: SEARCH_PAGE_MAX,
        }
    }

    /// Which fields to return (`*all`, `*navigable`, names, `-name` exclusions).
    pub fn with_fields<I, S>(mut self, fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.fields = fields.into_iter().map(Into::into).collect();
        self
    }

    /// Which expansions (`changelog`, `renderedFields`, …).
    pub fn with_expand<I, S>(mut self, expand: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.expand = expand.into_iter().map(Into::into).collect();
        self
    }

    /// Issues per page (1 to 100; Jira caps it anyway).
    pub fn with_page_size(mut self, n: u32) -> Self {
        self.page_size = n.clamp(1, SEARCH_PAGE_MAX);
        self
    }

    /// The JQL.
    pub fn jql(&self) -> &str {
        &self.jql
    }
}

/// An issue with all its child rows, as the warehouse needs it.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct IssueBundle {
    /// The issue. Its inline `comment`, `worklog` and `changelog` pages are moved into the
    /// complete lists below (and are `None` here).
    pub issue: Issue,
    /// Every comment, oldest first.
    pub comments: Vec<Comment>,
    /// Every worklog.
    pub worklogs: Vec<Worklog>,
    /// Every changelog history, oldest first.
    pub changelog: Vec<ChangelogHistory>,
}

/// The answer of `/worklog/updated` or `/worklog/deleted`, all pages.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct WorklogChanges {
    /// Changed worklogs.
    pub changes: Vec<WorklogChange>,
    /// The instant (epoch ms) to pass as `since` next time. Jira leaves out the last
    /// minute; this is the `until` it returned, never "now".
    pub until: i64,
}

#[derive(Deserialize)]
#[serde(
    rename_all = "camelCase",
    default,
    bound(deserialize = "T: Deserialize<'de>")
)]
struct TokenPage<T> {
    #[serde(deserialize_with = "de::vec_or_null")]
    issues: Vec<T>,
    next_page_token: Option<String>,
    is_last: Option<bool>,
}

#[derive(Deserialize)]
#[serde(
    rename_all = "camelCase",
    default,
    bound(deserialize = "T: Deserialize<'de>")
)]
pub(crate) struct StartAtPage<T> {
    #[serde(
        alias = "issues",
        alias = "comments",
        alias = "worklogs",
        alias = "histories",
        deserialize_with = "de::vec_or_null"
    )]
    pub(crate) values: Vec<T>,
    #[serde(deserialize_with = "de::opt_i64")]
    pub(crate) start_at: Option<i64>,
    #[serde(deserialize_with = "de::opt_i64")]
    pub(crate) total: Option<i64>,
    is_last: Option<bool>,
}

impl<T> Default for TokenPage<T> {
    fn default() -> Self {
        TokenPage {
            issues: Vec::new(),
            next_page_token: None,
            is_last: None,
        }
    }
}

impl<T> Default for StartAtPage<T> {
    fn default() -> Self {
        StartAtPage {
            values: Vec::new(),
            start_at: None,
            total: None,
            is_last: None,
        }
    }
}

impl<T> StartAtPage<T> {
    /// The next `startAt`, or `None` at the end.
    pub(crate) fn next(&self, requested_start: i64) -> Option<i64> {
        if self.values.is_empty() {
            return None;
        }
        let start = self.start_at.unwrap_or(requested_start);
        let next = start + self.values.len() as i64;
        match (self.is_last, self.total) {
            (Some(true), _) => None,
            (_, Some(total)) if next >= total => None,
            _ => Some(next),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct BulkIssues {
    #[serde(deserialize_with = "de::vec_or_null")]
    issues: Vec<Issue>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct BulkChangelogs {
    #[serde(deserialize_with = "de::vec_or_null")]
    issue_change_logs: Vec<IssueChangeLog>,
    next_page_token: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct IssueChangeLog {
    #[serde(deserialize_with = "de::opt_id")]
    issue_id: Option<Id>,
    #[serde(deserialize_with = "de::vec_or_null")]
    change_histories: Vec<ChangelogHistory>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ChangedWorklogs {
    #[serde(deserialize_with = "de::vec_or_null")]
    values: Vec<WorklogChange>,
    #[serde(deserialize_with = "de::opt_i64")]
    until: Option<i64>,
    last_page: Option<bool>,
}

/// Pages through a `startAt` endpoint. `fetch(start)` returns one page.
fn start_at_stream<T, F, Fut>(fetch: F) -> impl Stream<Item = Result<T>> + Send
where
    T: Send + 'static,
    F: Fn(i64) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<StartAtPage<T>>> + Send,
{
    stream::try_unfold((fetch, Some(0i64)), |(fetch, start)| async move {
        let Some(start) = start else { return Ok(None) };
        let page = fetch(start).await?;
        let next = page.next(start);
        Ok(Some((
            stream::iter(page.values.into_iter().map(Ok)),
            (fetch, next),
        )))
    })
    .try_flatten()
}

fn csv(items: &[String]) -> String {
    items.join(",")
}

impl JiraClient {
    /// The account the credentials belong to, with its time zone.
    ///
    /// # Errors
    /// [`Error::Unauthorized`] when the credentials are wrong; any request error.
    pub async fn myself(&self) -> Result<Myself> {
        let ep = endpoint!(self, "GET", "/rest/api/3/myself", "/rest/api/2/myself");
        self.request(
            Method::Get,
            ep,
            &format!("{}/myself", self.api()),
            &[],
            None,
        )
        .await
    }

    /// Server information (deployment type, version, clock).
    ///
    /// # Errors
    /// Any request error.
    pub async fn server_info(&self) -> Result<ServerInfo> {
        let ep = endpoint!(
            self,
            "GET",
            "/rest/api/3/serverInfo",
            "/rest/api/2/serverInfo"
        );
        self.request(
            Method::Get,
            ep,
            &format!("{}/serverInfo", self.api()),
            &[],
            None,
        )
        .await
    }

    /// Every project these credentials can browse (Cloud: with `isPrivate`).
    pub fn projects(&self) -> BoxStream<'static, Result<Project>> {
        let client = self.clone();
        match self.flavor() {
            Flavor::DataCenter => stream::once(async move {
                let v: Vec<Project> = client
                    .request(
                        Method::Get,
                        "GET /rest/api/2/project",
                        "/rest/api/2/project",
                        &[],
                        None,
                    )
                    .await?;
                Ok::<_, Error>(stream::iter(v.into_iter().map(Ok)))
            })
            .try_flatten()
            .boxed(),
            _ => start_at_stream(move |start| {
                let client = client.clone();
                async move {
                    let q = [
                        ("startAt", start.to_string()),
                        ("maxResults", "100".to_owned()),
                        ("action", "browse".to_owned()),
                        ("expand", "insight".to_owned()),
                    ];
                    client
                        .request(
                            Method::Get,
                            "GET /rest/api/3/project/search",
                            "/rest/api/3/project/search",
                            &q,
                            None,
                        )
                        .await
                }
            })
            .boxed(),
        }
    }

    /// Every user the credentials may list (Cloud `users/search`, Data Center
    /// `user/search`), for the scrubber's name directory. Needs the common "Browse users and
    /// groups" permission; without it Jira answers 403 ([`Error::Forbidden`]).
    pub fn users(&self) -> BoxStream<'static, Result<crate::models::User>> {
        const PAGE: i64 = 1000;
        let client = self.clone();
        stream::try_unfold(Some(0i64), move |start| {
            let client = client.clone();
            async move {
                let Some(start) = start else { return Ok(None) };
                let (ep, path, extra) = match client.flavor() {
                    Flavor::DataCenter => (
                        "GET /rest/api/2/user/search",
                        "/rest/api/2/user/search",
                        Some(("username", ".".to_owned())),
                    ),
                    _ => (
                        "GET /rest/api/3/users/search",
                        "/rest/api/3/users/search",
                        None,
                    ),
                };
                let mut q = vec![
                    ("startAt", start.to_string()),
                    ("maxResults", PAGE.to_string()),
                ];
                q.extend(extra);
                let page: Vec<crate::models::User> =
                    client.request(Method::Get, ep, path, &q, None).await?;
                if page.is_empty() {
                    return Ok(None);
                }
                let next = (page.len() as i64 >= PAGE).then_some(start + page.len() as i64);
                Ok(Some((stream::iter(page.into_iter().map(Ok)), next)))
            }
        })
        .try_flatten()
        .boxed()
    }

    /// The fields catalog (system and custom fields, with types).
    ///
    /// # Errors
    /// Any request error.
    pub async fn fields(&self) -> Result<Vec<Field>> {
        let ep = endpoint!(self, "GET", "/rest/api/3/field", "/rest/api/2/field");
        self.request(Method::Get, ep, &format!("{}/field", self.api()), &[], None)
            .await
    }

    /// Searches issues, one page (up to 100 issues) per item.
    ///
    /// Cloud uses `POST /rest/api/3/search/jql` with `nextPageToken`; Data Center uses
    /// `GET /rest/api/2/search` with `startAt`/`total`.
    pub fn search_pages(&self, req: SearchRequest) -> BoxStream<'static, Result<Vec<Issue>>> {
        let client = self.clone();
        match self.flavor() {
            Flavor::DataCenter => stream::try_unfold(Some(0i64), move |start| {
                let client = client.clone();
                let req = req.clone();
                async move {
                    let Some(start) = start else { return Ok(None) };
                    let q = [
                        ("jql", req.jql.clone()),
                        ("startAt", start.to_string()),
                        ("maxResults", req.page_size.to_string()),
                        ("fields", csv(&req.fields)),
                        ("expand", csv(&req.expand)),
                    ];
                    let page: StartAtPage<Issue> = client
                        .request(
                            Method::Get,
                            "GET /rest/api/2/search",
                            "/rest/api/2/search",
                            &q,
                            None,
                        )
                        .await?;
                    let next = page.next(start);
                    if page.values.is_empty() {
                        return Ok(None);
                    }
                    Ok(Some((page.values, next)))
                }
            })
            .boxed(),
            _ => stream::try_unfold((Some(None::<String>), 0u32), move |(token, pages)| {
                let client = client.clone();
                let req = req.clone();
                async move {
                    let Some(token) = token else { return Ok(None) };
                    let mut body = json!({
                        "jql": req.jql,
                        "maxResults": req.page_size,
                        "fields": req.fields,
                    });
                    if !req.expand.is_empty() {
                        body["expand"] = Value::String(csv(&req.expand));
                    }
                    if let Some(t) = &token {
                        body["nextPageToken"] = Value::String(t.clone());
                    }
                    let page: TokenPage<Issue> = client
                        .request(
                            Method::Post,
                            "POST /rest/api/3/search/jql",
                            "/rest/api/3/search/jql",
                            &[],
                            Some(&body),
                        )
                        .await?;
                    let next = match (page.is_last, page.next_page_token) {
                        (Some(true), _) | (_, None) => None,
                        (_, Some(t)) if Some(&t) == token.as_ref() => {
                            // A token that does not move would loop forever.
                            return Err(Error::Http {
                                endpoint: "POST /rest/api/3/search/jql",
                                status: 200,
                                attempts: pages + 1,
                            });
                        }
                        (_, Some(t)) => Some(Some(t)),
                    };
                    if page.issues.is_empty() && next.is_none() {
                        return Ok(None);
                    }
                    Ok(Some((page.issues, (next, pages + 1))))
                }
            })
            .boxed(),
        }
    }

    /// Searches issues, one issue per item (see [`JiraClient::search_pages`]).
    pub fn search(&self, req: SearchRequest) -> BoxStream<'static, Result<Issue>> {
        self.search_pages(req)
            .map_ok(|v| stream::iter(v.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }

    /// The ids of every issue matching `jql`, cheaply: ids only, up to 5000 per page on
    /// Cloud. Used to detect deletions.
    pub fn census(&self, jql: impl Into<String>) -> BoxStream<'static, Result<Id>> {
        let page = match self.flavor() {
            Flavor::DataCenter => 1000,
            _ => CENSUS_PAGE_MAX,
        };
        let req = SearchRequest {
            jql: jql.into(),
            fields: vec!["id".to_owned()],
            expand: vec![],
            page_size: page,
        };
        // `with_page_size` caps at 100; the census may ask for more.
        self.search(req).map_ok(|i| i.id).boxed()
    }

    /// One issue by id or key.
    ///
    /// # Errors
    /// [`Error::NotFound`] when deleted or no longer visible; any request error.
    pub async fn issue(&self, id_or_key: &str, fields: &[&str], expand: &[&str]) -> Result<Issue> {
        let ep = endpoint!(
            self,
            "GET",
            "/rest/api/3/issue/{id}",
            "/rest/api/2/issue/{id}"
        );
        let q = [("fields", fields.join(",")), ("expand", expand.join(","))];
        self.request(
            Method::Get,
            ep,
            &format!("{}/issue/{}", self.api(), path_segment(id_or_key)?),
            &q,
            None,
        )
        .await
    }

    /// Up to any number of issues by id, 100 per request (Cloud `issue/bulkfetch`; Data
    /// Center falls back to a search by id). Issues that are gone are simply absent.
    pub fn bulk_issues(
        &self,
        ids: Vec<Id>,
        fields: Vec<String>,
        expand: Vec<String>,
    ) -> BoxStream<'static, Result<Issue>> {
        let client = self.clone();
        let chunks: Vec<Vec<Id>> = ids.chunks(BULK_ISSUES_MAX).map(<[Id]>::to_vec).collect();
        stream::iter(chunks)
            .then(move |chunk| {
                let client = client.clone();
                let (fields, expand) = (fields.clone(), expand.clone());
                async move {
                    match client.flavor() {
                        Flavor::DataCenter => {
                            let jql = format!(
                                "id in ({}) ORDER BY id ASC",
                                chunk.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
                            );
                            let req = SearchRequest { jql, fields, expand, page_size: SEARCH_PAGE_MAX };
                            client.search(req).try_collect::<Vec<_>>().await
                        }
                        _ => {
                            let body = json!({
                                "issueIdsOrKeys": chunk.iter().map(ToString::to_string).collect::<Vec<_>>(),
                                "fields": fields,
                                "expand": expand,
                            });
                            let r: BulkIssues = client
                                .request(Method::Post, "POST /rest/api/3/issue/bulkfetch", "/rest/api/3/issue/bulkfetch", &[], Some(&body))
                                .await?;
                            Ok(r.issues)
                        }
                    }
                }
            })
            .map_ok(|v| stream::iter(v.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }

    /// The complete changelogs of many issues (Cloud `changelog/bulkfetch`, 1000 issues
    /// per call, paged by token). Returns histories grouped by issue id, oldest first.
    ///
    /// # Errors
    /// Any request error.
    pub async fn bulk_changelogs(&self, ids: &[Id]) -> Result<BTreeMap<Id, Vec<ChangelogHistory>>> {
        let mut out: BTreeMap<Id, Vec<ChangelogHistory>> = BTreeMap::new();
        if self.flavor() == Flavor::DataCenter {
            for id in ids {
                out.insert(*id, self.issue_changelog(*id).try_collect().await?);
            }
            return Ok(out);
        }
        for chunk in ids.chunks(BULK_CHANGELOG_ISSUES_MAX) {
            let mut token: Option<String> = None;
            loop {
                let mut body = json!({
                    "issueIdsOrKeys": chunk.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    "maxResults": 10000,
                });
                if let Some(t) = &token {
                    body["nextPageToken"] = Value::String(t.clone());
                }
                let page: BulkChangelogs = self
                    .request(
                        Method::Post,
                        "POST /rest/api/3/changelog/bulkfetch",
                        "/rest/api/3/changelog/bulkfetch",
                        &[],
                        Some(&body),
                    )
                    .await?;
                for log in page.issue_change_logs {
                    if let Some(id) = log.issue_id {
                        out.entry(id).or_default().extend(log.change_histories);
                    }
                }
                match page.next_page_token {
                    Some(t) if Some(&t) != token.as_ref() => token = Some(t),
                    _ => break,
                }
            }
        }
        for histories in out.values_mut() {
            sort_dedup_histories(histories);
        }
        Ok(out)
    }

    /// One issue's changelog, paged (`/issue/{id}/changelog` on Cloud; the inline
    /// changelog of the issue on Data Center, which is not capped there).
    pub fn issue_changelog(&self, issue_id: Id) -> BoxStream<'static, Result<ChangelogHistory>> {
        let client = self.clone();
        match self.flavor() {
            Flavor::DataCenter => stream::once(async move {
                let q = [
                    ("fields", "id".to_owned()),
                    ("expand", "changelog".to_owned()),
                ];
                let issue: Issue = client
                    .request(
                        Method::Get,
                        "GET /rest/api/2/issue/{id}",
                        &format!("/rest/api/2/issue/{issue_id}"),
                        &q,
                        None,
                    )
                    .await?;
                let histories = issue.changelog.map(|c| c.histories).unwrap_or_default();
                Ok::<_, Error>(stream::iter(histories.into_iter().map(Ok)))
            })
            .try_flatten()
            .boxed(),
            _ => start_at_stream(move |start| {
                let client = client.clone();
                async move {
                    let q = [
                        ("startAt", start.to_string()),
                        ("maxResults", "100".to_owned()),
                    ];
                    client
                        .request(
                            Method::Get,
                            "GET /rest/api/3/issue/{id}/changelog",
                            &format!("/rest/api/3/issue/{issue_id}/changelog"),
                            &q,
                            None,
                        )
                        .await
                }
            })
            .boxed(),
        }
    }

    /// Pages through one of an issue's child lists (`/issue/{id}/comment`, `/worklog`).
    fn issue_children<T>(
        &self,
        issue_id: Id,
        child: &'static str,
        endpoint: &'static str,
        extra: &'static [(&'static str, &'static str)],
    ) -> BoxStream<'static, Result<T>>
    where
        T: serde::de::DeserializeOwned + Send + 'static,
    {
        let client = self.clone();
        start_at_stream(move |start| {
            let client = client.clone();
            async move {
                let mut q = vec![("startAt", start.to_string())];
                q.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
                let path = format!("{}/issue/{issue_id}/{child}", client.api());
                client.request(Method::Get, endpoint, &path, &q, None).await
            }
        })
        .boxed()
    }

    /// Every comment of an issue, oldest first.
    pub fn comments(&self, issue_id: Id) -> BoxStream<'static, Result<Comment>> {
        let ep = endpoint!(
            self,
            "GET",
            "/rest/api/3/issue/{id}/comment",
            "/rest/api/2/issue/{id}/comment"
        );
        self.issue_children(
            issue_id,
            "comment",
            ep,
            &[("maxResults", "100"), ("orderBy", "created")],
        )
    }

    /// Every worklog of an issue.
    pub fn worklogs(&self, issue_id: Id) -> BoxStream<'static, Result<Worklog>> {
        let ep = endpoint!(
            self,
            "GET",
            "/rest/api/3/issue/{id}/worklog",
            "/rest/api/2/issue/{id}/worklog"
        );
        self.issue_children(issue_id, "worklog", ep, &[("maxResults", "1000")])
    }

    async fn worklog_change_list(
        &self,
        kind: &'static str,
        since_ms: i64,
    ) -> Result<WorklogChanges> {
        let (ep, path) = match (self.flavor(), kind) {
            (Flavor::DataCenter, "updated") => (
                "GET /rest/api/2/worklog/updated",
                "/rest/api/2/worklog/updated",
            ),
            (Flavor::DataCenter, _) => (
                "GET /rest/api/2/worklog/deleted",
                "/rest/api/2/worklog/deleted",
            ),
            (_, "updated") => (
                "GET /rest/api/3/worklog/updated",
                "/rest/api/3/worklog/updated",
            ),
            _ => (
                "GET /rest/api/3/worklog/deleted",
                "/rest/api/3/worklog/deleted",
            ),
        };
        let mut since = since_ms;
        let mut out = WorklogChanges {
            changes: Vec::new(),
            until: since_ms,
        };
        loop {
            let page: ChangedWorklogs = self
                .request(Method::Get, ep, path, &[("since", since.to_string())], None)
                .await?;
            let until = page.until.unwrap_or(since);
            out.changes.extend(page.values);
            out.until = out.until.max(until);
            if page.last_page != Some(false) || until <= since {
                break;
            }
            since = until;
        }
        Ok(out)
    }

    /// Worklogs created or updated since `since_ms` (epoch ms), ids only, every page.
    /// Jira leaves out the last minute: pass the returned `until` next time.
    ///
    /// # Errors
    /// Any request error.
    pub async fn worklogs_updated_since(&self, since_ms: i64) -> Result<WorklogChanges> {
        self.worklog_change_list("updated", since_ms).await
    }

    /// Worklogs deleted since `since_ms` (epoch ms), ids only, every page.
    ///
    /// # Errors
    /// Any request error.
    pub async fn worklogs_deleted_since(&self, since_ms: i64) -> Result<WorklogChanges> {
        self.worklog_change_list("deleted", since_ms).await
    }

    /// Worklogs by id, 1000 per `POST /worklog/list`.
    pub fn worklogs_by_ids(&self, ids: Vec<Id>) -> BoxStream<'static, Result<Worklog>> {
        let client = self.clone();
        let chunks: Vec<Vec<Id>> = ids.chunks(WORKLOG_LIST_MAX).map(<[Id]>::to_vec).collect();
        stream::iter(chunks)
            .then(move |chunk| {
                let client = client.clone();
                async move {
                    let ep = endpoint!(
                        client,
                        "POST",
                        "/rest/api/3/worklog/list",
                        "/rest/api/2/worklog/list"
                    );
                    let body = json!({ "ids": chunk });
                    client
                        .request::<Vec<Worklog>>(
                            Method::Post,
                            ep,
                            &format!("{}/worklog/list", client.api()),
                            &[],
                            Some(&body),
                        )
                        .await
                }
            })
            .map_ok(|v| stream::iter(v.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }

    /// An issue's remote links (web links, Confluence pages).
    ///
    /// # Errors
    /// Any request error.
    pub async fn remote_links(&self, issue_id: Id) -> Result<Vec<RemoteLink>> {
        let ep = endpoint!(
            self,
            "GET",
            "/rest/api/3/issue/{id}/remotelink",
            "/rest/api/2/issue/{id}/remotelink"
        );
        self.request(
            Method::Get,
            ep,
            &format!("{}/issue/{issue_id}/remotelink", self.api()),
            &[],
            None,
        )
        .await
    }

    /// Agile boards, optionally of one project.
    pub fn boards(&self, project_key_or_id: Option<&str>) -> BoxStream<'static, Result<Board>> {
        let client = self.clone();
        let project = project_key_or_id.map(str::to_owned);
        start_at_stream(move |start| {
            let client = client.clone();
            let project = project.clone();
            async move {
                let mut q = vec![
                    ("startAt", start.to_string()),
                    ("maxResults", "50".to_owned()),
                ];
                if let Some(p) = project {
                    q.push(("projectKeyOrId", p));
                }
                client
                    .request(
                        Method::Get,
                        "GET /rest/agile/1.0/board",
                        "/rest/agile/1.0/board",
                        &q,
                        None,
                    )
                    .await
            }
        })
        .boxed()
    }

    /// A board's sprints. A board without sprints (kanban) yields none.
    pub fn sprints(&self, board_id: Id) -> BoxStream<'static, Result<Sprint>> {
        let client = self.clone();
        start_at_stream(move |start| {
            let client = client.clone();
            async move {
                let q = [
                    ("startAt", start.to_string()),
                    ("maxResults", "50".to_owned()),
                ];
                let path = format!("/rest/agile/1.0/board/{board_id}/sprint");
                match client
                    .request(
                        Method::Get,
                        "GET /rest/agile/1.0/board/{id}/sprint",
                        &path,
                        &q,
                        None,
                    )
                    .await
                {
                    // Jira answers 400 "The board does not support sprints" for kanban boards.
                    Err(Error::BadRequest { .. }) => Ok(StartAtPage::default()),
                    other => other,
                }
            }
        })
        .boxed()
    }

    /// Searches and completes every issue: all comments, worklogs and changelog
    /// histories, with as few requests as Jira allows. One item per search page, in order.
    ///
    /// Per page of 100 issues this costs one search request, plus comment or worklog
    /// pages only for issues whose inline first page is incomplete. Issues with more than
    /// the 100 inline changelog histories are collected across pages — up to 1000 issues
    /// or 10 pages, whichever comes first, so memory stays bounded — and completed with one
    /// `changelog/bulkfetch` call for all of them.
    pub fn search_complete(
        &self,
        req: SearchRequest,
    ) -> BoxStream<'static, Result<Vec<IssueBundle>>> {
        const MAX_PENDING_PAGES: usize = 10;
        struct State {
            pages: BoxStream<'static, Result<Vec<Issue>>>,
            pending: Vec<Vec<IssueBundle>>,
            need_changelog: Vec<Id>,
            done: bool,
        }
        let client = self.clone();
        let state = State {
            pages: self.search_pages(req),
            pending: Vec::new(),
            need_changelog: Vec::new(),
            done: false,
        };
        stream::try_unfold(state, move |mut st| {
            let client = client.clone();
            async move {
                loop {
                    if st.done && st.pending.is_empty() {
                        return Ok(None);
                    }
                    let flush = st.done
                        || st.pending.len() >= MAX_PENDING_PAGES
                        || st.need_changelog.len()
                            >= BULK_CHANGELOG_ISSUES_MAX - SEARCH_PAGE_MAX as usize;
                    if flush || (st.need_changelog.is_empty() && !st.pending.is_empty()) {
                        let mut ready = std::mem::take(&mut st.pending);
                        let ids = std::mem::take(&mut st.need_changelog);
                        client.fill_changelogs(&mut ready, &ids).await?;
                        return Ok(Some((stream::iter(ready.into_iter().map(Ok)), st)));
                    }
                    match st.pages.try_next().await? {
                        None => st.done = true,
                        Some(page) => {
                            let (bundles, need) = client.complete_page_partial(page).await?;
                            st.need_changelog.extend(need);
                            st.pending.push(bundles);
                        }
                    }
                }
            }
        })
        .try_flatten()
        .boxed()
    }

    /// Completes the child rows of one page of issues (see [`JiraClient::search_complete`],
    /// which also batches changelog fetches across pages).
    ///
    /// # Errors
    /// Any request error.
    pub async fn complete_page(&self, page: Vec<Issue>) -> Result<Vec<IssueBundle>> {
        let (bundles, need) = self.complete_page_partial(page).await?;
        let mut pages = vec![bundles];
        self.fill_changelogs(&mut pages, &need).await?;
        Ok(pages.pop().unwrap_or_default())
    }

    /// Completes comments and worklogs of a page; returns the ids whose changelog is
    /// incomplete.
    async fn complete_page_partial(&self, page: Vec<Issue>) -> Result<(Vec<IssueBundle>, Vec<Id>)> {
        let mut bundles: Vec<IssueBundle> = Vec::with_capacity(page.len());
        let mut need_changelog = Vec::new();
        let mut need_comments = Vec::new();
        let mut need_worklogs = Vec::new();
        for mut issue in page {
            let id = issue.id;
            let comments = match issue.fields.comment.take() {
                Some(p) => {
                    if p.page.total.is_some_and(|t| t > p.comments.len() as i64) {
                        need_comments.push(id);
                    }
                    p.comments
                }
                None => Vec::new(),
            };
            let worklogs = match issue.fields.worklog.take() {
                Some(p) => {
                    if p.page.total.is_some_and(|t| t > p.worklogs.len() as i64) {
                        need_worklogs.push(id);
                    }
                    p.worklogs
                }
                None => Vec::new(),
            };
            let changelog = match issue.changelog.take() {
                Some(p) => {
                    if p.page.total.is_some_and(|t| t > p.histories.len() as i64) {
                        need_changelog.push(id);
                    }
                    p.histories
                }
                None => Vec::new(),
            };
            bundles.push(IssueBundle {
                issue,
                comments,
                worklogs,
                changelog,
            });
        }
        let index: HashMap<Id, usize> = bundles
            .iter()
            .enumerate()
            .map(|(i, b)| (b.issue.id, i))
            .collect();
        let comments = stream::iter(need_comments)
            .map(|id| async move {
                Ok::<_, Error>((id, self.comments(id).try_collect::<Vec<_>>().await?))
            })
            .buffer_unordered(4)
            .try_collect::<Vec<_>>();
        let worklogs = stream::iter(need_worklogs)
            .map(|id| async move {
                Ok::<_, Error>((id, self.worklogs(id).try_collect::<Vec<_>>().await?))
            })
            .buffer_unordered(4)
            .try_collect::<Vec<_>>();
        let (comments, worklogs) = futures::try_join!(comments, worklogs)?;
        for (id, all) in comments {
            if let Some(b) = index.get(&id).and_then(|&i| bundles.get_mut(i)) {
                b.comments = all;
            }
        }
        for (id, all) in worklogs {
            if let Some(b) = index.get(&id).and_then(|&i| bundles.get_mut(i)) {
                b.worklogs = all;
            }
        }
        Ok((bundles, need_changelog))
    }

    /// Replaces the inline changelog of the issues `ids` in `pages` with the complete one.
    async fn fill_changelogs(&self, pages: &mut [Vec<IssueBundle>], ids: &[Id]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut all = self.bulk_changelogs(ids).await?;
        for b in pages.iter_mut().flatten() {
            if let Some(histories) = all.remove(&b.issue.id) {
                b.changelog.extend(histories);
                sort_dedup_histories(&mut b.changelog);
            }
        }
        Ok(())
    }
}

fn sort_dedup_histories(h: &mut Vec<ChangelogHistory>) {
    h.sort_by(|a, b| a.created.cmp(&b.created).then(a.id.cmp(&b.id)));
    h.dedup_by_key(|x| x.id);
}

/// An id or key safe to put in a path: ASCII letters, digits, `-` and `_` only.
fn path_segment(id_or_key: &str) -> Result<&str> {
    if !id_or_key.is_empty()
        && id_or_key.len() <= 64
        && id_or_key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Ok(id_or_key)
    } else {
        Err(Error::InvalidConfig {
            key: "issue id or key",
            reason: "must be ASCII letters, digits, '-' or '_'".into(),
        })
    }
}
