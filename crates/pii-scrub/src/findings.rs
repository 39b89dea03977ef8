//! Counts of findings per kind. Values are never retained.

use crate::Kind;

/// How many values of each [`Kind`] were found. Only counts: never the values.
///
/// ```
/// use jirafe_pii_scrub::{Findings, Kind};
/// let mut a = Findings::default();
/// a.add(Kind::Email);
/// let mut b = Findings::default();
/// b.add_n(Kind::Email, 2);
/// b.add(Kind::Ip);
/// a.merge(&b);
/// assert_eq!(a.get(Kind::Email), 3);
/// assert_eq!(a.total(), 4);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Findings {
    counts: [u64; Kind::COUNT],
}

impl Findings {
    /// Counts one finding of `kind`.
    pub fn add(&mut self, kind: Kind) {
        self.add_n(kind, 1);
    }

    /// Counts `n` findings of `kind`.
    pub fn add_n(&mut self, kind: Kind, n: u64) {
        if let Some(c) = self.counts.get_mut(kind.index()) {
            *c = c.saturating_add(n);
        }
    }

    /// The count for `kind`.
    pub fn get(&self, kind: Kind) -> u64 {
        self.counts.get(kind.index()).copied().unwrap_or(0)
    }

    /// The sum over all kinds.
    pub fn total(&self) -> u64 {
        self.counts.iter().fold(0u64, |a, b| a.saturating_add(*b))
    }

    /// `true` when nothing was found.
    pub fn is_empty(&self) -> bool {
        self.counts.iter().all(|c| *c == 0)
    }

    /// Adds another set of counts to this one.
    pub fn merge(&mut self, other: &Findings) {
        for (a, b) in self.counts.iter_mut().zip(other.counts.iter()) {
            *a = a.saturating_add(*b);
        }
    }

    /// `(kind, count)` for every kind, in [`Kind::ALL`] order (zeros included).
    pub fn iter(&self) -> impl Iterator<Item = (Kind, u64)> + '_ {
        Kind::ALL.iter().map(move |k| (*k, self.get(*k)))
    }
}

impl serde::Serialize for Findings {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(Kind::COUNT))?;
        for (kind, n) in self.iter() {
            map.serialize_entry(kind.name(), &n)?;
        }
        map.end()
    }
}
