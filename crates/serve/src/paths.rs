//! Paths the pages ask for, as "ROOT/relative/path" (ROOT: the root's index), resolved to a file
//! or folder inside that root, or refused: absolute paths, `..`, and anything that leaves the
//! root once symlinks are resolved (the percent-decoding is done by the query extractor, so an
//! encoded `%2e%2e` arrives here as `..`).

use std::path::{Component, Path, PathBuf};

use crate::ServeError;
use crate::options::Root;

/// `id` ("0/fig1/runs/relu/seed-1") as a canonical path under its root.
pub fn resolve(roots: &[Root], id: &str) -> Result<PathBuf, ServeError> {
    let (index, rel) = id.split_once('/').unwrap_or((id, ""));
    let root = index.parse::<usize>().ok().and_then(|i| roots.get(i)).ok_or_else(|| ServeError::BadPath(format!("{id}: no such root")))?;
    let rel = Path::new(rel);
    if rel.is_absolute() || rel.components().any(|c| !matches!(c, Component::Normal(_) | Component::CurDir)) {
        return Err(ServeError::BadPath(format!("{id}: only plain names inside a root are served")));
    }
    let full = root.path.join(rel).canonicalize().map_err(|_| ServeError::NotFound(id.to_string()))?;
    if !full.starts_with(&root.path) {
        return Err(ServeError::BadPath(format!("{id}: leads outside its root")));
    }
    Ok(full)
}

/// The id of `path` (a canonical path under root `index`).
pub fn id_of(roots: &[Root], index: usize, path: &Path) -> String {
    let rel = path.strip_prefix(&roots[index].path).unwrap_or(path);
    let rel = rel.to_string_lossy();
    if rel.is_empty() { index.to_string() } else { format!("{index}/{rel}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_inside_the_root_resolve() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("root");
        std::fs::create_dir_all(root.join("a/b")).expect("mkdir");
        std::fs::write(dir.path().join("secret.txt"), "no").expect("write");
        let roots = vec![Root { path: root.canonicalize().expect("canonical"), name: "root".into() }];
        assert!(resolve(&roots, "0/a/b").is_ok());
        assert_eq!(id_of(&roots, 0, &resolve(&roots, "0/a/b").expect("inside")), "0/a/b");
        for bad in ["0/../secret.txt", "0/a/../../secret.txt", "1/a", "x/a", "0//etc/passwd"] {
            assert!(resolve(&roots, bad).is_err(), "{bad}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path(), root.join("out")).expect("symlink");
            assert!(matches!(resolve(&roots, "0/out/secret.txt"), Err(ServeError::BadPath(_))));
        }
    }
}
