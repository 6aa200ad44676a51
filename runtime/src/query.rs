//! Query parameters through serde.
//!
//! One `#[query]` parameter becomes zero or more `key=value` pairs:
//! a scalar is one pair under the parameter's name, `None` is left out,
//! a sequence repeats the key, and a struct or map is flattened into one pair
//! per field (its `None` fields left out, its sequences repeated).
//! Encoding is `application/x-www-form-urlencoded`, as servers expect.

use std::fmt::Display;

use serde::ser::{self, Impossible, Serialize};

type Pairs<'a, 'b> = form_urlencoded::Serializer<'b, &'a mut String>;

/// Appends the pairs of `value` to the query string `out` (which holds only
/// the query, without `?`).
pub(crate) fn append<V: Serialize + ?Sized>(
    out: &mut String,
    name: &str,
    value: &V,
) -> Result<(), QueryError> {
    let mut pairs = form_urlencoded::Serializer::for_suffix(out, 0);
    value.serialize(QuerySer {
        key: name,
        level: Level::Top,
        pairs: &mut pairs,
    })
}

/// Encodes a whole value as a form body (`#[form]`): a struct or a map.
pub(crate) fn to_form<V: Serialize + ?Sized>(value: &V) -> Result<String, QueryError> {
    let mut out = String::new();
    let mut pairs = form_urlencoded::Serializer::for_suffix(&mut out, 0);
    value.serialize(QuerySer {
        key: "",
        level: Level::Form,
        pairs: &mut pairs,
    })?;
    Ok(out)
}

/// A value that has no representation as query pairs.
#[derive(Debug)]
pub(crate) struct QueryError(pub(crate) String);

impl Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for QueryError {}

impl ser::Error for QueryError {
    fn custom<T: Display>(msg: T) -> Self {
        QueryError(msg.to_string())
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Level {
    /// The parameter itself: structs and maps flatten.
    Top,
    /// A form body: must be a struct or a map.
    Form,
    /// A field of a flattened struct: sequences repeat the key.
    Field,
    /// An element of a sequence: scalars only.
    Item,
}

struct QuerySer<'p, 'a, 'b> {
    key: &'p str,
    level: Level,
    pairs: &'p mut Pairs<'a, 'b>,
}

impl QuerySer<'_, '_, '_> {
    fn scalar(self, value: &str) -> Result<(), QueryError> {
        if self.level == Level::Form {
            return Err(QueryError(
                "a form body must be a struct or a map, not a single value".into(),
            ));
        }
        self.pairs.append_pair(self.key, value);
        Ok(())
    }

    fn nested(&self, what: &str) -> QueryError {
        QueryError(format!(
            "query parameter `{}` contains a {what}, which has no query-string form",
            self.key
        ))
    }
}

macro_rules! scalars {
    ($($method:ident: $ty:ty),*) => {
        $(fn $method(self, v: $ty) -> Result<(), QueryError> {
            self.scalar(&v.to_string())
        })*
    };
}

impl<'p, 'a, 'b> ser::Serializer for QuerySer<'p, 'a, 'b> {
    type Ok = ();
    type Error = QueryError;
    type SerializeSeq = Repeat<'p, 'a, 'b>;
    type SerializeTuple = Repeat<'p, 'a, 'b>;
    type SerializeTupleStruct = Repeat<'p, 'a, 'b>;
    type SerializeTupleVariant = Impossible<(), QueryError>;
    type SerializeMap = Flatten<'p, 'a, 'b>;
    type SerializeStruct = Flatten<'p, 'a, 'b>;
    type SerializeStructVariant = Impossible<(), QueryError>;

    scalars!(
        serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_i64: i64, serialize_i128: i128, serialize_u8: u8, serialize_u16: u16,
        serialize_u32: u32, serialize_u64: u64, serialize_u128: u128, serialize_f32: f32,
        serialize_f64: f64, serialize_char: char
    );

    fn serialize_str(self, v: &str) -> Result<(), QueryError> {
        self.scalar(v)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), QueryError> {
        Err(self.nested("byte array"))
    }
    fn serialize_none(self) -> Result<(), QueryError> {
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), QueryError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), QueryError> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), QueryError> {
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), QueryError> {
        self.scalar(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), QueryError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), QueryError> {
        Err(self.nested("enum variant with data"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Repeat<'p, 'a, 'b>, QueryError> {
        match self.level {
            Level::Top | Level::Field => Ok(Repeat {
                key: self.key,
                pairs: self.pairs,
            }),
            Level::Form => Err(QueryError(
                "a form body must be a struct or a map, not a sequence".into(),
            )),
            Level::Item => Err(self.nested("sequence inside a sequence")),
        }
    }
    fn serialize_tuple(self, len: usize) -> Result<Repeat<'p, 'a, 'b>, QueryError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        len: usize,
    ) -> Result<Repeat<'p, 'a, 'b>, QueryError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, QueryError> {
        Err(self.nested("enum variant with data"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Flatten<'p, 'a, 'b>, QueryError> {
        match self.level {
            Level::Top | Level::Form => Ok(Flatten {
                pairs: self.pairs,
                key: None,
            }),
            Level::Field | Level::Item => Err(self.nested("nested struct or map")),
        }
    }
    fn serialize_struct(
        self,
        _: &'static str,
        len: usize,
    ) -> Result<Flatten<'p, 'a, 'b>, QueryError> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, QueryError> {
        Err(self.nested("enum variant with data"))
    }
}

/// A sequence: every element under the same key.
pub(crate) struct Repeat<'p, 'a, 'b> {
    key: &'p str,
    pairs: &'p mut Pairs<'a, 'b>,
}

impl Repeat<'_, '_, '_> {
    fn item<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), QueryError> {
        value.serialize(QuerySer {
            key: self.key,
            level: Level::Item,
            pairs: self.pairs,
        })
    }
}

/// The three sequence-like serde traits all repeat the key per element.
macro_rules! repeat_impl {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Repeat<'_, '_, '_> {
            type Ok = ();
            type Error = QueryError;
            fn $method<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), QueryError> {
                self.item(value)
            }
            fn end(self) -> Result<(), QueryError> {
                Ok(())
            }
        }
    )*};
}

repeat_impl!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

/// A struct or map: one key per field.
pub(crate) struct Flatten<'p, 'a, 'b> {
    pairs: &'p mut Pairs<'a, 'b>,
    key: Option<String>,
}

impl Flatten<'_, '_, '_> {
    fn field<T: ?Sized + Serialize>(&mut self, key: &str, value: &T) -> Result<(), QueryError> {
        value.serialize(QuerySer {
            key,
            level: Level::Field,
            pairs: self.pairs,
        })
    }
}

impl ser::SerializeStruct for Flatten<'_, '_, '_> {
    type Ok = ();
    type Error = QueryError;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), QueryError> {
        self.field(key, value)
    }
    fn end(self) -> Result<(), QueryError> {
        Ok(())
    }
}

impl ser::SerializeMap for Flatten<'_, '_, '_> {
    type Ok = ();
    type Error = QueryError;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), QueryError> {
        let mut text = String::new();
        let mut sink = form_urlencoded::Serializer::for_suffix(&mut text, 0);
        key.serialize(QuerySer {
            key: "",
            level: Level::Item,
            pairs: &mut sink,
        })?;
        let text = sink.finish();
        // The sink wrote `=<encoded key>`; decode it back to the plain key.
        let key = form_urlencoded::parse(text.as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .ok_or_else(|| QueryError("a map key must be a string or a number".into()))?;
        self.key = Some(key);
        Ok(())
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), QueryError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| QueryError("map value without a key".into()))?;
        self.field(&key, value)
    }
    fn end(self) -> Result<(), QueryError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;
    use std::collections::BTreeMap;

    fn q<V: Serialize + ?Sized>(name: &str, v: &V) -> String {
        let mut out = String::new();
        append(&mut out, name, v).expect("serializable");
        out
    }

    #[derive(Serialize)]
    struct Filter<'a> {
        state: &'a str,
        labels: Vec<&'a str>,
        since: Option<u32>,
        sort: Sort,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "lowercase")]
    enum Sort {
        Created,
    }

    #[test]
    fn scalars_options_and_sequences() {
        assert_eq!(q("page", &2u32), "page=2");
        assert_eq!(q("page", &None::<u32>), "");
        assert_eq!(q("page", &Some(3u8)), "page=3");
        assert_eq!(q("id", &vec![1, 2, 3]), "id=1&id=2&id=3");
        assert_eq!(q("q", "a b&c=d/é"), "q=a+b%26c%3Dd%2F%C3%A9");
        assert_eq!(q("flag", &true), "flag=true");
        assert_eq!(q("ids", &Vec::<u8>::new()), "");
    }

    #[test]
    fn structs_and_maps_flatten() {
        let f = Filter {
            state: "open",
            labels: vec!["bug", "ui"],
            since: None,
            sort: Sort::Created,
        };
        assert_eq!(
            q("filter", &f),
            "state=open&labels=bug&labels=ui&sort=created"
        );
        let mut m = BTreeMap::new();
        m.insert("a b", 1);
        m.insert("c", 2);
        assert_eq!(q("m", &m), "a+b=1&c=2");
    }

    #[test]
    fn appends_with_ampersand() {
        let mut out = String::from("x=1");
        append(&mut out, "y", &2).expect("ok");
        assert_eq!(out, "x=1&y=2");
    }

    #[test]
    fn nested_values_are_errors_not_panics() {
        let mut out = String::new();
        let nested = vec![vec![1]];
        assert!(append(&mut out, "n", &nested).is_err());
        #[derive(Serialize)]
        struct Outer {
            inner: BTreeMap<&'static str, u8>,
        }
        assert!(
            append(
                &mut out,
                "o",
                &Outer {
                    inner: BTreeMap::new()
                }
            )
            .is_err()
        );
    }

    #[test]
    fn forms_need_a_struct() {
        assert_eq!(
            to_form(&BTreeMap::from([("email", "a@b.c")])).expect("ok"),
            "email=a%40b.c"
        );
        assert!(to_form(&3).is_err());
    }
}
