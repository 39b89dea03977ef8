//! Byte-class bitmasks of a text, computed once per text and shared by the
//! word-driven passes (secrets prefilter, directory, non-user names) and the
//! punctuation-driven ones (assignments and URLs, IPv6, e-mails, existing
//! placeholders): one bit per byte, 64 bytes per word, sixteen bytes at a time.

const LO: u64 = 0x0101_0101_0101_0101;
pub(crate) const HI: u64 = 0x8080_8080_8080_8080;
const LOW7: u64 = LO * 127;

/// Per byte of `x`, the high bit set iff `lo < byte < hi` (ASCII bytes only;
/// Anderson's `hasbetween`, no carries between bytes).
pub(crate) const fn between(x: u64, lo: u64, hi: u64) -> u64 {
    let x7 = x & LOW7;
    (LO * (127 + hi) - x7) & !x & (x7 + LO * (127 - lo)) & HI
}

/// Index in a [`Masks`] block of the `[A-Za-z0-9_]` bits.
const WORD: usize = 0;
/// Index in a [`Masks`] block of the `_` bits.
const UNDER: usize = 1;
/// Index in a [`Masks`] block of the non-ASCII bits.
const HIGH: usize = 2;
/// [`Masks::positions`] of `:` and `=` (IPv6, URL schemes, assignments).
pub(crate) const COLON_EQUALS: usize = 3;
/// [`Masks::positions`] of `@` and `[` (e-mails, existing placeholders).
pub(crate) const AT_OPEN: usize = 4;
/// Masks per block.
const PER_BLOCK: usize = 5;

/// The masks of a chunk of at most 64 bytes, in block order: bit `j` of
/// [`WORD`] is set iff byte `j` is `[A-Za-z0-9_]`, of [`UNDER`] iff it is
/// `_`, of [`HIGH`] iff it is not ASCII, of [`COLON_EQUALS`] iff it is `:` or
/// `=`, of [`AT_OPEN`] iff it is `@` or `[`. Sixteen bytes at a time with
/// SIMD compares (SSE2 on x86-64, NEON on aarch64, a portable fallback
/// elsewhere).
fn chunk_masks(chunk: &[u8]) -> [u64; PER_BLOCK] {
    let mut masks = [0u64; PER_BLOCK];
    if chunk.len() == 64 {
        // A whole block (all but the last): four fixed steps, unrolled.
        let (pieces, _) = chunk.as_chunks::<16>();
        for (q, piece) in pieces.iter().enumerate().take(4) {
            for (m, bits) in masks.iter_mut().zip(sixteen_masks(*piece)) {
                *m |= u64::from(bits) << (16 * q);
            }
        }
        return masks;
    }
    let mut pieces = chunk.chunks_exact(16);
    let mut shift = 0;
    for piece in &mut pieces {
        let mut a = [0u8; 16];
        a.copy_from_slice(piece);
        for (m, bits) in masks.iter_mut().zip(sixteen_masks(a)) {
            *m |= u64::from(bits) << shift;
        }
        shift += 16;
    }
    let rest = pieces.remainder();
    if !rest.is_empty() {
        let mut a = [0u8; 16];
        if let Some(dst) = a.get_mut(..rest.len()) {
            dst.copy_from_slice(rest);
        }
        for (m, bits) in masks.iter_mut().zip(sixteen_masks(a)) {
            *m |= u64::from(bits) << shift;
        }
    }
    masks
}

/// [`chunk_masks`] of sixteen bytes (zero bytes are in no class).
#[inline(always)]
fn sixteen_masks(a: [u8; 16]) -> [u16; PER_BLOCK] {
    use wide::{i8x16, u8x16};
    let x = u8x16::new(a);
    // `lo..=hi` as one signed compare: shift the range to start at -128.
    let in_range = |v: u8x16, lo: u8, hi: u8| {
        let shifted = (v - u8x16::splat(lo)).cast_signed() + i8x16::splat(i8::MIN);
        shifted.simd_lt(i8x16::splat(i8::MIN.wrapping_add_unsigned(hi - lo + 1)))
    };
    let letter = in_range(x | u8x16::splat(0x20), b'a', b'z');
    let digit = in_range(x, b'0', b'9');
    let eq = |c: u8| x.simd_eq(u8x16::splat(c)).cast_signed();
    let underscore = eq(b'_');
    // `to_bitmask` takes each lane's top bit: sixteen lanes, sixteen bits.
    let bits = |m: i8x16| m.to_bitmask() as u16;
    [
        bits(letter | digit | underscore),
        bits(underscore),
        x.cast_signed().to_bitmask() as u16,
        bits(eq(b':') | eq(b'=')),
        bits(eq(b'@') | eq(b'[')),
    ]
}

/// Where [`char::is_alphanumeric`] and [`char::is_alphabetic`] can be answered
/// without the standard library's Unicode tables (a search of a few hundred
/// instructions per call): `Some(answer)` for ASCII, Latin-1 and Latin
/// Extended-A/B letters, Cyrillic letters and General Punctuation.
#[inline(always)]
fn letter_fast(c: char) -> Option<bool> {
    let u = u32::from(c);
    match u {
        // Latin-1 Supplement and Latin Extended-A/B: letters but `×` and `÷`.
        0xC0..0x250 => Some(u != 0xD7 && u != 0xF7),
        // Cyrillic letters.
        0x400..0x482 => Some(true),
        // General Punctuation: dashes, quotes, bullets, spaces, format marks.
        0x2000..0x2070 => Some(false),
        _ => None,
    }
}

/// [`char::is_alphanumeric`], with fast answers for common scripts.
#[inline]
pub(crate) fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    letter_fast(c).unwrap_or_else(|| c.is_alphanumeric())
}

/// [`char::is_alphabetic`], with fast answers for common scripts.
#[inline]
pub(crate) fn is_alpha(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    letter_fast(c).unwrap_or_else(|| c.is_alphabetic())
}

/// [`CLASS`] bit of `a..=z`.
pub(crate) const LOWER: u8 = 1;
/// [`CLASS`] bit of `A..=Z`.
pub(crate) const UPPER: u8 = 2;
/// [`CLASS`] bit of `0..=9`.
pub(crate) const DIGIT: u8 = 4;
/// [`CLASS`] bit of `_`.
pub(crate) const UNDERSCORE: u8 = 8;

/// The class bits of every byte value: one load answers which detectors a
/// run's first byte concerns.
pub(crate) static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = if b.is_ascii_lowercase() {
            LOWER
        } else if b.is_ascii_uppercase() {
            UPPER
        } else if b.is_ascii_digit() {
            DIGIT
        } else if b == b'_' {
            UNDERSCORE
        } else {
            0
        };
        c += 1;
    }
    t
};

/// The bitmasks of one text: per 64-byte block, `[word, underscore, high,
/// colon or equals, at or open bracket]`.
#[derive(Debug, Default)]
pub(crate) struct Masks {
    blocks: Vec<[u64; PER_BLOCK]>,
    len: usize,
}

impl Masks {
    #[cfg(test)]
    pub(crate) fn new(b: &[u8]) -> Self {
        let mut m = Self::default();
        m.fill(b);
        m
    }

    /// Recomputes the masks for `b`, reusing the allocation.
    pub(crate) fn fill(&mut self, b: &[u8]) {
        self.blocks.clear();
        self.blocks.reserve(b.len().div_ceil(64));
        for chunk in b.chunks(64) {
            self.blocks.push(chunk_masks(chunk));
        }
        self.len = b.len();
    }

    /// Drops the allocation when it holds more than `blocks` blocks.
    pub(crate) fn shrink(&mut self, blocks: usize) {
        if self.blocks.capacity() > blocks {
            self.blocks = Vec::new();
        }
    }

    fn word(&self, k: usize) -> u64 {
        self.blocks.get(k).map_or(0, |b| b[WORD])
    }

    fn under(&self, k: usize) -> u64 {
        self.blocks.get(k).map_or(0, |b| b[UNDER])
    }

    /// The positions, in order, of the bytes of the mask `which`
    /// ([`COLON_EQUALS`] or [`AT_OPEN`]).
    pub(crate) fn positions(&self, which: usize) -> Positions<'_> {
        Positions {
            blocks: &self.blocks,
            which: which.min(PER_BLOCK - 1),
            next_block: 0,
            base: 0,
            bits: 0,
        }
    }

    /// End of the run of ASCII letters and digits starting at `i`.
    #[inline]
    pub(crate) fn alnum_end(&self, i: usize) -> usize {
        let (mut k, mut j) = (i / 64, i % 64);
        loop {
            let alnum = self.word(k) & !self.under(k);
            let ones = ((!(alnum >> j)).trailing_zeros() as usize).min(64 - j);
            if j + ones < 64 {
                return (k * 64 + j + ones).min(self.len);
            }
            k += 1;
            j = 0;
            if k * 64 >= self.len {
                return self.len;
            }
        }
    }

    /// Every maximal run of `[A-Za-z0-9_]` and non-ASCII bytes, in order, as
    /// `(start, end, has_non_ascii, has_underscore)`. The byte before a run and
    /// the byte at its end are ASCII and not word bytes, so a run without
    /// non-ASCII bytes is exactly a word.
    pub(crate) fn runs(&self) -> Runs<'_> {
        Runs {
            blocks: &self.blocks,
            len: self.len,
            next_block: 0,
            base: 0,
            bounds: 0,
            high: 0,
            under: 0,
            carry: 0,
        }
    }
}

/// The iterator of [`Masks::positions`].
pub(crate) struct Positions<'m> {
    blocks: &'m [[u64; PER_BLOCK]],
    which: usize,
    next_block: usize,
    /// Offset of the current block's first byte.
    base: usize,
    /// Positions in the current block not yet returned.
    bits: u64,
}

impl Iterator for Positions<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.bits == 0 {
            let block = self.blocks.get(self.next_block)?;
            self.bits = block.get(self.which).copied().unwrap_or(0);
            self.base = self.next_block * 64;
            self.next_block += 1;
        }
        let j = self.bits.trailing_zeros() as usize;
        self.bits &= self.bits - 1;
        Some(self.base + j)
    }
}

/// The iterator of [`Masks::runs`]: it pops the run boundaries (the bits where
/// the run mask changes) of one block at a time, a start then an end.
pub(crate) struct Runs<'m> {
    blocks: &'m [[u64; PER_BLOCK]],
    len: usize,
    next_block: usize,
    /// Offset of the current block's first byte.
    base: usize,
    /// Boundaries of the current block not yet popped.
    bounds: u64,
    /// The current block's non-ASCII and `_` bits.
    high: u64,
    under: u64,
    /// The previous block's last run bit.
    carry: u64,
}

impl Runs<'_> {
    /// Moves to the next block; `false` past the last one.
    #[inline]
    fn load(&mut self) -> bool {
        let Some(block) = self.blocks.get(self.next_block) else {
            return false;
        };
        let (w, u, h) = (block[WORD], block[UNDER], block[HIGH]);
        let m = w | h;
        self.bounds = m ^ ((m << 1) | self.carry);
        self.carry = m >> 63;
        self.high = h;
        self.under = u;
        self.base = self.next_block * 64;
        self.next_block += 1;
        true
    }
}

impl Iterator for Runs<'_> {
    type Item = (usize, usize, bool, bool);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        // The next boundary is a start: every end is popped with its start.
        while self.bounds == 0 {
            if !self.load() {
                return None;
            }
        }
        let j = self.bounds.trailing_zeros();
        self.bounds &= self.bounds - 1;
        let s = self.base + j as usize;
        let from_j = !((1u64 << j) - 1);
        if self.bounds != 0 {
            // Most runs end in the block they start in.
            let je = self.bounds.trailing_zeros();
            self.bounds &= self.bounds - 1;
            let seg = ((1u64 << je) - 1) & from_j;
            return Some((
                s,
                self.base + je as usize,
                self.high & seg != 0,
                self.under & seg != 0,
            ));
        }
        let mut high = self.high & from_j != 0;
        let mut under = self.under & from_j != 0;
        loop {
            if !self.load() {
                return Some((s, self.len, high, under));
            }
            if self.bounds != 0 {
                let je = self.bounds.trailing_zeros();
                self.bounds &= self.bounds - 1;
                let seg = (1u64 << je) - 1;
                high |= self.high & seg != 0;
                under |= self.under & seg != 0;
                return Some((s, self.base + je as usize, high, under));
            }
            high |= self.high != 0;
            under |= self.under != 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_word(c: u8) -> bool {
        c.is_ascii_alphanumeric() || c == b'_'
    }

    #[test]
    fn fast_letter_classes_match_the_standard_library() {
        for c in (0..0x3_0000).filter_map(char::from_u32) {
            assert_eq!(is_alnum(c), c.is_alphanumeric(), "{c:?}");
            assert_eq!(is_alpha(c), c.is_alphabetic(), "{c:?}");
        }
    }

    #[test]
    fn chunk_masks_match_a_byte_scan() {
        let v: Vec<u8> = (0u8..=255).chain((0u8..=255).rev()).collect();
        for start in 0..v.len() {
            for len in [0, 1, 7, 8, 9, 17, 63, 64] {
                let chunk: Vec<u8> = v
                    .iter()
                    .copied()
                    .cycle()
                    .skip(start * 7)
                    .take(len)
                    .collect();
                let bits = |f: fn(u8) -> bool| {
                    chunk
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| f(**c))
                        .fold(0u64, |m, (j, _)| m | 1 << j)
                };
                assert_eq!(
                    chunk_masks(&chunk),
                    [
                        bits(is_word),
                        bits(|c| c == b'_'),
                        bits(|c| c >= 0x80),
                        bits(|c| c == b':' || c == b'='),
                        bits(|c| c == b'@' || c == b'['),
                    ],
                    "{chunk:?}"
                );
            }
        }
    }

    #[test]
    fn runs_match_a_byte_scan() {
        let mut texts: Vec<String> = vec![
            String::new(),
            "a".into(),
            "héllo wörld_x, foo—bar ".into(),
            "x".repeat(64),
            format!("{} {}", "y".repeat(63), "é".repeat(40)),
        ];
        let mut seed = 7u64;
        for _ in 0..300 {
            let mut s = String::new();
            for _ in 0..(seed % 200) {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                s.push(['a', 'Z', '_', ' ', '.', 'é', '—', '9', '\n'][(seed >> 33) as usize % 9]);
            }
            texts.push(s);
        }
        for t in &texts {
            let b = t.as_bytes();
            let m = Masks::new(b);
            let in_run = |c: u8| is_word(c) || c >= 0x80;
            let mut want = Vec::new();
            let mut i = 0;
            while i < b.len() {
                if in_run(b[i]) {
                    let s = i;
                    while i < b.len() && in_run(b[i]) {
                        i += 1;
                    }
                    want.push((s, i, b[s..i].iter().any(|c| *c >= 0x80)));
                } else {
                    i += 1;
                }
            }
            let mut each = Vec::new();
            for (s, e, h, u) in m.runs() {
                assert_eq!(u, b[s..e].contains(&b'_'), "{t:?}");
                each.push((s, e, h));
            }
            assert_eq!(each, want, "{t:?}");
            for i in 0..b.len() {
                let want = i + b[i..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .count();
                assert_eq!(m.alnum_end(i), want, "{t:?} at {i}");
            }
        }
    }
}
