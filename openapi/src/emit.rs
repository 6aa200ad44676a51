//! From the model to formatted Rust: everything is built as a `syn::File`
//! with `quote!` and printed by prettyplease, so the output is always
//! well-formed and formatted the same way.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::Error;
use crate::names::unraw;
use crate::operation::{Body, BodyKind, Entry, Method, Output, Param, Place};
use crate::schema::{Model, ModelKind, Ty, Types};

/// Marks a skipped operation inside a trait; replaced by its comment after printing.
const SKIP_MARKER: &str = "__RESTRAIT_SKIPPED_";

/// One `#[resource]` trait.
pub(crate) struct Trait {
    pub(crate) name: String,
    pub(crate) docs: Vec<String>,
    pub(crate) entries: Vec<Entry>,
    /// `#[resource(openapi = "..")]`: the spec the macro checks the trait against.
    pub(crate) openapi: Option<String>,
}

/// Prints the file: header comment, models (sorted by name), then traits (sorted by tag).
pub(crate) fn file<'m>(
    header: &[String],
    models: impl Iterator<Item = &'m Model>,
    traits: &[Trait],
    types: &Types<'_>,
) -> Result<String, Error> {
    let mut items = TokenStream::new();
    for model in models {
        items.extend(model_tokens(model));
    }
    let mut comments = Vec::new();
    for t in traits {
        items.extend(trait_tokens(t, types, &mut comments));
    }
    let file: syn::File = syn::parse2(items).map_err(|e| Error::Emit {
        message: e.to_string(),
    })?;
    let printed = prettyplease::unparse(&file);
    let mut out = String::new();
    for line in header {
        out.push_str(format!("// {line}").trim_end());
        out.push('\n');
    }
    out.push('\n');
    let mut previous = "";
    for line in printed.lines() {
        if separates(previous, line) {
            out.push('\n');
        }
        previous = line;
        let trimmed = line.trim_start();
        let comment = trimmed
            .strip_prefix("const ")
            .and_then(|rest| rest.strip_prefix(SKIP_MARKER))
            .and_then(|rest| rest.split(':').next())
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| comments.get(n));
        match comment {
            Some(text) => {
                out.push_str(&line[..line.len() - trimmed.len()]);
                out.push_str("// ");
                out.push_str(text);
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    Ok(out)
}

/// Whether a blank line goes between two printed lines: between items at
/// the top level and between methods (prettyplease writes none).
fn separates(previous: &str, line: &str) -> bool {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let depth = indent(line);
    let trimmed = line.trim_start();
    let starts_item = [
        "///",
        "#[",
        "pub ",
        "impl ",
        "async fn ",
        "fn ",
        "// skipped",
        "const ",
    ]
    .iter()
    .any(|p| trimmed.starts_with(p));
    let ends_item = previous.trim_start() == "}" || previous.ends_with(';');
    starts_item && ends_item && depth <= 4 && indent(previous) == depth
}

fn docs(lines: &[String]) -> TokenStream {
    lines
        .iter()
        .map(|line| {
            let text = if line.is_empty() {
                String::new()
            } else {
                format!(" {line}")
            };
            quote!(#[doc = #text])
        })
        .collect()
}

fn ident(name: &str) -> syn::Ident {
    match name.strip_prefix("r#") {
        Some(raw) => syn::Ident::new_raw(raw, proc_macro2::Span::call_site()),
        None => syn::Ident::new(name, proc_macro2::Span::call_site()),
    }
}

/// A type in a model or a return type: owned.
pub(crate) fn ty(t: &Ty) -> TokenStream {
    match t {
        Ty::Bool => quote!(bool),
        Ty::I32 => quote!(i32),
        Ty::I64 => quote!(i64),
        Ty::F64 => quote!(f64),
        Ty::Str => quote!(String),
        Ty::Json => quote!(serde_json::Value),
        Ty::Bytes => quote!(restrait::bytes::Bytes),
        Ty::Vec(inner) => {
            let inner = ty(inner);
            quote!(Vec<#inner>)
        }
        Ty::Map(inner) => {
            let inner = ty(inner);
            quote!(std::collections::BTreeMap<String, #inner>)
        }
        Ty::Option(inner) => {
            let inner = ty(inner);
            quote!(Option<#inner>)
        }
        Ty::Boxed(inner) => {
            let inner = ty(inner);
            quote!(Box<#inner>)
        }
        Ty::Named(name) => {
            let name = ident(name);
            quote!(#name)
        }
    }
}

/// A parameter's type: strings as `&str`, lists as slices, models by reference.
fn param_ty(t: &Ty, by_value: bool) -> TokenStream {
    match t {
        Ty::Option(inner) => {
            let inner = param_ty(inner, by_value);
            quote!(Option<#inner>)
        }
        Ty::Str => quote!(&str),
        Ty::Vec(inner) => {
            let inner = ty(inner);
            quote!(&[#inner])
        }
        Ty::Bytes => ty(t),
        _ if by_value => ty(t),
        _ => {
            let t = ty(t);
            quote!(&#t)
        }
    }
}

fn model_tokens(model: &Model) -> TokenStream {
    let doc = docs(&model.docs);
    let name = ident(&model.name);
    match &model.kind {
        ModelKind::Alias(t) => {
            let t = ty(t);
            quote!(#doc pub type #name = #t;)
        }
        ModelKind::Struct(fields) => {
            let fields = fields.iter().map(|f| {
                let doc = if f.docs.is_empty() {
                    docs(&[format!("`{}`", f.wire)])
                } else {
                    docs(&f.docs)
                };
                let field = ident(&f.ident);
                let t = ty(&f.ty);
                let mut serde = Vec::new();
                if unraw(&f.ident) != f.wire {
                    let wire = &f.wire;
                    serde.push(quote!(rename = #wire));
                }
                if f.skip_none {
                    serde.push(quote!(default, skip_serializing_if = "Option::is_none"));
                }
                let serde = (!serde.is_empty()).then(|| quote!(#[serde(#(#serde),*)]));
                quote!(#doc #serde pub #field: #t,)
            });
            quote! {
                #doc
                #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
                pub struct #name { #(#fields)* }
            }
        }
        ModelKind::Union(variants) => {
            let variants = variants.iter().map(|(v, t)| {
                let doc = docs(&[format!("A `{v}`.")]);
                let v = ident(v);
                let t = ty(t);
                quote!(#doc #v(#t),)
            });
            quote! {
                #doc
                #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
                #[serde(untagged)]
                pub enum #name { #(#variants)* }
            }
        }
        ModelKind::Enum(variants) => {
            let idents: Vec<syn::Ident> = variants.iter().map(|v| ident(&v.ident)).collect();
            let wires: Vec<&str> = variants.iter().map(|v| v.wire.as_str()).collect();
            let shown: Vec<String> = wires.iter().map(|w| format!(" `{w}`")).collect();
            quote! {
                #doc
                #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
                #[serde(from = "String", into = "String")]
                pub enum #name {
                    #(#[doc = #shown] #idents,)*
                    /// A value this client does not know yet, kept as sent.
                    Other(String),
                }

                impl #name {
                    /// The value as it goes on the wire.
                    pub fn as_str(&self) -> &str {
                        match self {
                            #(Self::#idents => #wires,)*
                            Self::Other(value) => value,
                        }
                    }
                }

                impl From<String> for #name {
                    fn from(value: String) -> Self {
                        match value.as_str() {
                            #(#wires => Self::#idents,)*
                            _ => Self::Other(value),
                        }
                    }
                }

                impl From<#name> for String {
                    fn from(value: #name) -> Self {
                        match value {
                            #name::Other(value) => value,
                            known => known.as_str().to_owned(),
                        }
                    }
                }

                impl std::fmt::Display for #name {
                    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(self.as_str())
                    }
                }
            }
        }
    }
}

fn trait_tokens(t: &Trait, types: &Types<'_>, comments: &mut Vec<String>) -> TokenStream {
    let doc = docs(&t.docs);
    let name = ident(&t.name);
    let items = t.entries.iter().map(|entry| match entry {
        Entry::Method(m) => method_tokens(m, types),
        Entry::Skipped { comment, .. } => {
            let marker = format_ident!("{SKIP_MARKER}{}", comments.len());
            comments.push(comment.clone());
            quote!(const #marker: ();)
        }
    });
    let items: Vec<TokenStream> = items.collect();
    let args = t.openapi.as_ref().map(|path| quote!((openapi = #path)));
    quote! {
        #doc
        #[restrait::resource #args]
        pub trait #name { #(#items)* }
    }
}

fn method_tokens(m: &Method, _types: &Types<'_>) -> TokenStream {
    let doc = docs(&m.docs);
    let verb = format_ident!("{}", m.verb);
    let path = &m.path;
    let name = ident(&m.ident);
    let params = m.params.iter().map(param_tokens);
    let body = m.body.as_ref().map(body_tokens);
    let content_type = match m.body.as_ref().map(|b| &b.kind) {
        Some(BodyKind::Raw(Some(media))) => {
            let header = format!("Content-Type: {media}");
            Some(quote!(#[headers(#header)]))
        }
        _ => None,
    };
    let (asyncness, paginate, ret) = match &m.output {
        Output::Paginate { item, items_field } => {
            let item = ty(item);
            let attr = match items_field {
                Some(field) => quote!(#[paginate(link, items = #field)]),
                None => quote!(#[paginate(link)]),
            };
            (None, Some(attr), quote!(restrait::Paginator<#item>))
        }
        other => {
            let inner = output_ty(other);
            (Some(quote!(async)), None, quote!(restrait::Result<#inner>))
        }
    };
    quote! {
        #doc
        #[#verb(#path)]
        #content_type
        #paginate
        #asyncness fn #name(&self, #(#params,)* #body) -> #ret;
    }
}

fn output_ty(output: &Output) -> TokenStream {
    match output {
        Output::Unit => quote!(()),
        Output::Text => quote!(String),
        Output::Bytes => quote!(restrait::bytes::Bytes),
        Output::Json(t) => ty(t),
        Output::WithHeaders(inner) => {
            let inner = output_ty(inner);
            quote!(restrait::Response<#inner>)
        }
        Output::Paginate { item, .. } => {
            let item = ty(item);
            quote!(restrait::Paginator<#item>)
        }
    }
}

fn param_tokens(p: &Param) -> TokenStream {
    let name = ident(&p.ident);
    let t = param_ty(&p.ty, p.by_value);
    let attr = match &p.place {
        Place::Path => None,
        Place::Query(wire) if unraw(&p.ident) == wire => Some(quote!(#[query])),
        Place::Query(wire) => Some(quote!(#[query(#wire)])),
        Place::Header(wire) => Some(quote!(#[header(#wire)])),
    };
    quote!(#attr #name: #t)
}

fn body_tokens(b: &Body) -> TokenStream {
    let name = ident(&b.ident);
    match b.kind {
        BodyKind::Json => {
            let t = param_ty(&b.ty, false);
            quote!(#[body] #name: #t)
        }
        BodyKind::Form => {
            let t = param_ty(&b.ty, false);
            quote!(#[form] #name: #t)
        }
        BodyKind::Raw(_) => quote!(#name: restrait::bytes::Bytes),
    }
}
