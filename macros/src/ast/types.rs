//! Reading the user's types: which return kind, bytes or upload a type names.

use super::*;

/// The ident of the last path segment of `ty`.
pub(crate) fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Path(path) if path.qself.is_none() => path.path.segments.last(),
        Type::Paren(inner) => last_segment(&inner.elem),
        Type::Group(inner) => last_segment(&inner.elem),
        _ => None,
    }
}

pub(crate) fn is_named(ty: &Type, name: &str) -> bool {
    last_segment(ty).is_some_and(|s| s.ident == name)
}

/// The type arguments of the last segment of `ty`.
pub(crate) fn type_args(ty: &Type) -> Vec<&Type> {
    match last_segment(ty).map(|s| &s.arguments) {
        Some(syn::PathArguments::AngleBracketed(args)) => args
            .args
            .iter()
            .filter_map(|a| match a {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `Bytes` or `&Bytes`: a raw body.
pub(super) fn is_bytes(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) => is_bytes(&r.elem),
        _ => is_named(ty, "Bytes") && type_args(ty).is_empty(),
    }
}

/// `Body` by value (any path ending in `Body`, e.g. `restrait::Body`): a
/// body sent as it is. Decided by the name, as for `Bytes`, since a macro
/// cannot ask whether a type implements a trait. A `restrait::Body` is
/// consumed when sent, so `&Body` stays JSON: a user's own `&Body` struct
/// keeps working, and a user's own `Body` by value meets the bound error of
/// `__private::body` at its type, whose note says how to send it as JSON.
pub(super) fn is_upload(ty: &Type) -> bool {
    is_named(ty, "Body") && type_args(ty).is_empty()
}

pub(super) fn decoder(ty: &Type) -> Decoder<'_> {
    if let Type::Tuple(tuple) = ty
        && tuple.elems.is_empty()
    {
        return Decoder::Unit;
    }
    if let Some(segment) = last_segment(ty) {
        let args = type_args(ty);
        match (segment.ident.to_string().as_str(), args.as_slice()) {
            ("String", []) => return Decoder::Text,
            ("Bytes", []) => return Decoder::Raw,
            ("Response", [inner]) => return Decoder::WithResponse(Box::new(decoder(inner))),
            ("ByteStream", []) => return Decoder::Streamed,
            ("JsonLines", [item]) => return Decoder::Lines(item),
            ("EventStream", [item]) => return Decoder::Events(item),
            _ => {}
        }
    }
    Decoder::Json(ty)
}
