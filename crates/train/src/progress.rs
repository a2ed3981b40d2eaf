//! Progress on long runs: a bar with ETA on a terminal, plain periodic lines otherwise (logs, CI).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use crate::metrics::MetricsRow;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgressMode {
    /// A bar when stderr is a terminal, lines otherwise.
    Auto,
    Lines,
    Quiet,
}

pub struct Progress {
    bar: Option<ProgressBar>,
    lines: bool,
    last_line: Option<Instant>,
    label: String,
}

impl Progress {
    pub fn new(mode: ProgressMode, label: &str, total_iterations: u64, done: u64) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let bar = (mode == ProgressMode::Auto && terminal).then(|| {
            let bar = ProgressBar::with_draw_target(Some(total_iterations), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{prefix} {bar:30} {pos}/{len} it [{elapsed_precise}<{eta_precise}] {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.set_prefix(label.to_string());
            bar.set_position(done);
            bar
        });
        let lines = mode == ProgressMode::Lines || (mode == ProgressMode::Auto && !terminal);
        Self { bar, lines, last_line: None, label: label.to_string() }
    }

    pub fn step(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// Shows a metrics row; in line mode at most every 10 s, except at epoch ends.
    pub fn row(&mut self, row: &MetricsRow, epoch_end: bool, remaining_s: f64) {
        let text = format!(
            "epoch {:.2} loss {:.4} train-err {:.4}{} lr {:.2e} {:.0} img/s",
            row.epoch,
            row.train_loss,
            row.train_error,
            row.test_error.map(|e| format!(" test-err {e:.4}")).unwrap_or_default(),
            row.lr,
            row.images_per_sec
        );
        if let Some(bar) = &self.bar {
            bar.set_message(text);
        } else if self.lines {
            let due = self.last_line.is_none_or(|t| t.elapsed() >= Duration::from_secs(10));
            if due || epoch_end {
                eprintln!("[{}] it {} {text} eta {:.0}s", self.label, row.iteration, remaining_s.max(0.0));
                self.last_line = Some(Instant::now());
            }
        }
    }

    pub fn message(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None if self.lines => eprintln!("[{}] {text}", self.label),
            None => {}
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}
