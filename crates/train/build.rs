//! Records the git commit the binary was built from, for run summaries: `-dirty` when tracked
//! files differed from that commit (a binary built before its change was committed).
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    Command::new("git")
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
}

fn main() {
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    println!("cargo:rustc-env=ACTLAB_COMMIT={commit}{}", if dirty { "-dirty" } else { "" });
    // Rerun on a commit or checkout (HEAD, refs, index) and on any source change (the dirty flag).
    for path in
        ["../../.git/HEAD", "../../.git/refs/heads", "../../.git/index", "src", "../models/src", "../datasets/src", "../kernels/src"]
    {
        println!("cargo:rerun-if-changed={path}");
    }
}
