//! Deterministic generation of an organisation from an [`OrgConfig`].

use std::collections::HashMap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::config::OrgConfig;
use crate::model::{
    AccountType, Attachment, Board, ChangeItem, Comment, FieldDef, History, Index, Issue,
    IssueLink, LinkDirection, PiiKind, PiiLocation, Place, PlantedPii, Project, RemoteLink,
    SecurityLevel, Sprint, User, Worklog,
};
use crate::org::{NextIds, Org};
use crate::pii::{self, CUSTOMER_NAMES, pick};
use crate::text::{Block, Inline, RichText};
use crate::tz;

const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;
const MIN: i64 = 60_000;

/// (display name, email local part, locale, time zone)
const HUMANS: &[(&str, &str, &str, &str)] = &[
    ("Lena Hoffmann", "lena.hoffmann", "de_DE", "Europe/Berlin"),
    ("Jürgen Müller", "juergen.mueller", "de_DE", "Europe/Berlin"),
    ("Anna Schmidt", "anna.schmidt", "de_DE", "Europe/Berlin"),
    ("Max Weber", "max.weber", "de_DE", "Europe/Berlin"),
    ("Sophie Becker", "sophie.becker", "de_DE", "Europe/Vienna"),
    ("Lukas Fischer", "lukas.fischer", "de_CH", "Europe/Zurich"),
    ("Camille Martin", "camille.martin", "fr_FR", "Europe/Paris"),
    (
        "Hélène Rousseau",
        "helene.rousseau",
        "fr_FR",
        "Europe/Paris",
    ),
    (
        "Étienne Lefèvre",
        "etienne.lefevre",
        "fr_FR",
        "Europe/Paris",
    ),
    (
        "Lucía Fernández",
        "lucia.fernandez",
        "es_ES",
        "Europe/Madrid",
    ),
    ("Javier Ruiz", "javier.ruiz", "es_ES", "Europe/Madrid"),
    ("Giulia Romano", "giulia.romano", "it_IT", "Europe/Rome"),
    ("Marco Esposito", "marco.esposito", "it_IT", "Europe/Rome"),
    (
        "Agnieszka Nowak",
        "agnieszka.nowak",
        "pl_PL",
        "Europe/Warsaw",
    ),
    (
        "Piotr Wiśniewski",
        "piotr.wisniewski",
        "pl_PL",
        "Europe/Warsaw",
    ),
    ("Ola Nordmann", "ola.nordmann", "nb_NO", "Europe/Oslo"),
    (
        "Emma Johansson",
        "emma.johansson",
        "sv_SE",
        "Europe/Stockholm",
    ),
    (
        "Mikko Virtanen",
        "mikko.virtanen",
        "fi_FI",
        "Europe/Helsinki",
    ),
    ("Daan de Vries", "daan.devries", "nl_NL", "Europe/Amsterdam"),
    ("Sanne Jansen", "sanne.jansen", "nl_NL", "Europe/Amsterdam"),
    ("Oliver Smith", "oliver.smith", "en_GB", "Europe/London"),
    ("Amelia Jones", "amelia.jones", "en_GB", "Europe/London"),
    (
        "Liam O'Sullivan",
        "liam.osullivan",
        "en_IE",
        "Europe/Dublin",
    ),
    (
        "Emily Johnson",
        "emily.johnson",
        "en_US",
        "America/New_York",
    ),
    ("Michael Brown", "michael.brown", "en_US", "America/Chicago"),
    (
        "Jessica Williams",
        "jessica.williams",
        "en_US",
        "America/Los_Angeles",
    ),
    (
        "Daniel García",
        "daniel.garcia",
        "es_MX",
        "America/Mexico_City",
    ),
    ("Ana Souza", "ana.souza", "pt_BR", "America/Sao_Paulo"),
    ("João Pereira", "joao.pereira", "pt_BR", "America/Sao_Paulo"),
    (
        "Valentina López",
        "valentina.lopez",
        "es_AR",
        "America/Argentina/Buenos_Aires",
    ),
    ("Aarav Sharma", "aarav.sharma", "en_IN", "Asia/Kolkata"),
    ("Priya Patel", "priya.patel", "en_IN", "Asia/Kolkata"),
    ("Rohan Iyer", "rohan.iyer", "en_IN", "Asia/Kolkata"),
    ("佐藤 健", "ken.sato", "ja_JP", "Asia/Tokyo"),
    ("鈴木 美咲", "misaki.suzuki", "ja_JP", "Asia/Tokyo"),
    ("王 伟", "wei.wang", "zh_CN", "Asia/Shanghai"),
    ("李 娜", "na.li", "zh_CN", "Asia/Shanghai"),
    ("김 민준", "minjun.kim", "ko_KR", "Asia/Seoul"),
    ("Nguyễn Văn An", "an.nguyen", "vi_VN", "Asia/Ho_Chi_Minh"),
    ("Chinedu Okafor", "chinedu.okafor", "en_NG", "Africa/Lagos"),
    ("Amara Nwosu", "amara.nwosu", "en_NG", "Africa/Lagos"),
    (
        "Zanele Dlamini",
        "zanele.dlamini",
        "en_ZA",
        "Africa/Johannesburg",
    ),
    ("Mehmet Yılmaz", "mehmet.yilmaz", "tr_TR", "Europe/Istanbul"),
    ("Ayşe Kaya", "ayse.kaya", "tr_TR", "Europe/Istanbul"),
    ("Yosef Cohen", "yosef.cohen", "he_IL", "Asia/Jerusalem"),
    ("Omar Haddad", "omar.haddad", "ar_AE", "Asia/Dubai"),
    ("Olga Ivanova", "olga.ivanova", "ru_RU", "Europe/Moscow"),
    ("Tomáš Novák", "tomas.novak", "cs_CZ", "Europe/Prague"),
    (
        "Dimitris Papadopoulos",
        "dimitris.papadopoulos",
        "el_GR",
        "Europe/Athens",
    ),
    ("Jack Wilson", "jack.wilson", "en_AU", "Australia/Sydney"),
    (
        "Charlotte Taylor",
        "charlotte.taylor",
        "en_AU",
        "Australia/Melbourne",
    ),
    ("Aroha Ngata", "aroha.ngata", "en_NZ", "Pacific/Auckland"),
    ("Noah Tremblay", "noah.tremblay", "fr_CA", "America/Toronto"),
    ("Isabella Rossi", "isabella.rossi", "it_IT", "Europe/Rome"),
    (
        "Henrik Larsen",
        "henrik.larsen",
        "da_DK",
        "Europe/Copenhagen",
    ),
];

const APPS: &[&str] = &[
    "Automation for Jira",
    "GitHub for Jira",
    "Slack",
    "Jira Service Management Widget",
];

const DOMAIN: &str = "acme-robotics.example";

const LABELS: &[&str] = &[
    "backend",
    "frontend",
    "tech-debt",
    "customer",
    "security",
    "performance",
    "flaky-test",
    "regression",
    "ux",
    "infra",
    "data",
    "docs",
    "quick-win",
    "needs-triage",
];

const VERBS: &[&str] = &[
    "Fix",
    "Add",
    "Remove",
    "Refactor",
    "Investigate",
    "Migrate",
    "Document",
    "Speed up",
    "Harden",
    "Upgrade",
    "Retry",
    "Validate",
];
const OBJECTS: &[&str] = &[
    "timeout in billing export",
    "webhook delivery",
    "login redirect loop",
    "CSV import of orders",
    "search indexing job",
    "rate limiter",
    "dark mode toggle",
    "PDF invoice rendering",
    "OAuth token refresh",
    "audit log retention",
    "push notifications on Android",
    "Kafka consumer lag alert",
    "feature flag cleanup",
    "S3 lifecycle rules",
    "password reset email",
    "GraphQL pagination",
    "dashboard load time",
    "SAML metadata refresh",
    "cron schedule drift",
    "currency rounding in cart",
];
const WORDS: &[&str] = &[
    "the",
    "service",
    "returns",
    "a",
    "stale",
    "response",
    "when",
    "cache",
    "is",
    "warm",
    "after",
    "deploy",
    "we",
    "should",
    "check",
    "logs",
    "for",
    "errors",
    "in",
    "worker",
    "queue",
    "retry",
    "budget",
    "looks",
    "fine",
    "but",
    "latency",
    "spikes",
    "under",
    "load",
    "customers",
    "notice",
    "this",
    "mostly",
    "on",
    "mobile",
    "see",
    "dashboard",
    "metrics",
    "and",
    "traces",
];

const PRIORITIES: &[&str] = &["Highest", "High", "Medium", "Low", "Lowest"];

pub(crate) fn status_id(name: &str) -> &'static str {
    match name {
        "To Do" => "10000",
        "In Progress" => "3",
        "In Review" => "10001",
        "Blocked" => "10004",
        _ => "10002",
    }
}

pub(crate) fn priority_id(name: &str) -> &'static str {
    match name {
        "Highest" => "1",
        "High" => "2",
        "Medium" => "3",
        "Low" => "4",
        _ => "5",
    }
}

struct Gen {
    rng: ChaCha8Rng,
    cfg: OrgConfig,
    users: Vec<User>,
    humans_active: Vec<usize>,
    planted: Vec<PlantedPii>,
    cycle: usize,
    ids: NextIds,
    next_attachment: u64,
    next_remote: u64,
    next_link: u64,
}

impl Gen {
    fn user_id(&mut self) -> String {
        let i = *pick(&mut self.rng, &self.humans_active);
        self.users[i].account_id.clone()
    }

    fn plant(&mut self, kind: PiiKind, value: &str, issue: (u64, &str), place: Place) {
        self.planted.push(PlantedPii {
            kind,
            value: value.to_owned(),
            location: PiiLocation {
                issue_id: issue.0,
                issue_key: issue.1.to_owned(),
                place,
            },
        });
    }

    /// A value of `kind`; names come from the user directory / customer list.
    fn pii_value(&mut self, kind: PiiKind) -> String {
        match kind {
            PiiKind::UserName => {
                let i = *pick(&mut self.rng, &self.humans_active);
                self.users[i].display_name.clone()
            }
            PiiKind::CustomerName => (*pick(&mut self.rng, CUSTOMER_NAMES)).to_owned(),
            _ => {
                let local = *pick(
                    &mut self.rng,
                    &[
                        "maria.g",
                        "t.nkosi",
                        "jdoe",
                        "k.mensah",
                        "ingrid.j",
                        "support.lead",
                    ],
                );
                pii::value(&mut self.rng, kind, local)
            }
        }
    }

    /// Next kind in a round-robin over all kinds, so every kind is planted early.
    fn next_kind(&mut self) -> PiiKind {
        let k = PiiKind::ALL[self.cycle % PiiKind::ALL.len()];
        self.cycle += 1;
        k
    }

    fn words(&mut self, n: usize) -> String {
        let mut s = String::new();
        for i in 0..n {
            if i > 0 {
                s.push(' ');
            }
            let w: &&str = pick(&mut self.rng, WORDS);
            s.push_str(w);
        }
        if let Some(f) = s.get(0..1) {
            let up = f.to_uppercase();
            s.replace_range(0..1, &up);
        }
        s.push('.');
        s
    }

    fn noise(&mut self, project_key: &str) -> String {
        let r = &mut self.rng;
        match r.random_range(0..5) {
            0 => format!(
                "Fixed in v{}.{}.{}, commit {:016x}{:016x}.",
                r.random_range(1..4),
                r.random_range(0..20),
                r.random_range(0..10),
                r.random::<u64>(),
                r.random::<u64>()
            ),
            1 => format!(
                "Trace id {:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}.",
                r.random::<u32>(),
                r.random::<u16>(),
                r.random_range(0..0xfffu32),
                r.random_range(0..0xfffu32),
                r.random_range(0..0xffff_ffff_ffffu64)
            ),
            2 => format!(
                "Deployed to api.{}.internal.example.net.",
                pick(r, &["eu-west-1", "us-east-2", "ap-south-1"])
            ),
            3 => format!("Relates to {}-{}.", project_key, r.random_range(1..300)),
            _ => format!("Build #{} passed on main.", r.random_range(1000..9999)),
        }
    }

    /// A rich-text body. Plants PII with probability `pii_rate` (any kind, round-robin).
    fn rich(&mut self, issue: (u64, &str), place: Place, project_key: &str, big: bool) -> RichText {
        let mut blocks = Vec::new();
        let n_par = if big { self.rng.random_range(1..4) } else { 1 };
        if big && self.rng.random_bool(0.3) {
            blocks.push(Block::Heading {
                level: 2,
                content: vec![Inline::Text("Context".into())],
            });
        }
        for _ in 0..n_par {
            let n = self.rng.random_range(6..18);
            let mut inl = vec![Inline::Text(self.words(n))];
            if self.rng.random_bool(0.25) {
                let u = self.user_id();
                let name = self.user_display(&u);
                inl.push(Inline::Text(" cc ".into()));
                inl.push(Inline::Mention {
                    account_id: u,
                    text: format!("@{name}"),
                });
            }
            if self.rng.random_bool(0.15) {
                inl.push(Inline::Text(" See ".into()));
                inl.push(Inline::Link {
                    text: "the runbook".into(),
                    href: "https://wiki.acme-robotics.example/runbooks/42".into(),
                });
                inl.push(Inline::Text(".".into()));
            }
            if self.rng.random_bool(0.2) {
                inl.push(Inline::Text(" ".into()));
                let noise = self.noise(project_key);
                inl.push(Inline::Text(noise));
            }
            blocks.push(Block::Paragraph(inl));
        }
        if self.rng.random_bool(if big { 0.3 } else { 0.08 }) {
            let items = (0..self.rng.random_range(2..5))
                .map(|_| {
                    let n = self.rng.random_range(3..7);
                    vec![Inline::Text(self.words(n))]
                })
                .collect();
            if self.rng.random_bool(0.5) {
                blocks.push(Block::BulletList(items));
            } else {
                blocks.push(Block::OrderedList(items));
            }
        }
        if self.rng.random_bool(if big { 0.2 } else { 0.08 }) {
            blocks.push(Block::CodeBlock {
                language: Some((*pick(&mut self.rng, &["sql", "rust", "bash", "json"])).into()),
                text: "SELECT id, status FROM jobs WHERE state = 'stuck';\n-- 42 rows".into(),
            });
        }
        if big && self.rng.random_bool(0.1) {
            blocks.push(Block::Table(vec![
                vec!["Env".into(), "p95 ms".into()],
                vec![
                    "staging".into(),
                    format!("{}", self.rng.random_range(80..400)),
                ],
                vec!["prod".into(), format!("{}", self.rng.random_range(80..900))],
            ]));
        }
        if self.rng.random_bool(self.cfg.pii_rate) {
            let kind = self.next_kind();
            let v = self.pii_value(kind);
            if kind == PiiKind::PrivateKey {
                blocks.push(Block::Paragraph(vec![Inline::Text(
                    "Key that was committed by mistake:".into(),
                )]));
                blocks.push(Block::CodeBlock {
                    language: None,
                    text: v.clone(),
                });
            } else {
                let s = pii::sentence(&mut self.rng, kind, &v);
                blocks.push(Block::Paragraph(vec![Inline::Text(s)]));
            }
            self.plant(kind, &v, issue, place);
        }
        RichText { blocks }
    }

    fn user_display(&self, account_id: &str) -> String {
        self.users
            .iter()
            .find(|u| u.account_id == account_id)
            .map(|u| u.display_name.clone())
            .unwrap_or_default()
    }

    /// A summary; sometimes carries PII of a single-line kind. Returns the planted pairs.
    fn summary(&mut self) -> (String, Vec<(PiiKind, String)>) {
        if self.rng.random_bool(self.cfg.pii_rate * 0.8) {
            let kind = *pick(
                &mut self.rng,
                &[
                    PiiKind::Email,
                    PiiKind::Phone,
                    PiiKind::CustomerName,
                    PiiKind::UserName,
                    PiiKind::Ipv4,
                    PiiKind::PaymentCard,
                ],
            );
            let v = self.pii_value(kind);
            let s = match kind {
                PiiKind::Email => format!("Refund request from {v}"),
                PiiKind::Phone => format!("Call {v} about the outage"),
                PiiKind::CustomerName => format!("{v} cannot reset password"),
                PiiKind::UserName => format!("Follow up with {v} on rollout"),
                PiiKind::Ipv4 => format!("Block traffic from {v}"),
                _ => format!("Card {v} declined at checkout"),
            };
            return (s, vec![(kind, v)]);
        }
        let s = format!(
            "{} {}",
            pick(&mut self.rng, VERBS),
            pick(&mut self.rng, OBJECTS)
        );
        (s, Vec::new())
    }
}

fn account_id(rng: &mut ChaCha8Rng, kind: u8) -> String {
    match kind {
        0 => format!(
            "{:012x}{:012x}",
            rng.random_range(0..1u64 << 48),
            rng.random_range(0..1u64 << 48)
        ),
        p => format!(
            "{}:{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            if p == 1 { "712020" } else { "557058" },
            rng.random::<u32>(),
            rng.random::<u16>(),
            rng.random::<u16>(),
            rng.random::<u16>(),
            rng.random_range(0..1u64 << 48)
        ),
    }
}

fn make_users(rng: &mut ChaCha8Rng) -> Vec<User> {
    let mut users = Vec::new();
    for (i, (name, local, locale, tzn)) in HUMANS.iter().enumerate() {
        let id = account_id(rng, if i % 7 == 3 { 1 } else { 0 });
        users.push(User {
            account_id: id,
            display_name: (*name).to_owned(),
            email: Some(format!("{local}@{DOMAIN}")),
            email_visible: i == 0 || rng.random_bool(0.7),
            account_type: AccountType::Atlassian,
            // A handful of former employees.
            active: i % 11 != 10,
            time_zone: (*tzn).to_owned(),
            locale: (*locale).to_owned(),
        });
    }
    for name in APPS {
        users.push(User {
            account_id: account_id(rng, 2),
            display_name: (*name).to_owned(),
            email: None,
            email_visible: false,
            account_type: AccountType::App,
            active: true,
            time_zone: "UTC".to_owned(),
            locale: "en_US".to_owned(),
        });
    }
    for (name, local) in [
        ("Peter Customer", "peter.kunde"),
        ("Sandra Client", "sandra.client"),
    ] {
        users.push(User {
            account_id: account_id(rng, 1),
            display_name: name.to_owned(),
            email: Some(format!("{local}@customer-corp.example")),
            email_visible: false,
            account_type: AccountType::Customer,
            active: true,
            time_zone: "Europe/London".to_owned(),
            locale: "en_GB".to_owned(),
        });
    }
    users
}

fn make_projects(users: &[User]) -> Vec<Project> {
    let spec: &[(u64, &str, &str, &str, bool, bool, bool)] = &[
        (10000, "PLAT", "Platform", "software", false, false, true),
        (10001, "WEB", "Web App", "software", false, false, true),
        (
            10002,
            "OPS",
            "Operations Desk",
            "service_desk",
            false,
            false,
            true,
        ),
        (10003, "MOB", "Mobile", "software", true, false, true),
        (10004, "PEOPLE", "People Ops", "business", true, true, true),
        (10005, "LEGAL", "Legal Hold", "software", false, true, false),
    ];
    spec.iter()
        .enumerate()
        .map(
            |(i, &(id, key, name, ty, simplified, private, browsable))| {
                let components = ["API", "Database", "UI", "Infrastructure"]
                    .iter()
                    .enumerate()
                    .map(|(c, n)| (10100 + id % 100 * 10 + c as u64, (*n).to_owned()))
                    .collect();
                let versions = (0..6)
                    .map(|v| {
                        (
                            10200 + id % 100 * 10 + v,
                            format!("{}.{}.0", 1 + v / 3, v % 3),
                            v < 4,
                        )
                    })
                    .collect();
                Project {
                    id,
                    key: key.to_owned(),
                    name: name.to_owned(),
                    project_type_key: ty.to_owned(),
                    simplified,
                    is_private: private,
                    browsable,
                    lead: users
                        .get(i * 3 % 20)
                        .map(|u| u.account_id.clone())
                        .unwrap_or_default(),
                    components,
                    versions,
                }
            },
        )
        .collect()
}

fn fd(
    id: &str,
    name: &str,
    custom: bool,
    navigable: bool,
    ty: &str,
    items: Option<&str>,
    c: Option<&str>,
) -> FieldDef {
    FieldDef {
        id: id.to_owned(),
        name: name.to_owned(),
        custom,
        navigable,
        schema_type: ty.to_owned(),
        schema_items: items.map(str::to_owned),
        schema_custom: c.map(str::to_owned),
    }
}

const CFT: &str = "com.atlassian.jira.plugin.system.customfieldtypes:";

/// Custom field ids used by the generator.
pub(crate) mod cf {
    pub(crate) const STORY_POINTS: &str = "customfield_10016";
    pub(crate) const SPRINT: &str = "customfield_10020";
    pub(crate) const EPIC_LINK: &str = "customfield_10014";
    pub(crate) const EPIC_NAME: &str = "customfield_10011";
    pub(crate) const RANK: &str = "customfield_10019";
    pub(crate) const CONTACT: &str = "customfield_10050";
    pub(crate) const ROOT_CAUSE: &str = "customfield_10051";
    pub(crate) const SEVERITY: &str = "customfield_10052";
    pub(crate) const PLATFORMS: &str = "customfield_10053";
    pub(crate) const REVIEW_DATE: &str = "customfield_10054";
    pub(crate) const INCIDENT_START: &str = "customfield_10055";
    pub(crate) const REVIEWER: &str = "customfield_10056";
    pub(crate) const STAKEHOLDERS: &str = "customfield_10057";
    pub(crate) const CUSTOMER_TAGS: &str = "customfield_10058";
    pub(crate) const RUNBOOK: &str = "customfield_10059";
    pub(crate) const COST: &str = "customfield_10060";
    pub(crate) const TEAM: &str = "customfield_10061";
    pub(crate) const FLAGGED: &str = "customfield_10062";
    pub(crate) const START_DATE: &str = "customfield_10063";
    pub(crate) const ENV_TYPE: &str = "customfield_10064";
}

fn make_fields() -> Vec<FieldDef> {
    let s = |id: &str, name: &str, nav: bool, ty: &str, items: Option<&str>| {
        fd(id, name, false, nav, ty, items, None)
    };
    let mut v = vec![
        s("summary", "Summary", true, "string", None),
        s("description", "Description", true, "string", None),
        s("environment", "Environment", true, "string", None),
        s("issuetype", "Issue Type", true, "issuetype", None),
        s("project", "Project", true, "project", None),
        s("status", "Status", true, "status", None),
        s(
            "statuscategorychangedate",
            "Status Category Changed",
            true,
            "datetime",
            None,
        ),
        s("priority", "Priority", true, "priority", None),
        s("resolution", "Resolution", true, "resolution", None),
        s("resolutiondate", "Resolved", true, "datetime", None),
        s("created", "Created", true, "datetime", None),
        s("updated", "Updated", true, "datetime", None),
        s("duedate", "Due date", true, "date", None),
        s("labels", "Labels", true, "array", Some("string")),
        s("components", "Components", true, "array", Some("component")),
        s(
            "fixVersions",
            "Fix versions",
            true,
            "array",
            Some("version"),
        ),
        s(
            "versions",
            "Affects versions",
            true,
            "array",
            Some("version"),
        ),
        s("parent", "Parent", true, "issuelink", None),
        s("reporter", "Reporter", true, "user", None),
        s("assignee", "Assignee", true, "user", None),
        s("creator", "Creator", true, "user", None),
        s("votes", "Votes", true, "votes", None),
        s("watches", "Watchers", true, "watches", None),
        s("timetracking", "Time tracking", false, "timetracking", None),
        s(
            "timeoriginalestimate",
            "Original estimate",
            true,
            "number",
            None,
        ),
        s("timeestimate", "Remaining Estimate", true, "number", None),
        s("timespent", "Time Spent", true, "number", None),
        s("aggregatetimespent", "Σ Time Spent", true, "number", None),
        s(
            "aggregatetimeoriginalestimate",
            "Σ Original Estimate",
            true,
            "number",
            None,
        ),
        s("workratio", "Work Ratio", true, "number", None),
        s(
            "issuelinks",
            "Linked Issues",
            true,
            "array",
            Some("issuelinks"),
        ),
        s(
            "attachment",
            "Attachment",
            true,
            "array",
            Some("attachment"),
        ),
        s("subtasks", "Sub-tasks", true, "array", Some("issuelinks")),
        s("security", "Security Level", true, "securitylevel", None),
        s("comment", "Comment", false, "comments-page", None),
        s("worklog", "Log Work", false, "array", Some("worklog")),
        s("lastViewed", "Last Viewed", true, "datetime", None),
        s(
            "issuerestriction",
            "Restrict to",
            true,
            "issuerestriction",
            None,
        ),
    ];
    let c = |id: &str, name: &str, ty: &str, items: Option<&str>, custom: String| {
        fd(id, name, true, true, ty, items, Some(&custom))
    };
    v.extend([
        c(
            cf::STORY_POINTS,
            "Story point estimate",
            "number",
            None,
            "com.pyxis.greenhopper.jira:jsw-story-points".into(),
        ),
        c(
            cf::SPRINT,
            "Sprint",
            "array",
            Some("json"),
            "com.pyxis.greenhopper.jira:gh-sprint".into(),
        ),
        c(
            cf::EPIC_LINK,
            "Epic Link",
            "any",
            None,
            "com.pyxis.greenhopper.jira:gh-epic-link".into(),
        ),
        c(
            cf::EPIC_NAME,
            "Epic Name",
            "string",
            None,
            "com.pyxis.greenhopper.jira:gh-epic-label".into(),
        ),
        c(
            cf::RANK,
            "Rank",
            "any",
            None,
            "com.pyxis.greenhopper.jira:gh-lexo-rank".into(),
        ),
        c(
            cf::CONTACT,
            "Customer contact",
            "string",
            None,
            format!("{CFT}textfield"),
        ),
        c(
            cf::ROOT_CAUSE,
            "Root cause analysis",
            "string",
            None,
            format!("{CFT}textarea"),
        ),
        c(
            cf::SEVERITY,
            "Severity",
            "option",
            None,
            format!("{CFT}select"),
        ),
        c(
            cf::PLATFORMS,
            "Affected platforms",
            "array",
            Some("option"),
            format!("{CFT}multiselect"),
        ),
        c(
            cf::REVIEW_DATE,
            "Review date",
            "date",
            None,
            format!("{CFT}datepicker"),
        ),
        c(
            cf::INCIDENT_START,
            "Incident start",
            "datetime",
            None,
            format!("{CFT}datetime"),
        ),
        c(
            cf::REVIEWER,
            "Reviewer",
            "user",
            None,
            format!("{CFT}userpicker"),
        ),
        c(
            cf::STAKEHOLDERS,
            "Stakeholders",
            "array",
            Some("user"),
            format!("{CFT}multiuserpicker"),
        ),
        c(
            cf::CUSTOMER_TAGS,
            "Customer tags",
            "array",
            Some("string"),
            format!("{CFT}labels"),
        ),
        c(cf::RUNBOOK, "Runbook", "string", None, format!("{CFT}url")),
        c(
            cf::COST,
            "Estimated cost",
            "number",
            None,
            format!("{CFT}float"),
        ),
        c(
            cf::TEAM,
            "Team",
            "option-with-child",
            None,
            format!("{CFT}cascadingselect"),
        ),
        c(
            cf::FLAGGED,
            "Flagged",
            "array",
            Some("option"),
            format!("{CFT}multicheckboxes"),
        ),
        c(
            cf::START_DATE,
            "Start date",
            "date",
            None,
            format!("{CFT}datepicker"),
        ),
        c(
            cf::ENV_TYPE,
            "Environment type",
            "option",
            None,
            format!("{CFT}radiobuttons"),
        ),
    ]);
    v
}

fn make_boards_and_sprints(
    rng: &mut ChaCha8Rng,
    projects: &[Project],
    now: i64,
    span: i64,
) -> (Vec<Board>, Vec<Sprint>) {
    let spec: &[(u64, &str, u64)] = &[
        (1, "scrum", 10000),
        (2, "kanban", 10001),
        (3, "kanban", 10002),
        (4, "scrum", 10003),
        (5, "kanban", 10004),
        (6, "scrum", 10005),
    ];
    let mut boards = Vec::new();
    let mut sprints = Vec::new();
    let mut sid = 1u64;
    for &(id, kind, pid) in spec {
        let pkey = projects
            .iter()
            .find(|p| p.id == pid)
            .map(|p| p.key.clone())
            .unwrap_or_default();
        boards.push(Board {
            id,
            name: format!("{pkey} board"),
            kind: kind.to_owned(),
            project_id: pid,
        });
        if kind != "scrum" {
            continue;
        }
        let mut start = now - span - 7 * DAY + rng.random_range(0..7) * DAY;
        let mut n = 1;
        loop {
            let end = start + 14 * DAY;
            let (state, s, e, c) = if end < now {
                (
                    "closed",
                    Some(start),
                    Some(end),
                    Some(end - rng.random_range(0..6) * HOUR),
                )
            } else if start <= now {
                ("active", Some(start), Some(end), None)
            } else {
                ("future", None, None, None)
            };
            sprints.push(Sprint {
                id: sid,
                board_id: id,
                name: format!("{pkey} Sprint {n}"),
                state: state.to_owned(),
                start_ms: s,
                end_ms: e,
                complete_ms: c,
                created_ms: start - 3 * DAY,
                goal: if rng.random_bool(0.5) {
                    format!("Ship {}", pick(rng, OBJECTS))
                } else {
                    String::new()
                },
            });
            sid += 1;
            n += 1;
            if state == "future" && start > now + 14 * DAY {
                break;
            }
            start = end;
        }
    }
    (boards, sprints)
}

fn sprint_json(s: &Sprint) -> Value {
    let mut v = json!({
        "id": s.id, "name": s.name, "state": s.state, "boardId": s.board_id, "goal": s.goal,
    });
    if let Some(o) = v.as_object_mut() {
        if let Some(t) = s.start_ms {
            o.insert("startDate".into(), json!(tz::agile_timestamp(t)));
        }
        if let Some(t) = s.end_ms {
            o.insert("endDate".into(), json!(tz::agile_timestamp(t)));
        }
        if let Some(t) = s.complete_ms {
            o.insert("completeDate".into(), json!(tz::agile_timestamp(t)));
        }
    }
    v
}

fn sorted_times(rng: &mut ChaCha8Rng, n: usize, lo: i64, hi: i64) -> Vec<i64> {
    let hi = hi.max(lo + 1);
    let mut v: Vec<i64> = (0..n).map(|_| rng.random_range(lo..hi)).collect();
    v.sort_unstable();
    v
}

fn next_status(rng: &mut ChaCha8Rng, cur: &str) -> &'static str {
    let r: f64 = rng.random();
    match cur {
        "To Do" => "In Progress",
        "In Progress" => {
            if r < 0.6 {
                "In Review"
            } else if r < 0.8 {
                "Blocked"
            } else {
                "To Do"
            }
        }
        "In Review" if r < 0.7 => "Done",
        "In Review" => "In Progress",
        "Blocked" => "In Progress",
        _ => "In Progress",
    }
}

fn item(
    field: &str,
    ft: &str,
    id: &str,
    from: Option<String>,
    fs: Option<String>,
    to: Option<String>,
    ts: Option<String>,
) -> ChangeItem {
    ChangeItem {
        field: field.to_owned(),
        fieldtype: ft.to_owned(),
        field_id: id.to_owned(),
        from,
        from_string: fs,
        to,
        to_string: ts,
    }
}

pub(crate) fn generate(cfg: &OrgConfig) -> Org {
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let users = make_users(&mut rng);
    let humans_active: Vec<usize> = users
        .iter()
        .enumerate()
        .filter(|(_, u)| u.account_type == AccountType::Atlassian && u.active)
        .map(|(i, _)| i)
        .collect();
    let projects = make_projects(&users);
    // Keep arithmetic far from overflow: 2001-09-09 ..= 2100-01-01.
    let now = cfg.now_ms.clamp(1_000_000_000_000, 4_102_444_800_000);
    let span = i64::from(cfg.months.clamp(1, 240)) * 30 * DAY + 13 * DAY;
    let (boards, sprints) = make_boards_and_sprints(&mut rng, &projects, now, span);
    let security_levels = vec![
        SecurityLevel {
            id: 10100,
            name: "Internal".into(),
            description: "Employees only".into(),
            owner_can_see: true,
        },
        SecurityLevel {
            id: 10101,
            name: "Security team".into(),
            description: "Vulnerability details, security team only".into(),
            owner_can_see: false,
        },
    ];
    let owner = users
        .first()
        .map(|u| u.account_id.clone())
        .unwrap_or_default();
    // Probabilities must be in [0, 1]; a bad knob must not panic.
    let mut cfg_clean = cfg.clone();
    cfg_clean.pii_rate = if cfg.pii_rate.is_finite() {
        cfg.pii_rate.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mut g = Gen {
        rng,
        cfg: cfg_clean,
        users,
        humans_active,
        planted: Vec::new(),
        cycle: 0,
        ids: NextIds {
            issue: 10000,
            comment: 10000,
            history: 100_000,
            worklog: 10000,
        },
        next_attachment: 10000,
        next_remote: 10000,
        next_link: 10000,
    };

    // Creation times skewed towards the recent past; ids increase with creation.
    let mut created: Vec<i64> = (0..cfg.issues)
        .map(|_| {
            let u: f64 = g.rng.random();
            now - 2 * HOUR - ((1.0 - u.sqrt()) * span as f64) as i64
        })
        .collect();
    created.sort_unstable();

    let weights: [(usize, u32); 6] = [(0, 30), (1, 22), (2, 18), (3, 14), (4, 8), (5, 8)];
    let total_w: u32 = weights.iter().map(|w| w.1).sum();
    let mut key_counter: HashMap<u64, u64> = HashMap::new();
    let mut epics: HashMap<u64, Vec<usize>> = HashMap::new();
    let mut standard: HashMap<u64, Vec<usize>> = HashMap::new();
    let mut issues: Vec<Issue> = Vec::with_capacity(cfg.issues);
    let sprint_boards: HashMap<u64, u64> = boards
        .iter()
        .filter(|b| b.kind == "scrum")
        .map(|b| (b.project_id, b.id))
        .collect();

    for &created_ms in &created {
        let mut r = g.rng.random_range(0..total_w);
        let mut pidx = 0;
        for (i, w) in weights {
            if r < w {
                pidx = i;
                break;
            }
            r -= w;
        }
        let project = &projects[pidx.min(projects.len() - 1)];
        let pid = project.id;
        let pkey = project.key.clone();
        let n = key_counter.entry(pid).or_insert(0);
        *n += 1;
        let key = format!("{pkey}-{n}");
        let id = g.ids.issue;
        g.ids.issue += 1;
        let idx = issues.len();

        // Type and parent.
        let tr: f64 = g.rng.random();
        let proj_std = standard.get(&pid).map(|v| v.len()).unwrap_or(0);
        let mut issue_type = if tr < 0.04 {
            "Epic"
        } else if tr < 0.14 && proj_std > 0 {
            "Subtask"
        } else if tr < 0.45 {
            "Story"
        } else if tr < 0.70 {
            "Task"
        } else {
            "Bug"
        };
        if project.project_type_key == "service_desk" && issue_type == "Story" {
            issue_type = "Task";
        }
        let mut parent_id = None;
        if issue_type == "Subtask" {
            if let Some(list) = standard.get(&pid) {
                let lo = list.len().saturating_sub(40);
                if let Some(&p) = list.get(g.rng.random_range(lo..list.len().max(lo + 1))) {
                    parent_id = Some(p);
                }
            }
            if parent_id.is_none() {
                issue_type = "Task";
            }
        } else if issue_type != "Epic"
            && g.rng.random_bool(0.4)
            && let Some(list) = epics.get(&pid)
            && !list.is_empty()
        {
            let lo = list.len().saturating_sub(6);
            if let Some(&p) = list.get(g.rng.random_range(lo..list.len())) {
                parent_id = Some(p);
            }
        }

        let reporter = if project.project_type_key == "service_desk" && g.rng.random_bool(0.4) {
            g.users
                .iter()
                .filter(|u| u.account_type == AccountType::Customer)
                .nth(g.rng.random_range(0..2))
                .map(|u| u.account_id.clone())
                .unwrap_or_else(|| owner.clone())
        } else {
            g.user_id()
        };
        let creator = if g.rng.random_bool(0.05) {
            g.users
                .iter()
                .find(|u| u.account_type == AccountType::App)
                .map(|u| u.account_id.clone())
                .unwrap_or_else(|| reporter.clone())
        } else {
            reporter.clone()
        };
        let ikey = (id, key.as_str());

        // Life span of the activity on the issue.
        let life_end = (created_ms + g.rng.random_range(1..120) * DAY).min(now - 5 * MIN);
        let life_end = life_end.max(created_ms + MIN);

        let (summary0, summary_pii0) = g.summary();
        let description = if g.rng.random_bool(0.9) {
            Some(g.rich(ikey, Place::Description, &pkey, true))
        } else {
            None
        };
        let environment = if issue_type == "Bug" && g.rng.random_bool(0.3) {
            Some(g.rich(ikey, Place::Environment, &pkey, false))
        } else {
            None
        };

        // Changelog: walk a state machine.
        let hr: f64 = g.rng.random();
        let n_hist = if hr < 0.025 {
            g.rng.random_range(101..181)
        } else {
            g.rng.random_range(0..4) + g.rng.random_range(0..6)
        };
        let htimes = sorted_times(&mut g.rng, n_hist, created_ms + MIN, life_end);
        let mut status = "To Do";
        let mut priority = *pick(&mut g.rng, PRIORITIES);
        let mut assignee: Option<String> = if g.rng.random_bool(0.7) {
            Some(g.user_id())
        } else {
            None
        };
        let mut summary = summary0.clone();
        let mut summary_pii = summary_pii0.clone();
        let mut labels: Vec<String> = Vec::new();
        let mut resolution: Option<&str> = None;
        let mut resolution_ms = None;
        let mut status_change = created_ms;
        let mut histories = Vec::with_capacity(n_hist);
        for t in htimes {
            let hid = g.ids.history;
            g.ids.history += 1;
            let author = if g.rng.random_bool(0.06) {
                g.users
                    .iter()
                    .find(|u| u.account_type == AccountType::App)
                    .map(|u| u.account_id.clone())
                    .unwrap_or_else(|| owner.clone())
            } else {
                g.user_id()
            };
            let mut items = Vec::new();
            let k: f64 = g.rng.random();
            if k < 0.38 {
                let next = next_status(&mut g.rng, status);
                items.push(item(
                    "status",
                    "jira",
                    "status",
                    Some(status_id(status).into()),
                    Some(status.into()),
                    Some(status_id(next).into()),
                    Some(next.into()),
                ));
                if next == "Done" {
                    let res = *pick(
                        &mut g.rng,
                        &["Done", "Done", "Done", "Won't Do", "Duplicate"],
                    );
                    items.push(item(
                        "resolution",
                        "jira",
                        "resolution",
                        None,
                        None,
                        Some(resolution_id(res).into()),
                        Some(res.into()),
                    ));
                    resolution = Some(res);
                    resolution_ms = Some(t);
                } else if status == "Done" {
                    let old = resolution.unwrap_or("Done");
                    items.push(item(
                        "resolution",
                        "jira",
                        "resolution",
                        Some(resolution_id(old).into()),
                        Some(old.into()),
                        None,
                        None,
                    ));
                    resolution = None;
                    resolution_ms = None;
                }
                status = next;
                status_change = t;
            } else if k < 0.58 {
                let new = g.user_id();
                let old = assignee.clone();
                let old_name = old.as_deref().map(|a| g.user_display(a));
                let new_name = g.user_display(&new);
                items.push(item(
                    "assignee",
                    "jira",
                    "assignee",
                    old,
                    old_name,
                    Some(new.clone()),
                    Some(new_name),
                ));
                assignee = Some(new);
            } else if k < 0.66 {
                let new = *pick(&mut g.rng, PRIORITIES);
                items.push(item(
                    "priority",
                    "jira",
                    "priority",
                    Some(priority_id(priority).into()),
                    Some(priority.into()),
                    Some(priority_id(new).into()),
                    Some(new.into()),
                ));
                priority = new;
            } else if k < 0.74 {
                let old = labels.join(" ");
                let l = (*pick(&mut g.rng, LABELS)).to_owned();
                if !labels.contains(&l) {
                    labels.push(l);
                }
                items.push(item(
                    "labels",
                    "jira",
                    "labels",
                    None,
                    Some(old),
                    None,
                    Some(labels.join(" ")),
                ));
            } else if k < 0.79 {
                let (new, new_pii) = g.summary();
                for (kind, v) in summary_pii.iter().chain(new_pii.iter()) {
                    g.plant(*kind, v, ikey, Place::ChangelogValue { history_id: hid });
                }
                items.push(item(
                    "summary",
                    "jira",
                    "summary",
                    None,
                    Some(summary.clone()),
                    None,
                    Some(new.clone()),
                ));
                summary = new;
                summary_pii = new_pii;
            } else if k < 0.87 {
                let v = *pick(&mut g.rng, &[1, 2, 3, 5, 8, 13]);
                items.push(item(
                    "Story point estimate",
                    "custom",
                    cf::STORY_POINTS,
                    None,
                    None,
                    None,
                    Some(v.to_string()),
                ));
            } else if k < 0.93 {
                items.push(item(
                    "Rank",
                    "custom",
                    cf::RANK,
                    None,
                    None,
                    None,
                    Some("Ranked higher".into()),
                ));
            } else {
                let pv = &project.versions;
                let (vid, vname, _) = &pv[g.rng.random_range(0..pv.len())];
                items.push(item(
                    "Fix Version",
                    "jira",
                    "fixVersions",
                    None,
                    None,
                    Some(vid.to_string()),
                    Some(vname.clone()),
                ));
            }
            histories.push(History {
                id: hid,
                author,
                created_ms: t,
                items,
            });
        }
        for (kind, v) in &summary_pii {
            g.plant(*kind, v, ikey, Place::Summary);
        }

        // Comments.
        let cr: f64 = g.rng.random();
        let n_com = if cr < 0.005 {
            g.rng.random_range(101..160)
        } else if cr < 0.02 {
            g.rng.random_range(21..60)
        } else if cr < 0.30 {
            0
        } else {
            g.rng.random_range(1..4) + g.rng.random_range(0..3)
        };
        let ctimes = sorted_times(
            &mut g.rng,
            n_com,
            created_ms + MIN,
            (life_end + 30 * DAY).min(now - 5 * MIN),
        );
        let mut comments = Vec::with_capacity(n_com);
        for t in ctimes {
            let cid = g.ids.comment;
            g.ids.comment += 1;
            let author = g.user_id();
            let body = g.rich(ikey, Place::Comment { comment_id: cid }, &pkey, false);
            let updated = if g.rng.random_bool(0.1) {
                (t + g.rng.random_range(1..48) * HOUR).min(now - 5 * MIN)
            } else {
                t
            };
            comments.push(Comment {
                id: cid,
                update_author: author.clone(),
                author,
                body,
                created_ms: t,
                updated_ms: updated,
                visibility_role: if g.rng.random_bool(0.05) {
                    Some("Developers".into())
                } else {
                    None
                },
            });
        }

        // Worklogs.
        let wr: f64 = g.rng.random();
        let n_wl = if wr < 0.02 {
            g.rng.random_range(21..50)
        } else if wr < 0.55 {
            0
        } else {
            g.rng.random_range(1..6)
        };
        let wtimes = sorted_times(&mut g.rng, n_wl, created_ms + MIN, life_end);
        let mut worklogs = Vec::with_capacity(n_wl);
        for t in wtimes {
            let wid = g.ids.worklog;
            g.ids.worklog += 1;
            let author = g.user_id();
            let comment = if g.rng.random_bool(0.7) {
                Some(g.rich(
                    ikey,
                    Place::WorklogComment { worklog_id: wid },
                    &pkey,
                    false,
                ))
            } else {
                None
            };
            let secs = g.rng.random_range(1..33) * 900;
            let created_w = (t + secs as i64 * 1000).min(now - 5 * MIN);
            let updated_w = if g.rng.random_bool(0.08) {
                (created_w + g.rng.random_range(1..72) * HOUR).min(now - 5 * MIN)
            } else {
                created_w
            };
            worklogs.push(Worklog {
                id: wid,
                update_author: author.clone(),
                author,
                comment,
                started_ms: t,
                time_spent_seconds: secs,
                created_ms: created_w,
                updated_ms: updated_w,
            });
        }

        // Remote links.
        let mut remote_links = Vec::new();
        if g.rng.random_bool(0.12) {
            for _ in 0..g.rng.random_range(1..4) {
                let rid = g.next_remote;
                g.next_remote += 1;
                let n = g.rng.random_range(100..9999);
                let (url, mut title, app, rel, gid) = match g.rng.random_range(0..4) {
                    0 => (
                        format!("https://acme-robotics.atlassian.net/wiki/spaces/ENG/pages/{n}"),
                        format!("Design: {}", pick(&mut g.rng, OBJECTS)),
                        Some((
                            "com.atlassian.confluence".to_owned(),
                            "Confluence".to_owned(),
                        )),
                        Some("Wiki Page".to_owned()),
                        Some(format!("appId=8e3e0fcb&pageId={n}")),
                    ),
                    1 => (
                        format!("https://github.com/acme-robotics/platform/pull/{n}"),
                        format!("{} #{n}", pick(&mut g.rng, OBJECTS)),
                        Some(("com.github".to_owned(), "GitHub".to_owned())),
                        Some("mentioned in".to_owned()),
                        None,
                    ),
                    2 => (
                        format!("https://acme.zendesk.example/agent/tickets/{n}"),
                        format!("Ticket #{n}"),
                        Some(("com.zendesk".to_owned(), "Zendesk".to_owned())),
                        Some("support ticket".to_owned()),
                        Some(format!("zendesk-ticket-{n}")),
                    ),
                    _ => (
                        format!("https://status.acme-robotics.example/incidents/{n}"),
                        "Status page incident".to_owned(),
                        None,
                        None,
                        None,
                    ),
                };
                if g.rng.random_bool((g.cfg.pii_rate * 2.0).min(1.0)) {
                    let kind = *pick(
                        &mut g.rng,
                        &[
                            PiiKind::Email,
                            PiiKind::CustomerName,
                            PiiKind::Phone,
                            PiiKind::Ipv4,
                        ],
                    );
                    let v = g.pii_value(kind);
                    title = format!("{title}: reported by {v}");
                    g.plant(
                        kind,
                        &v,
                        ikey,
                        Place::RemoteLinkTitle {
                            remote_link_id: rid,
                        },
                    );
                }
                remote_links.push(RemoteLink {
                    id: rid,
                    global_id: gid,
                    application: app,
                    relationship: rel,
                    url,
                    title,
                });
            }
        }

        // Attachments.
        let mut attachments = Vec::new();
        if g.rng.random_bool(0.18) {
            for _ in 0..g.rng.random_range(1..4) {
                let aid = g.next_attachment;
                g.next_attachment += 1;
                let t = g.rng.random_range(created_ms..life_end.max(created_ms + 1));
                let (filename, mime) = if g.rng.random_bool((g.cfg.pii_rate * 2.0).min(1.0)) {
                    let kind = *pick(
                        &mut g.rng,
                        &[PiiKind::Email, PiiKind::CustomerName, PiiKind::UserName],
                    );
                    let v = g.pii_value(kind);
                    g.plant(
                        kind,
                        &v,
                        ikey,
                        Place::AttachmentFilename { attachment_id: aid },
                    );
                    match kind {
                        PiiKind::Email => (format!("export {v}.csv"), "text/csv"),
                        _ => (format!("Contract {v}.pdf"), "application/pdf"),
                    }
                } else {
                    match g.rng.random_range(0..4) {
                        0 => (format!("screenshot-{}.png", tz::local_date(t)), "image/png"),
                        1 => (
                            format!("debug-{}.log", g.rng.random_range(1..99)),
                            "text/plain",
                        ),
                        2 => ("heap-dump.hprof.gz".to_owned(), "application/gzip"),
                        _ => (
                            format!("spec-v{}.docx", g.rng.random_range(1..9)),
                            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                        ),
                    }
                };
                attachments.push(Attachment {
                    id: aid,
                    filename,
                    author: g.user_id(),
                    created_ms: t,
                    size: g.rng.random_range(200..5_000_000),
                    mime_type: mime.to_owned(),
                });
            }
        }

        // Custom fields.
        let mut custom: Vec<(String, Value)> = Vec::new();
        let software = project.project_type_key == "software";
        let mut sprint_ids = Vec::new();
        if let Some(&board) = sprint_boards.get(&pid)
            && issue_type != "Epic"
            && g.rng.random_bool(0.8)
        {
            let on_board: Vec<&Sprint> = sprints.iter().filter(|s| s.board_id == board).collect();
            if let Some(pos) = on_board
                .iter()
                .position(|s| s.end_ms.map(|e| e > created_ms).unwrap_or(true))
            {
                sprint_ids.push(on_board[pos].id);
                if g.rng.random_bool(0.25)
                    && let Some(next) = on_board.get(pos + 1)
                {
                    sprint_ids.push(next.id);
                }
            }
            if !sprint_ids.is_empty() {
                let arr: Vec<Value> = sprint_ids
                    .iter()
                    .filter_map(|id| sprints.iter().find(|s| s.id == *id))
                    .map(sprint_json)
                    .collect();
                custom.push((cf::SPRINT.into(), Value::Array(arr)));
            }
        }
        if software && issue_type != "Epic" && g.rng.random_bool(0.6) {
            custom.push((
                cf::STORY_POINTS.into(),
                json!(*pick(&mut g.rng, &[1.0, 2.0, 3.0, 5.0, 8.0, 13.0])),
            ));
        }
        if issue_type == "Epic" {
            custom.push((
                cf::EPIC_NAME.into(),
                json!(format!("{} epic", pick(&mut g.rng, OBJECTS))),
            ));
            custom.push((cf::START_DATE.into(), json!(tz::local_date(created_ms))));
        }
        if let Some(pi) = parent_id.and_then(|p| issues.get(p))
            && pi.issue_type == "Epic"
        {
            custom.push((cf::EPIC_LINK.into(), json!(pi.key)));
        }
        custom.push((cf::RANK.into(), json!(format!("0|i{:05}:", id - 10000))));
        if g.rng
            .random_bool(if project.project_type_key == "service_desk" {
                0.6
            } else {
                0.1
            })
        {
            let v = if g.rng.random_bool((g.cfg.pii_rate * 5.0).min(1.0)) {
                let kind = *pick(
                    &mut g.rng,
                    &[
                        PiiKind::Email,
                        PiiKind::Phone,
                        PiiKind::CustomerName,
                        PiiKind::Iban,
                        PiiKind::PaymentCard,
                        PiiKind::NationalId,
                    ],
                );
                let v = g.pii_value(kind);
                g.plant(
                    kind,
                    &v,
                    ikey,
                    Place::CustomField {
                        field_id: cf::CONTACT.into(),
                    },
                );
                format!("Contact: {v}")
            } else {
                "Contact via the support portal".to_owned()
            };
            custom.push((cf::CONTACT.into(), json!(v)));
        }
        if issue_type == "Bug" {
            if g.rng.random_bool(0.3) {
                let t = g.rich(
                    ikey,
                    Place::CustomField {
                        field_id: cf::ROOT_CAUSE.into(),
                    },
                    &pkey,
                    false,
                );
                custom.push((cf::ROOT_CAUSE.into(), t.to_adf()));
            }
            let sev = g.rng.random_range(0..4u64);
            custom.push((cf::SEVERITY.into(), json!({"value": format!("S{} - {}", sev + 1, ["Critical", "Major", "Minor", "Trivial"][sev as usize]), "id": (10100 + sev).to_string()})));
        }
        if g.rng.random_bool(0.25) {
            let all = [
                ("Web", "10110"),
                ("iOS", "10111"),
                ("Android", "10112"),
                ("Desktop", "10113"),
            ];
            let opts: Vec<Value> = all
                .iter()
                .filter(|_| g.rng.random_bool(0.5))
                .map(|(v, id)| json!({"value": v, "id": id}))
                .collect();
            custom.push((cf::PLATFORMS.into(), Value::Array(opts)));
        }
        if g.rng.random_bool(0.15) {
            custom.push((
                cf::REVIEW_DATE.into(),
                json!(tz::local_date(created_ms + g.rng.random_range(1..60) * DAY)),
            ));
        }
        if project.project_type_key == "service_desk" && g.rng.random_bool(0.4) {
            custom.push((
                cf::INCIDENT_START.into(),
                json!(tz::jira_timestamp(
                    created_ms - g.rng.random_range(1..600) * MIN
                )),
            ));
        }
        if g.rng.random_bool(0.2) {
            let u = g.user_id();
            custom.push((cf::REVIEWER.into(), json!({"accountId": u})));
        }
        if g.rng.random_bool(0.12) {
            let list: Vec<Value> = (0..g.rng.random_range(1..4))
                .map(|_| json!({"accountId": g.user_id()}))
                .collect();
            custom.push((cf::STAKEHOLDERS.into(), Value::Array(list)));
        }
        if g.rng.random_bool(0.1) {
            custom.push((
                cf::CUSTOMER_TAGS.into(),
                json!([pick(
                    &mut g.rng,
                    &["enterprise", "trial", "churn-risk", "vip"]
                )]),
            ));
        }
        if g.rng.random_bool(0.08) {
            custom.push((
                cf::RUNBOOK.into(),
                json!(format!(
                    "https://wiki.acme-robotics.example/runbooks/{}",
                    g.rng.random_range(1..200)
                )),
            ));
        }
        if g.rng.random_bool(0.1) {
            custom.push((
                cf::COST.into(),
                json!(f64::from(g.rng.random_range(100..50_000u32)) / 4.0),
            ));
        }
        if g.rng.random_bool(0.3) {
            let (t, tid, c, cid) = *pick(
                &mut g.rng,
                &[
                    ("Platform", "10200", "Storage", "10210"),
                    ("Platform", "10200", "Networking", "10211"),
                    ("Product", "10201", "Growth", "10212"),
                    ("Product", "10201", "Payments", "10213"),
                ],
            );
            custom.push((
                cf::TEAM.into(),
                json!({"value": t, "id": tid, "child": {"value": c, "id": cid}}),
            ));
        }
        if status == "Blocked" {
            custom.push((
                cf::FLAGGED.into(),
                json!([{"value": "Impediment", "id": "10019"}]),
            ));
        }
        if g.rng.random_bool(0.2) {
            custom.push((
                cf::ENV_TYPE.into(),
                json!(*pick(
                    &mut g.rng,
                    &[
                        json!({"value": "Production", "id": "10300"}),
                        json!({"value": "Staging", "id": "10301"})
                    ]
                )),
            ));
        }
        custom.sort_by(|a, b| a.0.cmp(&b.0));

        let security_level = {
            let s: f64 = g.rng.random();
            if s < 0.01 {
                Some(10101)
            } else if s < 0.04 {
                Some(10100)
            } else {
                None
            }
        };
        let components = {
            let c = &project.components;
            if g.rng.random_bool(0.6) {
                vec![c[g.rng.random_range(0..c.len())].0]
            } else {
                Vec::new()
            }
        };
        let fix_versions = if status == "Done" && g.rng.random_bool(0.6) {
            vec![project.versions[g.rng.random_range(0..project.versions.len())].0]
        } else {
            Vec::new()
        };
        let versions = if issue_type == "Bug" && g.rng.random_bool(0.5) {
            vec![project.versions[g.rng.random_range(0..project.versions.len())].0]
        } else {
            Vec::new()
        };
        let due_date = if g.rng.random_bool(0.2) {
            Some(tz::local_date(created_ms + g.rng.random_range(3..60) * DAY))
        } else {
            None
        };
        if !labels.is_empty() || g.rng.random_bool(0.3) {
            let l = (*pick(&mut g.rng, LABELS)).to_owned();
            if !labels.contains(&l) && labels.is_empty() {
                labels.push(l);
            }
        }
        let _ = status_change;
        let updated_ms = std::iter::once(created_ms)
            .chain(histories.iter().map(|h| h.created_ms))
            .chain(comments.iter().map(|c| c.updated_ms))
            .chain(worklogs.iter().map(|w| w.updated_ms))
            .max()
            .unwrap_or(created_ms);

        let parent_issue_id = parent_id.and_then(|p| issues.get(p).map(|i| i.id));
        if issue_type == "Subtask"
            && let Some(pi) = parent_id.and_then(|p| issues.get_mut(p))
        {
            pi.subtask_ids.push(id);
        }
        match issue_type {
            "Epic" => epics.entry(pid).or_default().push(idx),
            "Subtask" => {}
            _ => standard.entry(pid).or_default().push(idx),
        }
        let est = if g.rng.random_bool(0.3) {
            Some(g.rng.random_range(1..40) * 3600)
        } else {
            None
        };
        issues.push(Issue {
            id,
            key,
            project_id: pid,
            issue_type: issue_type.to_owned(),
            summary,
            description,
            environment,
            status: status.to_owned(),
            priority: priority.to_owned(),
            resolution: resolution.map(str::to_owned),
            resolution_ms,
            created_ms,
            updated_ms,
            due_date,
            labels,
            components,
            fix_versions,
            versions,
            parent_id: parent_issue_id,
            subtask_ids: Vec::new(),
            reporter,
            assignee,
            creator,
            votes: g.rng.random_range(0..4),
            watches: g.rng.random_range(1..6),
            original_estimate_secs: est,
            links: Vec::new(),
            attachments,
            security_level,
            visible_to_owner: true,
            comments,
            histories,
            worklogs,
            remote_links,
            sprint_ids,
            custom_fields: custom,
        });

        // Links to a recent earlier issue.
        if idx > 0 && g.rng.random_bool(0.12) {
            let lo = idx.saturating_sub(200);
            let other = g.rng.random_range(lo..idx);
            let ty = *pick(&mut g.rng, &["Blocks", "Relates", "Duplicate", "Cloners"]);
            let lid = g.next_link;
            g.next_link += 1;
            let other_id = issues[other].id;
            issues[idx].links.push(IssueLink {
                id: lid,
                type_name: ty.into(),
                direction: LinkDirection::Outward,
                other_issue_id: other_id,
            });
            issues[other].links.push(IssueLink {
                id: lid,
                type_name: ty.into(),
                direction: LinkDirection::Inward,
                other_issue_id: id,
            });
        }
    }

    let mut org = Org {
        config: cfg.clone(),
        now_ms: now,
        owner_account_id: owner,
        users: g.users,
        projects,
        security_levels,
        boards,
        sprints,
        fields: make_fields(),
        issues,
        deleted_worklogs: Vec::new(),
        planted: g.planted,
        next_id: g.ids,
        index: Index::default(),
    };
    org.rebuild_index();
    org.recompute_visibility();
    org
}

pub(crate) fn resolution_id(name: &str) -> &'static str {
    match name {
        "Done" => "10000",
        "Won't Do" => "10001",
        _ => "10002",
    }
}
