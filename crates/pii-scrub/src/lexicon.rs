//! Word tables keyed by lower-cased words: short ASCII words (the common case)
//! are packed into two machine words and found by open addressing with one
//! multiply per lookup; anything else goes through an ordinary hash map keyed
//! by the Unicode lower-case form.

use std::collections::HashMap;

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;
const LOW7: u64 = LO * 127;

/// Per byte of `x`, the high bit set iff `lo < byte < hi` (ASCII bytes only).
#[inline]
const fn between(x: u64, lo: u64, hi: u64) -> u64 {
    let x7 = x & LOW7;
    (LO * (127 + hi) - x7) & !x & (x7 + LO * (127 - lo)) & HI
}

/// The low `n` bytes of a word (`n <= 8`) as a mask.
#[inline]
const fn low_bytes(n: usize) -> u64 {
    if n >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * n)) - 1
    }
}

/// An ASCII word of 1 to 16 bytes without NUL, lower-cased and zero-padded into
/// two little-endian machine words. Zero padding keeps lengths apart, and the
/// all-zero key is never a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Key(u64, u64);

impl Key {
    /// The key of `w`, `None` when `w` is empty, longer than 16 bytes, not ASCII
    /// or holds a NUL byte.
    #[inline]
    pub(crate) fn of(w: &[u8]) -> Option<Self> {
        Self::at(w, 0, w.len())
    }

    /// The key of `b[s..e]`, read with two plain loads when 16 bytes are there.
    #[inline]
    pub(crate) fn at(b: &[u8], s: usize, e: usize) -> Option<Self> {
        let n = e.checked_sub(s)?;
        if n == 0 || n > 16 {
            return None;
        }
        let nul = |v: u64, m: u64| (v.wrapping_sub(LO) & !v & HI) & m != 0;
        let lower = |v: u64| v | (between(v, 0x40, 0x5b) >> 2);
        if n <= 8 {
            // One machine word (most words).
            let l = match b.get(s..s + 8) {
                Some(c) => <[u8; 8]>::try_from(c).ok()?,
                None => {
                    let mut a = [0u8; 8];
                    for (d, c) in a.iter_mut().zip(b.get(s..e)?) {
                        *d = *c;
                    }
                    a
                }
            };
            let lm = low_bytes(n);
            let x = u64::from_le_bytes(l) & lm;
            if x & HI != 0 || nul(x, lm) {
                return None;
            }
            return Some(Self(lower(x), 0));
        }
        let (l, h) = match b.get(s..s + 16) {
            Some(c) => {
                let (l, h) = c.split_at(8);
                (<[u8; 8]>::try_from(l).ok()?, <[u8; 8]>::try_from(h).ok()?)
            }
            None => {
                let mut a = [0u8; 16];
                for (d, c) in a.iter_mut().zip(b.get(s..e)?) {
                    *d = *c;
                }
                let (l, h) = a.split_at(8);
                (<[u8; 8]>::try_from(l).ok()?, <[u8; 8]>::try_from(h).ok()?)
            }
        };
        let lm = low_bytes(n);
        let hm = low_bytes(n.saturating_sub(8));
        let (x, y) = (u64::from_le_bytes(l) & lm, u64::from_le_bytes(h) & hm);
        if (x | y) & HI != 0 {
            return None;
        }
        // A NUL byte inside the word (the padding is masked out).
        if nul(x, lm) || nul(y, hm) {
            return None;
        }
        Some(Self(lower(x), lower(y)))
    }

    #[inline]
    fn slot(self, shift: u32) -> usize {
        let h = (self.0 ^ self.1.rotate_left(31)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (h >> shift) as usize
    }

    fn is_empty(self) -> bool {
        self.0 == 0 && self.1 == 0
    }
}

/// A table from lower-cased words to small values.
#[derive(Debug, Clone)]
pub(crate) struct Lexicon<V> {
    /// Open addressing, linear probing, power-of-two size, at most half full.
    slots: Vec<(Key, V)>,
    shift: u32,
    used: usize,
    /// Words without a [`Key`], by their lower-case bytes.
    other: HashMap<Box<[u8]>, V>,
}

impl<V: Copy + Default> Default for Lexicon<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V: Copy + Default> Lexicon<V> {
    pub(crate) fn new() -> Self {
        Self {
            slots: vec![(Key::default(), V::default()); 16],
            shift: 64 - 4,
            used: 0,
            other: HashMap::new(),
        }
    }

    /// Whether nothing was inserted.
    pub(crate) fn is_empty(&self) -> bool {
        self.used == 0 && self.other.is_empty()
    }

    /// Merges `v` into the value of `word` (lower-cased here) with `merge`.
    pub(crate) fn upsert(&mut self, word: &str, v: V, merge: impl Fn(&mut V, V)) {
        let lower = word.to_lowercase();
        match Key::of(lower.as_bytes()) {
            Some(k) => {
                if let Some(slot) = self.find_slot(k)
                    && let Some(s) = self.slots.get_mut(slot)
                {
                    if s.0.is_empty() {
                        *s = (k, V::default());
                        self.used += 1;
                    }
                    merge(&mut s.1, v);
                }
                if self.used * 2 > self.slots.len() {
                    self.grow();
                }
            }
            None => merge(
                self.other
                    .entry(lower.into_bytes().into_boxed_slice())
                    .or_default(),
                v,
            ),
        }
    }

    fn find_slot(&self, k: Key) -> Option<usize> {
        let mask = self.slots.len() - 1;
        let mut i = k.slot(self.shift);
        for _ in 0..self.slots.len() {
            let (sk, _) = self.slots.get(i)?;
            if *sk == k || sk.is_empty() {
                return Some(i);
            }
            i = (i + 1) & mask;
        }
        None
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![(Key::default(), V::default()); size]);
        self.shift -= 1;
        for (k, v) in old {
            if !k.is_empty()
                && let Some(i) = self.find_slot(k)
                && let Some(s) = self.slots.get_mut(i)
            {
                *s = (k, v);
            }
        }
    }

    /// The value of a packed key.
    #[inline]
    pub(crate) fn get_key(&self, k: Key) -> Option<V> {
        let mask = self.slots.len() - 1;
        let mut i = k.slot(self.shift);
        // The first slot settles most lookups, found or not: one predictable
        // branch, then a select rather than a branch on which it was.
        let &(sk, v) = self.slots.get(i)?;
        let hit = sk == k;
        if hit | sk.is_empty() {
            return hit.then_some(v);
        }
        i = (i + 1) & mask;
        loop {
            let (sk, v) = self.slots.get(i)?;
            if *sk == k {
                return Some(*v);
            }
            if sk.is_empty() {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// The value of `word`, compared case-insensitively (Unicode lower case).
    #[inline]
    pub(crate) fn get(&self, word: &str) -> Option<V> {
        match Key::of(word.as_bytes()) {
            Some(k) => self.get_key(k),
            None => self.get_slow(word),
        }
    }

    /// The value of `text[s..e]`, which must be a word of `text`.
    #[inline]
    pub(crate) fn get_at(&self, text: &str, s: usize, e: usize) -> Option<V> {
        match Key::at(text.as_bytes(), s, e) {
            Some(k) => self.get_key(k),
            None => self.get_slow(text.get(s..e)?),
        }
    }

    #[cold]
    fn get_slow(&self, word: &str) -> Option<V> {
        if word.is_empty() {
            return None;
        }
        // A long ASCII word is lower-cased on the stack.
        let mut buf = [0u8; 64];
        if word.is_ascii()
            && let Some(dst) = buf.get_mut(..word.len())
        {
            for (d, c) in dst.iter_mut().zip(word.bytes()) {
                *d = c.to_ascii_lowercase();
            }
            return match Key::of(dst) {
                Some(k) => self.get_key(k),
                None => self.other.get(&*dst).copied(),
            };
        }
        let lower = word.to_lowercase();
        match Key::of(lower.as_bytes()) {
            Some(k) => self.get_key(k),
            None => self.other.get(lower.as_bytes()).copied(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_fold_ascii_case_and_reject_the_rest() {
        assert_eq!(Key::of(b"Hello"), Key::of(b"hELLO"));
        assert_ne!(Key::of(b"hello"), Key::of(b"hell"));
        assert_ne!(Key::of(b"abcdefgh"), Key::of(b"abcdefghi"));
        assert_eq!(Key::of(b"ABCDEFGHIJKLMNOP"), Key::of(b"abcdefghijklmnop"));
        assert!(Key::of(b"abcdefghijklmnopq").is_none());
        assert!(Key::of(b"").is_none());
        assert!(Key::of("é".as_bytes()).is_none());
        assert!(Key::of(b"a\0").is_none());
        assert!(Key::of(b"abcdefghij\0").is_none());
        // `@`, `[` and the like are not letters: not folded.
        assert_ne!(Key::of(b"@["), Key::of(b"`{"));
        let text = b"xx Jean-Pierre O'Brien";
        assert_eq!(Key::at(text, 3, 14), Key::of(b"jean-pierre"));
        assert_eq!(Key::at(text, 15, 22), Key::of(b"o'brien"));
    }

    #[test]
    fn lookups_match_a_lowercase_hash_map() {
        let words = [
            "ada",
            "Lovelace",
            "olá",
            "señor",
            "let's",
            "K",
            "abcdefghijklmnopqrstu",
            "x1",
        ];
        let mut lex: Lexicon<u8> = Lexicon::new();
        for (i, w) in words.iter().enumerate() {
            lex.upsert(w, 1 << (i % 8), |a, b| *a |= b);
        }
        for i in 0..200 {
            lex.upsert(&format!("w{i}"), 1, |a, b| *a |= b);
        }
        assert_eq!(lex.get("ADA"), Some(1));
        assert_eq!(lex.get("lovelace"), Some(2));
        assert_eq!(lex.get("OLÁ"), Some(4));
        assert_eq!(lex.get("Señor"), Some(8));
        assert_eq!(lex.get("Let's"), Some(16));
        // The Kelvin sign lower-cases to an ASCII `k`.
        assert_eq!(lex.get("\u{212a}"), Some(32));
        assert_eq!(lex.get("ABCDEFGHIJKLMNOPQRSTU"), Some(64));
        assert_eq!(lex.get_at("see X1.", 4, 6), Some(128));
        assert_eq!(lex.get("w199"), Some(1));
        assert_eq!(lex.get("w200"), None);
        assert_eq!(lex.get(""), None);
        assert_eq!(lex.get("lovelac"), None);
    }
}
