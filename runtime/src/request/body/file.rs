//! File bodies: a path, opened and measured each time the body is sent.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures::StreamExt;
use tokio_util::io::ReaderStream;

use super::BodyStream;
use super::stream::checked;
use crate::error::{Error, Result, TransportError, TransportErrorKind};

/// The size of the chunks a file is read in.
const CHUNK_SIZE: usize = 64 * 1024;

/// A file to send; cloning it clones the path.
#[derive(Clone)]
pub(super) struct FileBody {
    path: Arc<Path>,
}

impl FileBody {
    pub(super) fn new(path: PathBuf) -> FileBody {
        FileBody { path: path.into() }
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// Opens the file and reads its length from its metadata; the stream
    /// then reads it in chunks and fails if the file no longer has that
    /// length.
    pub(super) async fn open(self) -> Result<(Option<u64>, BodyStream)> {
        let path = self.path;
        let cannot = |e: std::io::Error| {
            Error::invalid_request(format!(
                "cannot open the body file `{}`: {e}",
                path.display()
            ))
        };
        let file = tokio::fs::File::open(&*path).await.map_err(cannot)?;
        let meta = file.metadata().await.map_err(cannot)?;
        if meta.is_dir() {
            return Err(Error::invalid_request(format!(
                "cannot send the body file `{}`: it is a directory",
                path.display()
            )));
        }
        let read_path = Arc::clone(&path);
        let stream: BodyStream = Box::pin(ReaderStream::with_capacity(file, CHUNK_SIZE).map(
            move |item| {
                item.map_err(|e| {
                    Error::Transport(TransportError::new(
                        TransportErrorKind::Request,
                        format!(
                            "reading the body file `{}` failed: {e}",
                            read_path.display()
                        ),
                        Some(Box::new(e)),
                    ))
                })
            },
        ));
        // Only a regular file has a length to trust; a pipe or a device is
        // streamed without one.
        if meta.is_file() {
            let len = meta.len();
            let what = format!("the body file `{}`", path.display());
            Ok((Some(len), checked(stream, len, what)))
        } else {
            Ok((None, stream))
        }
    }
}
