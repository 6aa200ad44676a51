//! Replaying: find the recording that answers a request, and serve it as
//! a streamed response.

use std::sync::Mutex;

use bytes::Bytes;
use futures::stream;
use http::header::{CONTENT_LENGTH, HeaderName, HeaderValue};
use http::{HeaderMap, StatusCode};

use super::format::{File, Interaction, RecordedRequest, RecordedResponse};
use super::matching::{Match, Matcher, closest};
use super::scrub::{RawRequest, Scrubber};
use super::{Cassette, CassetteError};
use crate::error::{TransportError, TransportErrorKind};
use crate::request::Request;
use crate::response::ResponseBody;
use crate::testing::lock;
use crate::transport::TransportResponse;

/// The replaying side of a cassette: the recordings, and which of them
/// have been served.
pub(super) struct Player {
    interactions: Vec<Interaction>,
    used: Mutex<Vec<bool>>,
}

impl Player {
    pub(super) fn new(file: File) -> Self {
        let used = vec![false; file.interactions.len()];
        Player {
            interactions: file.interactions,
            used: Mutex::new(used),
        }
    }

    pub(super) fn answer(
        &self,
        cassette: &Cassette,
        request: &Request,
    ) -> Result<TransportResponse, TransportError> {
        let wanted = scrubbed(&cassette.scrubber, request);
        let found = {
            let mut used = lock(&self.used);
            let found = self
                .interactions
                .iter()
                .zip(used.iter())
                .position(|(i, used)| !used && cassette.matcher.matches(&i.request, &wanted));
            if let Some(i) = found
                && let Some(flag) = used.get_mut(i)
            {
                *flag = true;
            }
            found
        };
        match found.and_then(|i| self.interactions.get(i)) {
            Some(interaction) => serve(cassette, &interaction.response),
            None => Err(self.miss(cassette, &wanted)),
        }
    }

    /// The error for a request with no recording left.
    fn miss(&self, cassette: &Cassette, wanted: &RecordedRequest) -> TransportError {
        let matching = self
            .interactions
            .iter()
            .filter(|i| cassette.matcher.matches(&i.request, wanted))
            .count();
        let closest = if matching > 0 {
            Some(format!(
                "one of the {matching} recording(s) that match, all replayed already"
            ))
        } else {
            closest(wanted, self.interactions.iter().map(|i| &i.request)).and_then(|i| {
                let recorded = &self.interactions.get(i)?.request;
                let differs =
                    Match::METHOD | Match::PATH | Match::TEMPLATE | Match::QUERY | Match::BODY;
                let differs = differs.differences(recorded, wanted);
                Some(format!(
                    "#{} {} (template {}), which differs in {differs}",
                    i + 1,
                    recorded.line(),
                    recorded.template
                ))
            })
        };
        let rule = match &cassette.matcher {
            Matcher::Parts(parts) => parts.to_string(),
            Matcher::Fn(_) => "with a custom rule".to_owned(),
        };
        CassetteError::NoRecording {
            path: cassette.path.to_path_buf(),
            request: wanted.line(),
            rule,
            closest,
        }
        .into_transport(TransportErrorKind::Request)
    }
}

/// The request as it would be recorded, scrubbed with the secrets it
/// carries itself, for comparing with the recordings.
fn scrubbed(scrubber: &Scrubber, request: &Request) -> RecordedRequest {
    let raw = RawRequest::of(request);
    let secrets = Scrubber::learn([&raw], []);
    scrubber.request(&raw, &secrets)
}

/// The recorded response as a transport's: its headers (with the length
/// of the body as replayed, which scrubbing may have changed), its body as
/// a stream, and a body error where the recording broke off.
fn serve(
    cassette: &Cassette,
    response: &RecordedResponse,
) -> Result<TransportResponse, TransportError> {
    let corrupt = |message: String| {
        CassetteError::Corrupt {
            path: cassette.path.to_path_buf(),
            message,
        }
        .into_transport(TransportErrorKind::Request)
    };
    let status = StatusCode::from_u16(response.status)
        .map_err(|_| corrupt(format!("invalid status {}", response.status)))?;
    let body = match &response.body {
        Some(body) => body.to_bytes().map_err(corrupt)?,
        None => Bytes::new(),
    };
    let mut headers = HeaderMap::new();
    for (name, values) in &response.headers {
        let name = HeaderName::try_from(name.as_str())
            .map_err(|_| corrupt(format!("invalid header name {name:?}")))?;
        if name == CONTENT_LENGTH {
            continue;
        }
        for value in values.values() {
            let value = HeaderValue::try_from(value.as_str())
                .map_err(|_| corrupt(format!("invalid value of header {name}")))?;
            headers.append(name.clone(), value);
        }
    }
    let had_length = response.headers.contains_key(CONTENT_LENGTH.as_str());
    if had_length && response.error.is_none() {
        headers.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
    }
    let len = response.error.is_none().then_some(body.len() as u64);
    let mut chunks: Vec<Result<Bytes, TransportError>> = Vec::new();
    if !body.is_empty() {
        chunks.push(Ok(body));
    }
    if let Some(error) = &response.error {
        chunks.push(Err(TransportError::new(
            TransportErrorKind::Body,
            format!("{error} (replayed from cassette)"),
            None,
        )));
    }
    Ok(TransportResponse {
        status,
        headers,
        body: ResponseBody::from_stream(stream::iter(chunks)).with_len(len),
    })
}

#[cfg(test)]
mod tests {
    use futures::StreamExt;

    use super::super::format::{HeaderValues, Headers, RecordedBody};
    use super::super::{Cassette, State};
    use super::*;

    fn cassette() -> Cassette {
        Cassette::new("c.json".into(), State::Replay(Player::new(File::default())))
    }

    fn response(body: &str, error: Option<&str>) -> RecordedResponse {
        let mut headers = Headers::new();
        headers.insert("content-length".into(), HeaderValues::One("999".into()));
        headers.insert(
            "x-many".into(),
            HeaderValues::Many(vec!["a".into(), "b".into()]),
        );
        RecordedResponse {
            status: 200,
            headers,
            body: RecordedBody::from_bytes(body.as_bytes()),
            error: error.map(str::to_owned),
        }
    }

    #[tokio::test]
    async fn the_length_is_the_replayed_body_s_and_headers_repeat() {
        let served = serve(&cassette(), &response("token [REDACTED]", None)).expect("served");
        assert_eq!(served.headers[CONTENT_LENGTH], "16");
        assert_eq!(served.headers.get_all("x-many").iter().count(), 2);
        let chunks: Vec<_> = served.body.collect().await;
        assert_eq!(chunks.len(), 1);
        assert_eq!(
            chunks[0].as_ref().ok().map(|b| &b[..]),
            Some(&b"token [REDACTED]"[..])
        );
    }

    #[tokio::test]
    async fn a_recorded_break_replays_as_a_body_error_after_the_bytes() {
        let served =
            serve(&cassette(), &response("part", Some("connection reset"))).expect("served");
        assert!(served.headers.get(CONTENT_LENGTH).is_none());
        let chunks: Vec<_> = served.body.collect().await;
        assert_eq!(chunks.len(), 2);
        let err = chunks[1].as_ref().expect_err("the break");
        assert!(err.to_string().contains("connection reset"), "{err}");
    }

    #[test]
    fn a_bad_status_or_header_is_a_corrupt_cassette() {
        let mut bad = response("", None);
        bad.status = 1000;
        let err = serve(&cassette(), &bad).expect_err("bad status");
        assert!(matches!(
            CassetteError::find(&err),
            Some(CassetteError::Corrupt { .. })
        ));
        let mut bad = response("", None);
        bad.headers
            .insert("bad name".into(), HeaderValues::One("x".into()));
        assert!(serve(&cassette(), &bad).is_err());
    }
}
