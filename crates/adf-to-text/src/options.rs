//! Rendering options and the rendered result.

/// Limits and choices for rendering. Build with [`Options::new`] and the
/// `with_*` methods.
///
/// ```
/// use jirafe_adf_to_text::Options;
///
/// let options = Options::new()
///     .with_max_depth(32)
///     .with_max_output_bytes(64 * 1024)
///     .with_link_urls(false);
/// assert_eq!(options.max_depth(), 32);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    max_depth: usize,
    max_output_bytes: usize,
    link_urls: bool,
    strings_as_wiki: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_depth: Options::DEFAULT_MAX_DEPTH,
            max_output_bytes: Options::DEFAULT_MAX_OUTPUT_BYTES,
            link_urls: true,
            strings_as_wiki: false,
        }
    }
}

impl Options {
    /// Default for [`Options::with_max_depth`]: far deeper than any document the
    /// Jira editor produces (it nests lists about six levels).
    pub const DEFAULT_MAX_DEPTH: usize = 64;
    /// Default for [`Options::with_max_output_bytes`]: 1 MiB, some thirty times
    /// the longest comment Jira accepts.
    pub const DEFAULT_MAX_OUTPUT_BYTES: usize = 1024 * 1024;

    /// The defaults: depth 64, 1 MiB of output, link URLs shown, strings verbatim.
    pub fn new() -> Self {
        Self::default()
    }

    /// Structure deeper than `depth` nodes (the root is depth 0) is flattened:
    /// its text is still written, separated by spaces, but without list
    /// markers, quote bars or line breaks. [`Truncation::depth`] reports it.
    /// This bounds the work per line, since every line repeats the prefixes of
    /// the structure it sits in.
    pub fn with_max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }

    /// The rendered text is at most `bytes` long. When a document would render
    /// longer, the text is cut on a character boundary and ends with
    /// [`TRUNCATION_MARKER`](crate::TRUNCATION_MARKER) (counted within the limit),
    /// rendering stops, and [`Truncation::output`] reports it.
    pub fn with_max_output_bytes(mut self, bytes: usize) -> Self {
        self.max_output_bytes = bytes;
        self
    }

    /// Whether a link whose text differs from its URL is written as
    /// `text (url)` (the default) or as just `text`.
    pub fn with_link_urls(mut self, show: bool) -> Self {
        self.link_urls = show;
        self
    }

    /// How a bare JSON string body (some Jira fields, and every Data Center
    /// text field, are strings) is rendered: verbatim (the default), or as
    /// wiki markup when `wiki` is true.
    pub fn with_strings_as_wiki(mut self, wiki: bool) -> Self {
        self.strings_as_wiki = wiki;
        self
    }

    /// The depth limit.
    pub fn max_depth(&self) -> usize {
        self.max_depth
    }

    /// The output limit in bytes.
    pub fn max_output_bytes(&self) -> usize {
        self.max_output_bytes
    }

    /// Whether link URLs are written after link text.
    pub fn link_urls(&self) -> bool {
        self.link_urls
    }

    /// Whether bare string bodies are read as wiki markup.
    pub fn strings_as_wiki(&self) -> bool {
        self.strings_as_wiki
    }
}

/// Which limits a rendering hit. Nothing is ever silently dropped: when a
/// limit is hit, this says so.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Truncation {
    /// Structure past [`Options::with_max_depth`] was flattened (its text is kept).
    pub depth: bool,
    /// The output limit was reached: the text ends with the truncation marker
    /// and the rest of the document was not rendered.
    pub output: bool,
}

impl Truncation {
    /// Whether any limit was hit.
    pub fn any(&self) -> bool {
        self.depth || self.output
    }
}

/// Plain text and what limits, if any, shaped it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rendered {
    /// The plain text.
    pub text: String,
    /// The limits that were hit.
    pub truncated: Truncation,
}
