//! The crate's error type. No error carries a credential, a URL's user-info or a value
//! read from a secret variable.

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a warehouse store could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The warehouse URL is malformed or uses a scheme this crate does not know.
    ///
    /// Fix: use `s3://bucket/prefix` (or `gs://bucket/prefix`, `az://container/prefix`).
    #[error("warehouse URL: {reason}")]
    InvalidUrl {
        /// What is wrong (the URL itself is not repeated: it may hold user-info).
        reason: String,
    },
    /// The URL's scheme needs a cargo feature this build does not have.
    ///
    /// Fix: rebuild with `--features <feature>` (for the `jirafe` binary:
    /// `cargo install jirafe --features <feature>`).
    #[error(
        "warehouse URL: {scheme}:// needs the `{feature}` feature, which this build does not have (rebuild with --features {feature})"
    )]
    FeatureDisabled {
        /// `gs` or `az`.
        scheme: &'static str,
        /// The cargo feature to enable.
        feature: &'static str,
    },
    /// An option key is not one this store accepts.
    ///
    /// Fix: use one of the keys listed (see the crate README's options table).
    #[error(
        "warehouse option '{key}' is not known for {scheme}:// warehouses; accepted keys: {accepted}"
    )]
    UnknownOption {
        /// The key given.
        key: String,
        /// The store kind (`s3`, `gs`, `az`).
        scheme: &'static str,
        /// The accepted keys, comma-separated.
        accepted: String,
    },
    /// An option names a credential. Credentials come only from the environment (or the
    /// instance / container role), never from a configuration file.
    #[error(
        "warehouse option '{key}' is a credential: set it in the environment ({variable}), never in the configuration"
    )]
    CredentialOption {
        /// The key given.
        key: String,
        /// The environment variable to use instead.
        variable: &'static str,
    },
    /// An option's value is malformed or conflicts with another option.
    #[error("warehouse option '{key}': {reason}")]
    InvalidOption {
        /// The key at fault.
        key: &'static str,
        /// What is wrong and what is accepted.
        reason: String,
    },
    /// `object_store` refused the resulting configuration (for example a missing region or
    /// a malformed environment variable).
    #[error("warehouse store configuration: {source}")]
    Build {
        /// The store's error.
        #[source]
        source: object_store::Error,
    },
}
