//! Wiki markup (Jira Data Center) cases, table-driven.

use jirafe_adf_to_text::{Mention, MentionKind, Options, Renderer, wiki_references, wiki_to_text};

#[test]
fn common_markup_renders_as_plain_text() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "bold and italic",
            "*bold* and _italic_ text",
            "bold and italic text",
        ),
        (
            "strike, under, sup, sub",
            "-gone- +under+ x ^2^ ~sub~",
            "gone under x 2 sub",
        ),
        ("sup and sub inside words stay", "x^2^ H~2~O", "x^2^ H~2~O"),
        (
            "inline code",
            "see {code}a *b* [~x]{code} ok",
            "see a *b* [~x] ok",
        ),
        (
            "markers inside words stay",
            "snake_case_name and well-known 2*3*4",
            "snake_case_name and well-known 2*3*4",
        ),
        ("lone markers stay", "a - b * c _ d", "a - b * c _ d"),
        ("C++ stays", "C++ and -5 degrees", "C++ and -5 degrees"),
        (
            "emphasis around a link",
            "_see [the log|https://l.example]_.",
            "see the log (https://l.example).",
        ),
        (
            "headings",
            "h1. Big\ntext\nh6. Small",
            "Big\n\ntext\n\nSmall",
        ),
        (
            "paragraph lines",
            "line one\nline two\n\nnext para",
            "line one\nline two\n\nnext para",
        ),
        ("windows newlines", "a\r\nb\r\n\r\nc", "a\nb\n\nc"),
        (
            "bullets",
            "* one\n* two\n** two.a\n- dash",
            "- one\n- two\n  - two.a\n- dash",
        ),
        (
            "numbers",
            "# one\n# two\n## two.a\n## two.b\n# three",
            "1. one\n2. two\n  1. two.a\n  2. two.b\n3. three",
        ),
        ("mixed", "#* a\n#* b", "  - a\n  - b"),
        (
            "code block verbatim",
            "before\n{code:java}\nint *x = _y_;\n\n[notalink]\n{code}\nafter",
            "before\n\nint *x = _y_;\n\n[notalink]\n\nafter",
        ),
        ("one-line code", "{code}a *b*{code}", "a *b*"),
        (
            "noformat",
            "{noformat}\n  keep   spacing\n{noformat}",
            "  keep   spacing",
        ),
        (
            "quote block",
            "{quote}\nquoted *text*\nmore\n{quote}\nafter",
            "> quoted text\n> more\n\nafter",
        ),
        ("bq", "bq. short quote", "> short quote"),
        (
            "panel with title",
            "{panel:title=Heads up|borderStyle=dashed}\ninside\n{panel}",
            "Heads up\n\ninside",
        ),
        ("color", "{color:red}alert{color} now", "alert now"),
        (
            "status macro",
            "state {status:colour=Green|title=Done}",
            "state [Done]",
        ),
        (
            "table",
            "||Key||Value||\n|a|[x|https://x.example]|\n|b|{{mono|pipe}}|",
            "Key | Value\na | x (https://x.example)\nb | mono|pipe",
        ),
        (
            "links",
            "[https://bare.example] and [Name|mailto:n@e.example] and [n@e.example|mailto:n@e.example]",
            "https://bare.example and Name (mailto:n@e.example) and n@e.example",
        ),
        (
            "anchor and attachment",
            "[#top] [Top|#top] [^report.pdf] [the file|^report.pdf]",
            "top Top [file: report.pdf] the file",
        ),
        (
            "images",
            "!screen.png! and !https://i.example/a.gif|thumbnail! but not! this!",
            "[image: screen.png] and [image: https://i.example/a.gif] but not! this!",
        ),
        (
            "monospace",
            "run {{cargo *test*}} now",
            "run cargo *test* now",
        ),
        (
            "escapes",
            "\\*not bold\\* and a\\\\b",
            "*not bold* and a\nb",
        ),
        ("rule", "above\n----\nbelow", "above\n\n---\n\nbelow"),
        (
            "unknown macros stay",
            "{unknown} and {not a tag}",
            "{unknown} and {not a tag}",
        ),
        (
            "mentions default",
            "hi [~jdoe] and [~accountid:5b10ac8d82e05b22cc7d4ef5]",
            "hi @user and @user",
        ),
    ];
    for (name, input, want) in cases {
        assert_eq!(wiki_to_text(input), *want, "case `{name}`: {input:?}");
    }
}

#[test]
fn mentions_go_through_the_hook_with_their_kind() {
    let mut seen = Vec::new();
    let text = Renderer::new()
        .with_mention_hook(|m: &Mention<'_>, out: &mut String| {
            seen.push((
                m.kind,
                m.id.map(str::to_owned),
                m.display_text.map(str::to_owned),
            ));
            out.push_str("@user:");
            out.push_str(&m.id.map_or(0, str::len).to_string());
        })
        .render_wiki("[~jdoe] [~accountid:abc123] [Jane|~jane.doe] [~]")
        .text;
    assert_eq!(text, "@user:4 @user:6 @user:8 @user:0");
    assert_eq!(
        seen,
        [
            (MentionKind::Username, Some("jdoe".into()), None),
            (MentionKind::AccountId, Some("abc123".into()), None),
            (
                MentionKind::Username,
                Some("jane.doe".into()),
                Some("Jane".into())
            ),
            (MentionKind::Username, None, None),
        ]
    );
}

#[test]
fn references_in_wiki_markup() {
    let refs = wiki_references(
        "[~jdoe] [~accountid:a1] [~jdoe] [x|https://a.example] [https://b.example] !https://c.example/i.png! {code}[~inside] [https://code.example]{code} [^file.txt]",
    );
    assert_eq!(refs.usernames, ["jdoe"]);
    assert_eq!(refs.account_ids, ["a1"]);
    assert_eq!(
        refs.urls,
        [
            "https://a.example",
            "https://b.example",
            "https://c.example/i.png"
        ]
    );
}

#[test]
fn link_urls_can_be_hidden() {
    let mut r = Renderer::new().with_options(Options::new().with_link_urls(false));
    assert_eq!(r.render_wiki("[the log|https://l.example]").text, "the log");
}
