//! Cassettes: record real exchanges to a file once, replay them offline
//! after, with secrets scrubbed as the file is written.
//!
//! A [`Cassette`] is a [`Transport`]: give it to
//! [`ClientBuilder::transport`](crate::ClientBuilder::transport) (or use
//! [`ClientBuilder::cassette`](crate::ClientBuilder::cassette)). It sits
//! below the middleware, so what it records is what went on the wire,
//! credentials included, which is why they are scrubbed before anything
//! reaches the disk:
//!
//! - headers that carry credentials: `Authorization`, `Proxy-Authorization`,
//!   `Cookie`, `Set-Cookie`, any header whose name mentions a key, token,
//!   secret, password, signature, session or auth, and any value marked
//!   [sensitive](http::HeaderValue::is_sensitive) (as every auth marks
//!   what it adds);
//! - query parameters that look secret (`api_key`, `token`, `access_token`,
//!   `key`, `secret`, `password`, `signature`, `sig`, ..., any case) and
//!   those an auth marked with
//!   [`Request::mark_query_secret`](crate::Request::mark_query_secret);
//! - token fields of JSON and form bodies (`access_token`,
//!   `refresh_token`, `id_token`, `client_secret`, `password`, ...);
//! - every value those reveal (a bearer token, the password inside
//!   `Basic`, an API key, an OAuth2 access token from the token response),
//!   wherever else it appears in the file: a URL, a header, a text or JSON
//!   body, of any exchange (values shorter than 4 bytes are not hunted);
//! - then your own rules, [`scrub`](Cassette::scrub) and
//!   [`scrub_with`](Cassette::scrub_with), over every URL, header value and
//!   text.
//!
//! Secrets are written as `[REDACTED]`. Bodies that are not UTF-8 (an
//! image, a gzip body) are kept in base64 and only the rules on headers
//! and URLs apply to their exchange.
//!
//! Each exchange is written when its response body ends, is dropped, or
//! fails (a replay then fails at the same place); a body the client read
//! only in part (an SSE stream it stopped, an error body past its limit)
//! is recorded as far as it was read. Header values that are not UTF-8
//! are kept lossily. Recording starts the file afresh, so give each test
//! a cassette file of its own.
//!
//! A scrubbed recording still replays: the request being sent is scrubbed
//! the same way before it is compared, so its real token matches the
//! recorded `[REDACTED]`. Which parts are compared is [`Match`]; repeated
//! identical requests get their recordings in the order recorded, each
//! once. A request with no recording fails with a transport error whose
//! source is [`CassetteError::NoRecording`], naming the closest recording.
//!
//! ```no_run
//! # async fn test() -> Result<(), Box<dyn std::error::Error>> {
//! use restrait::testing::Cassette;
//! use restrait::Client;
//!
//! // Records when RESTRAIT_RECORD=1 or the file is missing, replays otherwise.
//! let cassette = Cassette::from_env("tests/cassettes/github.json")?
//!     .scrub("my-org-id-1234", "ORG");
//! let client = Client::builder("https://api.github.com")
//!     .bearer_token(std::env::var("GITHUB_TOKEN").unwrap_or_default())
//!     .transport(cassette)
//!     .build()?;
//! # let _ = client; Ok(()) }
//! ```

mod format;
mod matching;
mod record;
mod replay;
mod scrub;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use format::{FORMAT_VERSION, HeaderValues, Headers, RecordedBody, RecordedRequest};
pub use matching::Match;
pub use scrub::REDACTED;

use crate::error::{TransportError, TransportErrorKind};
use crate::middleware::BoxFuture;
use crate::request::Request;
use crate::transport::{Transport, TransportResponse};
use matching::Matcher;
use scrub::Scrubber;

/// The environment variable [`Cassette::from_env`] reads: `1` (or `true`,
/// `yes`) records afresh, `0` (or `false`, `no`) only replays, unset
/// records a cassette whose file is missing and replays one that exists.
pub const RECORD_ENV: &str = "RESTRAIT_RECORD";

/// The default limit on a response body a cassette records: 16 MiB.
pub const DEFAULT_MAX_RECORDED_BODY: u64 = crate::DEFAULT_MAX_BODY_SIZE;

/// Whether a cassette records or replays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mode {
    /// Sends through the real transport and writes each exchange.
    Record,
    /// Answers from the file, offline.
    Replay,
}

/// A [`Transport`] that records real exchanges to a JSON file, secrets
/// scrubbed, or replays them from it. See the [module docs](self).
#[derive(Clone)]
pub struct Cassette {
    path: Arc<PathBuf>,
    scrubber: Scrubber,
    matcher: Matcher,
    max_body_size: u64,
    state: Arc<State>,
}

enum State {
    Record(record::Recorder),
    Replay(replay::Player),
}

impl Cassette {
    /// Records or replays, as [`RECORD_ENV`] says: records afresh when it is
    /// `1`, or when it is unset and `path` does not exist; replays
    /// otherwise. With `RESTRAIT_RECORD=0` (in CI, say) a missing file is
    /// [`CassetteError::Missing`] rather than a recording made there.
    pub fn from_env(path: impl AsRef<Path>) -> Result<Cassette, CassetteError> {
        let path = path.as_ref();
        let var = std::env::var(RECORD_ENV).unwrap_or_default();
        match var.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" => Cassette::record(path),
            "0" | "false" | "no" => Cassette::replay(path),
            _ if path.exists() => Cassette::replay(path),
            _ => Cassette::record(path),
        }
    }

    /// Records through a default [`ReqwestTransport`](crate::transport::ReqwestTransport)
    /// (which follows no redirects, as the client's own does), starting
    /// `path` afresh: it is written, with an empty list, now, and again
    /// after each exchange.
    pub fn record(path: impl AsRef<Path>) -> Result<Cassette, CassetteError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| CassetteError::Setup(e.to_string()))?;
        Cassette::record_with(path, crate::transport::ReqwestTransport::new(client))
    }

    /// Records through `transport` (`HyperTransport`, with the
    /// `hyper-transport` feature, or one of your own), starting `path`
    /// afresh.
    pub fn record_with(
        path: impl AsRef<Path>,
        transport: impl Transport,
    ) -> Result<Cassette, CassetteError> {
        let path = path.as_ref().to_owned();
        let recorder = record::Recorder::new(Arc::new(transport));
        format::write(
            &path,
            &format::File {
                version: FORMAT_VERSION,
                interactions: Vec::new(),
            },
        )?;
        Ok(Cassette::new(path, State::Record(recorder)))
    }

    /// Replays `path`, offline. A missing, unreadable, corrupt or
    /// newer-version file is an error now, not at the first call.
    pub fn replay(path: impl AsRef<Path>) -> Result<Cassette, CassetteError> {
        let path = path.as_ref().to_owned();
        if !path.exists() {
            return Err(CassetteError::Missing { path });
        }
        let file = format::read(&path)?;
        Ok(Cassette::new(
            path,
            State::Replay(replay::Player::new(file)),
        ))
    }

    fn new(path: PathBuf, state: State) -> Cassette {
        Cassette {
            path: Arc::new(path),
            scrubber: Scrubber::default(),
            matcher: Matcher::default(),
            max_body_size: DEFAULT_MAX_RECORDED_BODY,
            state: Arc::new(state),
        }
    }

    /// Replaces every `find` with `replacement` in URLs, header values and
    /// text bodies, after the built-in rules (an account id, a customer's
    /// name). Rules run in the order added.
    #[must_use]
    pub fn scrub(mut self, find: impl Into<String>, replacement: impl Into<String>) -> Self {
        self.scrubber.literal(find.into(), replacement.into());
        self
    }

    /// Rewrites every URL, header value and text body with `f`, after the
    /// built-in rules; a `regex` of your own goes here:
    ///
    /// ```
    /// # fn main() -> Result<(), restrait::testing::CassetteError> {
    /// # let dir = std::env::temp_dir().join(format!("restrait-doc-{}", std::process::id()));
    /// # let path = dir.join("c.json");
    /// use restrait::testing::Cassette;
    /// let cassette = Cassette::record(&path)?.scrub_with(|text| {
    ///     text.split('@').next().unwrap_or(text).to_owned() // drop e-mail domains
    /// });
    /// # let _ = cassette; let _ = std::fs::remove_dir_all(dir); Ok(()) }
    /// ```
    #[must_use]
    pub fn scrub_with(mut self, f: impl Fn(&str) -> String + Send + Sync + 'static) -> Self {
        self.scrubber.with_fn(Arc::new(f));
        self
    }

    /// Compares these parts of a request to find its recording (default:
    /// method, path, query and body).
    #[must_use]
    pub fn match_on(mut self, parts: Match) -> Self {
        self.matcher = Matcher::Parts(parts);
        self
    }

    /// Finds recordings with `f(recorded, request)`; both are scrubbed.
    #[must_use]
    pub fn match_with(
        mut self,
        f: impl Fn(&RecordedRequest, &RecordedRequest) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.matcher = Matcher::Fn(Arc::new(f));
        self
    }

    /// The largest response body a recording keeps (default
    /// [`DEFAULT_MAX_RECORDED_BODY`]). A longer one fails the read with a
    /// transport error whose source is [`CassetteError::TooLarge`], rather
    /// than making a recording that would replay less than was sent.
    #[must_use]
    pub fn max_body_size(mut self, bytes: u64) -> Self {
        self.max_body_size = bytes;
        self
    }

    /// Whether this cassette records or replays.
    pub fn mode(&self) -> Mode {
        match *self.state {
            State::Record(_) => Mode::Record,
            State::Replay(_) => Mode::Replay,
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Transport for Cassette {
    fn send(&self, request: Request) -> BoxFuture<'_, Result<TransportResponse, TransportError>> {
        Box::pin(async move {
            let request = super::buffered(request).await?;
            match &*self.state {
                State::Record(recorder) => recorder.send(self, request).await,
                State::Replay(player) => player.answer(self, &request),
            }
        })
    }
}

impl fmt::Debug for Cassette {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cassette")
            .field("path", &self.path)
            .field("mode", &self.mode())
            .field("match", &self.matcher)
            .field("scrub", &self.scrubber)
            .finish()
    }
}

/// What went wrong with a cassette. A call that fails because of one
/// returns [`Error::Transport`](crate::Error::Transport) with this as its
/// source; [`CassetteError::find`] digs it out.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CassetteError {
    /// No recording answers the request.
    #[error(
        "cassette {}: no recording matches {request} (comparing {rule}){}; \
         re-record with {RECORD_ENV}=1, or compare fewer parts with Cassette::match_on",
        path.display(),
        closest.as_deref().map(|c| format!("; the closest is {c}")).unwrap_or_default()
    )]
    NoRecording {
        /// The cassette file.
        path: PathBuf,
        /// The request, scrubbed: `GET /users/3?page=1`.
        request: String,
        /// The parts compared.
        rule: String,
        /// The closest recording and how it differs, or that the matching
        /// ones were all replayed already.
        closest: Option<String>,
    },
    /// The file does not exist, and recording was not allowed.
    #[error("cassette {} does not exist; record it with {RECORD_ENV}=1", path.display())]
    Missing {
        /// The file.
        path: PathBuf,
    },
    /// The file is not a cassette.
    #[error("cassette {}: not a valid cassette: {message}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The file was written by a newer restrait.
    #[error(
        "cassette {}: format version {found}, but this restrait reads version {supported}; \
         re-record it with {RECORD_ENV}=1 or update restrait",
        path.display()
    )]
    Version {
        /// The file.
        path: PathBuf,
        /// The version in the file.
        found: u32,
        /// The version this crate reads.
        supported: u32,
    },
    /// A response body was longer than [`Cassette::max_body_size`].
    #[error(
        "cassette: the response body is longer than the recording limit of {limit} bytes; raise it with Cassette::max_body_size"
    )]
    TooLarge {
        /// The limit.
        limit: u64,
    },
    /// Reading or writing the file failed.
    #[error("cassette {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The recording transport could not be made.
    #[error("cassette: the recording transport could not be made: {0}")]
    Setup(String),
}

impl CassetteError {
    /// The cassette error behind `error` (a call's error, whose source
    /// chain holds it), if any.
    pub fn find<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a CassetteError> {
        let mut current = Some(error);
        while let Some(e) = current {
            if let Some(found) = e.downcast_ref::<CassetteError>() {
                return Some(found);
            }
            current = e.source();
        }
        None
    }

    /// As a transport error, for a call to fail with.
    pub(super) fn into_transport(self, kind: TransportErrorKind) -> TransportError {
        TransportError::new(kind, self.to_string(), Some(Box::new(self)))
    }
}
