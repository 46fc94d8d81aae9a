//! Mutations of token streams, at any depth: each edits one token
//! sequence (the stream itself or a group's), chosen at random.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};

use super::Rng;
use super::corpus::Corpus;

/// The number of token sequences in `stream`: itself and every group's.
pub(super) fn sequences(stream: &TokenStream) -> usize {
    1 + stream
        .clone()
        .into_iter()
        .map(|t| match t {
            TokenTree::Group(g) => sequences(&g.stream()),
            _ => 0,
        })
        .sum::<usize>()
}

/// `stream` with `edit` applied to its sequence number `target` (pre-order).
fn rewrite(
    stream: TokenStream,
    target: usize,
    next: &mut usize,
    edit: &mut dyn FnMut(&mut Vec<TokenTree>),
) -> TokenStream {
    let here = *next;
    *next += 1;
    let mut tokens: Vec<TokenTree> = stream
        .into_iter()
        .map(|t| match t {
            TokenTree::Group(g) if *next <= target => {
                let mut group = Group::new(g.delimiter(), rewrite(g.stream(), target, next, edit));
                group.set_span(g.span());
                TokenTree::Group(group)
            }
            TokenTree::Group(g) => {
                *next += sequences(&g.stream());
                TokenTree::Group(g)
            }
            other => other,
        })
        .collect();
    if here == target {
        edit(&mut tokens);
    }
    tokens.into_iter().collect()
}

pub(super) fn edit_sequence(
    stream: TokenStream,
    target: usize,
    edit: &mut dyn FnMut(&mut Vec<TokenTree>),
) -> TokenStream {
    rewrite(stream, target, &mut 0, edit)
}

/// A random slice of a random corpus input.
fn random_slice(rng: &mut Rng, corpus: &Corpus) -> Vec<TokenTree> {
    let source = if rng.one_in(4) {
        rng.pick(&corpus.entities)
    } else {
        rng.pick(&corpus.queries)
    };
    let tokens: Vec<TokenTree> = source.clone().into_iter().collect();
    let start = rng.below(tokens.len() + 1);
    let end = start + rng.below(tokens.len() - start + 1);
    tokens[start..end].to_vec()
}

fn positions(tokens: &[TokenTree], wanted: fn(&TokenTree) -> bool) -> Vec<usize> {
    tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| wanted(t))
        .map(|(i, _)| i)
        .collect()
}

/// One mutation of one token sequence.
fn mutate_tokens(rng: &mut Rng, corpus: &Corpus, tokens: &mut Vec<TokenTree>) {
    let len = tokens.len();
    let at = rng.below(len.max(1));
    match rng.below(12) {
        0 if len > 0 => {
            tokens.remove(at);
        }
        1 if len > 0 => {
            let copy = tokens[at].clone();
            tokens.insert(at, copy);
        }
        2 if len > 1 => tokens.swap(at.min(len - 2), at.min(len - 2) + 1),
        3 => {
            let ident = TokenTree::Ident(rng.pick(&corpus.idents).clone());
            match positions(tokens, |t| matches!(t, TokenTree::Ident(_))).as_slice() {
                [] => tokens.insert(at.min(len), ident),
                found => {
                    let i = *rng.pick(found);
                    tokens[i] = ident;
                }
            }
        }
        4 => {
            let literal = TokenTree::Literal(rng.pick(&corpus.literals).clone());
            match positions(tokens, |t| matches!(t, TokenTree::Literal(_))).as_slice() {
                [] => tokens.insert(at.min(len), literal),
                found => {
                    let i = *rng.pick(found);
                    tokens[i] = literal;
                }
            }
        }
        5 => {
            let punct: Vec<TokenTree> = rng.pick(&corpus.puncts).iter().cloned().map(TokenTree::Punct).collect();
            match positions(tokens, |t| matches!(t, TokenTree::Punct(_))).as_slice() {
                [] => tokens.splice(at.min(len)..at.min(len), punct),
                found => {
                    let i = *rng.pick(found);
                    tokens.splice(i..=i, punct)
                }
            };
        }
        6 => {
            let found = positions(tokens, |t| matches!(t, TokenTree::Group(_)));
            if !found.is_empty() {
                let i = *rng.pick(&found);
                if let TokenTree::Group(g) = &tokens[i] {
                    let delimiter = *rng.pick(&[
                        Delimiter::Parenthesis,
                        Delimiter::Brace,
                        Delimiter::Bracket,
                        Delimiter::None,
                    ]);
                    let mut group = Group::new(delimiter, g.stream());
                    group.set_span(g.span());
                    tokens[i] = TokenTree::Group(group);
                }
            }
        }
        7 => tokens.truncate(rng.below(len + 1)),
        8 => {
            let tree = rng.pick(&corpus.trees).clone();
            tokens.insert(rng.below(len + 1), tree);
        }
        9 => {
            // Splice a slice of another input over a range of this one.
            let start = rng.below(len + 1);
            let end = (start + rng.below(4)).min(len);
            tokens.splice(start..end, random_slice(rng, corpus));
        }
        10 if len > 0 => {
            // Unwrap a group, or wrap a range in a new one.
            if let TokenTree::Group(g) = &tokens[at] {
                let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                tokens.splice(at..=at, inner);
            } else {
                let end = (at + 1 + rng.below(3)).min(len);
                let inner: TokenStream = tokens[at..end].iter().cloned().collect();
                let delimiter = *rng.pick(&[Delimiter::Parenthesis, Delimiter::Brace, Delimiter::Bracket]);
                tokens.splice(at..end, [TokenTree::Group(Group::new(delimiter, inner))]);
            }
        }
        _ if len > 1 => {
            // Swap two tokens anywhere in the sequence.
            let other = rng.below(len);
            tokens.swap(at, other);
        }
        _ => tokens.push(rng.pick(&corpus.trees).clone()),
    }
}

/// `base` with one to a few mutations, each in a random sequence.
pub(super) fn mutate(rng: &mut Rng, corpus: &Corpus, base: &TokenStream) -> TokenStream {
    let mut stream = base.clone();
    let mut count = 1;
    while count < 8 && rng.one_in(2) {
        count += 1;
    }
    for _ in 0..count {
        let target = rng.below(sequences(&stream));
        stream = edit_sequence(stream, target, &mut |tokens| mutate_tokens(rng, corpus, tokens));
    }
    stream
}

/// A random concatenation of corpus tokens.
pub(super) fn concatenation(rng: &mut Rng, corpus: &Corpus) -> TokenStream {
    let count = 1 + rng.below(24);
    (0..count)
        .flat_map(|_| {
            if rng.one_in(3) {
                random_slice(rng, corpus)
            } else {
                vec![rng.pick(&corpus.trees).clone()]
            }
        })
        .collect()
}

/// One way to make a sequence smaller: remove `width` tokens at `at`
/// (`width` 0: replace the group at `at` by its tokens).
pub(super) fn smaller(tokens: &mut Vec<TokenTree>, at: usize, width: usize) {
    if width > 0 {
        tokens.drain(at..(at + width).min(tokens.len()));
    } else if let Some(TokenTree::Group(g)) = tokens.get(at) {
        let inner: Vec<TokenTree> = g.stream().into_iter().collect();
        tokens.splice(at..=at, inner);
    }
}
