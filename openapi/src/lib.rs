//! Generates restrait clients from OpenAPI specs.
//!
//! `restrait-openapi` reads an OpenAPI 3.0 or 3.1 document (JSON or YAML)
//! and writes one Rust file: serde models for its schemas and one
//! `#[restrait::resource]` trait per tag, so the client is ordinary restrait
//! code that can be read, diffed and extended by hand.
//!
//! ```
//! let spec = r#"
//! openapi: 3.0.3
//! info: { title: Pets, version: "1" }
//! paths:
//!   /pets/{petId}:
//!     get:
//!       operationId: showPetById
//!       tags: [pets]
//!       parameters:
//!         - { name: petId, in: path, required: true, schema: { type: string } }
//!       responses:
//!         "200":
//!           description: A pet
//!           content:
//!             application/json:
//!               schema: { type: object, properties: { name: { type: string } } }
//! "#;
//! let generated = restrait_openapi::generate(spec, &restrait_openapi::Options::default())?;
//! assert!(generated.code.contains("pub trait PetsApi"));
//! assert!(generated.code.contains(r#"#[get("/pets/{pet_id}")]"#));
//! assert!(generated.code.contains("async fn show_pet_by_id("));
//! assert!(generated.code.contains("pet_id: &str"));
//! assert_eq!(generated.summary.generated, 1);
//! # Ok::<(), restrait_openapi::Error>(())
//! ```
//!
//! What it writes, from the spec:
//!
//! - a tag `pets` becomes `pub trait PetsApi` (and so `PetsApiClient`);
//!   operations without a tag go to `DefaultApi`;
//! - each operation becomes a method named after its `operationId` (GitHub's
//!   `repos/get-content` gives `get_content`), with `summary` and
//!   `description` as its docs; path, query and header parameters keep their
//!   wire names (`#[query("per-page")]`, `#[header("X-Foo")]`) and optional
//!   ones are `Option<T>`;
//! - a JSON body is `#[body]`, a urlencoded one `#[form]`, anything else raw
//!   `Bytes` sent with the spec's media type (`#[headers("Content-Type:
//!   text/plain")]`); an operation with only a multipart body is skipped (the
//!   macro has no `#[multipart]` yet) with a `// skipped: multipart` comment;
//! - the first 2xx response gives `Result<T>`, `Result<()>` without content,
//!   `Result<restrait::Response<T>>` when it declares headers, and
//!   `#[paginate(link)]` with `Paginator<T>` when a GET's response declares a
//!   `Link` header and holds an array;
//! - string enums become Rust enums with an `Other(String)` variant, so a
//!   value added to the API later still decodes.
//!
//! The output depends only on the spec: everything is sorted, so the same
//! spec always gives the same bytes. The generated file needs `restrait`,
//! `serde` (with `derive`) and `serde_json` in the crate that includes it.

mod docs;
mod emit;
mod error;
mod load;
mod model;
mod names;
mod operation;
mod schema;

use std::collections::{BTreeMap, BTreeSet};

pub use error::Error;

use operation::Entry;
use schema::{ModelKind, Ty};

/// What to generate.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Options {
    /// Only the operations of this tag (and the models they use).
    pub tag: Option<String>,
    /// Written as `#[restrait::resource(openapi = "..")]` on every trait, so
    /// that the macro checks the traits against the spec at this path
    /// (relative to the `Cargo.toml` of the crate that includes the code)
    /// whenever they compile, hand edits included.
    pub check_against: Option<String>,
}

impl Options {
    /// All tags.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only the operations of `tag`, and the models they use.
    #[must_use]
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tag = Some(tag.into());
        self
    }

    /// Traits checked against the spec at `path` by `#[resource(openapi = ..)]`.
    ///
    /// ```
    /// # let spec = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {'204': {description: none}}\n";
    /// let options = restrait_openapi::Options::new().check_against("specs/api.yaml");
    /// let generated = restrait_openapi::generate(spec, &options)?;
    /// assert!(generated.code.contains(r#"#[restrait::resource(openapi = "specs/api.yaml")]"#));
    /// # Ok::<(), restrait_openapi::Error>(())
    /// ```
    #[must_use]
    pub fn check_against(mut self, path: impl Into<String>) -> Self {
        self.check_against = Some(path.into());
        self
    }
}

/// The generated code and what went into it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Generated {
    /// The Rust source, formatted.
    pub code: String,
    /// Counts of what was generated and skipped.
    pub summary: Summary,
}

/// What a generation did, for the CLI's report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// Operations in the spec (of the chosen tag).
    pub operations: usize,
    /// Operations that became methods.
    pub generated: usize,
    /// Operations left out, by reason (`"multipart"`, ...).
    pub skipped: BTreeMap<String, usize>,
    /// Traits written (one per tag).
    pub traits: usize,
    /// Models written (structs, enums, unions and aliases).
    pub models: usize,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let skipped: usize = self.skipped.values().sum();
        write!(
            f,
            "{} operations: {} generated, {skipped} skipped; {} traits, {} models",
            self.operations, self.generated, self.traits, self.models
        )?;
        for (reason, n) in &self.skipped {
            write!(f, "\n  skipped ({reason}): {n}")?;
        }
        Ok(())
    }
}

/// Generates the Rust client for `spec`, the text of an OpenAPI 3.0 or 3.1
/// document in JSON or YAML.
///
/// # Errors
///
/// [`Error`] when the text does not parse, the version is not 3.0 or 3.1, a
/// node is malformed or a reference points nowhere (with the node's JSON
/// pointer), or `options.tag` names no tag.
pub fn generate(spec: &str, options: &Options) -> Result<Generated, Error> {
    let (doc, version) = load::load(spec)?;
    let mut types = schema::Types::new(&doc)?;
    let mut ops = operation::operations(&doc);
    if let Some(tag) = &options.tag {
        let known: BTreeSet<&str> = ops.iter().map(|o| o.tag.as_str()).collect();
        if !known.contains(tag.as_str()) {
            let known: Vec<&str> = known.into_iter().collect();
            return Err(Error::UnknownTag {
                tag: tag.clone(),
                known: known.join(", "),
            });
        }
        ops.retain(|o| &o.tag == tag);
    }
    let mut summary = Summary {
        operations: ops.len(),
        ..Summary::default()
    };
    let mut by_tag: BTreeMap<String, (names::Names, Vec<Entry>)> = BTreeMap::new();
    for op in &ops {
        let (methods, entries) = by_tag.entry(op.tag.clone()).or_default();
        let entry = operation::method(&mut types, &doc, op, methods)?;
        match &entry {
            Entry::Method(_) => summary.generated += 1,
            Entry::Skipped { reason, .. } => {
                *summary.skipped.entry((*reason).to_owned()).or_default() += 1
            }
        }
        entries.push(entry);
    }
    model::box_cycles(&mut types.models);

    let tag_docs: BTreeMap<&str, Vec<String>> = doc
        .tags
        .iter()
        .map(|t| (t.name.as_str(), docs::lines(&[t.description.as_deref()])))
        .collect();
    let mut traits = Vec::new();
    for (tag, (_, entries)) in by_tag {
        let name = types.names.claim(&operation::trait_name(&tag));
        let docs = tag_docs
            .get(tag.as_str())
            .filter(|d| !d.is_empty())
            .cloned()
            .unwrap_or_else(|| vec![format!("Operations tagged `{tag}`.")]);
        traits.push(emit::Trait {
            name,
            docs,
            entries,
            openapi: options.check_against.clone(),
        });
    }

    let keep = options.tag.as_ref().map(|_| used_models(&types, &traits));
    let models: Vec<&schema::Model> = types
        .models
        .values()
        .filter(|m| keep.as_ref().is_none_or(|k| k.contains(&m.name)))
        .collect();
    summary.traits = traits.len();
    summary.models = models.len();

    let skipped: usize = summary.skipped.values().sum();
    let header = vec![
        format!(
            "Generated by restrait-openapi from {:?} {} (OpenAPI {}). Do not edit by hand.",
            doc.info.title, doc.info.version, version
        ),
        format!(
            "{} operations: {} generated, {skipped} skipped.",
            summary.operations, summary.generated
        ),
        "Needs `restrait`, `serde` (with `derive`) and `serde_json` as dependencies.".to_owned(),
    ];
    let code = emit::file(&header, models.into_iter(), &traits, &types)?;
    Ok(Generated { code, summary })
}

/// The models the traits reach, directly or through other models.
fn used_models(types: &schema::Types<'_>, traits: &[emit::Trait]) -> BTreeSet<String> {
    let mut stack = Vec::new();
    for t in traits {
        for entry in &t.entries {
            if let Entry::Method(m) = entry {
                m.params.iter().for_each(|p| named(&p.ty, &mut stack));
                if let Some(b) = &m.body {
                    named(&b.ty, &mut stack);
                }
                output_named(&m.output, &mut stack);
            }
        }
    }
    let mut seen = BTreeSet::new();
    while let Some(name) = stack.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        match types.models.get(&name).map(|m| &m.kind) {
            Some(ModelKind::Struct(fields)) => fields.iter().for_each(|f| named(&f.ty, &mut stack)),
            Some(ModelKind::Union(vs)) => vs.iter().for_each(|(_, t)| named(t, &mut stack)),
            Some(ModelKind::Alias(t)) => named(t, &mut stack),
            Some(ModelKind::Enum(_)) | None => {}
        }
    }
    seen
}

fn output_named(output: &operation::Output, out: &mut Vec<String>) {
    match output {
        operation::Output::Json(t) | operation::Output::Paginate { item: t, .. } => named(t, out),
        operation::Output::WithHeaders(inner) => output_named(inner, out),
        operation::Output::Unit | operation::Output::Text | operation::Output::Bytes => {}
    }
}

fn named(ty: &Ty, out: &mut Vec<String>) {
    match ty {
        Ty::Named(n) => out.push(n.clone()),
        Ty::Vec(t) | Ty::Map(t) | Ty::Option(t) | Ty::Boxed(t) => named(t, out),
        Ty::Bool | Ty::I32 | Ty::I64 | Ty::F64 | Ty::Str | Ty::Json | Ty::Bytes => {}
    }
}
