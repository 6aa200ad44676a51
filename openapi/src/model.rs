//! The generator's model of the Rust it writes: types, models (structs,
//! string enums, untagged unions, aliases) and the pass that boxes the
//! fields through which a model would contain itself.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{ReferenceOr, Schema};

/// A Rust type as the generator writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ty {
    Bool,
    I32,
    I64,
    F64,
    Str,
    /// `serde_json::Value`: a schema with no useful shape.
    Json,
    /// `restrait::bytes::Bytes`: a raw body.
    Bytes,
    Vec(Box<Ty>),
    Map(Box<Ty>),
    Option(Box<Ty>),
    /// A model, by its Rust name.
    Named(String),
    /// `Box<T>`: breaks a cycle of models that contain each other.
    Boxed(Box<Ty>),
}

impl Ty {
    pub(crate) fn optional(self) -> Ty {
        match self {
            Ty::Option(_) => self,
            other => Ty::Option(Box::new(other)),
        }
    }
}

/// A generated type definition.
#[derive(Debug)]
pub(crate) struct Model {
    pub(crate) name: String,
    pub(crate) docs: Vec<String>,
    pub(crate) kind: ModelKind,
}

#[derive(Debug)]
pub(crate) enum ModelKind {
    Struct(Vec<Field>),
    /// A string enum; an unknown value decodes into `Other(String)`.
    Enum(Vec<Variant>),
    /// `#[serde(untagged)]` over `oneOf`/`anyOf` members.
    Union(Vec<(String, Ty)>),
    Alias(Ty),
}

#[derive(Debug)]
pub(crate) struct Field {
    pub(crate) ident: String,
    pub(crate) wire: String,
    pub(crate) ty: Ty,
    /// Left out when `None` (not in `required`).
    pub(crate) skip_none: bool,
    pub(crate) docs: Vec<String>,
}

#[derive(Debug)]
pub(crate) struct Variant {
    pub(crate) ident: String,
    pub(crate) wire: String,
}

/// A schema or a reference to one, whichever box it came in.
#[derive(Clone, Copy)]
pub(crate) enum SchemaRef<'a> {
    Ref(&'a str),
    Item(&'a Schema),
}

impl<'a> From<&'a ReferenceOr<Schema>> for SchemaRef<'a> {
    fn from(r: &'a ReferenceOr<Schema>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(s) => SchemaRef::Item(s),
        }
    }
}

impl<'a> From<&'a ReferenceOr<Box<Schema>>> for SchemaRef<'a> {
    fn from(r: &'a ReferenceOr<Box<Schema>>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(s) => SchemaRef::Item(s),
        }
    }
}

/// Boxes every field that would make a model contain itself.
pub(crate) fn box_cycles(models: &mut BTreeMap<String, Model>) {
    let edges: BTreeMap<String, BTreeSet<String>> = models
        .values()
        .map(|m| (m.name.clone(), direct_refs(&m.kind)))
        .collect();
    for model in models.values_mut() {
        let here = model.name.clone();
        let reaches_here = |ty: &Ty| {
            let mut targets = BTreeSet::new();
            direct(ty, &mut targets);
            targets.iter().any(|t| reaches(&edges, t, &here))
        };
        match &mut model.kind {
            ModelKind::Struct(fields) => {
                for f in fields.iter_mut().filter(|f| reaches_here(&f.ty)) {
                    f.ty = boxed(std::mem::replace(&mut f.ty, Ty::Json));
                }
            }
            ModelKind::Union(variants) => {
                for (_, ty) in variants.iter_mut().filter(|(_, ty)| reaches_here(ty)) {
                    *ty = boxed(std::mem::replace(ty, Ty::Json));
                }
            }
            ModelKind::Enum(_) | ModelKind::Alias(_) => {}
        }
    }
}

fn boxed(ty: Ty) -> Ty {
    match ty {
        Ty::Option(inner) => Ty::Option(Box::new(boxed(*inner))),
        other => Ty::Boxed(Box::new(other)),
    }
}

/// Models a type contains by value (not through `Vec`, a map or a `Box`).
fn direct(ty: &Ty, out: &mut BTreeSet<String>) {
    match ty {
        Ty::Named(n) => {
            out.insert(n.clone());
        }
        Ty::Option(inner) => direct(inner, out),
        _ => {}
    }
}

fn direct_refs(kind: &ModelKind) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    match kind {
        ModelKind::Struct(fields) => fields.iter().for_each(|f| direct(&f.ty, &mut out)),
        ModelKind::Union(variants) => variants.iter().for_each(|(_, t)| direct(t, &mut out)),
        ModelKind::Alias(t) => direct(t, &mut out),
        ModelKind::Enum(_) => {}
    }
    out
}

fn reaches(edges: &BTreeMap<String, BTreeSet<String>>, from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_owned()];
    while let Some(at) = stack.pop() {
        if at == to {
            return true;
        }
        if seen.insert(at.clone())
            && let Some(next) = edges.get(&at)
        {
            stack.extend(next.iter().cloned());
        }
    }
    false
}
