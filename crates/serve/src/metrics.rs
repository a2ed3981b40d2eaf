//! metrics.csv as the pages chart it: read tolerantly (a row still being written, with no
//! newline yet or too few fields, is left for the next read), and thinned for a wide view.

use serde::Serialize;

/// Columns by name, one value per row (None: empty, like test_error between evaluations).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Metrics {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<f64>>>,
    /// Rows in the file (before thinning).
    pub total_rows: usize,
    /// Bytes of complete rows read: where the next read of a growing file starts.
    pub complete_bytes: usize,
}

/// Parses `text`; only lines ending in a newline, with the header's number of fields, count.
pub fn parse(text: &str) -> Metrics {
    let mut lines = text.split_inclusive('\n');
    let Some(header) = lines.next().filter(|h| h.ends_with('\n')) else { return Metrics::default() };
    let columns: Vec<String> = header.trim_end().split(',').map(String::from).collect();
    let mut metrics = Metrics { complete_bytes: header.len(), columns, ..Metrics::default() };
    for line in lines {
        let Some(row) = parse_row(line, metrics.columns.len()) else { break };
        metrics.complete_bytes += line.len();
        metrics.rows.push(row);
    }
    metrics.total_rows = metrics.rows.len();
    metrics
}

/// Rows appended after `from` bytes (a complete-row boundary of an earlier read).
pub fn parse_after(text: &str, from: usize, columns: usize) -> (Vec<Vec<Option<f64>>>, usize) {
    let mut rows = Vec::new();
    let mut at = from.min(text.len());
    for line in text.get(at..).unwrap_or("").split_inclusive('\n') {
        let Some(row) = parse_row(line, columns) else { break };
        at += line.len();
        rows.push(row);
    }
    (rows, at)
}

fn parse_row(line: &str, columns: usize) -> Option<Vec<Option<f64>>> {
    if !line.ends_with('\n') {
        return None;
    }
    let fields: Vec<&str> = line.trim_end().split(',').collect();
    (fields.len() == columns).then(|| fields.iter().map(|f| f.trim().parse::<f64>().ok()).collect())
}

impl Metrics {
    /// At most `max` rows: every k-th, and always the last (the wide view of a long run; the
    /// shape of a training curve survives, and the page draws it at once).
    pub fn thinned(mut self, max: usize) -> Self {
        let n = self.rows.len();
        if max >= 2 && n > max {
            let step = n.div_ceil(max - 1);
            let last = self.rows[n - 1].clone();
            self.rows = self.rows.into_iter().step_by(step).collect();
            if self.rows.last() != Some(&last) {
                self.rows.push(last);
            }
        }
        self
    }

    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "epoch,iteration,train_error,test_error\n0.5,10,0.8,\n1.0,20,0.6,0.65\n1.5,30,0.5";

    #[test]
    fn a_torn_last_row_waits_for_its_newline() {
        let m = parse(TEXT);
        assert_eq!(m.columns, ["epoch", "iteration", "train_error", "test_error"]);
        assert_eq!(m.rows, vec![vec![Some(0.5), Some(10.0), Some(0.8), None], vec![Some(1.0), Some(20.0), Some(0.6), Some(0.65)]]);
        assert_eq!(&TEXT[m.complete_bytes..], "1.5,30,0.5");
        let grown = format!("{TEXT},\n2.0,40,0.4,\n");
        let (rows, at) = parse_after(&grown, m.complete_bytes, 4);
        assert_eq!(rows.len(), 2);
        assert_eq!(at, grown.len());
        // A row with the wrong number of fields is not taken.
        assert!(parse("a,b\n1,2,3\n").rows.is_empty());
        assert_eq!(parse("no newline yet"), Metrics::default());
    }

    #[test]
    fn thinning_keeps_the_last_row() {
        let text: String = std::iter::once("x\n".to_string()).chain((0..1000).map(|i| format!("{i}\n"))).collect();
        let m = parse(&text).thinned(100);
        assert!(m.rows.len() <= 101 && m.rows.len() >= 50, "{}", m.rows.len());
        assert_eq!(m.rows.last(), Some(&vec![Some(999.0)]));
        assert_eq!(m.total_rows, 1000);
    }
}
