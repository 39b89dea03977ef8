#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod detect;
mod error;
mod findings;
pub mod jsonl;
mod key;
mod kind;
mod lexicon;
mod names;
mod policy;
mod scan;
mod scrubber;

pub use error::{Error, Result};
pub use findings::Findings;
pub use key::{Domain, HashKey, OPTED_OUT_PSEUDONYM, PSEUDONYM_LEN, Pseudonym};
pub use kind::Kind;
pub use names::Person;
pub use policy::{ColumnAction, Detectors, Policy};
pub use scrubber::{Redaction, Scrubbed, Scrubber, ScrubberBuilder};

#[cfg(test)]
mod send_sync {
    fn assert_send_sync<T: Send + Sync>() {}
    #[test]
    fn scrubber_is_send_sync() {
        assert_send_sync::<crate::Scrubber>();
    }
}
