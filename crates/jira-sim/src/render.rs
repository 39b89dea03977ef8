//! Ground truth -> Jira Cloud JSON.

use serde_json::{Map, Value, json};

use crate::generate::{priority_id, resolution_id, status_id};
use crate::model::{
    Comment, FieldDef, History, Issue, LinkDirection, Project, RemoteLink, Sprint, Worklog,
};
use crate::org::Org;
use crate::tz::{agile_timestamp, jira_timestamp};

/// Inline comments: the first page (oldest first) of at most this many.
pub(crate) const INLINE_COMMENTS: usize = 20;
/// Inline worklogs: the first page of at most this many (`maxResults: 20`).
pub(crate) const INLINE_WORKLOGS: usize = 20;
/// Inline changelog histories on search and single-issue GET.
pub(crate) const INLINE_CHANGELOG: usize = 100;
/// Inline changelog histories on `POST /issue/bulkfetch`.
pub(crate) const BULK_INLINE_CHANGELOG: usize = 40;

/// Which fields to render.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FieldSel {
    /// Only `id` (and `key` if asked).
    IdOnly { key: bool },
    /// These field ids, in catalog order.
    Fields(Vec<String>),
}

/// Default selection when the request names no fields.
#[derive(Debug, Clone, Copy)]
pub(crate) enum DefaultSel {
    Id,
    Navigable,
    All,
}

/// Parses Jira's `fields` list: `*all`, `*navigable`, names, `-name` exclusions.
pub(crate) fn parse_fields(org: &Org, raw: &[String], default: DefaultSel) -> FieldSel {
    let tokens: Vec<&str> = raw
        .iter()
        .flat_map(|s| s.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let all = |nav_only: bool| -> Vec<String> {
        org.fields
            .iter()
            .filter(|f| !nav_only || f.navigable)
            .map(|f| f.id.clone())
            .collect()
    };
    let mut include: Vec<String> = Vec::new();
    let mut exclude: Vec<&str> = Vec::new();
    let mut key = false;
    let mut positive = false;
    for t in &tokens {
        match *t {
            "*all" => {
                include.extend(all(false));
                positive = true;
            }
            "*navigable" => {
                include.extend(all(true));
                positive = true;
            }
            "id" => positive = true,
            "key" => {
                key = true;
                positive = true;
            }
            x if x.starts_with('-') => exclude.push(&x[1..]),
            x => {
                positive = true;
                if let Some(f) = org
                    .fields
                    .iter()
                    .find(|f| f.id == x || f.id.eq_ignore_ascii_case(x))
                {
                    include.push(f.id.clone());
                }
            }
        }
    }
    if !positive {
        match default {
            DefaultSel::Id => {
                if exclude.is_empty() {
                    return FieldSel::IdOnly { key: false };
                }
                include.extend(all(true));
            }
            DefaultSel::Navigable => include.extend(all(true)),
            DefaultSel::All => include.extend(all(false)),
        }
    }
    let chosen: Vec<String> = org
        .fields
        .iter()
        .filter(|f| include.contains(&f.id) && !exclude.contains(&f.id.as_str()))
        .map(|f| f.id.clone())
        .collect();
    if chosen.is_empty() {
        FieldSel::IdOnly { key }
    } else {
        FieldSel::Fields(chosen)
    }
}

/// Rendering context.
pub(crate) struct Ctx<'a> {
    pub(crate) org: &'a Org,
    pub(crate) base: &'a str,
    /// `{base}/rest/api/3` (Cloud) or `{base}/rest/api/2` (Data Center).
    pub(crate) rest: String,
    /// Data Center shapes: users by name/key, wiki markup text, all comments inline.
    pub(crate) dc: bool,
}

fn duration(secs: u64) -> String {
    let mut s = secs / 60;
    let mut parts = Vec::new();
    for (unit, len) in [("w", 5 * 8 * 60), ("d", 8 * 60), ("h", 60), ("m", 1)] {
        if s >= len {
            parts.push(format!("{}{}", s / len, unit));
            s %= len;
        }
    }
    if parts.is_empty() {
        "0m".to_owned()
    } else {
        parts.join(" ")
    }
}

impl Ctx<'_> {
    pub(crate) fn user(&self, account_id: &str) -> Value {
        let Some(u) = self.org.user(account_id) else {
            return Value::Null;
        };
        let initials: String = u
            .display_name
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .take(2)
            .collect();
        let av = format!("https://avatar-management.example/initials/{initials}-5.png");
        if self.dc {
            let name = self.org.dc_user_name(account_id).unwrap_or_default();
            let key = self.org.dc_user_key(account_id).unwrap_or_default();
            let mut v = json!({
                "self": format!("{}/user?username={name}", self.rest),
                "name": name,
                "key": key,
                "avatarUrls": {"48x48": av, "24x24": av, "16x16": av, "32x32": av},
                "displayName": u.display_name,
                "active": u.active,
                "timeZone": u.time_zone,
            });
            if let (Some(e), Some(o)) = (&u.email, v.as_object_mut()) {
                o.insert("emailAddress".into(), json!(e));
            }
            return v;
        }
        let mut v = json!({
            "self": format!("{}/user?accountId={}", self.rest, u.account_id),
            "accountId": u.account_id,
            "avatarUrls": {"48x48": av, "24x24": av, "16x16": av, "32x32": av},
            "displayName": u.display_name,
            "active": u.active,
            "timeZone": u.time_zone,
            "accountType": u.account_type.as_str(),
        });
        if let (true, Some(e), Some(o)) = (u.email_visible, &u.email, v.as_object_mut()) {
            o.insert("emailAddress".into(), json!(e));
        }
        v
    }

    fn user_opt(&self, a: Option<&str>) -> Value {
        a.map(|a| self.user(a)).unwrap_or(Value::Null)
    }

    pub(crate) fn project_ref(&self, p: &Project) -> Value {
        json!({
            "self": format!("{}/project/{}", self.rest, p.id),
            "id": p.id.to_string(),
            "key": p.key,
            "name": p.name,
            "projectTypeKey": p.project_type_key,
            "simplified": p.simplified,
            "avatarUrls": self.project_avatars(p),
        })
    }

    fn project_avatars(&self, p: &Project) -> Value {
        let a = format!(
            "{}/universal_avatar/view/type/project/avatar/{}",
            self.rest,
            10400 + p.id % 100
        );
        json!({"48x48": a, "24x24": format!("{a}?size=small"), "16x16": format!("{a}?size=xsmall"), "32x32": format!("{a}?size=medium")})
    }

    /// A project as `/project/search` lists it.
    pub(crate) fn project_full(&self, p: &Project, expand: &[&str]) -> Value {
        let mut v = self.project_ref(p);
        if let Some(o) = v.as_object_mut() {
            o.insert(
                "expand".into(),
                json!("description,lead,issueTypes,url,projectKeys,permissions,insight"),
            );
            o.insert(
                "style".into(),
                json!(if p.simplified { "next-gen" } else { "classic" }),
            );
            o.insert("isPrivate".into(), json!(p.is_private));
            o.insert("properties".into(), json!({}));
            if p.simplified {
                o.insert(
                    "entityId".into(),
                    json!(format!("{:08x}-0000-4000-8000-{:012x}", p.id, p.id)),
                );
                o.insert(
                    "uuid".into(),
                    json!(format!("{:08x}-0000-4000-8000-{:012x}", p.id, p.id)),
                );
            }
            if expand.contains(&"description") {
                o.insert("description".into(), json!(format!("{} project", p.name)));
            }
            if expand.contains(&"lead") {
                o.insert("lead".into(), self.user(&p.lead));
            }
            if expand.contains(&"insight") {
                let (count, last) = self
                    .org
                    .issues
                    .iter()
                    .filter(|i| i.project_id == p.id)
                    .fold((0u64, 0i64), |(c, l), i| (c + 1, l.max(i.updated_ms)));
                let mut ins = json!({"totalIssueCount": count});
                if last > 0 {
                    ins["lastIssueUpdateTime"] = json!(jira_timestamp(last));
                }
                o.insert("insight".into(), ins);
            }
        }
        v
    }

    fn issuetype(&self, name: &str) -> Value {
        let (id, level, subtask, desc) = match name {
            "Epic" => (
                "10000",
                1,
                false,
                "A big user story that needs to be broken down.",
            ),
            "Story" => (
                "10001",
                0,
                false,
                "Functionality or a feature expressed as a user goal.",
            ),
            "Task" => ("10002", 0, false, "A small, distinct piece of work."),
            "Bug" => ("10004", 0, false, "A problem or error."),
            _ => (
                "10003",
                -1,
                true,
                "A small piece of work that's part of a larger task.",
            ),
        };
        json!({
            "self": format!("{}/issuetype/{id}", self.rest),
            "id": id,
            "description": desc,
            "iconUrl": format!("{}/images/icons/issuetypes/{}.svg", self.base, name.to_lowercase()),
            "name": name,
            "subtask": subtask,
            "hierarchyLevel": level,
        })
    }

    fn status(&self, name: &str) -> Value {
        let (cid, ckey, cname, color) = match name {
            "To Do" => (2, "new", "To Do", "blue-gray"),
            "Done" => (3, "done", "Done", "green"),
            _ => (4, "indeterminate", "In Progress", "yellow"),
        };
        let id = status_id(name);
        json!({
            "self": format!("{}/status/{id}", self.rest),
            "description": "",
            "iconUrl": format!("{}/", self.base),
            "name": name,
            "id": id,
            "statusCategory": {
                "self": format!("{}/statuscategory/{cid}", self.rest),
                "id": cid, "key": ckey, "colorName": color, "name": cname
            }
        })
    }

    fn priority(&self, name: &str) -> Value {
        let id = priority_id(name);
        json!({
            "self": format!("{}/priority/{id}", self.rest),
            "iconUrl": format!("{}/images/icons/priorities/{}.svg", self.base, name.to_lowercase()),
            "name": name,
            "id": id,
        })
    }

    fn issue_self(&self, id: u64) -> String {
        format!("{}/issue/{id}", self.rest)
    }

    /// Whether the owner may see issue `id` (linked issues they cannot see are left out).
    fn can_see(&self, id: u64) -> bool {
        self.org
            .issue(&id.to_string())
            .map(|i| i.visible_to_owner)
            .unwrap_or(false)
    }

    fn issue_ref(&self, id: u64) -> Value {
        match self.org.issue(&id.to_string()) {
            Some(i) => json!({
                "id": i.id.to_string(),
                "key": i.key,
                "self": self.issue_self(i.id),
                "fields": {
                    "summary": i.summary,
                    "status": self.status(&i.status),
                    "priority": self.priority(&i.priority),
                    "issuetype": self.issuetype(&i.issue_type),
                }
            }),
            None => json!({"id": id.to_string(), "self": self.issue_self(id)}),
        }
    }

    pub(crate) fn comment(&self, issue: &Issue, c: &Comment) -> Value {
        let mut v = json!({
            "self": format!("{}/comment/{}", self.issue_self(issue.id), c.id),
            "id": c.id.to_string(),
            "author": self.user(&c.author),
            "body": self.text(&c.body),
            "updateAuthor": self.user(&c.update_author),
            "created": jira_timestamp(c.created_ms),
            "updated": jira_timestamp(c.updated_ms),
            "jsdPublic": c.visibility_role.is_none(),
        });
        if let (Some(role), Some(o)) = (&c.visibility_role, v.as_object_mut()) {
            o.insert(
                "visibility".into(),
                json!({"type": "role", "value": role, "identifier": role}),
            );
        }
        v
    }

    pub(crate) fn worklog(&self, issue: &Issue, w: &Worklog) -> Value {
        let mut v = json!({
            "self": format!("{}/worklog/{}", self.issue_self(issue.id), w.id),
            "author": self.user(&w.author),
            "updateAuthor": self.user(&w.update_author),
            "created": jira_timestamp(w.created_ms),
            "updated": jira_timestamp(w.updated_ms),
            "started": jira_timestamp(w.started_ms),
            "timeSpent": duration(w.time_spent_seconds),
            "timeSpentSeconds": w.time_spent_seconds,
            "id": w.id.to_string(),
            "issueId": issue.id.to_string(),
        });
        if let (Some(c), Some(o)) = (&w.comment, v.as_object_mut()) {
            o.insert("comment".into(), self.text(c));
        }
        v
    }

    /// Rich text as the flavor sends it: ADF (Cloud) or wiki markup (Data Center).
    fn text(&self, t: &crate::text::RichText) -> Value {
        if self.dc {
            json!(t.to_wiki(|a| self.org.dc_user_name(a)))
        } else {
            t.to_adf()
        }
    }

    pub(crate) fn history(&self, h: &History) -> Value {
        let items: Vec<Value> = h
            .items
            .iter()
            .map(|i| {
                if self.dc && i.field_id == "assignee" {
                    let n = |a: &Option<String>| a.as_deref().and_then(|a| self.org.dc_user_name(a));
                    return json!({
                        "field": i.field, "fieldtype": i.fieldtype,
                        "from": n(&i.from), "fromString": i.from_string, "to": n(&i.to), "toString": i.to_string,
                    });
                }
                json!({
                    "field": i.field, "fieldtype": i.fieldtype, "fieldId": i.field_id,
                    "from": i.from, "fromString": i.from_string, "to": i.to, "toString": i.to_string,
                })
            })
            .collect();
        json!({
            "id": h.id.to_string(),
            "author": self.user(&h.author),
            "created": jira_timestamp(h.created_ms),
            "items": items,
        })
    }

    pub(crate) fn remote_link(&self, issue: &Issue, r: &RemoteLink) -> Value {
        let mut v = json!({
            "id": r.id,
            "self": format!("{}/remotelink/{}", self.issue_self(issue.id), r.id),
            "object": {
                "url": r.url,
                "title": r.title,
                "icon": {},
                "status": {"icon": {}},
            }
        });
        if let Some(o) = v.as_object_mut() {
            if let Some(g) = &r.global_id {
                o.insert("globalId".into(), json!(g));
            }
            if let Some((t, n)) = &r.application {
                o.insert("application".into(), json!({"type": t, "name": n}));
            }
            if let Some(rel) = &r.relationship {
                o.insert("relationship".into(), json!(rel));
            }
        }
        v
    }

    pub(crate) fn field_def(&self, f: &FieldDef) -> Value {
        let mut schema = Map::new();
        schema.insert("type".into(), json!(f.schema_type));
        if let Some(i) = &f.schema_items {
            schema.insert("items".into(), json!(i));
        }
        if let Some(c) = &f.schema_custom {
            schema.insert("custom".into(), json!(c));
            let num: u64 = f.id.trim_start_matches("customfield_").parse().unwrap_or(0);
            schema.insert("customId".into(), json!(num));
        } else {
            schema.insert("system".into(), json!(f.id));
        }
        let clause = if f.custom {
            vec![
                format!("cf[{}]", f.id.trim_start_matches("customfield_")),
                f.name.clone(),
            ]
        } else {
            vec![f.id.clone()]
        };
        let mut v = json!({
            "id": f.id,
            "key": f.id,
            "name": f.name,
            "custom": f.custom,
            "orderable": true,
            "navigable": f.navigable,
            "searchable": true,
            "clauseNames": clause,
            "schema": schema,
        });
        if f.custom {
            v["untranslatedName"] = json!(f.name);
        }
        v
    }

    pub(crate) fn board(&self, b: &crate::model::Board) -> Value {
        let p = self.org.project(b.project_id);
        json!({
            "id": b.id,
            "self": format!("{}/rest/agile/1.0/board/{}", self.base, b.id),
            "name": b.name,
            "type": b.kind,
            "location": {
                "projectId": b.project_id,
                "displayName": p.map(|p| format!("{} ({})", p.name, p.key)),
                "projectName": p.map(|p| p.name.clone()),
                "projectKey": p.map(|p| p.key.clone()),
                "projectTypeKey": p.map(|p| p.project_type_key.clone()),
                "avatarURI": format!("/rest/api/2/universal_avatar/view/type/project/avatar/{}?size=small", 10400 + b.project_id % 100),
                "name": p.map(|p| format!("{} ({})", p.name, p.key)),
            }
        })
    }

    pub(crate) fn sprint(&self, s: &Sprint) -> Value {
        let mut v = json!({
            "id": s.id,
            "self": format!("{}/rest/agile/1.0/sprint/{}", self.base, s.id),
            "state": s.state,
            "name": s.name,
            "createdDate": agile_timestamp(s.created_ms),
            "originBoardId": s.board_id,
            "goal": s.goal,
        });
        if let Some(o) = v.as_object_mut() {
            if let Some(t) = s.start_ms {
                o.insert("startDate".into(), json!(agile_timestamp(t)));
            }
            if let Some(t) = s.end_ms {
                o.insert("endDate".into(), json!(agile_timestamp(t)));
            }
            if let Some(t) = s.complete_ms {
                o.insert("completeDate".into(), json!(agile_timestamp(t)));
            }
        }
        v
    }

    fn custom_value(&self, v: &Value) -> Value {
        match v {
            Value::Object(o) if self.dc && o.get("type") == Some(&json!("doc")) => {
                fn collect(v: &Value, out: &mut String) {
                    if let Some(t) = v.get("text").and_then(Value::as_str) {
                        out.push_str(t);
                    }
                    if let Some(c) = v.get("content").and_then(Value::as_array) {
                        for (i, x) in c.iter().enumerate() {
                            if i > 0 && v.get("type") == Some(&json!("doc")) {
                                out.push('\n');
                            }
                            collect(x, out);
                        }
                    }
                }
                let mut out = String::new();
                collect(v, &mut out);
                json!(out)
            }
            Value::Array(a) => Value::Array(a.iter().map(|x| self.custom_value(x)).collect()),
            Value::Object(o) if o.len() == 1 && o.contains_key("accountId") => o
                .get("accountId")
                .and_then(Value::as_str)
                .map(|a| self.user(a))
                .unwrap_or(Value::Null),
            Value::Object(o) if o.contains_key("value") && o.contains_key("id") => {
                let mut o = o.clone();
                let id = o.get("id").and_then(Value::as_str).unwrap_or("").to_owned();
                o.insert(
                    "self".into(),
                    json!(format!("{}/customFieldOption/{id}", self.rest)),
                );
                if let Some(c) = o.get("child").cloned() {
                    o.insert("child".into(), self.custom_value(&c));
                }
                Value::Object(o)
            }
            other => other.clone(),
        }
    }

    /// The value of one field of `issue` as Jira sends it.
    fn field(&self, i: &Issue, id: &str) -> Value {
        let project = self.org.project(i.project_id);
        match id {
            "summary" => json!(i.summary),
            "description" => i.description.as_ref().map(|d| self.text(d)).unwrap_or(Value::Null),
            "environment" => i.environment.as_ref().map(|d| self.text(d)).unwrap_or(Value::Null),
            "issuetype" => self.issuetype(&i.issue_type),
            "project" => project.map(|p| self.project_ref(p)).unwrap_or(Value::Null),
            "status" => self.status(&i.status),
            "statuscategorychangedate" => {
                let t = i
                    .histories
                    .iter()
                    .rev()
                    .find(|h| h.items.iter().any(|x| x.field_id == "status"))
                    .map(|h| h.created_ms)
                    .unwrap_or(i.created_ms);
                json!(jira_timestamp(t))
            }
            "priority" => self.priority(&i.priority),
            "resolution" => match &i.resolution {
                Some(r) => {
                    let rid = resolution_id(r);
                    json!({"self": format!("{}/resolution/{rid}", self.rest), "id": rid, "description": "", "name": r})
                }
                None => Value::Null,
            },
            "resolutiondate" => i.resolution_ms.map(|t| json!(jira_timestamp(t))).unwrap_or(Value::Null),
            "created" => json!(jira_timestamp(i.created_ms)),
            "updated" => json!(jira_timestamp(i.updated_ms)),
            "duedate" => json!(i.due_date),
            "labels" => json!(i.labels),
            "components" => {
                let comps: Vec<Value> = project
                    .map(|p| {
                        p.components
                            .iter()
                            .filter(|(cid, _)| i.components.contains(cid))
                            .map(|(cid, n)| json!({"self": format!("{}/component/{cid}", self.rest), "id": cid.to_string(), "name": n}))
                            .collect()
                    })
                    .unwrap_or_default();
                Value::Array(comps)
            }
            "fixVersions" | "versions" => {
                let ids = if id == "fixVersions" { &i.fix_versions } else { &i.versions };
                let vs: Vec<Value> = project
                    .map(|p| {
                        p.versions
                            .iter()
                            .filter(|(vid, _, _)| ids.contains(vid))
                            .map(|(vid, n, rel)| json!({"self": format!("{}/version/{vid}", self.rest), "id": vid.to_string(), "name": n, "archived": false, "released": rel}))
                            .collect()
                    })
                    .unwrap_or_default();
                Value::Array(vs)
            }
            "parent" => match i.parent_id {
                Some(p) if self.can_see(p) => self.issue_ref(p),
                _ => Value::Null,
            },
            "reporter" => self.user(&i.reporter),
            "assignee" => self.user_opt(i.assignee.as_deref()),
            "creator" => self.user(&i.creator),
            "votes" => json!({"self": format!("{}/votes", self.issue_self(i.id)), "votes": i.votes, "hasVoted": false}),
            "watches" => json!({"self": format!("{}/watchers", self.issue_self(i.id)), "watchCount": i.watches, "isWatching": false}),
            "timetracking" => {
                let spent = i.time_spent_secs();
                let mut o = Map::new();
                if let Some(e) = i.original_estimate_secs {
                    let rem = e.saturating_sub(spent);
                    o.insert("originalEstimate".into(), json!(duration(e)));
                    o.insert("remainingEstimate".into(), json!(duration(rem)));
                    o.insert("originalEstimateSeconds".into(), json!(e));
                    o.insert("remainingEstimateSeconds".into(), json!(rem));
                }
                if spent > 0 {
                    o.insert("timeSpent".into(), json!(duration(spent)));
                    o.insert("timeSpentSeconds".into(), json!(spent));
                }
                Value::Object(o)
            }
            "timeoriginalestimate" | "aggregatetimeoriginalestimate" => json!(i.original_estimate_secs),
            "timeestimate" => json!(i.original_estimate_secs.map(|e| e.saturating_sub(i.time_spent_secs()))),
            "timespent" | "aggregatetimespent" => {
                let s = i.time_spent_secs();
                if s == 0 { Value::Null } else { json!(s) }
            }
            "workratio" => match i.original_estimate_secs {
                Some(e) if e > 0 => json!(i.time_spent_secs() * 100 / e),
                _ => json!(-1),
            },
            "issuelinks" => Value::Array(
                i.links
                    .iter()
                    .filter(|l| self.can_see(l.other_issue_id))
                    .map(|l| {
                        let (inward, outward) = match l.type_name.as_str() {
                            "Blocks" => ("is blocked by", "blocks"),
                            "Duplicate" => ("is duplicated by", "duplicates"),
                            "Cloners" => ("is cloned by", "clones"),
                            _ => ("relates to", "relates to"),
                        };
                        let tid = match l.type_name.as_str() {
                            "Blocks" => "10000",
                            "Cloners" => "10001",
                            "Duplicate" => "10002",
                            _ => "10003",
                        };
                        let side = match l.direction {
                            LinkDirection::Outward => "outwardIssue",
                            LinkDirection::Inward => "inwardIssue",
                        };
                        let mut v = json!({
                            "id": l.id.to_string(),
                            "self": format!("{}/issueLink/{}", self.rest, l.id),
                            "type": {"id": tid, "name": l.type_name, "inward": inward, "outward": outward,
                                     "self": format!("{}/issueLinkType/{tid}", self.rest)},
                        });
                        v[side] = self.issue_ref(l.other_issue_id);
                        v
                    })
                    .collect(),
            ),
            "attachment" => Value::Array(
                i.attachments
                    .iter()
                    .map(|a| {
                        json!({
                            "self": format!("{}/attachment/{}", self.rest, a.id),
                            "id": a.id.to_string(),
                            "filename": a.filename,
                            "author": self.user(&a.author),
                            "created": jira_timestamp(a.created_ms),
                            "size": a.size,
                            "mimeType": a.mime_type,
                            "content": format!("{}/attachment/content/{}", self.rest, a.id),
                        })
                    })
                    .collect(),
            ),
            "subtasks" => Value::Array(
                i.subtask_ids
                    .iter()
                    .filter(|s| self.can_see(**s))
                    .map(|s| self.issue_ref(*s))
                    .collect(),
            ),
            "security" => match i
                .security_level
                .and_then(|l| self.org.security_levels.iter().find(|x| x.id == l))
            {
                Some(l) => json!({
                    "self": format!("{}/securitylevel/{}", self.rest, l.id),
                    "id": l.id.to_string(), "description": l.description, "name": l.name
                }),
                None => Value::Null,
            },
            "comment" => {
                let first: Vec<Value> = i
                    .comments
                    .iter()
                    .take(if self.dc { usize::MAX } else { INLINE_COMMENTS })
                    .map(|c| self.comment(i, c))
                    .collect();
                let returned = first.len();
                json!({
                    "comments": first,
                    "self": format!("{}/comment", self.issue_self(i.id)),
                    "maxResults": returned,
                    "total": i.comments.len(),
                    "startAt": 0,
                })
            }
            "worklog" => {
                let first: Vec<Value> = i
                    .worklogs
                    .iter()
                    .take(INLINE_WORKLOGS)
                    .map(|w| self.worklog(i, w))
                    .collect();
                json!({"startAt": 0, "maxResults": INLINE_WORKLOGS, "total": i.worklogs.len(), "worklogs": first})
            }
            "lastViewed" => Value::Null,
            "issuerestriction" => json!({"issuerestrictions": {}, "shouldDisplay": false}),
            custom => i
                .custom_field(custom)
                .map(|v| self.custom_value(v))
                .unwrap_or(Value::Null),
        }
    }

    /// Inline changelog: the `cap` most recent histories, newest first.
    pub(crate) fn inline_changelog(&self, i: &Issue, cap: usize) -> Value {
        if self.dc {
            // Data Center inlines every history, oldest first.
            let hs: Vec<Value> = i.histories.iter().map(|h| self.history(h)).collect();
            return json!({"startAt": 0, "maxResults": hs.len(), "total": hs.len(), "histories": hs});
        }
        let hs: Vec<Value> = i
            .histories
            .iter()
            .rev()
            .take(cap)
            .map(|h| self.history(h))
            .collect();
        json!({"startAt": 0, "maxResults": hs.len(), "total": i.histories.len(), "histories": hs})
    }

    /// An issue with the selected fields and expansions.
    pub(crate) fn issue(&self, i: &Issue, sel: &FieldSel, changelog_cap: Option<usize>) -> Value {
        let mut o = Map::new();
        match sel {
            FieldSel::IdOnly { key } => {
                o.insert("id".into(), json!(i.id.to_string()));
                if *key {
                    o.insert("key".into(), json!(i.key));
                }
            }
            FieldSel::Fields(ids) => {
                o.insert(
                    "expand".into(),
                    json!("renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"),
                );
                o.insert("id".into(), json!(i.id.to_string()));
                o.insert("self".into(), json!(self.issue_self(i.id)));
                o.insert("key".into(), json!(i.key));
                let mut f = Map::new();
                for id in ids {
                    f.insert(id.clone(), self.field(i, id));
                }
                o.insert("fields".into(), Value::Object(f));
            }
        }
        if let Some(cap) = changelog_cap {
            o.insert("changelog".into(), self.inline_changelog(i, cap));
        }
        Value::Object(o)
    }

    /// `names` expansion: field id -> display name.
    pub(crate) fn names(&self, sel: &FieldSel) -> Value {
        let mut m = Map::new();
        if let FieldSel::Fields(ids) = sel {
            for f in &self.org.fields {
                if ids.contains(&f.id) {
                    m.insert(f.id.clone(), json!(f.name));
                }
            }
        }
        Value::Object(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_use_jira_units() {
        assert_eq!(duration(900), "15m");
        assert_eq!(duration(3600 * 9), "1d 1h");
        assert_eq!(duration(3600 * 8 * 5 + 1800), "1w 30m");
        assert_eq!(duration(0), "0m");
    }
}
