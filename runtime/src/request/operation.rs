//! Which declared endpoint a request comes from: the [`Operation`] a
//! generated method puts on the request.

use std::fmt;

/// The endpoint a request was made by: the `#[resource]` trait's name and
/// the method's name. Every request a generated method sends carries one,
/// read with [`Request::operation`](crate::Request::operation), so that
/// middleware and metrics can tell calls apart without parsing URLs; the
/// path template is [`Request::template`](crate::Request::template).
///
/// Both names are `&'static str`s written by the macro: carrying them costs
/// no allocation (it is a field of the request, not an extension). A
/// hand-built [`Request`](crate::Request) has none unless you insert one
/// in its [`extensions`](crate::Request::extensions).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use restrait::{http::Method, Operation, Request};
/// let mut req = Request::new(Method::GET, "https://api.example.com/users/42".parse()?);
/// assert!(req.operation().is_none());
/// req.extensions_mut().insert(Operation::new("Users", "get"));
/// let op = req.operation().expect("set");
/// assert_eq!((op.resource(), op.method()), ("Users", "get"));
/// assert_eq!(op.to_string(), "Users::get");
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Operation {
    resource: &'static str,
    method: &'static str,
}

impl Operation {
    /// The operation `method` of the trait `resource`.
    pub const fn new(resource: &'static str, method: &'static str) -> Self {
        Operation { resource, method }
    }
    /// The name of the `#[resource]` trait, e.g. `Users`.
    pub fn resource(&self) -> &'static str {
        self.resource
    }
    /// The name of the trait's method, e.g. `get`.
    pub fn method(&self) -> &'static str {
        self.method
    }
}

/// `Trait::method`.
impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}::{}", self.resource, self.method)
    }
}

impl fmt::Debug for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Operation({self})")
    }
}
