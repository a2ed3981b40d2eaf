//! The README and docs/ stay true to the runs: the answer table is what `actlab answer` makes of
//! the reports' report.json files, every relative link and image resolves, and the README stays
//! short enough to read the answer on its first screens.

use std::path::{Path, PathBuf};

use actlab_experiments::answer::between_markers;

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn the_readme_answer_table_is_what_the_reports_say() {
    let root = repository();
    let made = crate::support::actlab(&["answer", "--docs", root.join("docs").to_str().expect("utf8")]);
    assert!(made.status.success(), "{}", crate::support::stderr(&made));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let table = between_markers(&readme).expect("README.md has the answer markers");
    assert_eq!(
        table,
        String::from_utf8_lossy(&made.stdout),
        "README.md's answer differs from the reports: run `actlab answer --write README.md`"
    );
}

#[test]
fn the_readme_is_short() {
    let readme = std::fs::read_to_string(repository().join("README.md")).expect("README.md");
    assert!(readme.lines().count() <= 250, "README.md has {} lines; move sections into docs/", readme.lines().count());
}

/// The Markdown files under `dir`, recursively.
fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            markdown_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

/// Every `](target)` outside code (fenced blocks and inline spans).
fn link_targets(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        // Inline code (`[x](y)` quoted as an example) is not a link.
        let prose: String = line.split('`').step_by(2).collect::<Vec<_>>().join(" ");
        let mut rest = prose.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            targets.push(after[..end].to_string());
            rest = &after[end..];
        }
    }
    targets
}

#[test]
fn every_relative_link_and_image_in_the_readme_and_docs_resolves() {
    let root = repository();
    let mut files = vec![root.join("README.md")];
    markdown_files(&root.join("docs"), &mut files);
    let (mut checked, mut broken) = (0, Vec::new());
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        for target in link_targets(&text) {
            if target.starts_with("http://") || target.starts_with("https://") || target.starts_with("mailto:") || target.starts_with('#') {
                continue;
            }
            let path = target.split('#').next().unwrap_or_default();
            checked += 1;
            if !file.parent().expect("a folder").join(path).exists() {
                broken.push(format!("{}: {target}", file.strip_prefix(&root).unwrap_or(file).display()));
            }
        }
    }
    assert!(checked > 100, "only {checked} links found: is the scanner right?");
    assert!(broken.is_empty(), "{} broken link(s):\n{}", broken.len(), broken.join("\n"));
}

#[test]
fn the_link_scanner_finds_links_and_images_but_not_code() {
    let text = "see [a](x.md) and ![b](y.png), not `[e](code)`\n```\n[c](not-a-link)\n```\n| [0.4](runs/a/seed-1) | [1e-2](runs/a) |";
    assert_eq!(link_targets(text), vec!["x.md", "y.png", "runs/a/seed-1", "runs/a"]);
}
