//! The typed model of a `#[resource]` trait, parsed once from `syn`.
//!
//! Nodes borrow the syntax they came from (`&'a TraitItemFn`, `&'a Type`,
//! `&'a Attribute`), so later errors and generated code carry the user's
//! spans without copying the trait. Everything that depends on the shape of
//! the user's tokens is decided here: the role of each parameter, the decoder
//! of the return type, whether a method returns a future. `check` and
//! `expand` read the model and never look at syntax to decide anything.

use crate::attr::{self, ParamAttr, Retry, StaticHeader, Timeout, Verb};
use crate::codec::{BodyArgs, CodecName};
use crate::ctxt::Ctxt;
use crate::paginate::{self, Paginate};
use crate::paths::Paths;
use crate::template::{self, Piece, Template};
use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Attribute, FnArg, Ident, ItemTrait, LitStr, PatType, TraitItem, TraitItemFn, Type};

mod build;
mod types;

pub(crate) use build::*;
pub(crate) use types::*;
use types::{decoder, is_bytes, is_upload};

/// A `#[resource]` trait.
pub(crate) struct Resource<'a> {
    pub(crate) item: &'a ItemTrait,
    /// The trait's attributes that are not ours (docs, lints, ..).
    pub(crate) attrs: Vec<&'a Attribute>,
    pub(crate) client: Ident,
    /// How generated code names the runtime (`::restrait` or `crate = ".."`).
    pub(crate) paths: Paths,
    /// `#[headers(..)]` on the trait: sent with every request.
    pub(crate) headers: Vec<StaticHeader>,
    /// `Send` and `Sync` supertraits the trait lacks (the client is shared
    /// across tasks, and the futures must be `Send`).
    pub(crate) missing_supertraits: Vec<&'static str>,
    /// One entry per trait item, in order.
    pub(crate) items: Vec<Item<'a>>,
    /// `#[resource(error = T)]`.
    pub(crate) error: Option<syn::Type>,
    /// `#[resource(ok_field = "..")]`.
    pub(crate) ok_field: Option<LitStr>,
    /// `#[resource(codec = ..)]`: the default codec of bodies and responses.
    pub(crate) codec: Option<CodecName>,
    /// `#[resource(check = path)]`.
    pub(crate) check: Option<syn::Path>,
    /// `#[resource(openapi = "..")]`: the spec to check the endpoints against.
    pub(crate) openapi: Option<LitStr>,
}

pub(crate) enum Item<'a> {
    /// A method with a verb (or one that should have had one), with the
    /// collector of its own errors: its outcome decides between a real body
    /// and a stub.
    Endpoint(Box<Endpoint<'a>>, Ctxt),
    /// Anything else, kept as written (plain default methods, consts).
    Kept(&'a TraitItem),
}

/// One endpoint method.
pub(crate) struct Endpoint<'a> {
    pub(crate) method: &'a TraitItemFn,
    /// The method's name, for messages.
    pub(crate) name: String,
    /// Attributes kept on the trait method (docs, lints, ..).
    pub(crate) attrs: Vec<&'a Attribute>,
    /// Every verb attribute found; the first one counts, `check` reports the rest.
    pub(crate) verbs: Vec<(Verb, &'a Attribute)>,
    /// True when an unknown attribute was a likely misspelled verb.
    pub(crate) misspelled_verb: bool,
    /// The first verb's template, when it parsed.
    pub(crate) template: Option<PathTemplate>,
    /// `#[headers]`, `#[timeout]`, `#[retry]`, `#[idempotent]`, `#[multipart]`, `#[sse]`.
    pub(crate) options: Options,
    /// `#[paginate(..)]` (even a wrong one), and what it says when it parsed.
    pub(crate) paginate: Option<(&'a Attribute, Option<Paginate>)>,
    /// `#[timeout]`, `#[retry]`, `#[idempotent]`, `#[headers]`, `#[paginate]`,
    /// `#[multipart]`, `#[sse]`, for "needs a verb" errors on default methods
    /// and for spans of the rules about them.
    pub(crate) option_attrs: Vec<(&'static str, &'a Attribute)>,
    pub(crate) params: Vec<Param<'a>>,
    /// The declared return type.
    pub(crate) ret: Option<&'a Type>,
    pub(crate) output: Output<'a>,
    /// A plain `fn .. -> R` (a paginated method, or one returning
    /// `Paginator<T>`, written without `async`): the impl returns `R` itself.
    /// Every other endpoint returns `impl Future<Output = R> + Send`.
    pub(crate) plain: bool,
}

impl<'a> Endpoint<'a> {
    pub(crate) fn verb(&self) -> Verb {
        self.verbs.first().map_or(Verb::Get, |(verb, _)| *verb)
    }

    /// A method with a body and no verb stays a default method of the trait,
    /// even when it carries errors (e.g. a misspelled verb).
    pub(crate) fn is_default_method(&self) -> bool {
        self.verbs.is_empty() && self.method.default.is_some()
    }

    /// The first method attribute named `name` (`multipart`, `sse`, ..).
    pub(crate) fn option_attr(&self, name: &str) -> Option<&'a Attribute> {
        self.option_attrs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, attr)| *attr)
    }
}

/// The method attributes that become per-request settings.
#[derive(Default)]
pub(crate) struct Options {
    /// `#[headers(..)]` on the method, sent after the trait's.
    pub(crate) headers: Vec<StaticHeader>,
    pub(crate) timeout: Option<Timeout>,
    pub(crate) retry: Option<Retry>,
    pub(crate) idempotent: bool,
    /// `#[multipart]`: the body is the `#[part]` parameters.
    pub(crate) multipart: bool,
    /// `#[sse(done = "..")]`: the data of the event that ends an `EventStream`.
    pub(crate) sse_done: Option<LitStr>,
    /// `#[returns(xml)]`: the codec of the response body.
    pub(crate) returns: Option<CodecName>,
    /// `#[rate_limit("group")]`: the endpoint group of the method's requests.
    pub(crate) rate_limit: Option<LitStr>,
}

/// A verb's path template.
pub(crate) struct PathTemplate {
    pub(crate) lit: LitStr,
    pub(crate) parsed: Template,
    /// The full template as sent to the runtime, with the prefix.
    pub(crate) full: String,
    /// The prefix without its trailing `/`, the first literal of the path.
    pub(crate) prefix: String,
}

/// One typed parameter (not the receiver).
pub(crate) struct Param<'a> {
    pub(crate) arg: &'a PatType,
    /// Its attributes that are not ours, re-emitted.
    pub(crate) attrs: Vec<&'a Attribute>,
    /// The user's binding, when it is a plain identifier.
    pub(crate) ident: Option<&'a Ident>,
    /// `ident` without `r#`: the name placeholders and queries use.
    pub(crate) name: String,
    pub(crate) ty: &'a Type,
    /// Our attribute's name and the span of its name.
    pub(crate) attr: Option<(&'static str, Span)>,
    pub(crate) role: Role<'a>,
    /// `#[body(..)]`: its codec and compression.
    pub(crate) body: BodyArgs,
}

impl Param<'_> {
    /// Where an error about the parameter's role points: its attribute, else the parameter.
    pub(crate) fn role_span(&self) -> Span {
        self.attr.map_or_else(|| self.arg.span(), |(_, span)| span)
    }
}

/// How a parameter goes into the request. Decided in [`role`], the one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Role<'a> {
    /// Fills `<name>`.
    Segment,
    /// Fills `<name..>`.
    Tail,
    /// `#[query]`, with the key.
    Query(String),
    /// `#[header]`, with the header name; `optional` is the `T` of an `Option<T>`.
    Header {
        name: String,
        optional: Option<&'a Type>,
    },
    /// `#[body]`: JSON.
    Json,
    /// `#[form]`: urlencoded.
    Form,
    /// A `Bytes` (or `#[body] Bytes`): the raw body; `by_ref` for `&Bytes`.
    Raw { by_ref: bool },
    /// `#[url]`: the absolute URL of the request.
    Url,
    /// `#[body]` on a type whose last path segment is `Body`, by value
    /// (`restrait::Body`: bytes, a file or a stream), sent as it is.
    Upload,
    /// `#[part]` of a `#[multipart]` body, with the part's name; `json` for
    /// `#[part("..", json)]`; `optional` is the `T` of an `Option<T>` (no part
    /// for `None`).
    Part {
        name: String,
        json: bool,
        optional: Option<&'a Type>,
    },
    /// A bare parameter that names no placeholder; `check` reports it.
    Unbound,
    /// Its attribute had errors, already reported.
    Broken,
}

impl Role<'_> {
    pub(crate) fn is_body(&self) -> bool {
        matches!(
            self,
            Role::Json | Role::Form | Role::Raw { .. } | Role::Upload
        )
    }
}

/// The declared return type, as the decoder sees it.
pub(crate) enum Output<'a> {
    /// `Result<X>`: one call, `X` decoded by the decoder.
    Call(Decoder<'a>),
    /// `Paginator<T>`: a stream of `T`s, one page request at a time.
    Stream(&'a Type),
    /// Neither (`check` reports it).
    Unknown,
}

/// How the response body becomes `X`; see `PRIVATE_API.md`.
pub(crate) enum Decoder<'a> {
    Unit,
    Text,
    Raw,
    Json(&'a Type),
    WithResponse(Box<Decoder<'a>>),
    /// `ByteStream`: the body as it arrives.
    Streamed,
    /// `JsonLines<T>`: one `T` per line.
    Lines(&'a Type),
    /// `EventStream<T>`: server-sent events whose data is a `T`.
    Events(&'a Type),
}

impl<'a> Decoder<'a> {
    /// The decoder inside any `Response<..>`.
    pub(crate) fn without_response(&self) -> &Decoder<'a> {
        match self {
            Decoder::WithResponse(inner) => inner.without_response(),
            other => other,
        }
    }

    /// The types decoded as JSON (a whole body, a line or an event's data),
    /// for the `DeserializeOwned` checks.
    pub(crate) fn json_leaf(&self) -> Option<&'a Type> {
        match self {
            Decoder::Json(ty) | Decoder::Lines(ty) | Decoder::Events(ty) => Some(ty),
            Decoder::WithResponse(inner) => inner.json_leaf(),
            Decoder::Unit | Decoder::Text | Decoder::Raw | Decoder::Streamed => None,
        }
    }

    /// The name of a kind whose body stays a stream, read as it arrives.
    pub(crate) fn streaming(&self) -> Option<&'static str> {
        match self {
            Decoder::Streamed => Some("ByteStream"),
            Decoder::Lines(_) => Some("JsonLines"),
            Decoder::Events(_) => Some("EventStream"),
            Decoder::WithResponse(inner) => inner.streaming(),
            Decoder::Unit | Decoder::Text | Decoder::Raw | Decoder::Json(_) => None,
        }
    }
}
