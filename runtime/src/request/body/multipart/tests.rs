//! Multipart forms, round-tripped through a real parser (`multer`).

use bytes::Bytes;
use futures::TryStreamExt;

use super::*;
use crate::body::tests::TempFile;

struct Field {
    name: Option<String>,
    file_name: Option<String>,
    content_type: Option<String>,
    bytes: Vec<u8>,
}

/// Encodes `body`, checks its Content-Length against the bytes produced,
/// and parses it back.
async fn parse(body: Body) -> Vec<Field> {
    let content_type = body.content_type().expect("multipart content type");
    let content_type = content_type.to_str().expect("ascii");
    let boundary = multer::parse_boundary(content_type).expect("boundary");
    let (len, stream) = body.open().await.expect("open").into_parts();
    let chunks: Vec<Bytes> = stream.try_collect().await.expect("encode");
    let encoded: Vec<u8> = chunks.iter().flat_map(|c| c.iter().copied()).collect();
    if let Some(len) = len {
        assert_eq!(
            len,
            encoded.len() as u64,
            "Content-Length matches the bytes"
        );
    }
    let input = futures::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(encoded)) });
    let mut multipart = multer::Multipart::new(input, boundary);
    let mut fields = Vec::new();
    while let Some(field) = multipart.next_field().await.expect("parse field") {
        fields.push(Field {
            name: field.name().map(str::to_owned),
            file_name: field.file_name().map(str::to_owned),
            content_type: field.content_type().map(|m| m.to_string()),
            bytes: field.bytes().await.expect("field bytes").to_vec(),
        });
    }
    fields
}

#[tokio::test]
async fn every_part_kind_round_trips() {
    let file = TempFile::new("photo.png", b"\x89PNG fake");
    let stream = futures::stream::iter([
        Ok::<_, std::io::Error>(Bytes::from("str")),
        Ok(Bytes::from("eamed")),
    ]);
    let form = Form::new()
        .text("title", "Holiday")
        .part("raw", Part::bytes(vec![0u8, 1, 2, 255]))
        .part("upload", Part::file(&file.0))
        .part(
            "renamed",
            Part::file(&file.0)
                .file_name("custom.bin")
                .mime("application/x-custom")
                .expect("mime"),
        )
        .part(
            "meta",
            Part::json(&serde_json::json!({"a": [1, 2]})).expect("json"),
        )
        .part("live", Part::stream(stream).file_name("live.txt"));
    let fields = parse(form.into_body()).await;
    let file_name = file
        .0
        .file_name()
        .and_then(|n| n.to_str())
        .map(str::to_owned);

    assert_eq!(fields.len(), 6);
    let f = &fields[0];
    assert_eq!(
        (f.name.as_deref(), f.file_name.as_deref(), &f.bytes[..]),
        (Some("title"), None, &b"Holiday"[..])
    );
    assert_eq!(fields[1].name.as_deref(), Some("raw"));
    assert_eq!(fields[1].bytes, [0, 1, 2, 255]);
    assert_eq!(fields[2].name.as_deref(), Some("upload"));
    assert_eq!(fields[2].file_name, file_name);
    assert_eq!(fields[2].content_type.as_deref(), Some("image/png"));
    assert_eq!(fields[2].bytes, b"\x89PNG fake");
    assert_eq!(fields[3].file_name.as_deref(), Some("custom.bin"));
    assert_eq!(
        fields[3].content_type.as_deref(),
        Some("application/x-custom")
    );
    assert_eq!(fields[4].content_type.as_deref(), Some("application/json"));
    assert_eq!(fields[4].bytes, br#"{"a":[1,2]}"#);
    assert_eq!(fields[5].file_name.as_deref(), Some("live.txt"));
    assert_eq!(fields[5].bytes, b"streamed");
}

#[tokio::test]
async fn names_are_escaped_like_browsers() {
    let form = Form::new().part("a\"b\r\nc", Part::text("1")).part(
        "naïve ünïcode",
        Part::bytes("2").file_name("résumé \"v2\".pdf"),
    );
    let fields = parse(form.into_body()).await;
    assert_eq!(fields[0].name.as_deref(), Some("a%22b%0D%0Ac"));
    assert_eq!(fields[0].bytes, b"1");
    assert_eq!(fields[1].name.as_deref(), Some("naïve ünïcode"));
    assert_eq!(fields[1].file_name.as_deref(), Some("résumé %22v2%22.pdf"));
}

#[tokio::test]
async fn large_file_part_streams_in_chunks() {
    let content: Vec<u8> = (0..5 * 1024 * 1024).map(|i| (i % 253) as u8).collect();
    let file = TempFile::new("big.bin", &content);
    let body = Form::new().file("big", &file.0).into_body();
    let (len, stream) = body.open().await.expect("open").into_parts();
    let chunks: Vec<Bytes> = stream.try_collect().await.expect("encode");
    assert!(chunks.len() > 2);
    assert!(
        chunks.iter().all(|c| c.len() < content.len()),
        "no chunk is the whole file"
    );
    let total: usize = chunks.iter().map(Bytes::len).sum();
    assert_eq!(len, Some(total as u64));

    let fields = parse(Form::new().file("big", &file.0).into_body()).await;
    assert!(fields[0].bytes == content);
}

#[tokio::test]
async fn content_length_is_known_without_io_for_in_memory_parts() {
    let form = Form::new()
        .text("a", "1")
        .part("b", Part::bytes("22").file_name("x"));
    let predicted = form.content_length().expect("known");
    let body = form.into_body();
    assert_eq!(body.content_length(), Some(predicted));
    let (len, stream) = body.open().await.expect("open").into_parts();
    let chunks: Vec<Bytes> = stream.try_collect().await.expect("encode");
    let total: usize = chunks.iter().map(Bytes::len).sum();
    assert_eq!((len, total as u64), (Some(predicted), predicted));

    assert_eq!(Form::new().file("f", "/nowhere").content_length(), None);
    let s = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from("x"))]);
    assert_eq!(
        Form::new()
            .part("s", Part::stream(s))
            .into_body()
            .content_length(),
        None
    );
    let s = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from("x"))]);
    assert!(
        Form::new()
            .part("s", Part::sized_stream(1, s))
            .content_length()
            .is_some()
    );
}

#[tokio::test]
async fn one_shot_part_makes_the_form_one_shot() {
    let file = TempFile::new("replay.txt", b"same");
    let form = Form::new().text("a", "1").file("f", &file.0);
    assert!(form.is_replayable());
    let body = form.into_body();
    let copy = body.try_clone().expect("replayable");
    assert_eq!(
        copy.content_type(),
        body.content_type(),
        "a copy keeps the boundary"
    );
    let (a, b) = (parse(body).await, parse(copy).await);
    assert_eq!(a[1].bytes, b[1].bytes);

    let s = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from("x"))]);
    let form = Form::new().text("a", "1").part("s", Part::stream(s));
    assert!(!form.is_replayable());
    assert!(form.try_clone().is_none());
    let body = form.into_body();
    assert!(!body.is_replayable());
    assert!(body.try_clone().is_none());
}

#[tokio::test]
async fn missing_file_part_names_the_path() {
    let path = std::env::temp_dir().join(format!("restrait-missing-part-{}", fastrand::u64(..)));
    let err = Form::new()
        .file("f", &path)
        .into_body()
        .open()
        .await
        .expect_err("missing");
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
}

#[test]
fn forms_get_random_boundaries_and_a_content_type() {
    let (a, b) = (Form::new(), Form::new());
    assert_ne!(a.boundary(), b.boundary());
    let ct = a.content_type();
    assert_eq!(
        ct.to_str().ok(),
        Some(format!("multipart/form-data; boundary={}", a.boundary()).as_str())
    );
}

#[test]
fn part_headers_are_checked() {
    use http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
    assert!(Part::text("x").mime("text/plain\r\nX-Evil: 1").is_err());
    assert!(
        Part::text("x")
            .header(CONTENT_DISPOSITION, HeaderValue::from_static("form-data"))
            .is_err()
    );
    let p = Part::text("x")
        .header(CONTENT_TYPE, HeaderValue::from_static("text/csv"))
        .expect("ct");
    assert!(format!("{p:?}").contains("text/csv"));
}

#[test]
fn debug_never_shows_content() {
    let form = Form::new().text("token", "s3cr3t");
    let d = format!("{form:?}");
    assert!(d.contains("token") && !d.contains("s3cr3t"), "{d}");
}
