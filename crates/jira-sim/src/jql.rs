//! The JQL subset a careful client emits, with Jira's semantics.
//!
//! Supported: clauses joined by `AND` (optionally parenthesised); `project = X`,
//! `project in (X, Y)` (key, quoted key or id); `updated` / `created` with `=`, `>`,
//! `>=`, `<`, `<=` against epoch milliseconds, quoted or bare dates (`yyyy-MM-dd`,
//! `yyyy/MM/dd`, optional ` HH:mm`) read in the token owner's time zone, or relative
//! offsets (`-5d`, `-2h`, `-30m`, `-1w`); `id` / `key` / `issuekey` with `=` or `in`;
//! `ORDER BY` on `updated`, `created`, `id`, `key` with `ASC`/`DESC`. Anything else is a
//! 400 naming the problem.

use crate::model::Issue;
use crate::org::Org;
use crate::tz::owner_local_to_utc_ms;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Op(&'static str),
    LParen,
    RParen,
    Comma,
}

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let cs: Vec<char> = s.chars().collect();
    let mut i = 0;
    while let Some(&c) = cs.get(i) {
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push(Tok::LParen);
                i += 1;
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1;
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1;
            }
            '"' | '\'' => {
                let q = c;
                let mut v = String::new();
                i += 1;
                loop {
                    match cs.get(i) {
                        None => {
                            return Err(
                                "The quoted string in the JQL query is not terminated.".into()
                            );
                        }
                        Some('\\') => {
                            if let Some(&n) = cs.get(i + 1) {
                                v.push(n);
                            }
                            i += 2;
                        }
                        Some(&ch) if ch == q => {
                            i += 1;
                            break;
                        }
                        Some(&ch) => {
                            v.push(ch);
                            i += 1;
                        }
                    }
                }
                out.push(Tok::Str(v));
            }
            '>' | '<' | '=' | '!' | '~' => {
                let next = cs.get(i + 1).copied();
                let op = match (c, next) {
                    ('>', Some('=')) => ">=",
                    ('<', Some('=')) => "<=",
                    ('!', Some('=')) => "!=",
                    ('!', Some('~')) => "!~",
                    ('>', _) => ">",
                    ('<', _) => "<",
                    ('=', _) => "=",
                    ('~', _) => "~",
                    _ => return Err("Error in the JQL Query: unexpected character '!'.".into()),
                };
                i += op.len();
                out.push(Tok::Op(op));
            }
            _ => {
                let mut v = String::new();
                while let Some(&ch) = cs.get(i) {
                    if ch.is_whitespace() || "(),=<>!~\"'".contains(ch) {
                        break;
                    }
                    v.push(ch);
                    i += 1;
                }
                out.push(Tok::Word(v));
            }
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Cmp {
    Eq,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, PartialEq)]
enum Clause {
    Project(Vec<u64>),
    Time { created: bool, op: Cmp, ms: i64 },
    Ids(Vec<u64>),
}

/// A sort key of `ORDER BY`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum SortKey {
    Updated,
    Created,
    Id,
    Key,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Query {
    clauses: Vec<Clause>,
    order: Vec<(SortKey, bool)>,
}

struct Parser<'a> {
    toks: Vec<Tok>,
    pos: usize,
    org: &'a Org,
    now_ms: i64,
}

fn kw(t: Option<&Tok>, k: &str) -> bool {
    matches!(t, Some(Tok::Word(w)) if w.eq_ignore_ascii_case(k))
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn expr(&mut self, out: &mut Vec<Clause>, depth: usize) -> Result<(), String> {
        if depth > 16 {
            return Err("The JQL query is nested too deeply.".into());
        }
        loop {
            if self.peek() == Some(&Tok::LParen) {
                self.pos += 1;
                self.expr(out, depth + 1)?;
                if self.next() != Some(Tok::RParen) {
                    return Err(
                        "Error in the JQL Query: expecting ')' before the end of the query.".into(),
                    );
                }
            } else {
                out.push(self.clause()?);
            }
            if kw(self.peek(), "and") {
                self.pos += 1;
                continue;
            }
            if kw(self.peek(), "or") {
                return Err(
                    "The simulator supports only AND between clauses; 'OR' is not supported."
                        .into(),
                );
            }
            return Ok(());
        }
    }

    fn value(&mut self) -> Result<String, String> {
        match self.next() {
            Some(Tok::Word(w)) | Some(Tok::Str(w)) => Ok(w),
            _ => Err("Error in the JQL Query: expecting a value.".into()),
        }
    }

    fn list(&mut self) -> Result<Vec<String>, String> {
        if self.next() != Some(Tok::LParen) {
            return Err("Error in the JQL Query: expecting '(' after 'in'.".into());
        }
        let mut v = Vec::new();
        loop {
            v.push(self.value()?);
            match self.next() {
                Some(Tok::Comma) => continue,
                Some(Tok::RParen) => return Ok(v),
                _ => return Err("Error in the JQL Query: expecting ',' or ')' in the list.".into()),
            }
        }
    }

    fn values_after_op(&mut self, field: &str) -> Result<Vec<String>, String> {
        match self.next() {
            Some(Tok::Op("=")) => Ok(vec![self.value()?]),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("in") => self.list(),
            _ => Err(format!(
                "The operator used with the field '{field}' is not supported by the simulator (use '=' or 'in')."
            )),
        }
    }

    fn clause(&mut self) -> Result<Clause, String> {
        let field = match self.next() {
            Some(Tok::Word(w)) | Some(Tok::Str(w)) => w,
            _ => return Err("Error in the JQL Query: expecting a field name.".into()),
        };
        let lower = field.to_ascii_lowercase();
        match lower.as_str() {
            "project" => {
                let vals = self.values_after_op("project")?;
                let mut ids = Vec::new();
                for v in vals {
                    let p = self.org.visible_projects().find(|p| {
                        p.key.eq_ignore_ascii_case(&v) || p.id.to_string() == v || p.name == v
                    });
                    match p {
                        Some(p) => ids.push(p.id),
                        None => {
                            return Err(format!(
                                "The value '{v}' does not exist for the field 'project'."
                            ));
                        }
                    }
                }
                Ok(Clause::Project(ids))
            }
            "updated" | "updateddate" | "created" | "createddate" => {
                let op = match self.next() {
                    Some(Tok::Op("=")) => Cmp::Eq,
                    Some(Tok::Op(">")) => Cmp::Gt,
                    Some(Tok::Op(">=")) => Cmp::Ge,
                    Some(Tok::Op("<")) => Cmp::Lt,
                    Some(Tok::Op("<=")) => Cmp::Le,
                    _ => {
                        return Err(format!(
                            "The operator used with the field '{field}' is not supported by the simulator."
                        ));
                    }
                };
                let v = self.value()?;
                let ms = self.date_value(&v, &field)?;
                Ok(Clause::Time {
                    created: lower.starts_with("created"),
                    op,
                    ms,
                })
            }
            "id" | "key" | "issuekey" | "issue" => {
                let vals = self.values_after_op(&lower)?;
                let mut ids = Vec::new();
                for v in vals {
                    match self.org.issue(&v).filter(|i| i.visible_to_owner) {
                        Some(i) => ids.push(i.id),
                        None => {
                            return Err(format!(
                                "An issue with key '{v}' does not exist for field '{lower}'."
                            ));
                        }
                    }
                }
                Ok(Clause::Ids(ids))
            }
            _ => Err(format!(
                "Field '{field}' is not supported by the simulator's JQL (supported: project, updated, created, id, key)."
            )),
        }
    }

    fn date_value(&self, v: &str, field: &str) -> Result<i64, String> {
        let bad = || {
            format!(
                "Date value '{v}' for field '{field}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'."
            )
        };
        if !v.is_empty() && v.chars().all(|c| c.is_ascii_digit()) {
            return v.parse::<i64>().map_err(|_| bad());
        }
        if let Some(rest) = v.strip_prefix('-').or_else(|| v.strip_prefix('+')) {
            let neg = v.starts_with('-');
            let (num, unit) = rest.split_at(rest.len().saturating_sub(1));
            let n: i64 = num.parse().map_err(|_| bad())?;
            let unit_ms: i64 = match unit {
                "w" => 7 * 86_400_000,
                "d" => 86_400_000,
                "h" => 3_600_000,
                "m" => 60_000,
                _ => return Err(bad()),
            };
            let ms = n.checked_mul(unit_ms).ok_or_else(bad)?;
            let t = if neg {
                self.now_ms.checked_sub(ms)
            } else {
                self.now_ms.checked_add(ms)
            };
            return t.ok_or_else(bad);
        }
        let (date, time) = match v.split_once(' ') {
            Some((d, t)) => (d, Some(t)),
            None => (v, None),
        };
        let parts: Vec<&str> = date.split(['-', '/']).collect();
        let [y, mo, d] = parts.as_slice() else {
            return Err(bad());
        };
        let y: i32 = y.parse().map_err(|_| bad())?;
        let mo: u8 = mo.parse().map_err(|_| bad())?;
        let d: u8 = d.parse().map_err(|_| bad())?;
        let (h, mi) = match time {
            Some(t) => {
                let (h, m) = t.split_once(':').ok_or_else(bad)?;
                (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?)
            }
            None => (0u8, 0u8),
        };
        owner_local_to_utc_ms(y, mo, d, h, mi).ok_or_else(bad)
    }

    fn order(&mut self) -> Result<Vec<(SortKey, bool)>, String> {
        let mut out = Vec::new();
        if !kw(self.peek(), "order") {
            return Ok(out);
        }
        self.pos += 1;
        if !kw(self.peek(), "by") {
            return Err("Error in the JQL Query: expecting 'by' after 'order'.".into());
        }
        self.pos += 1;
        loop {
            let f = self.value()?;
            let key = match f.to_ascii_lowercase().as_str() {
                "updated" | "updateddate" => SortKey::Updated,
                "created" | "createddate" => SortKey::Created,
                "id" => SortKey::Id,
                "key" | "issuekey" => SortKey::Key,
                _ => {
                    return Err(format!(
                        "Ordering by field '{f}' is not supported by the simulator (supported: updated, created, id, key)."
                    ));
                }
            };
            let mut desc = false;
            if kw(self.peek(), "desc") {
                desc = true;
                self.pos += 1;
            } else if kw(self.peek(), "asc") {
                self.pos += 1;
            }
            out.push((key, desc));
            if self.peek() == Some(&Tok::Comma) {
                self.pos += 1;
                continue;
            }
            return Ok(out);
        }
    }
}

impl Query {
    /// Parses `jql` against `org` (project and issue names are resolved with the owner's
    /// permissions). `now_ms` anchors relative dates.
    pub(crate) fn parse(jql: &str, org: &Org, now_ms: i64) -> Result<Query, String> {
        let toks = tokenize(jql)?;
        let mut p = Parser {
            toks,
            pos: 0,
            org,
            now_ms,
        };
        let mut clauses = Vec::new();
        if p.peek().is_some() && !kw(p.peek(), "order") {
            p.expr(&mut clauses, 0)?;
        }
        let order = p.order()?;
        if p.peek().is_some() {
            return Err(
                "Error in the JQL Query: unexpected text after the end of the query.".into(),
            );
        }
        Ok(Query { clauses, order })
    }

    /// Whether `issue` matches every clause (visibility is checked by the caller).
    pub(crate) fn matches(&self, issue: &Issue) -> bool {
        self.clauses.iter().all(|c| match c {
            Clause::Project(ids) => ids.contains(&issue.project_id),
            Clause::Ids(ids) => ids.contains(&issue.id),
            Clause::Time { created, op, ms } => {
                let t = if *created {
                    issue.created_ms
                } else {
                    issue.updated_ms
                };
                match op {
                    Cmp::Eq => t == *ms,
                    Cmp::Gt => t > *ms,
                    Cmp::Ge => t >= *ms,
                    Cmp::Lt => t < *ms,
                    Cmp::Le => t <= *ms,
                }
            }
        })
    }

    /// Sorts issues by `ORDER BY` (default `id DESC`), ties broken by id.
    pub(crate) fn sort(&self, issues: &mut [&Issue]) {
        let order = if self.order.is_empty() {
            vec![(SortKey::Id, true)]
        } else {
            self.order.clone()
        };
        issues.sort_by(|a, b| {
            for (k, desc) in &order {
                let o = match k {
                    SortKey::Updated => a.updated_ms.cmp(&b.updated_ms),
                    SortKey::Created => a.created_ms.cmp(&b.created_ms),
                    SortKey::Id => a.id.cmp(&b.id),
                    SortKey::Key => key_parts(&a.key).cmp(&key_parts(&b.key)),
                };
                let o = if *desc { o.reverse() } else { o };
                if o != std::cmp::Ordering::Equal {
                    return o;
                }
            }
            a.id.cmp(&b.id)
        });
    }
}

fn key_parts(k: &str) -> (&str, u64) {
    match k.rsplit_once('-') {
        Some((p, n)) => (p, n.parse().unwrap_or(0)),
        None => (k, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OrgConfig;

    #[test]
    fn parses_the_client_subset_and_rejects_the_rest() {
        let org = Org::generate(&OrgConfig::new(3, 60));
        let now = org.now_ms;
        let ok = [
            "project = PLAT",
            "project = \"PLAT\" AND updated >= 1735689600000 ORDER BY updated ASC, id ASC",
            "(project in (PLAT, WEB)) and created < \"2025-01-02 10:00\"",
            "project = 10000 AND updated > '2025/01/02' order by key desc",
            "updated >= -5d",
            "",
            "ORDER BY created DESC",
        ];
        for q in ok {
            assert!(Query::parse(q, &org, now).is_ok(), "{q}");
        }
        let bad = [
            ("project = LEGAL", "does not exist for the field 'project'"),
            ("project = PLAT OR project = WEB", "OR"),
            ("status = Done", "Field 'status'"),
            ("updated >= \"yesterday\"", "Date value"),
            ("project = PLAT ORDER BY priority", "Ordering by field"),
            ("key = NOPE-1", "does not exist"),
            ("project = \"PLAT", "not terminated"),
            ("updated >= -99999999999999999w", "Date value"),
            ("created < \"99999-01-01\"", "Date value"),
        ];
        for (q, msg) in bad {
            let e = Query::parse(q, &org, now).err().unwrap_or_default();
            assert!(e.contains(msg), "{q}: {e}");
        }
    }
}
