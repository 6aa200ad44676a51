//! Decoding a page body: the items straight into `T`, the other top-level
//! fields as JSON for the strategy.
//!
//! The fast path decodes in one pass and gives up (returns `None`) on
//! anything unexpected; the caller then takes the slow path, which builds
//! the precise error (with the JSON path of the failing field).

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// A decoded page.
pub(crate) struct Decoded<T> {
    pub(crate) items: Vec<T>,
    /// The body's other top-level fields (`Null` when the body is the array).
    pub(crate) fields: Value,
    /// The last item as JSON, when the strategy needs it.
    pub(crate) last: Option<Value>,
}

/// One-pass decode, or `None` if the body is not what it should be.
pub(crate) fn fast<T: DeserializeOwned>(
    body: &[u8],
    items_field: Option<&str>,
    keep_last: bool,
) -> Option<Decoded<T>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Some(Decoded {
            items: Vec::new(),
            fields: Value::Null,
            last: None,
        });
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let items = Items::<T> {
        keep_last,
        _t: PhantomData,
    };
    let decoded = match items_field {
        None => {
            let (items, last) = items.deserialize(&mut de).ok()?;
            Decoded {
                items,
                fields: Value::Null,
                last,
            }
        }
        Some(field) => {
            de::Deserializer::deserialize_map(&mut de, PageObject { field, items }).ok()?
        }
    };
    de.end().ok()?;
    Some(decoded)
}

struct Items<T> {
    keep_last: bool,
    _t: PhantomData<fn() -> T>,
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for Items<T> {
    type Value = (Vec<T>, Option<Value>);

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for Items<T> {
    type Value = (Vec<T>, Option<Value>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of items")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        if !self.keep_last {
            while let Some(item) = seq.next_element::<T>()? {
                items.push(item);
            }
            return Ok((items, None));
        }
        // Keep each item's text until the next one arrives, to read the
        // last one's fields (e.g. its `id`) without a JSON tree per item.
        let mut last: Option<Box<RawValue>> = None;
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            items.push(serde_json::from_str(raw.get()).map_err(de::Error::custom)?);
            last = Some(raw);
        }
        let last = match last {
            Some(raw) => Some(serde_json::from_str(raw.get()).map_err(de::Error::custom)?),
            None => None,
        };
        Ok((items, last))
    }
}

struct PageObject<'a, T> {
    field: &'a str,
    items: Items<T>,
}

impl<'de, T: DeserializeOwned> Visitor<'de> for PageObject<'_, T> {
    type Value = Decoded<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object with the items in `{}`", self.field)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Decoded<T>, A::Error> {
        let mut fields = Map::new();
        let mut found = None;
        let mut seed = Some(self.items);
        while let Some(key) = map.next_key::<String>()? {
            match seed.take() {
                Some(items) if key == self.field => found = Some(map.next_value_seed(items)?),
                other => {
                    seed = other;
                    fields.insert(key, map.next_value()?);
                }
            }
        }
        let (items, last) = found.unwrap_or_default();
        Ok(Decoded {
            items,
            fields: Value::Object(fields),
            last,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Item {
        id: u32,
    }

    #[test]
    fn arrays_objects_and_the_last_item() {
        let d = fast::<Item>(br#"[{"id":1},{"id":2}]"#, None, false).expect("array");
        assert_eq!(d.items, [Item { id: 1 }, Item { id: 2 }]);
        let d = fast::<Item>(
            br#"{"has_more":true,"data":[{"id":1},{"id":2,"x":[1]}],"url":"/v1"}"#,
            Some("data"),
            true,
        )
        .expect("object");
        assert_eq!(d.items.len(), 2);
        assert_eq!(d.fields["has_more"], true);
        assert!(d.fields.get("data").is_none());
        assert_eq!(d.last.expect("last")["id"], 2);
    }

    #[test]
    fn anything_odd_falls_back() {
        assert!(fast::<Item>(br#"{"data":null}"#, Some("data"), false).is_none());
        assert!(fast::<Item>(br#"[{"id":"x"}]"#, None, false).is_none());
        assert!(fast::<Item>(br#"[1] trailing"#, None, false).is_none());
        assert!(fast::<Item>(br#"{"data":[]}"#, None, false).is_none());
        let d = fast::<Item>(br#"{"other":1}"#, Some("data"), false).expect("no items field");
        assert!(d.items.is_empty());
    }
}
