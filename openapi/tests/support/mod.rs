//! Shared by the test targets that read GitHub's spec.

use std::io::Read;
use std::path::Path;

/// `generated/api.github.com.json` of `@octokit/openapi` 23.0.2, vendored
/// gzip-compressed in `tests/specs/`.
pub(crate) fn github_spec() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/specs/api.github.com.json.gz");
    let file = std::fs::File::open(&path).expect("open the vendored GitHub spec");
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .expect("decompress the GitHub spec");
    text
}
