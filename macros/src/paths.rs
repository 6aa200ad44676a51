//! The one place that spells the paths generated code uses. Everything is
//! absolute (`::restrait::..` or the `crate = ".."` path, `::core::..`), so
//! the expansion works whatever the user has imported, even under
//! `#![no_implicit_prelude]`. The runtime side of this contract is described
//! in `PRIVATE_API.md`.

use crate::ast::Decoder;
use crate::attr::Verb;
use crate::codec::CodecName;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};

/// How generated code names the runtime crate.
pub(crate) struct Paths {
    /// `::restrait`, or the path given with `crate = ".."`.
    krate: TokenStream,
    /// Whether `krate` is the user's path (then it is respanned, not requoted).
    custom: bool,
}

impl Paths {
    pub(crate) fn new(krate: Option<&syn::Path>) -> Self {
        match krate {
            Some(path) => Paths {
                krate: path.to_token_stream(),
                custom: true,
            },
            None => Paths {
                krate: quote!(::restrait),
                custom: false,
            },
        }
    }

    /// `::restrait::__private`, with `span` on every token (so that a type
    /// error in an item it names lands on the user's type).
    pub(crate) fn private(&self, span: Span) -> TokenStream {
        if self.custom {
            let krate = &self.krate;
            respan(quote!(#krate::__private), span)
        } else {
            quote_spanned!(span=> ::restrait::__private)
        }
    }

    pub(crate) fn client(&self) -> TokenStream {
        let krate = &self.krate;
        quote!(#krate::Client)
    }

    /// `::restrait::blocking::{item}`: the blocking client's public types.
    pub(crate) fn blocking(&self, item: &str) -> TokenStream {
        let krate = &self.krate;
        let item = Ident::new(item, Span::call_site());
        quote!(#krate::blocking::#item)
    }

    /// `::restrait::Result`.
    pub(crate) fn result(&self) -> TokenStream {
        let krate = &self.krate;
        quote!(#krate::Result)
    }

    pub(crate) fn call_options(&self) -> TokenStream {
        let krate = &self.krate;
        quote!(#krate::CallOptions)
    }

    pub(crate) fn resource_client(&self) -> TokenStream {
        let private = self.private(Span::call_site());
        quote!(#private::ResourceClient)
    }

    /// `::restrait::__private::HeaderName` and `HeaderValue`.
    pub(crate) fn header_types(&self) -> (TokenStream, TokenStream) {
        let private = self.private(Span::call_site());
        (quote!(#private::HeaderName), quote!(#private::HeaderValue))
    }

    /// `::restrait::__private::Pagination`, whose constructors a `#[paginate]` names.
    pub(crate) fn pagination(&self) -> TokenStream {
        let private = self.private(Span::call_site());
        quote!(#private::Pagination)
    }

    pub(crate) fn duration(&self) -> TokenStream {
        let private = self.private(Span::call_site());
        quote!(#private::Duration)
    }

    /// The decoder type for the `T` of `Result<T>`, spanned across `at` (the
    /// user's type that a bound on the decoder is about).
    pub(crate) fn decoder(&self, decoder: &Decoder<'_>, at: &UserType) -> TokenStream {
        let (first, last) = (at.first, at.last);
        let private = self.private(first);
        let close = quote_spanned!(last=> >);
        match decoder {
            Decoder::Unit => quote_spanned!(first=> #private::Unit),
            Decoder::Text => quote_spanned!(first=> #private::Text),
            Decoder::Raw => quote_spanned!(first=> #private::Raw),
            Decoder::Json(ty) => quote_spanned!(first=> #private::Json<#ty #close),
            Decoder::Streamed => quote_spanned!(first=> #private::Streamed),
            Decoder::Lines(ty) => quote_spanned!(first=> #private::Lines<#ty #close),
            Decoder::Events(ty) => quote_spanned!(first=> #private::Events<#ty #close),
            Decoder::WithResponse(inner) => {
                let inner = self.decoder(inner, at);
                quote_spanned!(first=> #private::WithResponse<#inner #close)
            }
        }
    }

    /// The type of a codec named in an attribute: a built-in one's
    /// `::restrait::__private::XmlCodec` spanned at its name, or the
    /// user's own path as written.
    pub(crate) fn codec(&self, codec: &CodecName) -> TokenStream {
        match codec {
            CodecName::BuiltIn(name, span) => {
                let private = self.private(*span);
                let ty = match *name {
                    "xml" => "XmlCodec",
                    "msgpack" => "MsgPackCodec",
                    _ => "JsonCodec",
                };
                let ty = Ident::new(ty, *span);
                quote_spanned!(*span=> #private::#ty)
            }
            CodecName::Path(path) => path.to_token_stream(),
        }
    }

    /// The decoder for a `Result<T>` or `Result<Response<T>>` decoded with
    /// `codec` (a type from [`codec`](Self::codec)), spanned across `at`.
    pub(crate) fn codec_decoder(
        &self,
        decoder: &Decoder<'_>,
        at: &UserType,
        codec: &TokenStream,
    ) -> TokenStream {
        let (first, last) = (at.first, at.last);
        let private = self.private(first);
        let close = quote_spanned!(last=> >);
        match decoder {
            Decoder::Json(ty) => quote_spanned!(first=> #private::CodecDecoded<#codec, #ty #close),
            Decoder::WithResponse(inner) => {
                let inner = self.codec_decoder(inner, at, codec);
                quote_spanned!(first=> #private::WithResponse<#inner #close)
            }
            other => self.decoder(other, at),
        }
    }

    /// `::restrait::__private::{segments}::<{arg}>`, spanned across `at`. rustc
    /// gives the path expression the span from its first to its last token,
    /// so an unmet bound on `arg` is reported across the whole of the user's type.
    pub(crate) fn turbofish(
        &self,
        segments: &[&str],
        arg: &TokenStream,
        at: &UserType,
    ) -> TokenStream {
        let (first, last) = (at.first, at.last);
        let root = self.private(first);
        let segments = segments.iter().map(|s| Ident::new(s, first));
        let mut path = quote_spanned!(first=> #root #(::#segments)* ::<#arg);
        path.extend(quote_spanned!(last=> >));
        path
    }

    /// A bound-checked helper of `bounds.rs` called for one user type:
    /// `::restrait::__private::{function}::<T>`, spanned across `T`.
    pub(crate) fn checked(&self, function: &str, ty: &UserType) -> TokenStream {
        self.turbofish(&[function], &ty.tokens, ty)
    }
}

/// The resource client's method that starts a request with `verb`:
/// `get`, `post`, ..
pub(crate) fn verb_method(verb: Verb) -> Ident {
    Ident::new(verb.name(), Span::call_site())
}

/// A user's type rendered to tokens once, with the spans of its first and
/// last tokens: quoting a path with the first and its closing `>` with the
/// last makes rustc report an unmet bound across the whole type.
pub(crate) struct UserType {
    pub(crate) tokens: TokenStream,
    first: Span,
    last: Span,
}

impl UserType {
    pub(crate) fn new(ty: &impl ToTokens) -> Self {
        let tokens = ty.to_token_stream();
        let mut iter = tokens.clone().into_iter();
        let first = iter.next().map_or_else(Span::call_site, |t| t.span());
        let last = iter.last().map_or(first, |t| t.span());
        UserType {
            tokens,
            first,
            last,
        }
    }
}

/// `impl ::core::future::Future<Output = R> + ::core::marker::Send`. In an
/// impl, spanned across `at` (the user's type the decoder is about), so that
/// an unmet bound found while checking the returned future is reported there,
/// with (and deduplicated against) the matching check.
pub(crate) fn future_type(output: TokenStream, at: Option<&UserType>) -> TokenStream {
    let (first, last) = at.map_or((Span::call_site(), Span::call_site()), |at| {
        (at.first, at.last)
    });
    let mut future = respan(quote!(impl ::core::future::Future<Output =), first);
    future.extend(output);
    future.extend(respan(quote!(> + ::core::marker::Send), last));
    future
}

fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let proc_macro2::TokenTree::Group(group) = &token {
                let mut new =
                    proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                new.set_span(span);
                token = new.into();
            } else {
                token.set_span(span);
            }
            token
        })
        .collect()
}

/// The fallback body of an endpoint that has errors: type-checks, never runs.
pub(crate) fn pending() -> TokenStream {
    quote!(::core::future::pending())
}

/// The fallback body of a plain (paginated) method that has errors: it
/// type-checks as any return type and never runs, since the crate does not
/// compile.
pub(crate) fn unreachable() -> TokenStream {
    quote!(::core::unreachable!(
        "`#[resource]` reported an error for this endpoint"
    ))
}

/// `::core::option::Option::Some(value)`, or `None`.
pub(crate) fn option(value: Option<&impl ToTokens>) -> TokenStream {
    match value {
        Some(value) => quote!(::core::option::Option::Some(#value)),
        None => quote!(::core::option::Option::None),
    }
}

pub(crate) fn send_trait() -> TokenStream {
    quote!(::core::marker::Send)
}

pub(crate) fn sync_trait() -> TokenStream {
    quote!(::core::marker::Sync)
}

pub(crate) fn clone_trait() -> TokenStream {
    quote!(::core::clone::Clone)
}

pub(crate) fn debug_trait() -> TokenStream {
    quote!(::core::fmt::Debug)
}
