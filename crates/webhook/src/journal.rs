//! The durable journal: ids only, appended and fsynced before a delivery is acknowledged.
//!
//! # Format
//!
//! One file, `journal.log`, of ASCII lines, each ending in a CRC-32 of the rest of the
//! line as 8 hex digits:
//!
//! ```text
//! H 1 <next_seq> <processed_upto> <crc>          header, first line after a compaction
//! K <fingerprint:32 hex> <received_ms> <crc>     a remembered delivery id (dedup)
//! E <seq> <issue_id> <kind> <received_ms> <delivery|-> <crc>   an accepted event
//! P <seq> <crc>                                  every event up to seq is processed
//! ```
//!
//! A line that is torn (no newline at the end of the file) or fails its checksum is
//! skipped and counted; the lines around it still count. On open, the journal is read,
//! and rewritten compacted (header, dedup entries, unprocessed events) to `journal.tmp`,
//! fsynced and renamed over `journal.log`; the directory is fsynced too. The same
//! compaction runs while serving once the file has grown past a threshold.
//!
//! # Group commit
//!
//! One writer thread owns the file. Request handlers send it their events and wait. The
//! thread takes every message waiting, writes them with one `write`, calls `fdatasync`
//! once, and only then answers all of them: many concurrent deliveries share one fsync.
//! After a failed write or sync the journal refuses everything (the state of the file
//! is unknown); a restart replays what was durable.

use std::collections::{HashSet, VecDeque};
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};
use tokio::sync::{Notify, mpsc, oneshot};

use crate::error::{Error, Result};
use crate::event::{DeliveryId, Event, EventKind};
use crate::lock::DirLock;

pub(crate) const JOURNAL_FILE: &str = "journal.log";
pub(crate) const JOURNAL_TMP: &str = "journal.tmp";
const MAX_GROUP: usize = 4096;
const CHANNEL: usize = 8192;

/// Settings of the journal (set through the receiver builder).
#[derive(Debug, Clone)]
pub(crate) struct JournalOptions {
    pub(crate) dedup_capacity: usize,
    pub(crate) dedup_window_ms: i64,
    pub(crate) compact_threshold: u64,
}

/// Counters and the unprocessed queue, shared by the handlers, the writer and the worker.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    pending: Mutex<VecDeque<Event>>,
    pub(crate) notify: Notify,
    pub(crate) depth: AtomicUsize,
    pub(crate) journal_ok: AtomicBool,
    pub(crate) accepted: AtomicU64,
    pub(crate) duplicates: AtomicU64,
    pub(crate) rejected: AtomicU64,
    pub(crate) processed: AtomicU64,
    pub(crate) process_failures: AtomicU64,
    pub(crate) consecutive_failures: AtomicU64,
    pub(crate) last_processed_ms: AtomicI64,
    pub(crate) recovered: AtomicU64,
    pub(crate) corrupt_skipped: AtomicU64,
}

impl Shared {
    pub(crate) fn pending(&self) -> MutexGuard<'_, VecDeque<Event>> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push_pending(&self, events: Vec<Event>) {
        if events.is_empty() {
            return;
        }
        let n = events.len();
        self.pending().extend(events);
        self.depth.fetch_add(n, Ordering::Release);
        self.notify.notify_one();
    }
}

/// What an append came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Appended {
    /// Durable; events got `first_seq..first_seq + count`.
    Accepted { first_seq: u64, count: usize },
    /// The delivery id was seen before; the first copy is durable.
    Duplicate,
}

enum Msg {
    Append {
        issue_ids: Vec<u64>,
        kind: EventKind,
        delivery: Option<DeliveryId>,
        received_ms: i64,
        reply: oneshot::Sender<Result<Appended, ()>>,
    },
    Processed {
        upto: u64,
    },
    Close {
        reply: oneshot::Sender<()>,
    },
}

/// A cheap handle to the writer thread.
#[derive(Debug, Clone)]
pub(crate) struct Journal {
    tx: mpsc::Sender<Msg>,
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Msg")
    }
}

impl Journal {
    /// Appends the events of one delivery; resolves once they are durable.
    pub(crate) async fn append(
        &self,
        issue_ids: Vec<u64>,
        kind: EventKind,
        delivery: Option<DeliveryId>,
    ) -> Result<Appended> {
        let (reply, rx) = oneshot::channel();
        let msg = Msg::Append {
            issue_ids,
            kind,
            delivery,
            received_ms: now_ms(),
            reply,
        };
        self.tx.send(msg).await.map_err(|_| Error::JournalClosed)?;
        match rx.await {
            Ok(Ok(a)) => Ok(a),
            _ => Err(Error::JournalClosed),
        }
    }

    /// Records that every event up to `upto` is processed (not awaited: losing it only
    /// means the events are handed over again after a restart).
    pub(crate) async fn mark_processed(&self, upto: u64) {
        let _ = self.tx.send(Msg::Processed { upto }).await;
    }

    /// Flushes, releases the data directory and stops the writer thread.
    pub(crate) async fn close(&self) {
        let (reply, rx) = oneshot::channel();
        if self.tx.send(Msg::Close { reply }).await.is_ok() {
            let _ = rx.await;
        }
    }
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn fingerprint(id: &DeliveryId) -> u128 {
    let digest = Sha256::digest(id.as_str().as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    u128::from_be_bytes(b)
}

/// Delivery ids seen recently: bounded by count and by age.
#[derive(Debug)]
struct Dedup {
    order: VecDeque<(u128, i64)>,
    set: HashSet<u128>,
    capacity: usize,
    window_ms: i64,
}

impl Dedup {
    fn new(capacity: usize, window_ms: i64) -> Self {
        Self {
            order: VecDeque::new(),
            set: HashSet::new(),
            capacity,
            window_ms,
        }
    }

    fn contains(&self, fp: u128) -> bool {
        self.set.contains(&fp)
    }

    fn insert(&mut self, fp: u128, at_ms: i64, now: i64) {
        if self.capacity == 0 || !self.set.insert(fp) {
            return;
        }
        self.order.push_back((fp, at_ms));
        self.prune(now);
    }

    fn prune(&mut self, now: i64) {
        while let Some(&(fp, at)) = self.order.front() {
            if self.order.len() > self.capacity || at < now.saturating_sub(self.window_ms) {
                self.order.pop_front();
                self.set.remove(&fp);
            } else {
                break;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Record lines

const fn crc_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

static CRC_TABLE: [u32; 256] = crc_table();

/// CRC-32 (IEEE 802.3), as used by zip and PNG.
fn crc32(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c = CRC_TABLE[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

fn push_line(buf: &mut Vec<u8>, content: std::fmt::Arguments<'_>) {
    let start = buf.len();
    // Writing into a Vec cannot fail.
    let _ = buf.write_fmt(content);
    let crc = crc32(buf.get(start..).unwrap_or_default());
    let _ = writeln!(buf, " {crc:08x}");
}

fn push_event(buf: &mut Vec<u8>, e: &Event) {
    let delivery = e.delivery_id.as_ref().map_or("-", DeliveryId::as_str);
    push_line(
        buf,
        format_args!(
            "E {} {} {} {} {}",
            e.seq,
            e.issue_id,
            e.kind.as_str(),
            e.received_ms,
            delivery
        ),
    );
}

#[derive(Debug, PartialEq, Eq)]
enum Record {
    Header { next_seq: u64, processed_upto: u64 },
    Dedup { fp: u128, at_ms: i64 },
    Event(Event),
    Processed { upto: u64 },
}

fn parse_line(line: &[u8]) -> Option<Record> {
    let line = std::str::from_utf8(line).ok()?;
    if !line.is_ascii() {
        return None;
    }
    let (content, crc) = line.rsplit_once(' ')?;
    if crc.len() != 8 || u32::from_str_radix(crc, 16).ok()? != crc32(content.as_bytes()) {
        return None;
    }
    let mut f = content.split(' ');
    let rec = match f.next()? {
        "H" => {
            if f.next()? != "1" {
                return None;
            }
            Record::Header {
                next_seq: f.next()?.parse().ok()?,
                processed_upto: f.next()?.parse().ok()?,
            }
        }
        "K" => {
            let hex = f.next()?;
            if hex.len() != 32 {
                return None;
            }
            Record::Dedup {
                fp: u128::from_str_radix(hex, 16).ok()?,
                at_ms: f.next()?.parse().ok()?,
            }
        }
        "E" => {
            let seq = f.next()?.parse().ok()?;
            let issue_id = crate::payload::parse_issue_id(f.next()?)?;
            let kind = EventKind::from_name(f.next()?)?;
            let received_ms = f.next()?.parse().ok()?;
            let delivery_id = match f.next()? {
                "-" => None,
                d => Some(DeliveryId::parse(d)?),
            };
            Record::Event(Event {
                seq,
                issue_id,
                kind,
                delivery_id,
                received_ms,
            })
        }
        "P" => Record::Processed {
            upto: f.next()?.parse().ok()?,
        },
        _ => return None,
    };
    f.next().is_none().then_some(rec)
}

// ---------------------------------------------------------------------------------------
// Recovery

/// What reading a journal file found.
#[derive(Debug, Default)]
struct Recovered {
    next_seq: u64,
    processed_upto: u64,
    pending: Vec<Event>,
    dedup: Vec<(u128, i64)>,
    bad_lines: u64,
}

fn recover(bytes: &[u8]) -> Recovered {
    let mut r = Recovered {
        next_seq: 1,
        ..Default::default()
    };
    let mut events = Vec::new();
    let mut lines = bytes.split(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        let last = lines.peek().is_none();
        if last {
            // The piece after the final newline: empty, or a torn write.
            if !line.is_empty() {
                r.bad_lines += 1;
            }
            break;
        }
        match parse_line(line) {
            Some(Record::Header {
                next_seq,
                processed_upto,
            }) => {
                r.next_seq = r.next_seq.max(next_seq);
                r.processed_upto = r.processed_upto.max(processed_upto);
            }
            Some(Record::Dedup { fp, at_ms }) => r.dedup.push((fp, at_ms)),
            Some(Record::Event(e)) => {
                r.next_seq = r.next_seq.max(e.seq.saturating_add(1));
                if let Some(d) = &e.delivery_id {
                    r.dedup.push((fingerprint(d), e.received_ms));
                }
                events.push(e);
            }
            Some(Record::Processed { upto }) => r.processed_upto = r.processed_upto.max(upto),
            None => r.bad_lines += 1,
        }
    }
    events.sort_by_key(|e| e.seq);
    events.dedup_by_key(|e| e.seq);
    r.pending = events
        .into_iter()
        .filter(|e| e.seq > r.processed_upto)
        .collect();
    r.dedup.sort_by_key(|&(_, at)| at);
    r
}

// ---------------------------------------------------------------------------------------
// Opening and the writer thread

fn journal_err(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Journal {
        path: path.to_path_buf(),
        source,
    }
}

fn open_append(path: &Path) -> std::io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Creates the data directory (mode 0700 on Unix) if needed.
pub(crate) fn create_data_dir(dir: &Path) -> Result<()> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir).map_err(|source| Error::DataDir {
        path: dir.to_path_buf(),
        source,
    })
}

/// Opens (or creates) the journal in `dir`, replays it, and starts the writer thread.
pub(crate) fn open(dir: &Path, opts: JournalOptions) -> Result<Journal> {
    create_data_dir(dir)?;
    let lock = DirLock::acquire(dir)?;
    let path = dir.join(JOURNAL_FILE);
    let tmp = dir.join(JOURNAL_TMP);
    match fs::remove_file(&tmp) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => return Err(journal_err(&tmp)(e)),
    }
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(journal_err(&path)(e)),
    };
    let rec = recover(&bytes);
    let now = now_ms();
    let mut dedup = Dedup::new(opts.dedup_capacity, opts.dedup_window_ms);
    for &(fp, at) in &rec.dedup {
        dedup.insert(fp, at, now);
    }
    let shared = Arc::new(Shared::default());
    shared
        .recovered
        .store(rec.pending.len() as u64, Ordering::Relaxed);
    shared
        .corrupt_skipped
        .store(rec.bad_lines, Ordering::Relaxed);
    if rec.bad_lines > 0 {
        tracing::warn!(
            target: "jirafe_webhook",
            skipped = rec.bad_lines,
            "journal had torn or corrupt lines; they were skipped"
        );
    }
    if !rec.pending.is_empty() {
        tracing::info!(
            target: "jirafe_webhook",
            events = rec.pending.len(),
            "replaying unprocessed events from the journal"
        );
    }
    let mut writer = Writer {
        dir: dir.to_path_buf(),
        path,
        file: None,
        len: 0,
        compacted_len: 0,
        threshold: opts.compact_threshold,
        next_seq: rec.next_seq,
        processed_upto: rec.processed_upto,
        dedup,
        shared: Arc::clone(&shared),
        poisoned: false,
        background: None,
        _lock: lock,
    };
    writer.compact(&rec.pending)?;
    shared.journal_ok.store(true, Ordering::Release);
    shared.push_pending(rec.pending);

    let (tx, rx) = mpsc::channel(CHANNEL);
    std::thread::Builder::new()
        .name("jirafe-webhook-journal".into())
        .spawn(move || writer.run(rx))
        .map_err(|source| Error::Journal {
            path: dir.join(JOURNAL_FILE),
            source,
        })?;
    Ok(Journal { tx, shared })
}

struct Writer {
    dir: PathBuf,
    path: PathBuf,
    file: Option<File>,
    len: u64,
    compacted_len: u64,
    threshold: u64,
    next_seq: u64,
    processed_upto: u64,
    dedup: Dedup,
    shared: Arc<Shared>,
    poisoned: bool,
    background: Option<Background>,
    _lock: DirLock,
}

type Reply = (oneshot::Sender<Result<Appended, ()>>, Appended);

impl Writer {
    fn run(mut self, mut rx: mpsc::Receiver<Msg>) {
        let mut buf = Vec::with_capacity(64 * 1024);
        let mut replies: Vec<Reply> = Vec::new();
        let mut staged: Vec<Event> = Vec::new();
        let mut msgs = Vec::new();
        while let Some(first) = rx.blocking_recv() {
            msgs.push(first);
            while msgs.len() < MAX_GROUP {
                match rx.try_recv() {
                    Ok(m) => msgs.push(m),
                    Err(_) => break,
                }
            }
            let mut close = None;
            let now = now_ms();
            for msg in msgs.drain(..) {
                match msg {
                    Msg::Append {
                        issue_ids,
                        kind,
                        delivery,
                        received_ms,
                        reply,
                    } => {
                        if self.poisoned {
                            let _ = reply.send(Err(()));
                            continue;
                        }
                        if let Some(d) = &delivery {
                            let fp = fingerprint(d);
                            if self.dedup.contains(fp) {
                                replies.push((reply, Appended::Duplicate));
                                continue;
                            }
                            self.dedup.insert(fp, received_ms, now);
                        }
                        let first_seq = self.next_seq;
                        for issue_id in &issue_ids {
                            let e = Event {
                                seq: self.next_seq,
                                issue_id: *issue_id,
                                kind,
                                delivery_id: delivery.clone(),
                                received_ms,
                            };
                            self.next_seq += 1;
                            push_event(&mut buf, &e);
                            staged.push(e);
                        }
                        replies.push((
                            reply,
                            Appended::Accepted {
                                first_seq,
                                count: issue_ids.len(),
                            },
                        ));
                    }
                    Msg::Processed { upto } => {
                        if !self.poisoned && upto > self.processed_upto {
                            self.processed_upto = upto;
                            push_line(&mut buf, format_args!("P {upto}"));
                        }
                    }
                    Msg::Close { reply } => close = Some(reply),
                }
            }
            let ok = !self.poisoned && (buf.is_empty() || self.commit(&buf));
            if ok && let Some(bg) = self.background.as_mut() {
                bg.tail.extend_from_slice(&buf);
            }
            buf.clear();
            if ok {
                let accepted = staged.len() as u64;
                self.shared.push_pending(std::mem::take(&mut staged));
                self.shared.accepted.fetch_add(accepted, Ordering::Relaxed);
                for (reply, outcome) in replies.drain(..) {
                    if outcome == Appended::Duplicate {
                        self.shared.duplicates.fetch_add(1, Ordering::Relaxed);
                    }
                    let _ = reply.send(Ok(outcome));
                }
            } else {
                staged.clear();
                for (reply, _) in replies.drain(..) {
                    let _ = reply.send(Err(()));
                }
            }
            if let Some(reply) = close {
                self.finish_background();
                self.file = None;
                self.shared.journal_ok.store(false, Ordering::Release);
                drop(self);
                let _ = reply.send(());
                return;
            }
            self.maybe_compact();
        }
        self.shared.journal_ok.store(false, Ordering::Release);
    }

    /// Writes and fsyncs one group. On failure the journal is poisoned.
    fn commit(&mut self, buf: &[u8]) -> bool {
        let result = match self.file.as_mut() {
            Some(f) => f.write_all(buf).and_then(|()| f.sync_data()),
            None => Err(std::io::Error::other("journal file is not open")),
        };
        match result {
            Ok(()) => {
                self.len += buf.len() as u64;
                true
            }
            Err(e) => {
                tracing::error!(
                    target: "jirafe_webhook",
                    error = %e,
                    "journal write failed; refusing deliveries until restarted"
                );
                self.poison();
                false
            }
        }
    }

    fn poison(&mut self) {
        self.poisoned = true;
        self.file = None;
        self.shared.journal_ok.store(false, Ordering::Release);
    }

    /// Starts a compaction in the background when the file has grown enough, or installs
    /// a finished one. The writer keeps appending meanwhile; what it commits after the
    /// snapshot (the tail) is appended to the new file before it replaces the old one, so
    /// only that short step holds up deliveries.
    fn maybe_compact(&mut self) {
        if self.poisoned {
            return;
        }
        if let Some(bg) = &self.background {
            if bg.handle.is_finished() {
                self.finish_background();
            }
            return;
        }
        if self.len < self.threshold || self.len < self.compacted_len.saturating_mul(2) {
            return;
        }
        let snapshot = self.snapshot();
        let dir = self.dir.clone();
        let spawned = std::thread::Builder::new()
            .name("jirafe-webhook-compact".into())
            .spawn(move || write_tmp(&dir, &snapshot.to_bytes()));
        match spawned {
            Ok(handle) => {
                self.background = Some(Background {
                    handle,
                    tail: Vec::new(),
                })
            }
            Err(e) => {
                tracing::warn!(target: "jirafe_webhook", error = %e, "journal compaction not started");
                self.compacted_len = self.len;
            }
        }
    }

    /// Waits for the background compaction, if any, and installs it.
    fn finish_background(&mut self) {
        let Some(bg) = self.background.take() else {
            return;
        };
        let result = match bg.handle.join() {
            Ok(r) if !self.poisoned => r.and_then(|len| self.install(len, &bg.tail)),
            Ok(_) => return,
            Err(_) => Err(Error::JournalClosed),
        };
        if let Err(e) = result {
            tracing::warn!(target: "jirafe_webhook", error = %e, "journal compaction failed");
            if self.file.is_none() {
                self.poison();
            } else {
                // Try again after as much growth again.
                self.compacted_len = self.len;
            }
        }
    }

    fn snapshot(&mut self) -> Snapshot {
        self.dedup.prune(now_ms());
        let processed_upto = self.processed_upto;
        Snapshot {
            next_seq: self.next_seq,
            processed_upto,
            dedup: self.dedup.order.iter().copied().collect(),
            pending: self
                .shared
                .pending()
                .iter()
                .filter(|e| e.seq > processed_upto)
                .cloned()
                .collect(),
        }
    }

    /// Rewrites the journal as header + dedup entries + `pending`, atomically, now.
    fn compact(&mut self, pending: &[Event]) -> Result<()> {
        let mut snapshot = self.snapshot();
        snapshot.pending = pending
            .iter()
            .filter(|e| e.seq > self.processed_upto)
            .cloned()
            .collect();
        let len = write_tmp(&self.dir, &snapshot.to_bytes())?;
        self.install(len, &[])
    }

    /// Appends `tail` to the finished `journal.tmp` and renames it over the journal.
    fn install(&mut self, base_len: u64, tail: &[u8]) -> Result<()> {
        let tmp = self.dir.join(JOURNAL_TMP);
        if !tail.is_empty() {
            let mut f = OpenOptions::new()
                .append(true)
                .open(&tmp)
                .map_err(journal_err(&tmp))?;
            f.write_all(tail).map_err(journal_err(&tmp))?;
            f.sync_data().map_err(journal_err(&tmp))?;
        }
        fs::rename(&tmp, &self.path).map_err(journal_err(&self.path))?;
        // From here the old handle points at an unlinked file: reopen before anything else.
        self.file = None;
        let file = open_append(&self.path).map_err(journal_err(&self.path))?;
        sync_dir(&self.dir).map_err(journal_err(&self.path))?;
        self.file = Some(file);
        self.len = base_len + tail.len() as u64;
        self.compacted_len = self.len;
        Ok(())
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Never leave a compaction writing after the directory lock is released.
        if let Some(bg) = self.background.take() {
            let _ = bg.handle.join();
        }
    }
}

/// A compaction running on its own thread, and what was committed since its snapshot.
struct Background {
    handle: std::thread::JoinHandle<Result<u64>>,
    tail: Vec<u8>,
}

/// The journal's state at one instant, enough to write a compacted file.
struct Snapshot {
    next_seq: u64,
    processed_upto: u64,
    dedup: Vec<(u128, i64)>,
    pending: Vec<Event>,
}

impl Snapshot {
    fn to_bytes(&self) -> Vec<u8> {
        let mut buf = Vec::with_capacity(64 + self.dedup.len() * 60 + self.pending.len() * 80);
        push_line(
            &mut buf,
            format_args!("H 1 {} {}", self.next_seq, self.processed_upto),
        );
        for &(fp, at) in &self.dedup {
            push_line(&mut buf, format_args!("K {fp:032x} {at}"));
        }
        for e in &self.pending {
            push_event(&mut buf, e);
        }
        buf
    }
}

/// Writes `journal.tmp` and syncs it; returns its length.
fn write_tmp(dir: &Path, bytes: &[u8]) -> Result<u64> {
    let tmp = dir.join(JOURNAL_TMP);
    let mut opts = OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(&tmp).map_err(journal_err(&tmp))?;
    f.write_all(bytes).map_err(journal_err(&tmp))?;
    f.sync_all().map_err(journal_err(&tmp))?;
    Ok(bytes.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(seq: u64, issue: u64, d: Option<&str>) -> Event {
        Event {
            seq,
            issue_id: issue,
            kind: EventKind::IssueUpdated,
            delivery_id: d.and_then(DeliveryId::parse),
            received_ms: 1_700_000_000_000,
        }
    }

    fn events(evs: &[Event]) -> Vec<u8> {
        let mut b = Vec::new();
        for e in evs {
            push_event(&mut b, e);
        }
        b
    }

    #[test]
    fn crc_known_value() {
        // The standard CRC-32 check value.
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn round_trip_and_watermark() {
        let mut b = events(&[ev(1, 10, Some("d1")), ev(2, 11, None)]);
        push_line(&mut b, format_args!("P 1"));
        push_event(&mut b, &ev(3, 12, Some("d3")));
        let r = recover(&b);
        assert_eq!(r.next_seq, 4);
        assert_eq!(r.processed_upto, 1);
        assert_eq!(r.pending, vec![ev(2, 11, None), ev(3, 12, Some("d3"))]);
        assert_eq!(r.dedup.len(), 2);
        assert_eq!(r.bad_lines, 0);
    }

    #[test]
    fn torn_tail_and_corrupt_middle_are_skipped() {
        let mut b = events(&[ev(1, 10, None), ev(2, 11, None), ev(3, 12, None)]);
        // Flip one byte in the second line (the issue id), then tear a fourth line.
        let second = b.iter().position(|&c| c == b'\n').unwrap() + 5;
        b[second] ^= 0x01;
        let mut torn = Vec::new();
        push_event(&mut torn, &ev(4, 13, None));
        b.extend_from_slice(&torn[..torn.len() / 2]);
        let r = recover(&b);
        let seqs: Vec<u64> = r.pending.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, vec![1, 3]);
        assert_eq!(r.bad_lines, 2);
        assert_eq!(r.next_seq, 4);
    }

    #[test]
    fn garbage_is_not_a_record() {
        for line in [
            &b"E 1 10 issue_updated 0 - 00000000"[..],
            b"",
            b"X",
            b"E 1 ../10 issue_updated 0 -",
            b"\xff\xfe",
        ] {
            assert_eq!(parse_line(line), None);
        }
        // A valid checksum over invalid fields is still refused.
        let mut b = Vec::new();
        push_line(&mut b, format_args!("E 1 010 issue_updated 0 -"));
        push_line(&mut b, format_args!("E 1 10 nope 0 -"));
        push_line(&mut b, format_args!("E 1 10 other 0 ../../x"));
        push_line(&mut b, format_args!("E 1 10 other 0 - extra"));
        let r = recover(&b);
        assert_eq!((r.pending.len(), r.bad_lines), (0, 4));
    }

    #[test]
    fn dedup_is_bounded_by_count_and_age() {
        let mut d = Dedup::new(2, 1000);
        d.insert(1, 10_000, 10_000);
        d.insert(2, 10_000, 10_000);
        d.insert(3, 10_000, 10_000);
        assert!(!d.contains(1) && d.contains(2) && d.contains(3));
        d.insert(4, 12_000, 12_000);
        assert!(!d.contains(2) && !d.contains(3) && d.contains(4));
    }

    fn opts() -> JournalOptions {
        JournalOptions {
            dedup_capacity: 1000,
            dedup_window_ms: 86_400_000,
            compact_threshold: 1,
        }
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn reopen_replays_only_unprocessed_and_remembers_deliveries() {
        let dir = tempfile::tempdir().unwrap();
        rt().block_on(async {
            let j = open(dir.path(), opts()).unwrap();
            let d = DeliveryId::parse("abc-1");
            let a = j
                .append(vec![10], EventKind::IssueCreated, d.clone())
                .await
                .unwrap();
            assert_eq!(
                a,
                Appended::Accepted {
                    first_seq: 1,
                    count: 1
                }
            );
            assert_eq!(
                j.append(vec![10], EventKind::IssueCreated, d.clone())
                    .await
                    .unwrap(),
                Appended::Duplicate
            );
            j.append(vec![11, 12], EventKind::IssueLinkCreated, None)
                .await
                .unwrap();
            j.mark_processed(1).await;
            j.close().await;
            assert!(j.append(vec![1], EventKind::Other, None).await.is_err());

            let j = open(dir.path(), opts()).unwrap();
            let pending: Vec<(u64, u64)> = j
                .shared
                .pending()
                .iter()
                .map(|e| (e.seq, e.issue_id))
                .collect();
            assert_eq!(pending, vec![(2, 11), (3, 12)]);
            assert_eq!(
                j.append(vec![10], EventKind::IssueCreated, d)
                    .await
                    .unwrap(),
                Appended::Duplicate
            );
            let a = j.append(vec![13], EventKind::Other, None).await.unwrap();
            assert_eq!(
                a,
                Appended::Accepted {
                    first_seq: 4,
                    count: 1
                }
            );
            j.mark_processed(4).await;
            j.close().await;

            // Everything processed: the compacted journal keeps the sequence and dedup only.
            let j = open(dir.path(), opts()).unwrap();
            assert!(j.shared.pending().is_empty());
            let a = j.append(vec![14], EventKind::Other, None).await.unwrap();
            assert_eq!(
                a,
                Appended::Accepted {
                    first_seq: 5,
                    count: 1
                }
            );
            j.close().await;
        });
        let text = fs::read_to_string(dir.path().join(JOURNAL_FILE)).unwrap();
        assert!(
            !text.contains("abc-1\n"),
            "compaction keeps fingerprints, not old events"
        );
    }

    #[test]
    fn compaction_bounds_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let o = JournalOptions {
            compact_threshold: 4096,
            ..opts()
        };
        rt().block_on(async {
            let j = open(dir.path(), o).unwrap();
            for i in 1..=2000u64 {
                j.append(vec![i], EventKind::IssueUpdated, None)
                    .await
                    .unwrap();
                // Drain as the worker would.
                let e = j.shared.pending().pop_front().unwrap();
                j.shared.depth.fetch_sub(1, Ordering::AcqRel);
                j.mark_processed(e.seq).await;
            }
            j.close().await;
        });
        let len = fs::metadata(dir.path().join(JOURNAL_FILE)).unwrap().len();
        // Uncompacted, 2000 events and their markers take about 120 KB.
        assert!(
            len < 40 * 1024,
            "journal is {len} bytes after 2000 processed events"
        );
    }

    #[test]
    fn appends_during_background_compaction_survive() {
        let dir = tempfile::tempdir().unwrap();
        let o = JournalOptions {
            compact_threshold: 2048,
            dedup_capacity: 10_000,
            ..opts()
        };
        rt().block_on(async {
            let j = open(dir.path(), o.clone()).unwrap();
            for i in 1..=3000u64 {
                let d = DeliveryId::parse(&format!("d-{i}"));
                j.append(vec![i], EventKind::IssueUpdated, d).await.unwrap();
                if i <= 1500 {
                    let e = j.shared.pending().pop_front().unwrap();
                    j.shared.depth.fetch_sub(1, Ordering::AcqRel);
                    j.mark_processed(e.seq).await;
                }
            }
            j.close().await;
            let j = open(dir.path(), o).unwrap();
            let seqs: Vec<u64> = j.shared.pending().iter().map(|e| e.seq).collect();
            assert_eq!(seqs, (1501..=3000).collect::<Vec<_>>());
            // Every delivery id is still remembered, processed or not.
            for i in [1u64, 750, 1500, 1501, 3000] {
                let d = DeliveryId::parse(&format!("d-{i}"));
                let a = j.append(vec![i], EventKind::IssueUpdated, d).await.unwrap();
                assert_eq!(a, Appended::Duplicate, "d-{i}");
            }
            j.close().await;
        });
    }
}
