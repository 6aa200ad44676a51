//! A folder for one test's files, removed when the test ends (passed or
//! failed), so that test runs leave nothing behind in the temp folder.

use std::ops::Deref;
use std::path::{Path, PathBuf};

/// A fresh folder under the system's temp folder, named for the test and
/// the process; removed on drop.
pub(crate) struct Scratch(PathBuf);

impl Scratch {
    pub(crate) fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("restrait-macros-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create a scratch folder");
        Scratch(dir)
    }
}

impl Deref for Scratch {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // Best effort: a folder left behind is no reason to fail a test.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
