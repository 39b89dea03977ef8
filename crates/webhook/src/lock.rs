//! One receiver per data directory: a lock file naming the holder's pid, plus an
//! in-process registry (two receivers in one process share a pid).

use std::collections::HashSet;
use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use crate::error::{Error, Result};

pub(crate) const LOCK_FILE: &str = "receiver.lock";

static HELD: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);

/// Held while a journal writer runs; released (file removed) on drop.
#[derive(Debug)]
pub(crate) struct DirLock {
    file: PathBuf,
    key: PathBuf,
}

impl DirLock {
    pub(crate) fn acquire(dir: &Path) -> Result<Self> {
        let key = dir.canonicalize().map_err(|source| Error::DataDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let own = std::process::id();
        {
            let mut held = HELD.lock().unwrap_or_else(PoisonError::into_inner);
            if !held.get_or_insert_with(HashSet::new).insert(key.clone()) {
                return Err(Error::DataDirInUse {
                    path: dir.to_path_buf(),
                    pid: Some(own),
                });
            }
        }
        let file = dir.join(LOCK_FILE);
        match Self::create(&file, dir, own) {
            Ok(()) => Ok(Self { file, key }),
            Err(e) => {
                unregister(&key);
                Err(e)
            }
        }
    }

    fn create(file: &Path, dir: &Path, own: u32) -> Result<()> {
        let io = |source| Error::DataDir {
            path: dir.to_path_buf(),
            source,
        };
        for _ in 0..3 {
            let mut opts = OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
            match opts.open(file) {
                Ok(mut f) => {
                    f.write_all(format!("{own}\n").as_bytes()).map_err(io)?;
                    f.sync_all().map_err(io)?;
                    return Ok(());
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                    let holder = fs::read_to_string(file)
                        .ok()
                        .and_then(|s| s.trim().parse::<u32>().ok());
                    match holder {
                        // A live other process holds it. Our own pid means a previous run
                        // of this same pid (a restarted container) that is not registered.
                        Some(pid) if pid != own && process_alive(pid) => {
                            return Err(Error::DataDirInUse {
                                path: dir.to_path_buf(),
                                pid: Some(pid),
                            });
                        }
                        _ => {
                            tracing::warn!(
                                target: "jirafe_webhook",
                                "removing a stale receiver lock left by a stopped process"
                            );
                            match fs::remove_file(file) {
                                Ok(()) => {}
                                Err(e) if e.kind() == ErrorKind::NotFound => {}
                                Err(e) => return Err(io(e)),
                            }
                        }
                    }
                }
                Err(e) => return Err(io(e)),
            }
        }
        Err(Error::DataDirInUse {
            path: dir.to_path_buf(),
            pid: None,
        })
    }
}

/// Whether `pid` runs. Only Linux can tell (through `/proc`); elsewhere a lock left
/// behind is taken over, so run one receiver per directory there.
fn process_alive(pid: u32) -> bool {
    let proc_root = Path::new("/proc");
    proc_root.join("self").exists() && proc_root.join(pid.to_string()).exists()
}

fn unregister(key: &Path) {
    let mut held = HELD.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(set) = held.as_mut() {
        set.remove(key);
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        if let Err(e) = fs::remove_file(&self.file)
            && e.kind() != ErrorKind::NotFound
        {
            tracing::warn!(target: "jirafe_webhook", error = %e, "could not remove the receiver lock");
        }
        unregister(&self.key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_in_process_refused_then_released() {
        let dir = tempfile::tempdir().unwrap();
        let a = DirLock::acquire(dir.path()).unwrap();
        assert!(matches!(
            DirLock::acquire(dir.path()),
            Err(Error::DataDirInUse { .. })
        ));
        drop(a);
        assert!(!dir.path().join(LOCK_FILE).exists());
        let _b = DirLock::acquire(dir.path()).unwrap();
    }

    #[test]
    fn stale_lock_of_dead_process_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        // pid_max on Linux is at most 2^22, so this pid cannot be running.
        fs::write(dir.path().join(LOCK_FILE), "4194305\n").unwrap();
        let _l = DirLock::acquire(dir.path()).unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn lock_of_live_process_refused() {
        let dir = tempfile::tempdir().unwrap();
        // pid 1 always runs.
        fs::write(dir.path().join(LOCK_FILE), "1\n").unwrap();
        match DirLock::acquire(dir.path()) {
            Err(Error::DataDirInUse { pid, .. }) => assert_eq!(pid, Some(1)),
            other => panic!("{other:?}"),
        }
    }
}
