//! Markdown for reports: tables, and numbers with their spread written the same way everywhere.

use actlab_train::summary::FileSummary;

use crate::toolkit::stats::{Estimate, Ratio};

/// A Markdown table, built row by row.
#[derive(Clone, Debug, Default)]
pub struct Table {
    text: String,
}

impl Table {
    /// A header cell may be empty (a column of marks such as "chosen").
    pub fn new(header: &[&str]) -> Self {
        let cells: String = header.iter().map(|h| if h.is_empty() { " |".to_string() } else { format!(" {h} |") }).collect();
        Self { text: format!("|{cells}\n|{}\n", "---|".repeat(header.len())) }
    }

    pub fn push(&mut self, cells: Vec<String>) {
        self.text.push_str(&format!("| {} |\n", cells.join(" | ")));
    }

    pub fn render(self) -> String {
        self.text
    }
}

/// A learning rate in at most four significant digits: 2e-3, 3.333e-2.
pub fn fmt_lr(lr: f64) -> String {
    let text = format!("{lr:.3e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
    format!("{mantissa}e{exponent}")
}

/// `[text](path)`: a number linked to the run folder it comes from (or to the folder of a rate's
/// seeds), relative to the report. GitHub opens the folder; `actlab serve` opens the run, or
/// lists the runs under the folder.
pub fn link(text: &str, path: &str) -> String {
    format!("[{text}]({path})")
}

/// The folder of one rate's runs (`seed-1`, `seed-2`, …) under a cell's folder: `CELL/lr-RATE`.
pub fn rate_folder(cell_folder: &str, lr: f64) -> String {
    format!("{cell_folder}/lr-{}", fmt_lr(lr))
}

/// "mean ± std [lo, hi] (n=…)", or what stands in for it with fewer than two values.
pub fn fmt_estimate(e: &Option<Estimate>, digits: usize) -> String {
    match e {
        None => "not reached".into(),
        Some(e) if e.n < 2 => format!("{:.digits$} (n={}; no spread from one run)", e.mean, e.n),
        Some(e) => {
            let ci = e.ci95.map(|(lo, hi)| format!(" [{lo:.digits$}, {hi:.digits$}]")).unwrap_or_default();
            format!("{:.digits$} ± {:.digits$}{ci} (n={})", e.mean, e.std, e.n)
        }
    }
}

/// "value [lo, hi]", or the reason there is no interval.
pub fn fmt_ratio(r: Option<&Ratio>) -> String {
    match r {
        None => "–".into(),
        Some(r) => match r.ci95 {
            Some((lo, hi)) => format!("{:.2} [{lo:.2}, {hi:.2}]", r.value),
            None => format!("{:.2} (no interval: fewer than 2 runs)", r.value),
        },
    }
}

/// One line per data file: its md5 and whether it is the official release.
pub fn data_files(files: &[FileSummary]) -> String {
    let line =
        |f: &FileSummary| format!("- {} md5 {}{}\n", f.file, f.md5, if f.official { " (official)" } else { " (not the official file)" });
    files.iter().map(line).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_and_numbers() {
        let mut table = Table::new(&["a", "b", ""]);
        table.push(vec!["1".into(), "2".into(), String::new()]);
        assert_eq!(table.render(), "| a | b | |\n|---|---|---|\n| 1 | 2 |  |\n");
        assert_eq!(fmt_lr(0.002), "2e-3");
        assert_eq!(fmt_lr(1.0 / 30.0), "3.333e-2");
        assert_eq!(fmt_lr(1e30), "1e30");
        assert_eq!(link(&fmt_lr(0.003), &rate_folder("runs/relu", 0.003)), "[3e-3](runs/relu/lr-3e-3)");
        assert_eq!(fmt_estimate(&None, 2), "not reached");
        assert_eq!(fmt_estimate(&Some(Estimate::of(&[2.0])), 1), "2.0 (n=1; no spread from one run)");
        assert!(fmt_estimate(&Some(Estimate::of(&[2.0, 4.0])), 2).starts_with("3.00 ± 1.41 ["));
    }
}
