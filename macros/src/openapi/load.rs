//! Finding the spec file and reading it once per compile.
//!
//! The path in `openapi = ".."` is relative to `CARGO_MANIFEST_DIR`, the
//! folder of the crate being compiled; when no file is there, it is taken
//! relative to the file that holds the trait, as `include_str!` does (this
//! is how the UI tests, which trybuild compiles from its own folder, find
//! their spec). An absolute path is taken as it is.
//!
//! Each spec is read and parsed once per compiler process: the parsed model
//! is cached by absolute path, with the file's length and modification time,
//! so that a long-lived process (an IDE's macro server) reads a spec again
//! after it changes.

use super::spec::{self, Spec};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// The outcome of reading one spec: the model, or why it could not be read.
pub(crate) type Loaded = Arc<Result<Spec, String>>;

struct Cached {
    stamp: (u64, Option<SystemTime>),
    spec: Loaded,
}

static CACHE: Mutex<BTreeMap<PathBuf, Cached>> = Mutex::new(BTreeMap::new());

/// The file `written` names: the first of the candidates that exists, or an
/// error that says where it was looked for.
pub(crate) fn locate(
    written: &str,
    manifest_dir: Option<&Path>,
    source_file: Option<&Path>,
) -> Result<PathBuf, String> {
    let path = Path::new(written);
    if path.is_absolute() {
        return if path.is_file() {
            Ok(path.to_owned())
        } else {
            Err(format!(
                "cannot read the OpenAPI spec {written:?}: no such file"
            ))
        };
    }
    let candidates = [
        manifest_dir.map(|dir| dir.join(path)),
        source_file.and_then(Path::parent).map(|dir| dir.join(path)),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| {
            format!(
                "cannot read the OpenAPI spec {written:?}: no such file in the crate's folder (`CARGO_MANIFEST_DIR`) or beside the file of this trait; the path is relative to the folder of `Cargo.toml`, e.g. `openapi = \"specs/api.yaml\"`"
            )
        })
}

/// The parsed spec at `path`, read from disk only the first time (or after
/// the file changed).
pub(crate) fn load(path: &Path) -> Loaded {
    let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let stamp = std::fs::metadata(&key)
        .map(|m| (m.len(), m.modified().ok()))
        .unwrap_or((0, None));
    let mut cache = CACHE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(cached) = cache.get(&key)
        && cached.stamp == stamp
        && stamp.1.is_some()
    {
        return Arc::clone(&cached.spec);
    }
    let spec: Loaded = Arc::new(read(&key));
    cache.insert(
        key,
        Cached {
            stamp,
            spec: Arc::clone(&spec),
        },
    );
    spec
}

fn read(path: &Path) -> Result<Spec, String> {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the OpenAPI spec `{name}`: {e}"))?;
    spec::parse(&text).map_err(|e| format!("cannot read the OpenAPI spec `{name}`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> crate::scratch::Scratch {
        crate::scratch::Scratch::new(&format!("openapi-{name}"))
    }

    #[test]
    fn looks_in_the_manifest_dir_then_beside_the_source() {
        let manifest = temp_dir("manifest");
        let src = temp_dir("src");
        std::fs::write(src.join("beside.yaml"), "openapi: 3.0.0\n").expect("write");
        std::fs::write(manifest.join("both.yaml"), "openapi: 3.0.0\n").expect("write");
        std::fs::write(src.join("both.yaml"), "openapi: 3.0.0\n").expect("write");
        let file = src.join("lib.rs");
        assert_eq!(
            locate("beside.yaml", Some(&manifest), Some(&file)),
            Ok(src.join("beside.yaml"))
        );
        assert_eq!(
            locate("both.yaml", Some(&manifest), Some(&file)),
            Ok(manifest.join("both.yaml"))
        );
        let missing = locate("missing.yaml", Some(&manifest), Some(&file));
        assert!(missing.is_err_and(|e| e.contains("no such file")));
    }

    #[test]
    fn reads_once_and_again_after_a_change() {
        let dir = temp_dir("cache");
        let path = dir.join("spec.yaml");
        std::fs::write(&path, "openapi: 3.0.0\npaths: {/a: {get: {}}}\n").expect("write");
        let first = load(&path);
        let again = load(&path);
        assert!(Arc::ptr_eq(&first, &again), "read twice");
        assert_eq!(first.as_ref().as_ref().map(|s| s.paths.len()), Ok(1));
        // A longer file is a changed file, whatever the clock's resolution.
        std::fs::write(
            &path,
            "openapi: 3.0.0\npaths: {/a: {get: {}}, /b: {get: {}}}\n",
        )
        .expect("write");
        assert_eq!(load(&path).as_ref().as_ref().map(|s| s.paths.len()), Ok(2));
        std::fs::write(&path, "openapi: [\n").expect("write");
        let broken = load(&path);
        assert!(
            broken
                .as_ref()
                .as_ref()
                .is_err_and(|e| e.starts_with("cannot read the OpenAPI spec `spec.yaml`")),
            "{broken:?}"
        );
    }
}
