//! What upload tests share: files in the temp dir, and a real multipart
//! parser (axum's `Multipart`) reading what the server received.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{FromRequest, Multipart};
use bytes::Bytes;

use crate::server::Recorded;

/// A file in the temp dir, removed when dropped. Its name is unique to the
/// process and the test, so tests running at once never share one.
pub struct TempFile(pub PathBuf);

impl TempFile {
    /// Writes `content` to a new file whose name ends in `name`.
    pub fn new(name: &str, content: &[u8]) -> TempFile {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("restrait-{}-{n}-{name}", std::process::id()));
        std::fs::write(&path, content).expect("write temp file");
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Each field as axum's `Multipart` reads it: name, file name, content type, bytes.
pub type Field = (String, Option<String>, Option<String>, Bytes);

/// Reads the recorded request's body field by field with axum's parser.
pub async fn parse_multipart(recorded: Recorded) -> Result<Vec<Field>, String> {
    let mut builder = http::Request::builder()
        .method(recorded.method.clone())
        .uri(recorded.target.clone());
    for (name, value) in &recorded.headers {
        builder = builder.header(name, value);
    }
    let req = builder
        .body(axum::body::Body::from(recorded.body.clone()))
        .map_err(|e| e.to_string())?;
    let mut multipart = Multipart::from_request(req, &())
        .await
        .map_err(|e| e.to_string())?;
    let mut fields = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| e.to_string())? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(str::to_owned);
        let bytes = field.bytes().await.map_err(|e| e.to_string())?;
        fields.push((name, file_name, content_type, bytes));
    }
    Ok(fields)
}
