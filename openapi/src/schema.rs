//! From JSON Schema (the OpenAPI 3.0 dialect) to Rust types and models.
//!
//! Every component schema becomes a named model (a struct, an enum, an
//! untagged union or a type alias); inline objects and enums become models
//! named after where they appear (`PetOwner` for `Pet.owner`). Models are
//! kept sorted by name, so output order never depends on the document's.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{
    AdditionalProperties, AnySchema, IntegerFormat, OpenAPI, ReferenceOr, Schema, SchemaKind, Type,
    VariantOrUnknownOrEmpty,
};

use crate::error::{Error, child};
pub(crate) use crate::model::{Field, Model, ModelKind, SchemaRef, Ty, Variant};
use crate::names::{Names, RESERVED_TYPES, pascal, snake};

const SCHEMA_PREFIX: &str = "#/components/schemas/";
/// How deep `allOf` may nest through references before we give up on merging.
const MAX_ALL_OF_DEPTH: usize = 32;

/// All models of one spec, and the namespace their names come from.
pub(crate) struct Types<'a> {
    /// Component schemas by key.
    schemas: BTreeMap<&'a str, &'a ReferenceOr<Schema>>,
    pub(crate) names: Names,
    /// Component key -> Rust name.
    components: BTreeMap<String, String>,
    nullable: BTreeSet<String>,
    pub(crate) models: BTreeMap<String, Model>,
}

impl<'a> Types<'a> {
    /// Names every component schema, then defines each, in sorted order.
    pub(crate) fn new(spec: &'a OpenAPI) -> Result<Self, Error> {
        let mut types = Types {
            schemas: spec
                .components
                .iter()
                .flat_map(|c| c.schemas.iter())
                .map(|(k, v)| (k.as_str(), v))
                .collect(),
            names: Names::with_reserved(RESERVED_TYPES),
            components: BTreeMap::new(),
            nullable: BTreeSet::new(),
            models: BTreeMap::new(),
        };
        let schemas = types.schemas.clone();
        for (key, schema) in &schemas {
            let name = types.names.claim(&pascal(key));
            types.components.insert((*key).to_owned(), name);
            if let ReferenceOr::Item(s) = schema
                && s.schema_data.nullable
            {
                types.nullable.insert((*key).to_owned());
            }
        }
        for (key, schema) in schemas {
            let pointer = child("/components/schemas", key);
            let name = types.components.get(key).cloned().unwrap_or_default();
            types.define(&name, schema.into(), &pointer)?;
        }
        Ok(types)
    }

    /// Defines a component: the model itself, or an alias to what it maps to.
    fn define(&mut self, name: &str, schema: SchemaRef<'a>, pointer: &str) -> Result<(), Error> {
        let ty = match schema {
            SchemaRef::Item(s) => self.kind_ty(s, Naming::Exact(name), pointer)?,
            SchemaRef::Ref(_) => self.ty(schema, name, pointer)?,
        };
        if ty != Ty::Named(name.to_owned()) {
            let docs = match schema {
                SchemaRef::Item(s) => docs_of(s),
                SchemaRef::Ref(_) => Vec::new(),
            };
            self.insert(name.to_owned(), docs, ModelKind::Alias(ty), pointer);
        }
        Ok(())
    }

    /// Adds a model; one the spec does not describe says where it came from.
    fn insert(&mut self, name: String, mut docs: Vec<String>, kind: ModelKind, pointer: &str) {
        if docs.is_empty() {
            docs.push(format!("From `#{pointer}` in the spec."));
        }
        self.models.insert(name.clone(), Model { name, docs, kind });
    }

    /// The schema a `#/components/schemas/..` reference points at.
    pub(crate) fn resolve(
        &self,
        reference: &str,
        pointer: &str,
    ) -> Result<(&'a str, &'a ReferenceOr<Schema>), Error> {
        let key = reference.strip_prefix(SCHEMA_PREFIX).ok_or_else(|| {
            Error::invalid(
                pointer,
                format!("unsupported reference {reference:?}: only `#/components/schemas/<name>` is followed"),
            )
        })?;
        let key = key.replace("~1", "/").replace("~0", "~");
        self.schemas
            .get_key_value(key.as_str())
            .map(|(k, v)| (*k, *v))
            .ok_or_else(|| {
                Error::invalid(
                    pointer,
                    format!("reference {reference:?} points at no schema"),
                )
            })
    }

    /// The Rust type of a schema found at `pointer`; inline models are named after `hint`.
    pub(crate) fn ty(
        &mut self,
        schema: SchemaRef<'a>,
        hint: &str,
        pointer: &str,
    ) -> Result<Ty, Error> {
        match schema {
            SchemaRef::Ref(reference) => {
                let (key, _) = self.resolve(reference, pointer)?;
                let name = self.components.get(key).cloned().unwrap_or_default();
                let ty = Ty::Named(name);
                Ok(if self.nullable.contains(key) {
                    ty.optional()
                } else {
                    ty
                })
            }
            SchemaRef::Item(s) => {
                let ty = self.kind_ty(s, Naming::Hint(hint), pointer)?;
                Ok(if s.schema_data.nullable {
                    ty.optional()
                } else {
                    ty
                })
            }
        }
    }

    /// Whether a schema (after references) is a string enum model.
    pub(crate) fn is_enum(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Named(name) => matches!(
                self.models.get(name).map(|m| &m.kind),
                Some(ModelKind::Enum(_))
            ),
            Ty::Option(inner) => self.is_enum(inner),
            _ => false,
        }
    }

    /// The struct fields of a named model, if it is a struct.
    pub(crate) fn struct_fields(&self, ty: &Ty) -> Option<&[Field]> {
        match ty {
            Ty::Named(name) => match self.models.get(name).map(|m| &m.kind) {
                Some(ModelKind::Struct(fields)) => Some(fields),
                Some(ModelKind::Alias(inner)) => self.struct_fields(inner),
                _ => None,
            },
            _ => None,
        }
    }

    /// What a named alias stands for, followed to the end.
    pub(crate) fn expand_alias<'t>(&'t self, ty: &'t Ty) -> &'t Ty {
        match ty {
            Ty::Named(name) => match self.models.get(name).map(|m| &m.kind) {
                Some(ModelKind::Alias(inner)) if inner != ty => self.expand_alias(inner),
                _ => ty,
            },
            _ => ty,
        }
    }

    fn kind_ty(&mut self, s: &'a Schema, naming: Naming<'_>, pointer: &str) -> Result<Ty, Error> {
        match &s.schema_kind {
            SchemaKind::Type(Type::Boolean(_)) => Ok(Ty::Bool),
            SchemaKind::Type(Type::Integer(i)) => Ok(integer(&i.format)),
            SchemaKind::Type(Type::Number(_)) => Ok(Ty::F64),
            SchemaKind::Type(Type::String(st)) => {
                let values: Vec<&str> = st
                    .enumeration
                    .iter()
                    .flatten()
                    .map(String::as_str)
                    .collect();
                if values.is_empty() {
                    Ok(Ty::Str)
                } else {
                    Ok(self.string_enum(s, naming, &values, pointer))
                }
            }
            SchemaKind::Type(Type::Array(a)) => self.array(a.items.as_ref(), naming, pointer),
            SchemaKind::Type(Type::Object(o)) => self.object(
                s,
                naming,
                o.properties.iter().collect(),
                &o.required,
                o.additional_properties.as_ref(),
                pointer,
            ),
            SchemaKind::OneOf { one_of } => self.union(s, naming, one_of, &child(pointer, "oneOf")),
            SchemaKind::AnyOf { any_of } => self.union(s, naming, any_of, &child(pointer, "anyOf")),
            SchemaKind::AllOf { all_of } => self.all_of(s, naming, all_of, pointer),
            SchemaKind::Not { .. } => Ok(Ty::Json),
            SchemaKind::Any(any) => self.any(s, any, naming, pointer),
        }
    }

    fn any(
        &mut self,
        s: &'a Schema,
        any: &'a AnySchema,
        naming: Naming<'_>,
        pointer: &str,
    ) -> Result<Ty, Error> {
        if !any.all_of.is_empty() {
            return self.all_of(s, naming, &any.all_of, pointer);
        }
        if !any.one_of.is_empty() {
            return self.union(s, naming, &any.one_of, &child(pointer, "oneOf"));
        }
        if !any.any_of.is_empty() {
            return self.union(s, naming, &any.any_of, &child(pointer, "anyOf"));
        }
        let strings: Option<Vec<&str>> = any
            .enumeration
            .iter()
            .filter(|v| !v.is_null())
            .map(|v| v.as_str())
            .collect();
        match (any.typ.as_deref(), strings) {
            (Some("string") | None, Some(values)) if !values.is_empty() => {
                Ok(self.string_enum(s, naming, &values, pointer))
            }
            (Some("object"), _) | (None, _)
                if !any.properties.is_empty() || any.additional_properties.is_some() =>
            {
                self.object(
                    s,
                    naming,
                    any.properties.iter().collect(),
                    &any.required,
                    any.additional_properties.as_ref(),
                    pointer,
                )
            }
            (Some("array"), _) => self.array(any.items.as_ref(), naming, pointer),
            (None, _) if any.items.is_some() => self.array(any.items.as_ref(), naming, pointer),
            (Some("string"), _) => Ok(Ty::Str),
            (Some("boolean"), _) => Ok(Ty::Bool),
            (Some("number"), _) => Ok(Ty::F64),
            (Some("integer"), _) => Ok(match any.format.as_deref() {
                Some("int32") => Ty::I32,
                _ => Ty::I64,
            }),
            _ => Ok(Ty::Json),
        }
    }

    fn array(
        &mut self,
        items: Option<&'a ReferenceOr<Box<Schema>>>,
        naming: Naming<'_>,
        pointer: &str,
    ) -> Result<Ty, Error> {
        let item = match items {
            Some(items) => self.ty(
                items.into(),
                &format!("{} Item", naming.base()),
                &child(pointer, "items"),
            )?,
            None => Ty::Json,
        };
        Ok(Ty::Vec(Box::new(item)))
    }

    fn object(
        &mut self,
        s: &'a Schema,
        naming: Naming<'_>,
        properties: Props<'a>,
        required: &'a [String],
        additional: Option<&'a AdditionalProperties>,
        pointer: &str,
    ) -> Result<Ty, Error> {
        if properties.is_empty() {
            return Ok(match additional {
                Some(AdditionalProperties::Schema(inner)) => {
                    let hint = format!("{} Value", naming.base());
                    let value = self.ty(
                        inner.as_ref().into(),
                        &hint,
                        &child(pointer, "additionalProperties"),
                    )?;
                    Ty::Map(Box::new(value))
                }
                _ => Ty::Json,
            });
        }
        let props: Vec<(&'a str, SchemaRef<'a>, String)> = properties
            .into_iter()
            .map(|(k, v)| {
                (
                    k.as_str(),
                    v.into(),
                    child(&child(pointer, "properties"), k),
                )
            })
            .collect();
        let required: BTreeSet<&str> = required.iter().map(String::as_str).collect();
        self.build_struct(s, naming, props, &required, pointer)
    }

    fn build_struct(
        &mut self,
        s: &'a Schema,
        naming: Naming<'_>,
        props: Vec<(&'a str, SchemaRef<'a>, String)>,
        required: &BTreeSet<&str>,
        pointer: &str,
    ) -> Result<Ty, Error> {
        let name = naming.claim(&mut self.names);
        let mut idents = Names::default();
        let mut fields = Vec::new();
        for (wire, schema, pointer) in props {
            let ident = idents.claim(&snake(wire));
            let ty = self.ty(schema, &format!("{name} {wire}"), &pointer)?;
            let is_required = required.contains(wire);
            let docs = match schema {
                SchemaRef::Item(s) => docs_of(s),
                SchemaRef::Ref(_) => Vec::new(),
            };
            fields.push(Field {
                ident,
                wire: wire.to_owned(),
                ty: if is_required { ty } else { ty.optional() },
                skip_none: !is_required,
                docs,
            });
        }
        self.insert(name.clone(), docs_of(s), ModelKind::Struct(fields), pointer);
        Ok(Ty::Named(name))
    }

    fn string_enum(
        &mut self,
        s: &Schema,
        naming: Naming<'_>,
        values: &[&str],
        pointer: &str,
    ) -> Ty {
        let name = naming.claim(&mut self.names);
        let mut idents = Names::with_reserved(&["Other"]);
        let mut seen = BTreeSet::new();
        let variants = values
            .iter()
            .filter(|v| seen.insert(**v))
            .map(|v| Variant {
                ident: idents.claim(&variant_name(v)),
                wire: (*v).to_owned(),
            })
            .collect();
        self.insert(name.clone(), docs_of(s), ModelKind::Enum(variants), pointer);
        Ty::Named(name)
    }

    fn union(
        &mut self,
        s: &'a Schema,
        naming: Naming<'_>,
        members: &'a [ReferenceOr<Schema>],
        pointer: &str,
    ) -> Result<Ty, Error> {
        if let [only] = members {
            return self.ty(only.into(), naming.base(), &child(pointer, "0"));
        }
        if members.is_empty() {
            return Ok(Ty::Json);
        }
        let name = naming.claim(&mut self.names);
        let mut idents = Names::default();
        let mut variants = Vec::new();
        let mut last = Vec::new();
        for (i, member) in members.iter().enumerate() {
            let hint = format!("{name} Variant{i}");
            let ty = self.ty(member.into(), &hint, &child(pointer, &i.to_string()))?;
            let base = variant_of(&ty);
            let entry = (base, ty);
            // An untagged `Value` accepts anything: it must be tried last.
            if entry.1 == Ty::Json {
                last.push(entry)
            } else {
                variants.push(entry)
            }
        }
        variants.extend(last);
        let variants = variants
            .into_iter()
            .map(|(base, ty)| (idents.claim(&base), ty))
            .collect();
        self.insert(
            name.clone(),
            docs_of(s),
            ModelKind::Union(variants),
            pointer,
        );
        Ok(Ty::Named(name))
    }

    fn all_of(
        &mut self,
        s: &'a Schema,
        naming: Naming<'_>,
        members: &'a [ReferenceOr<Schema>],
        pointer: &str,
    ) -> Result<Ty, Error> {
        if let [only] = members {
            return self.ty(
                only.into(),
                naming.base(),
                &child(&child(pointer, "allOf"), "0"),
            );
        }
        let mut props: Vec<(&'a str, SchemaRef<'a>, String)> = Vec::new();
        let mut required = BTreeSet::new();
        for (i, member) in members.iter().enumerate() {
            let at = child(&child(pointer, "allOf"), &i.to_string());
            if !self.collect(member.into(), &at, &mut props, &mut required, 0)? {
                return Ok(Ty::Json);
            }
        }
        if props.is_empty() {
            return Ok(Ty::Json);
        }
        self.build_struct(s, naming, props, &required, pointer)
    }

    /// Gathers the properties of an `allOf` member; false if it is not an object.
    fn collect(
        &self,
        schema: SchemaRef<'a>,
        pointer: &str,
        props: &mut Vec<(&'a str, SchemaRef<'a>, String)>,
        required: &mut BTreeSet<&'a str>,
        depth: usize,
    ) -> Result<bool, Error> {
        if depth > MAX_ALL_OF_DEPTH {
            return Ok(false);
        }
        let s = match schema {
            SchemaRef::Ref(r) => {
                let (key, target) = self.resolve(r, pointer)?;
                return self.collect(
                    target.into(),
                    &child("/components/schemas", key),
                    props,
                    required,
                    depth + 1,
                );
            }
            SchemaRef::Item(s) => s,
        };
        let (properties, req, members): (Props<'a>, &'a [String], &'a [ReferenceOr<Schema>]) =
            match &s.schema_kind {
                SchemaKind::Type(Type::Object(o)) => {
                    (o.properties.iter().collect(), &o.required, &[])
                }
                SchemaKind::AllOf { all_of } => (Vec::new(), &[], all_of),
                SchemaKind::Any(a) if a.one_of.is_empty() && a.any_of.is_empty() => {
                    (a.properties.iter().collect(), &a.required, &a.all_of)
                }
                _ => return Ok(false),
            };
        for (k, v) in properties {
            let entry = (
                k.as_str(),
                SchemaRef::from(v),
                child(&child(pointer, "properties"), k),
            );
            match props.iter_mut().find(|(name, ..)| *name == k.as_str()) {
                Some(slot) => *slot = entry,
                None => props.push(entry),
            }
        }
        required.extend(req.iter().map(String::as_str));
        for (i, m) in members.iter().enumerate() {
            let at = child(&child(pointer, "allOf"), &i.to_string());
            if !self.collect(m.into(), &at, props, required, depth + 1)? {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// A schema's properties in document order.
type Props<'a> = Vec<(&'a String, &'a ReferenceOr<Box<Schema>>)>;

/// How an inline model is named: exactly (a component) or after its place.
#[derive(Clone, Copy)]
enum Naming<'n> {
    Exact(&'n str),
    Hint(&'n str),
}

impl Naming<'_> {
    fn base(&self) -> &str {
        match self {
            Naming::Exact(n) | Naming::Hint(n) => n,
        }
    }
    fn claim(&self, names: &mut Names) -> String {
        match self {
            Naming::Exact(n) => (*n).to_owned(),
            Naming::Hint(h) => names.claim(&pascal(h)),
        }
    }
}

fn integer(format: &VariantOrUnknownOrEmpty<IntegerFormat>) -> Ty {
    match format {
        VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => Ty::I32,
        _ => Ty::I64,
    }
}

fn variant_name(value: &str) -> String {
    if value.is_empty() {
        "Empty".to_owned()
    } else {
        pascal(value)
    }
}

/// A union variant's name from its type: the model's name, or the JSON kind.
fn variant_of(ty: &Ty) -> String {
    match ty {
        Ty::Bool => "Bool".into(),
        Ty::I32 | Ty::I64 => "Integer".into(),
        Ty::F64 => "Number".into(),
        Ty::Str => "String".into(),
        Ty::Json | Ty::Map(_) => "Object".into(),
        Ty::Bytes => "Bytes".into(),
        Ty::Vec(_) => "Array".into(),
        Ty::Option(inner) | Ty::Boxed(inner) => variant_of(inner),
        Ty::Named(name) => name.clone(),
    }
}

/// Doc lines from a schema's title and description.
fn docs_of(s: &Schema) -> Vec<String> {
    crate::docs::lines(&[
        s.schema_data.title.as_deref(),
        s.schema_data.description.as_deref(),
    ])
}
