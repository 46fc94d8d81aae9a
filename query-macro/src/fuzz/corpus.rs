//! The corpus of the macro property test: every `select!(…)` body and
//! every `#[derive(Entity)]` struct of the workspace's tests, benches,
//! examples, README and docs, read at test time, and the identifiers,
//! literals and punctuation mutations draw from.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use proc_macro2::{Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use syn::visit::Visit;

/// The files the corpus is read from, relative to the workspace.
const ROOTS: &[&str] = &[
    "README.md",
    "docs",
    "tests/tests",
    "tests/src",
    "tests/ui",
    "benches/src",
    "benches/benches",
    "runtime/examples",
];

fn files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else { return };
        let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for entry in entries {
            files(&entry, out);
        }
    } else if path.extension().is_some_and(|e| e == "rs" || e == "md") {
        out.push(path.to_owned());
    }
}

/// The Rust code of a file: the file itself, or a markdown file's code
/// blocks, each tokenized on its own (a block that does not tokenize is
/// left out).
fn token_streams(path: &Path) -> Vec<TokenStream> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    if path.extension().is_some_and(|e| e == "rs") {
        return text.parse().into_iter().collect();
    }
    // `None` outside a block, `Some(None)` in a block of another language.
    let mut blocks = Vec::new();
    let mut current: Option<Option<String>> = None;
    for line in text.lines() {
        match (&mut current, line.trim_start().strip_prefix("```")) {
            (None, Some(lang)) => current = Some((lang.is_empty() || lang.starts_with("rust")).then(String::new)),
            (Some(block), Some(_)) => {
                blocks.extend(block.as_ref().and_then(|b| b.parse::<TokenStream>().ok()));
                current = None;
            }
            (Some(Some(block)), None) => {
                // Hidden doctest lines (`# fn main() {`) are code too.
                block.push_str(line.trim_start().strip_prefix("# ").unwrap_or(line));
                block.push('\n');
            }
            (_, None) => {}
        }
    }
    blocks
}

/// Every `select!(…)` body in `stream`, at any depth.
fn select_bodies(stream: TokenStream, out: &mut Vec<TokenStream>) {
    let tokens: Vec<TokenTree> = stream.into_iter().collect();
    for (i, token) in tokens.iter().enumerate() {
        if let TokenTree::Group(g) = token {
            let is_select = i >= 2
                && matches!(&tokens[i - 2], TokenTree::Ident(name) if name == "select")
                && matches!(&tokens[i - 1], TokenTree::Punct(p) if p.as_char() == '!');
            if is_select {
                out.push(g.stream());
            }
            select_bodies(g.stream(), out);
        }
    }
}

/// Structs deriving `Entity`, wherever they are (modules, functions).
#[derive(Default)]
struct Entities(Vec<TokenStream>);

impl<'ast> Visit<'ast> for Entities {
    fn visit_item_struct(&mut self, item: &'ast syn::ItemStruct) {
        let derives_entity = item.attrs.iter().any(|a| {
            a.path().is_ident("derive")
                && a.meta.require_list().is_ok_and(|l| {
                    l.tokens
                        .clone()
                        .into_iter()
                        .any(|t| matches!(&t, TokenTree::Ident(i) if i == "Entity"))
                })
        });
        if derives_entity {
            let mut item = item.clone();
            // What the derive receives: the item without its `derive`.
            item.attrs.retain(|a| !a.path().is_ident("derive"));
            self.0.push(quote::ToTokens::to_token_stream(&item));
        }
        syn::visit::visit_item_struct(self, item);
    }
}

/// Entities with options the corpus may lack, right and wrong.
const EXTRA_ENTITIES: &[&str] = &[
    r#"#[foal(table = "t", has_many(items: Item = owner), has_many(more: a::b::Item = r#type))]
       pub struct R { #[foal(primary_key, auto)] pub r#type: i64, #[foal(column = "the name", unique, max_len = 10)] pub name: String }"#,
    r#"#[foal(table = 5)] struct A { id: i64 }"#,
    r#"#[foal(table)] struct A { id: i64 }"#,
    r#"#[foal(has_many)] struct A { id: i64 }"#,
    r#"#[foal(has_many())] struct A { id: i64 }"#,
    r#"#[foal(has_many(x: = y))] struct A { id: i64 }"#,
    r#"#[foal(has_many(id: A = id))] struct A { id: i64 }"#,
    r#"#[foal = "x"] struct A { id: i64 }"#,
    r#"#[foal] struct A { id: i64 }"#,
    r#"struct A { #[foal(max_len = "x")] id: i64 }"#,
    r#"struct A { #[foal(max_len = 99999999999999999999999999)] id: String }"#,
    r#"struct A { #[foal(max_len = 0)] id: String, #[foal(max_len = -1)] b: String }"#,
    r#"struct A { #[foal(column = "")] id: i64, #[foal(column = "")] b: i64 }"#,
    r#"struct A { #[foal(column = "a\"b\0c")] id: i64, #[foal(column = 'c')] b: i64 }"#,
    r#"struct A { #[foal(column)] id: i64 }"#,
    r#"struct A { #[foal(primary_key = true)] id: i64 }"#,
    r#"struct A { #[foal(primary_key, primary_key, auto, auto)] id: i64 }"#,
    r#"struct A { #[foal(version)] id: i64, #[foal(version)] v: i32, #[foal(version)] w: String }"#,
    r#"struct A { #[foal(primary_key)] a: i64, #[foal(primary_key, auto)] b: i64 }"#,
    r#"struct A { #[foal(primary_key)] a: Option<Ref<B>>, c: Many<B>, d: (i64, i64), e: [u8; 4], f: &'static str, g: fn() }"#,
    r#"struct A<T> { id: T }"#,
    r#"struct A<'a> where Self: Sized { id: &'a i64 }"#,
    r#"struct A(i64);"#,
    r#"struct A;"#,
    r#"struct A {}"#,
    r#"enum A { B }"#,
    r#"union A { id: i64 }"#,
];

pub(super) struct Corpus {
    pub(super) queries: Vec<TokenStream>,
    pub(super) entities: Vec<TokenStream>,
    /// Identifiers: the corpus's, keywords and raw identifiers.
    pub(super) idents: Vec<Ident>,
    pub(super) literals: Vec<Literal>,
    pub(super) puncts: Vec<Vec<Punct>>,
    /// Every token tree of the corpus, groups included.
    pub(super) trees: Vec<TokenTree>,
}

fn dedup(streams: Vec<TokenStream>) -> Vec<TokenStream> {
    let mut seen = BTreeSet::new();
    streams.into_iter().filter(|s| seen.insert(s.to_string())).collect()
}

fn collect_leaves(stream: TokenStream, corpus: &mut Corpus, seen: &mut BTreeSet<String>) {
    for tree in stream {
        if seen.insert(tree.to_string()) {
            corpus.trees.push(tree.clone());
            match &tree {
                TokenTree::Ident(i) => corpus.idents.push(i.clone()),
                TokenTree::Literal(l) => corpus.literals.push(l.clone()),
                _ => {}
            }
        }
        if let TokenTree::Group(g) = tree {
            collect_leaves(g.stream(), corpus, seen);
        }
    }
}

pub(super) fn parse(text: &str) -> TokenStream {
    text.parse().expect("invariant: the fuzzer's own token lists tokenize")
}

impl Corpus {
    pub(super) fn load() -> Corpus {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut paths = Vec::new();
        for root in ROOTS {
            files(&workspace.join(root), &mut paths);
        }
        let mut queries = Vec::new();
        let mut entities = Entities::default();
        for path in &paths {
            for stream in token_streams(path) {
                select_bodies(stream.clone(), &mut queries);
                if let Ok(file) = syn::parse2::<syn::File>(stream) {
                    entities.visit_file(&file);
                }
            }
        }
        entities.0.extend(EXTRA_ENTITIES.iter().map(|e| parse(e)));
        let mut corpus = Corpus {
            queries: dedup(queries),
            entities: dedup(entities.0),
            idents: Vec::new(),
            literals: Vec::new(),
            puncts: Vec::new(),
            trees: Vec::new(),
        };
        let mut seen = BTreeSet::new();
        for stream in corpus.queries.clone().into_iter().chain(corpus.entities.clone()) {
            collect_leaves(stream, &mut corpus, &mut seen);
        }
        let keywords = "as async await break const continue crate dyn else enum extern false fn for if impl in let \
                        loop match mod move mut pub ref return self Self static struct super trait true type unsafe \
                        use where while yield macro union try gen _ r#type r#match r#for r#in r#if r#fn \
                        __foal_gen __b __q __q0 __h0 __v0 __s0 __SITE foal __private Query Site main";
        corpus
            .idents
            .extend(parse(keywords).into_iter().filter_map(|t| match t {
                TokenTree::Ident(i) => Some(i),
                _ => None,
            }));
        corpus.idents.push(Ident::new_raw("select", Span::call_site()));
        let literals = r##""" "x" "a\"b\\c\0" r"raw" r#"r#x"# b"bytes" b'b' 'c' '\u{10FFFF}' c"cstr" 0 1 -1 255u8 256u8
                          -129i8 18446744073709551616 340282366920938463463374607431768211456u128 1i128
                          0x_ff 0o7 0b1 1_000 1e400 1e-400 0.0 -0.0 1.5f32 1f64 1e3 1.0e10_f64 9.99999999999999999999
                          1usize 2isize 3u16 1suffix "s"suffix 'c'x"##;
        corpus
            .literals
            .extend(parse(literals).into_iter().filter_map(|t| match t {
                TokenTree::Literal(l) => Some(l),
                _ => None,
            }));
        corpus.literals.extend([
            Literal::i64_unsuffixed(i64::MIN),
            Literal::u128_suffixed(u128::MAX),
            Literal::f64_unsuffixed(f64::MAX),
            Literal::f32_suffixed(f32::MIN_POSITIVE),
            Literal::string("\u{0}\u{202E}😀\\"),
            Literal::byte_string(&[0, 255, b'"']),
            Literal::character('\''),
        ]);
        let puncts = ". , ; : :: = == != < <= > >= + - * / % ! & && | || ^ << >> += -= .. ..= ... => -> ? @ # $ ~ 'a";
        for tree in parse(puncts) {
            match tree {
                TokenTree::Punct(p) => match corpus.puncts.last_mut() {
                    Some(last) if last.last().is_some_and(|l| l.spacing() == Spacing::Joint) => last.push(p),
                    _ => corpus.puncts.push(vec![p]),
                },
                TokenTree::Ident(i) => corpus.idents.push(i),
                _ => {}
            }
        }
        corpus
    }
}
