//! The four ways to make the same call: restrait on each of its transports,
//! raw reqwest, raw hyper.

use std::error::Error as StdError;

use bytes::Bytes;
use http::header::{ACCEPT, ACCEPT_ENCODING, HeaderValue, USER_AGENT};
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use restrait::{Client, Result, resource};
use serde::{Deserialize, Serialize};

/// What `GET /users/<id>` returns.
#[derive(Debug, Deserialize)]
pub(crate) struct User {
    pub(crate) id: u64,
    #[allow(dead_code)] // decoded as a real client would; not read
    pub(crate) email: String,
    #[allow(dead_code)]
    pub(crate) name: String,
    #[allow(dead_code)]
    pub(crate) active: bool,
}

/// What `POST /users` takes.
#[derive(Serialize)]
pub(crate) struct NewUser<'a> {
    pub(crate) email: &'a str,
    pub(crate) name: &'a str,
}

/// The API as a restrait user declares it.
#[resource]
pub(crate) trait Users {
    #[get("/users/<id>")]
    async fn get(&self, id: u64) -> Result<User>;

    #[post("/users")]
    #[idempotent]
    async fn create(&self, #[body] user: &NewUser<'_>) -> Result<User>;

    #[get("/unavailable")]
    async fn unavailable(&self) -> Result<()>;
}

/// What restrait sends as `User-Agent`; the raw contenders send it too, so
/// that every contender puts the same bytes on the wire.
const AGENT: &str = concat!("restrait/", env!("CARGO_PKG_VERSION"));

/// What restrait asks for with its default `gzip` feature; the raw
/// contenders ask for it too (a hand-written client that takes gzip would),
/// for the same bytes on the wire. The bench server never compresses.
const ENCODING: &str = "gzip";

pub(crate) type BoxError = Box<dyn StdError + Send + Sync>;

/// One contender, ready to call `GET /users/<id>`.
pub(crate) enum Contender {
    /// restrait on either transport.
    Restrait(UsersClient),
    Reqwest {
        client: reqwest::Client,
        base: String,
    },
    Hyper {
        client: HyperClient<HttpConnector, Empty<Bytes>>,
        base: String,
    },
}

/// How many contenders there are.
pub(crate) const N: usize = 4;
/// Indexes into [`Contender::NAMES`] and every per-contender array.
pub(crate) const RESTRAIT: usize = 0;
pub(crate) const RESTRAIT_HYPER: usize = 1;
pub(crate) const REQWEST: usize = 2;
pub(crate) const HYPER: usize = 3;

impl Contender {
    /// The names `--profile` and `--client` take, and the JSON uses.
    pub(crate) const NAMES: [&'static str; N] = ["restrait", "restrait-hyper", "reqwest", "hyper"];
    /// The names in the table.
    pub(crate) const LABELS: [&'static str; N] =
        ["restrait (reqwest)", "restrait (hyper)", "reqwest", "hyper"];

    /// The contenders, in [`NAMES`](Self::NAMES) order.
    pub(crate) fn all(base: &str) -> [Contender; N] {
        std::array::from_fn(|c| Contender::new(c, base))
    }

    /// Contender `c` of [`NAMES`](Self::NAMES).
    pub(crate) fn new(c: usize, base: &str) -> Contender {
        match c {
            RESTRAIT => Contender::Restrait(UsersClient::new(
                Client::builder(base).build().expect("restrait client"),
            )),
            RESTRAIT_HYPER => Contender::Restrait(UsersClient::new(
                Client::builder(base)
                    .hyper_transport()
                    .build()
                    .expect("restrait client on hyper"),
            )),
            REQWEST => Contender::Reqwest {
                client: raw_reqwest(),
                base: base.to_owned(),
            },
            _ => Contender::Hyper {
                client: HyperClient::builder(TokioExecutor::new()).build({
                    let mut connector = HttpConnector::new();
                    connector.set_nodelay(true);
                    connector
                }),
                base: base.to_owned(),
            },
        }
    }

    /// The index of the contender called `name`.
    pub(crate) fn index(name: &str) -> Option<usize> {
        Contender::NAMES.iter().position(|n| *n == name)
    }

    /// `GET /users/<id>`, decoded.
    pub(crate) async fn get_user(&self, id: u64) -> std::result::Result<User, BoxError> {
        match self {
            Contender::Restrait(users) => Ok(users.get(id).await?),
            Contender::Reqwest { client, base } => reqwest_get(client, base, id).await,
            Contender::Hyper { client, base } => {
                let request = http::Request::get(format!("{base}/users/{id}"))
                    .header(ACCEPT, HeaderValue::from_static("application/json"))
                    .header(USER_AGENT, HeaderValue::from_static(AGENT))
                    .header(ACCEPT_ENCODING, HeaderValue::from_static(ENCODING))
                    .body(Empty::new())?;
                let response = client.request(request).await?;
                if !response.status().is_success() {
                    return Err(format!("status {}", response.status()).into());
                }
                let body = response.into_body().collect().await?.to_bytes();
                Ok(serde_json::from_slice(&body)?)
            }
        }
    }
}

/// A reqwest client with the settings restrait gives its own.
pub(crate) fn raw_reqwest() -> reqwest::Client {
    reqwest::Client::builder()
        .tcp_nodelay(true)
        .user_agent(AGENT)
        .build()
        .expect("reqwest client")
}

/// The same call as a reqwest user writes it by hand.
async fn reqwest_get(
    client: &reqwest::Client,
    base: &str,
    id: u64,
) -> std::result::Result<User, BoxError> {
    let response = client
        .get(format!("{base}/users/{id}"))
        .header(ACCEPT, HeaderValue::from_static("application/json"))
        .header(ACCEPT_ENCODING, HeaderValue::from_static(ENCODING))
        .send()
        .await?;
    if !response.status().is_success() {
        return Err(format!("status {}", response.status()).into());
    }
    let body = response.bytes().await?;
    Ok(serde_json::from_slice(&body)?)
}
