//! What `actlab data info` prints: records per class and whether each file is official.

use std::fmt::Write;

use crate::LoadedDataset;
use crate::checksum::Verdict;

pub fn describe(loaded: &LoadedDataset) -> String {
    let mut out = String::new();
    for (split, set) in [("train", Some(&loaded.train)), ("test", loaded.test.as_ref())] {
        let Some(set) = set else { continue };
        let [c, h, w] = set.shape;
        let _ = writeln!(out, "{split}: {} images of {c}x{h}x{w}", set.len());
        for (class, count) in set.classes.iter().zip(set.class_counts()) {
            let _ = writeln!(out, "  {class:<12} {count}");
        }
    }
    let _ = writeln!(out, "files:");
    for file in &loaded.files {
        let verdict = match &file.verdict {
            Verdict::Official => "official".to_string(),
            Verdict::NotOfficial { expected } => format!("NOT official (official md5 {expected})"),
            Verdict::Unknown => "no official md5 known".to_string(),
        };
        let _ = writeln!(out, "  {}  {}  {verdict}", file.md5, file.file);
    }
    out
}
