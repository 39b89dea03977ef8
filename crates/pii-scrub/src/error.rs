//! The crate's error type.

/// Everything that can go wrong in this crate.
///
/// Variants never carry user content (text, names, emails, key material):
/// only lengths, line numbers and names of settings.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The pseudonymization key is shorter than [`crate::HashKey::MIN_LEN`] bytes.
    ///
    /// Generate one with `openssl rand -hex 32` (64 hex characters) and pass it
    /// via `JIRAFE_HASH_KEY`.
    #[error(
        "hash key is too short: {len} bytes after decoding, at least 32 are required \
         (generate one with `openssl rand -hex 32`)"
    )]
    KeyTooShort {
        /// Length of the decoded key in bytes.
        len: usize,
    },

    /// The key had an explicit `hex:` or `base64:` prefix but did not decode.
    #[error("hash key has a `{encoding}:` prefix but is not valid {encoding}")]
    KeyEncoding {
        /// `"hex"` or `"base64"`.
        encoding: &'static str,
    },

    /// The detector patterns failed to compile. This is a bug in the crate.
    #[error("failed to compile the detector pattern set")]
    Patterns {
        /// The compiler's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },

    /// The name directory automaton could not be built (for example, it is too large).
    #[error("failed to build the name directory automaton ({people} people)")]
    Directory {
        /// Number of people in the directory.
        people: usize,
        /// The automaton builder's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },

    /// A configuration value is invalid.
    #[error("invalid configuration at `{key}`: {reason}")]
    InvalidConfig {
        /// The setting, e.g. `tables.issues.summary`.
        key: String,
        /// Why it is invalid.
        reason: String,
    },

    /// Reading the input stream failed.
    #[error("failed to read input at line {line}")]
    Read {
        /// 1-based line number being read.
        line: u64,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// Writing the output stream failed.
    #[error("failed to write output at line {line}")]
    Write {
        /// 1-based line number being written.
        line: u64,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// `Result` with this crate's [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
