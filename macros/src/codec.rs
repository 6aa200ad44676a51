//! Parsing the codec and compression choices: `#[body(xml)]`,
//! `#[body(gzip)]`, `#[body(codec = my::Yaml)]`, `#[returns(msgpack)]` and
//! `#[resource(codec = xml)]`. Every mistake goes to the `Ctxt` at its token.

use proc_macro2::Span;
use syn::parse::Parser as _;
use syn::spanned::Spanned;
use syn::{Attribute, Ident};

use crate::ctxt::Ctxt;

/// The built-in codecs, by the name written in an attribute.
pub(crate) const BUILT_IN: &[&str] = &["json", "xml", "msgpack"];

/// A codec named in an attribute.
#[derive(Debug, Clone)]
pub(crate) enum CodecName {
    /// `json`, `xml` or `msgpack`, with the span of the name.
    BuiltIn(&'static str, Span),
    /// Any other path: a type implementing `restrait::Codec`.
    Path(syn::Path),
}

impl CodecName {
    fn from_path(path: syn::Path) -> CodecName {
        if let Some(ident) = path.get_ident()
            && let Some(name) = BUILT_IN.iter().find(|name| ident == *name)
        {
            return CodecName::BuiltIn(name, ident.span());
        }
        CodecName::Path(path)
    }

    /// True for `json`: the default, which needs no codec type.
    pub(crate) fn is_json(&self) -> bool {
        matches!(self, CodecName::BuiltIn("json", _))
    }

    /// Where errors about the codec point.
    pub(crate) fn span(&self) -> Span {
        match self {
            CodecName::BuiltIn(_, span) => *span,
            CodecName::Path(path) => path.span(),
        }
    }
}

/// What `#[body(..)]` says.
#[derive(Debug, Clone, Default)]
pub(crate) struct BodyArgs {
    pub(crate) codec: Option<CodecName>,
    /// `gzip`, with its span.
    pub(crate) gzip: Option<Span>,
}

const BODY_ARGS: &[&str] = &["json", "xml", "msgpack", "gzip", "codec"];
const BODY_EXAMPLE: &str =
    "`#[body]`, `#[body(xml)]`, `#[body(gzip)]` or `#[body(codec = my::Yaml)]`";

/// `#[body]` or `#[body(..)]`: `None` when it had errors (recorded).
pub(crate) fn parse_body(cx: &Ctxt, attr: &Attribute) -> Option<BodyArgs> {
    let list = match &attr.meta {
        syn::Meta::Path(_) => return Some(BodyArgs::default()),
        syn::Meta::List(list) => list,
        syn::Meta::NameValue(_) => {
            cx.error_spanned_by(attr, format!("expected {BODY_EXAMPLE}"));
            return None;
        }
    };
    cx.scoped(|errors| {
        let mut args = BodyArgs::default();
        let parser = syn::meta::parser(|meta| {
            let name = meta.path.get_ident().map(Ident::to_string);
            match name.as_deref() {
                Some("gzip") => {
                    if args.gzip.is_some() {
                        errors.error_spanned_by(&meta.path, "duplicate argument `gzip`");
                    }
                    args.gzip = Some(meta.path.span());
                }
                Some("codec") => {
                    let path: syn::Path = meta.value()?.parse()?;
                    set_codec(errors, &mut args.codec, CodecName::from_path(path));
                }
                Some(name) if BUILT_IN.contains(&name) => {
                    set_codec(
                        errors,
                        &mut args.codec,
                        CodecName::from_path(meta.path.clone()),
                    );
                }
                _ => {
                    crate::attr::unknown_argument(errors, &meta, "`#[body]`", BODY_ARGS)?;
                }
            }
            Ok(())
        });
        if let Err(error) = parser.parse2(list.tokens.clone()) {
            errors.error_at(error.span(), format!("{error}; expected {BODY_EXAMPLE}"));
        }
        Some(args)
    })
}

const RETURNS_EXAMPLE: &str =
    "`#[returns(xml)]`, `#[returns(msgpack)]` or `#[returns(codec = my::Yaml)]`";

/// `#[returns(xml)]`: how the method's response body is decoded.
pub(crate) fn parse_returns(cx: &Ctxt, attr: &Attribute) -> Option<CodecName> {
    let syn::Meta::List(list) = &attr.meta else {
        cx.error_spanned_by(
            attr,
            format!("`#[returns]` names the codec of the response: write {RETURNS_EXAMPLE}"),
        );
        return None;
    };
    cx.scoped(|errors| {
        let mut codec = None;
        let mut keys = 0;
        let parser = syn::meta::parser(|meta| {
            keys += 1;
            let name = meta.path.get_ident().map(Ident::to_string);
            match name.as_deref() {
                Some("codec") => {
                    let path: syn::Path = meta.value()?.parse()?;
                    set_codec(errors, &mut codec, CodecName::from_path(path));
                }
                Some(name) if BUILT_IN.contains(&name) => {
                    set_codec(errors, &mut codec, CodecName::from_path(meta.path.clone()));
                }
                _ => {
                    crate::attr::unknown_argument(
                        errors,
                        &meta,
                        "`#[returns]`",
                        &["json", "xml", "msgpack", "codec"],
                    )?;
                }
            }
            Ok(())
        });
        if let Err(error) = parser.parse2(list.tokens.clone()) {
            errors.error_at(error.span(), format!("{error}; expected {RETURNS_EXAMPLE}"));
        }
        if keys == 0 {
            errors.error_spanned_by(
                attr,
                format!("`#[returns]` names no codec: write {RETURNS_EXAMPLE}"),
            );
        }
        codec
    })
}

/// `codec = xml` or `codec = my::Yaml` in `#[resource(..)]`.
pub(crate) fn parse_resource_codec(
    meta: &syn::meta::ParseNestedMeta<'_>,
) -> syn::Result<CodecName> {
    let path: syn::Path = meta.value()?.parse()?;
    Ok(CodecName::from_path(path))
}

fn set_codec(cx: &Ctxt, slot: &mut Option<CodecName>, codec: CodecName) {
    if slot.is_some() {
        cx.error_at(
            codec.span(),
            "a body has one codec: this is the second; keep one of them",
        );
    } else {
        *slot = Some(codec);
    }
}
