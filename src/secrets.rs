//! Where the command reads settings and secrets: the environment first, then (with the
//! `keyring` feature) the operating system's credential store.

/// Secrets that may live in the OS keyring (service `jirafe`, account = the name).
#[cfg(feature = "keyring")]
pub(crate) const KEYRING_NAMES: [&str; 4] = [
    "JIRA_API_TOKEN",
    "JIRA_PAT",
    "JIRAFE_HASH_KEY",
    "JIRAFE_WEBHOOK_SECRET",
];

/// The service name of jirafe's keyring entries: `jirafe`, or `JIRAFE_KEYRING_SERVICE`
/// (to keep several configurations, or tests, apart).
#[cfg(feature = "keyring")]
fn entry(name: &str) -> keyring::Result<keyring::Entry> {
    // Linux: the kernel store keeps jirafe's entries in the user's persistent keyring,
    // reached through the session keyring — which a process started by cron or systemd
    // may not have. Create (join) one for this process first.
    #[cfg(target_os = "linux")]
    {
        use linux_keyutils::{KeyRing, KeyRingIdentifier};
        if let Err(e) = KeyRing::from_special_id(KeyRingIdentifier::Session, true) {
            tracing::debug!(error = %e, "no session keyring");
        }
    }
    keyring::Entry::new(&service(), name)
}

#[cfg(feature = "keyring")]
fn service() -> String {
    std::env::var("JIRAFE_KEYRING_SERVICE")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "jirafe".to_owned())
}

/// A setting from the environment; for the secrets jirafe keeps in the keyring that are not set
/// there, from the OS keyring when the `keyring` feature is built in.
pub(crate) fn lookup(name: &str) -> Option<String> {
    match std::env::var(name) {
        Ok(v) => Some(v),
        Err(_) => from_keyring(name),
    }
}

#[cfg(feature = "keyring")]
fn from_keyring(name: &str) -> Option<String> {
    if !KEYRING_NAMES.contains(&name) {
        return None;
    }
    match entry(name).and_then(|e| e.get_password()) {
        Ok(v) => Some(v),
        Err(keyring::Error::NoEntry) => None,
        Err(e) => {
            // The error names the store, never the secret.
            tracing::warn!(secret = name, error = %e, "keyring lookup failed");
            None
        }
    }
}

#[cfg(not(feature = "keyring"))]
fn from_keyring(_name: &str) -> Option<String> {
    None
}

/// Stores `value` as `name` in the OS keyring.
///
/// # Errors
/// An unknown name, or the store refused.
#[cfg(feature = "keyring")]
pub(crate) fn store(name: &str, value: &str) -> anyhow::Result<()> {
    check_name(name)?;
    entry(name)
        .and_then(|e| e.set_password(value))
        .map_err(|e| anyhow::anyhow!("keyring: storing {name} failed: {e}"))
}

/// Removes `name` from the OS keyring; `false` when it was not there.
///
/// # Errors
/// An unknown name, or the store refused.
#[cfg(feature = "keyring")]
pub(crate) fn remove(name: &str) -> anyhow::Result<bool> {
    check_name(name)?;
    match entry(name).and_then(|e| e.delete_credential()) {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(anyhow::anyhow!("keyring: removing {name} failed: {e}")),
    }
}

#[cfg(feature = "keyring")]
fn check_name(name: &str) -> anyhow::Result<()> {
    if KEYRING_NAMES.contains(&name) {
        Ok(())
    } else {
        Err(crate::ConfigError(format!(
            "{name}: not a secret jirafe keeps in the keyring (one of {})",
            KEYRING_NAMES.join(", ")
        ))
        .into())
    }
}
