//! What the receiver hands to a [`Processor`]: issue ids and event kinds, nothing else.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// One accepted webhook event: which issue changed and how, never any payload content.
///
/// The payload is not trusted for content: a processor re-fetches the issue with the
/// engineer's own credentials. A delivery that names two issues (an issue link) becomes
/// two events with the same [`delivery_id`](Event::delivery_id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Position in the journal: increases by one per accepted event and never repeats
    /// for a data directory. Batches are handed over in `seq` order.
    pub seq: u64,
    /// The Jira issue id (not the key: keys change when issues move).
    pub issue_id: u64,
    /// What happened to the issue.
    pub kind: EventKind,
    /// The validated `X-Atlassian-Webhook-Identifier` of the delivery, if Jira sent one.
    pub delivery_id: Option<DeliveryId>,
    /// When the receiver accepted the event, in Unix epoch milliseconds.
    pub received_ms: i64,
}

impl Event {
    /// An event for `issue_id`, as a test or a replay tool would build it.
    ///
    /// ```
    /// use jirafe_webhook::{Event, EventKind};
    /// let e = Event::new(10040, EventKind::IssueDeleted);
    /// assert!(e.kind.is_issue_deletion());
    /// ```
    pub fn new(issue_id: u64, kind: EventKind) -> Self {
        Self {
            seq: 0,
            issue_id,
            kind,
            delivery_id: None,
            received_ms: 0,
        }
    }
}

/// The kind of change, from the payload's `webhookEvent`.
///
/// Only the kind is kept; the event name string itself is never stored or logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventKind {
    /// `jira:issue_created`.
    IssueCreated,
    /// `jira:issue_updated` (Jira also sends it for comments and transitions).
    IssueUpdated,
    /// `jira:issue_deleted`. Confirm with a re-fetch (404) before deleting rows.
    IssueDeleted,
    /// `comment_created`.
    CommentCreated,
    /// `comment_updated`.
    CommentUpdated,
    /// `comment_deleted`.
    CommentDeleted,
    /// `worklog_created`.
    WorklogCreated,
    /// `worklog_updated`.
    WorklogUpdated,
    /// `worklog_deleted`.
    WorklogDeleted,
    /// `issuelink_created` (one event per linked issue).
    IssueLinkCreated,
    /// `issuelink_deleted` (one event per linked issue).
    IssueLinkDeleted,
    /// Any other well-formed event name whose payload names an issue.
    Other,
}

impl EventKind {
    /// Every kind, in journal-code order.
    pub const ALL: [EventKind; 12] = [
        EventKind::IssueCreated,
        EventKind::IssueUpdated,
        EventKind::IssueDeleted,
        EventKind::CommentCreated,
        EventKind::CommentUpdated,
        EventKind::CommentDeleted,
        EventKind::WorklogCreated,
        EventKind::WorklogUpdated,
        EventKind::WorklogDeleted,
        EventKind::IssueLinkCreated,
        EventKind::IssueLinkDeleted,
        EventKind::Other,
    ];

    /// The kind for a Jira `webhookEvent` name; unknown names are [`EventKind::Other`].
    ///
    /// ```
    /// use jirafe_webhook::EventKind;
    /// assert_eq!(EventKind::from_webhook_event("jira:issue_deleted"), EventKind::IssueDeleted);
    /// assert_eq!(EventKind::from_webhook_event("sprint_started"), EventKind::Other);
    /// ```
    pub fn from_webhook_event(name: &str) -> Self {
        match name {
            "jira:issue_created" => Self::IssueCreated,
            "jira:issue_updated" => Self::IssueUpdated,
            "jira:issue_deleted" => Self::IssueDeleted,
            "comment_created" => Self::CommentCreated,
            "comment_updated" => Self::CommentUpdated,
            "comment_deleted" => Self::CommentDeleted,
            "worklog_created" => Self::WorklogCreated,
            "worklog_updated" => Self::WorklogUpdated,
            "worklog_deleted" => Self::WorklogDeleted,
            "issuelink_created" => Self::IssueLinkCreated,
            "issuelink_deleted" => Self::IssueLinkDeleted,
            _ => Self::Other,
        }
    }

    /// A stable lower-case name, used in the journal and in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::IssueCreated => "issue_created",
            Self::IssueUpdated => "issue_updated",
            Self::IssueDeleted => "issue_deleted",
            Self::CommentCreated => "comment_created",
            Self::CommentUpdated => "comment_updated",
            Self::CommentDeleted => "comment_deleted",
            Self::WorklogCreated => "worklog_created",
            Self::WorklogUpdated => "worklog_updated",
            Self::WorklogDeleted => "worklog_deleted",
            Self::IssueLinkCreated => "issuelink_created",
            Self::IssueLinkDeleted => "issuelink_deleted",
            Self::Other => "other",
        }
    }

    /// The kind for a name produced by [`EventKind::as_str`].
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether Jira says the issue itself was deleted. The processor should confirm it
    /// (the re-fetch answers 404) before removing rows, and record a deletion.
    pub fn is_issue_deletion(self) -> bool {
        self == Self::IssueDeleted
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A validated `X-Atlassian-Webhook-Identifier`: 1 to 128 ASCII letters, digits, `.`,
/// `_`, `:` or `-`. Jira repeats it on every retry of one delivery.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeliveryId(String);

impl DeliveryId {
    /// The longest identifier accepted.
    pub const MAX_LEN: usize = 128;

    /// Validates an identifier; `None` if it is empty, too long or has any other byte.
    ///
    /// ```
    /// use jirafe_webhook::DeliveryId;
    /// assert!(DeliveryId::parse("6a1e2c44-9f1b-4c1e-9d7a-0b5f0d3f2a11").is_some());
    /// assert!(DeliveryId::parse("../x").is_none());
    /// assert!(DeliveryId::parse("a b").is_none());
    /// ```
    pub fn parse(s: &str) -> Option<Self> {
        let ok = !s.is_empty()
            && s.len() <= Self::MAX_LEN
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
            && s != "."
            && !s.contains("..");
        ok.then(|| Self(s.to_owned()))
    }

    /// The identifier.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DeliveryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a batch could not be processed now. The whole batch is retried later with backoff;
/// nothing is dropped.
///
/// Its message must carry no user content (it is logged): wrap errors that follow the
/// jirafe rule (ids and counts only).
#[derive(Debug, thiserror::Error)]
#[error("{source}")]
pub struct ProcessError {
    #[source]
    source: Box<dyn std::error::Error + Send + Sync + 'static>,
    retry_after: Option<Duration>,
}

impl ProcessError {
    /// A retryable failure.
    ///
    /// ```
    /// use jirafe_webhook::ProcessError;
    /// let e = ProcessError::new("warehouse unavailable");
    /// assert_eq!(e.to_string(), "warehouse unavailable");
    /// ```
    pub fn new(source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>) -> Self {
        Self {
            source: source.into(),
            retry_after: None,
        }
    }

    /// Asks the worker to wait at least `delay` before the retry (for example Jira's
    /// `Retry-After`). The worker still caps it at its maximum backoff.
    pub fn with_retry_after(mut self, delay: Duration) -> Self {
        self.retry_after = Some(delay);
        self
    }

    /// The delay asked for with [`ProcessError::with_retry_after`].
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}

/// Turns accepted events into warehouse rows.
///
/// The worker calls [`process`](Processor::process) with batches in journal order, one
/// batch at a time. `Ok` means every event of the batch is durably handled (written,
/// deleted, or deliberately skipped and recorded); the batch is then marked processed in
/// the journal. `Err` means "try again later": the same events come back after a backoff.
/// An event whose issue can never be processed (no longer visible, security level) must
/// be recorded and answered with `Ok`, or it blocks the queue.
///
/// Processing must be idempotent: after a crash, events accepted but not yet marked
/// processed are handed over again, and the same issue may appear twice in a batch.
///
/// ```
/// use jirafe_webhook::{Event, ProcessError, Processor};
///
/// struct CountIssues(std::sync::atomic::AtomicUsize);
///
/// #[async_trait::async_trait]
/// impl Processor for CountIssues {
///     async fn process(&self, events: &[Event]) -> Result<(), ProcessError> {
///         self.0.fetch_add(events.len(), std::sync::atomic::Ordering::Relaxed);
///         Ok(())
///     }
/// }
/// ```
#[async_trait::async_trait]
pub trait Processor: Send + Sync + 'static {
    /// Processes a batch of accepted events (ids only).
    ///
    /// # Errors
    ///
    /// Any error makes the worker retry the whole batch after a backoff.
    async fn process(&self, events: &[Event]) -> Result<(), ProcessError>;
}

#[async_trait::async_trait]
impl<P: Processor + ?Sized> Processor for Arc<P> {
    async fn process(&self, events: &[Event]) -> Result<(), ProcessError> {
        (**self).process(events).await
    }
}

#[async_trait::async_trait]
impl<P: Processor + ?Sized> Processor for Box<P> {
    async fn process(&self, events: &[Event]) -> Result<(), ProcessError> {
        (**self).process(events).await
    }
}
