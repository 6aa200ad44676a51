//! `#[multipart]` methods: what a `#[part("name")]` parameter may be.

use bytes::Bytes;

use crate::multipart::Part;

/// A `#[part("name")]` parameter type: text, bytes, a
/// [`Part`](crate::multipart::Part), or an `Option` of one (`None`: no part).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a `#[part]` of a multipart body",
    label = "a `#[part(\"name\")]` parameter must be text, bytes, a `restrait::multipart::Part` or an `Option` of one",
    note = "pass `&str`/`String` for text, `Bytes`/`Vec<u8>` for bytes, `restrait::multipart::Part::file(path)` for a file with its name and type, or write `#[part(\"name\", json)]` to send a `Serialize` value as JSON"
)]
pub trait PartValue {
    /// The part, or `None` for no part.
    fn into_part(self) -> Option<Part>;
}

impl PartValue for &str {
    fn into_part(self) -> Option<Part> {
        Some(Part::text(self))
    }
}

impl PartValue for String {
    fn into_part(self) -> Option<Part> {
        Some(Part::text(self))
    }
}

impl PartValue for &String {
    fn into_part(self) -> Option<Part> {
        Some(Part::text(self.as_str()))
    }
}

impl PartValue for Bytes {
    fn into_part(self) -> Option<Part> {
        Some(Part::bytes(self))
    }
}

impl PartValue for Vec<u8> {
    fn into_part(self) -> Option<Part> {
        Some(Part::bytes(self))
    }
}

impl PartValue for Part {
    fn into_part(self) -> Option<Part> {
        Some(self)
    }
}

impl<V: PartValue> PartValue for Option<V> {
    fn into_part(self) -> Option<Part> {
        self.and_then(PartValue::into_part)
    }
}
