//! Unit tests of request bodies: kinds, lengths, cloning, files, progress.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::TryStreamExt;

use super::*;
use crate::error::Error;

/// A file under the temp dir with a unique name, removed on drop.
pub(crate) struct TempFile(pub(crate) PathBuf);

impl TempFile {
    pub(crate) fn new(tag: &str, content: &[u8]) -> TempFile {
        static N: AtomicU64 = AtomicU64::new(0);
        let path = std::env::temp_dir().join(format!(
            "restrait-body-{}-{}-{}-{tag}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed),
            fastrand::u64(..)
        ));
        std::fs::write(&path, content).expect("write temp file");
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

async fn collect(body: Body) -> (Option<u64>, Vec<Bytes>) {
    let (len, stream) = body.open().await.expect("open").into_parts();
    (len, stream.try_collect().await.expect("read"))
}

fn concat(chunks: &[Bytes]) -> Vec<u8> {
    chunks.iter().flat_map(|c| c.iter().copied()).collect()
}

#[test]
fn body_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<Body>();
    assert_send_sync::<multipart::Form>();
}

#[tokio::test]
async fn in_memory_kinds() {
    for (body, want) in [
        (Body::from("abc"), &b"abc"[..]),
        (Body::from(String::from("abc")), b"abc"),
        (Body::from(vec![1u8, 2]), &[1, 2]),
        (Body::from(&b"xy"[..]), b"xy"),
        (Body::from(Bytes::from_static(b"z")), b"z"),
        (Body::empty(), b""),
    ] {
        assert!(body.is_replayable());
        assert_eq!(body.content_length(), Some(want.len() as u64));
        assert_eq!(body.as_bytes().map(|b| &b[..]), Some(want));
        assert!(body.content_type().is_none());
        let copy = body.try_clone().expect("replayable");
        let (len, chunks) = collect(copy).await;
        assert_eq!(len, Some(want.len() as u64));
        assert_eq!(concat(&chunks), want);
    }
    assert!(Body::empty().is_empty());
    assert!(!Body::from("a").is_empty());
}

#[tokio::test]
async fn bytes_clone_shares_the_buffer() {
    let body = Body::from(Bytes::from(vec![7u8; 1024]));
    let copy = body.try_clone().expect("clone");
    let (a, b) = (body.as_bytes().expect("a"), copy.as_bytes().expect("b"));
    assert_eq!(a.as_ptr(), b.as_ptr());
}

#[tokio::test]
async fn stream_is_one_shot_and_chunked() {
    let s = futures::stream::iter([
        Ok::<_, std::io::Error>(Bytes::from("a")),
        Ok(Bytes::from("b")),
    ]);
    let body = Body::stream(s);
    assert!(!body.is_replayable());
    assert!(body.try_clone().is_none());
    assert_eq!(body.content_length(), None);
    assert!(body.as_bytes().is_none());
    let (len, chunks) = collect(body).await;
    assert_eq!(len, None);
    assert_eq!(concat(&chunks), b"ab");
}

#[tokio::test]
async fn sized_stream_checks_its_length() {
    let s = || futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from("abc"))]);
    let (len, chunks) = collect(Body::sized_stream(3, s())).await;
    assert_eq!((len, concat(&chunks)), (Some(3), b"abc".to_vec()));
    assert_eq!(Body::stream(s()).with_length(3).content_length(), Some(3));

    for declared in [2, 4] {
        let (_, stream) = Body::sized_stream(declared, s())
            .open()
            .await
            .expect("open")
            .into_parts();
        let err = stream.try_collect::<Vec<_>>().await.expect_err("mismatch");
        assert!(matches!(err, Error::Transport(_)), "{err:?}");
        assert!(err.to_string().contains("length"), "{err}");
    }
    // with_length leaves other kinds alone.
    assert_eq!(Body::from("abc").with_length(99).content_length(), Some(3));
}

#[tokio::test]
async fn stream_errors_become_transport_errors() {
    let s = futures::stream::iter([
        Ok(Bytes::from("a")),
        Err(std::io::Error::other("disk on fire")),
    ]);
    let (_, stream) = Body::stream(s).open().await.expect("open").into_parts();
    let err = stream.try_collect::<Vec<_>>().await.expect_err("fails");
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
}

#[tokio::test]
async fn file_is_opened_when_sent_and_reread_by_clones() {
    let file = TempFile::new("reread", b"first");
    let body = Body::file(&file.0);
    assert!(body.is_replayable());
    assert_eq!(body.content_length(), None, "no I/O before sending");
    let copy = body.try_clone().expect("clone");

    let (len, chunks) = collect(body).await;
    assert_eq!((len, concat(&chunks)), (Some(5), b"first".to_vec()));

    std::fs::write(&file.0, b"second!").expect("rewrite");
    let (len, chunks) = collect(copy).await;
    assert_eq!((len, concat(&chunks)), (Some(7), b"second!".to_vec()));
}

#[tokio::test]
async fn large_file_streams_in_chunks() {
    let content: Vec<u8> = (0..5 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    let file = TempFile::new("large", &content);
    let (len, chunks) = collect(Body::file(&file.0)).await;
    assert_eq!(len, Some(content.len() as u64));
    assert!(chunks.len() > 1);
    assert!(chunks.iter().all(|c| c.len() <= 64 * 1024));
    assert!(concat(&chunks) == content);
}

#[tokio::test]
async fn missing_file_is_a_typed_error_naming_the_path() {
    let path = std::env::temp_dir().join(format!("restrait-missing-{}", fastrand::u64(..)));
    let err = Body::file(&path).open().await.expect_err("missing");
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
}

#[tokio::test]
async fn directory_is_refused() {
    let err = Body::file(std::env::temp_dir())
        .open()
        .await
        .expect_err("dir");
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
}

#[tokio::test]
async fn progress_counts_bytes_and_survives_clone() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let s = futures::stream::iter([
        Ok::<_, std::io::Error>(Bytes::from("ab")),
        Ok(Bytes::from("cde")),
    ]);
    collect(Body::sized_stream(5, s).on_progress(move |p| {
        sink.lock().expect("lock").push(p);
    }))
    .await;
    let got = seen.lock().expect("lock").clone();
    assert_eq!(
        got,
        [
            UploadProgress {
                bytes: 2,
                total: Some(5)
            },
            UploadProgress {
                bytes: 5,
                total: Some(5)
            },
        ]
    );

    let count = Arc::new(AtomicU64::new(0));
    let c = Arc::clone(&count);
    let body = Body::from("xyz").on_progress(move |p| c.store(p.bytes, Ordering::Relaxed));
    assert!(body.has_progress());
    let copy = body.try_clone().expect("clone");
    assert!(copy.has_progress());
    collect(copy).await;
    assert_eq!(count.load(Ordering::Relaxed), 3);
}

#[test]
fn debug_shows_kind_and_length_never_bytes() {
    let d = format!("{:?}", Body::from("s3cr3t-payload"));
    assert!(d.contains("bytes") && d.contains("14"), "{d}");
    assert!(!d.contains("s3cr3t"), "{d}");
    let s = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from("x"))]);
    assert!(format!("{:?}", Body::stream(s)).contains("stream"));
    assert!(format!("{:?}", Body::file("/a/b.txt")).contains("/a/b.txt"));
}
