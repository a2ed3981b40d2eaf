//! The README's answer: one row per claim that actlab tests, each with its verdict in a sentence,
//! the key number with its interval, a figure and the chapter, made from the reports' own
//! report.json files under docs/ so that it cannot drift from the runs (`actlab answer`; a test
//! compares README.md with what this makes of docs/).
//!
//! Every verdict is a rule on intervals, never a hard-coded word: a ratio "holds" when its 95%
//! interval lies above 1, a paired difference is "worse"/"better" when its interval excludes 0
//! and "level" when it does not.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::ExperimentError;
use crate::speedup::verdict::{self, Faster};
use crate::toolkit::markdown::Table;

/// One claim's row.
struct Row {
    claim: &'static str,
    verdict: String,
    number: String,
    figure: Option<String>,
    chapter: &'static str,
}

/// A report.json, with its path for errors that name the file and the field.
struct Report {
    path: PathBuf,
    json: Value,
}

impl Report {
    fn read(docs: &Path, folder: &str) -> Result<Self, ExperimentError> {
        let path = docs.join(folder).join("report.json");
        let text = std::fs::read_to_string(&path).map_err(|e| ExperimentError::io(&path, e))?;
        let json = serde_json::from_str(&text).map_err(|e| ExperimentError::BadReport { path: path.clone(), reason: e.to_string() })?;
        Ok(Self { path, json })
    }

    /// The value at a JSON pointer (`/epoch_ratios/tanh/value`).
    fn at(&self, pointer: &str) -> Result<&Value, ExperimentError> {
        self.json.pointer(pointer).ok_or_else(|| self.missing(pointer))
    }

    fn number(&self, pointer: &str) -> Result<f64, ExperimentError> {
        self.at(pointer)?.as_f64().ok_or_else(|| self.missing(pointer))
    }

    /// `{mean or value, ci95: [lo, hi] or null}` at `pointer`.
    fn interval(&self, pointer: &str) -> Result<Interval, ExperimentError> {
        let v = self.at(pointer)?;
        let value = v.get("mean").or_else(|| v.get("value")).and_then(Value::as_f64).ok_or_else(|| self.missing(pointer))?;
        let ci = v.get("ci95").and_then(Value::as_array).and_then(|a| Some((a.first()?.as_f64()?, a.get(1)?.as_f64()?)));
        Ok(Interval { value, ci })
    }

    /// The seed-paired verdict `a − b` of a study's `verdicts` list, at the chosen rates.
    fn paired(&self, a: &str, b: &str) -> Result<Interval, ExperimentError> {
        let list = self.at("/verdicts")?.as_array().ok_or_else(|| self.missing("/verdicts"))?;
        let index = list.iter().position(|v| v["a"] == a && v["b"] == b).ok_or_else(|| self.missing(&format!("/verdicts ({a} − {b})")))?;
        self.interval(&format!("/verdicts/{index}/chosen"))
    }

    fn missing(&self, pointer: &str) -> ExperimentError {
        ExperimentError::BadReport { path: self.path.clone(), reason: format!("no field {pointer}") }
    }
}

/// A value with its 95% interval (none from a single run).
#[derive(Clone, Copy, Debug)]
struct Interval {
    value: f64,
    ci: Option<(f64, f64)>,
}

impl Interval {
    fn above(self, x: f64) -> bool {
        self.ci.is_some_and(|(lo, _)| lo > x)
    }

    fn below(self, x: f64) -> bool {
        self.ci.is_some_and(|(_, hi)| hi < x)
    }

    /// "6.63 [6.13, 7.21]", or "0.83 (one run, no interval)".
    fn fmt(self, digits: usize) -> String {
        match self.ci {
            Some((lo, hi)) => format!("{:.digits$} [{lo:.digits$}, {hi:.digits$}]", self.value),
            None => format!("{:.digits$} (no interval)", self.value),
        }
    }

    /// A ratio as "6.63× [6.13, 7.21]".
    fn fmt_times(self) -> String {
        match self.ci {
            Some((lo, hi)) => format!("{:.2}× [{lo:.2}, {hi:.2}]", self.value),
            None => format!("{:.2}× (no interval)", self.value),
        }
    }

    /// A difference as "+0.289 [+0.173, +0.404]".
    fn fmt_signed(self) -> String {
        match self.ci {
            Some((lo, hi)) => format!("{:+.3} [{lo:+.3}, {hi:+.3}]", self.value),
            None => format!("{:+.3} (no interval)", self.value),
        }
    }

    /// How A compares with B, from A − B in training error (lower is better).
    fn comparison(self) -> &'static str {
        if self.above(0.0) {
            "worse"
        } else if self.below(0.0) {
            "better"
        } else {
            "level"
        }
    }
}

/// The answer table (Markdown) from the reports under `docs`.
pub fn answer_table(docs: &Path) -> Result<String, ExperimentError> {
    let rows = [
        figure_1(docs)?,
        speed_up_conditions(docs)?,
        collapse(docs)?,
        little_non_linearity(docs)?,
        saturation(docs)?,
        depth(docs)?,
        sparsity(docs)?,
        filters(docs)?,
    ];
    let mut table = Table::new(&["claim", "verdict", "key number (95% interval)", "figure", "chapter"]);
    for row in rows {
        let figure = row.figure.map_or("–".into(), |f| format!("[figure](docs/{f})"));
        table.push(vec![
            row.claim.into(),
            row.verdict,
            row.number,
            figure,
            format!("[{}](docs/{})", row.chapter.trim_end_matches(".md"), row.chapter),
        ]);
    }
    Ok(table.render())
}

fn figure_1(docs: &Path) -> Result<Row, ExperimentError> {
    let r = Report::read(docs, "fig1-full")?;
    let epochs = r.interval("/epoch_ratios/tanh")?;
    let seconds = r.interval("/time_ratios/tanh")?;
    let target = r.number("/plan/target")?;
    let verdict = if epochs.above(1.0) {
        format!("Reproduced: ReLU reaches {:.0}% training error in fewer epochs than tanh", target * 100.0)
    } else {
        "Not reproduced: the interval of the ratio reaches 1".into()
    };
    Ok(Row {
        claim: "ReLU nets learn several times faster than tanh nets (AlexNet, Figure 1: about 6×)",
        verdict,
        number: format!("tanh needs {} the epochs of ReLU ({} the time)", epochs.fmt_times(), seconds.fmt_times()),
        figure: Some("fig1-full/fig1.png".into()),
        chapter: "fig1.md",
    })
}

/// The sensitivity study: the default form where it has finished, else its partial report (the
/// cells finished so far), else the quick form.
fn speed_up_conditions(docs: &Path) -> Result<Row, ExperimentError> {
    let folder = ["sensitivity-full", "sensitivity-partial", "sensitivity-quick"]
        .into_iter()
        .find(|f| docs.join(f).join("report.json").is_file())
        .unwrap_or("sensitivity-quick");
    let Report { path, json } = Report::read(docs, folder)?;
    let study: crate::speedup::Report =
        serde_json::from_value(json).map_err(|e| ExperimentError::BadReport { path, reason: e.to_string() })?;
    let (mut parts, mut relu, mut tanh, mut neither, mut open) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), 0);
    for cell in &study.cells {
        let ratio = cell.ratio("tanh");
        let shown = crate::speedup::ratios::fmt(ratio);
        if shown == "–" {
            continue;
        }
        let faster = verdict::faster(ratio);
        // One seed: the value alone ("0.83×"), the verdict says there are no intervals.
        let shown = if faster == Faster::Unknown { verdict::short(ratio) } else { shown };
        parts.push(format!("{} {shown}", cell.key));
        match faster {
            Faster::Relu => relu.push(cell.key.clone()),
            Faster::Other => tanh.push(cell.key.clone()),
            Faster::NoClearDifference => neither.push(cell.key.clone()),
            Faster::Unknown => open += 1,
        }
    }
    let list = |keys: &[String]| if keys.is_empty() { "none".to_string() } else { keys.join(", ") };
    let verdict = if folder == "sensitivity-partial" {
        format!(
            "Open: the default form is running; {} of {} cells have a tanh/ReLU ratio so far: ReLU faster (range above 1) in {}; tanh faster in {}; neither clearly in {}",
            parts.len(),
            study.cells.len(),
            list(&relu),
            list(&tanh),
            list(&neither)
        )
    } else if open == parts.len() {
        format!("Open: only the {folder} form has finished, one seed, no intervals; the default form is running")
    } else {
        format!(
            "ReLU is faster (range above 1) in {} of {} settings; tanh is faster in: {}; neither clearly in: {}",
            relu.len(),
            parts.len(),
            list(&tanh),
            list(&neither)
        )
    };
    Ok(Row {
        claim: "…in any setting, not just the paper's (one factor changed at a time)",
        verdict,
        number: format!("tanh/ReLU epochs to target: {}", parts.join("; ")),
        figure: Some(format!("{folder}/forest.png")).filter(|_| folder != "sensitivity-partial"),
        chapter: "sensitivity.md",
    })
}

fn collapse(docs: &Path) -> Result<Row, ExperimentError> {
    let r = Report::read(docs, "linearity-full")?;
    let linear = r.paired("mlp-identity", "linear")?;
    let relu = r.paired("mlp-relu", "mlp-identity")?;
    let verdict = if !linear.below(0.0) && relu.below(0.0) {
        "Holds: an MLP without an activation does no better than one linear layer; with ReLU it does"
    } else {
        "Does not hold as stated: see the chapter"
    };
    Ok(Row {
        claim: "Without a non-linearity, depth collapses to one linear map",
        verdict: verdict.into(),
        number: format!(
            "training error, MLP without activation − softmax regression {}; MLP with ReLU − without {}",
            linear.fmt_signed(),
            relu.fmt_signed()
        ),
        figure: None,
        chapter: "linearity.md",
    })
}

fn little_non_linearity(docs: &Path) -> Result<Row, ExperimentError> {
    let r = Report::read(docs, "linearity-full")?;
    let identity = r.paired("convnet18-identity", "convnet18-relu")?;
    let leaky = r.paired("convnet18-leaky-relu-0.2", "convnet18-relu")?;
    let verdict = match identity.comparison() {
        "worse" => "Holds: without an activation convnet18 trains worse than with ReLU",
        _ => "Not shown: in convnet18 no activation at all is within seed noise of ReLU (its max pool is non-linear too)",
    };
    Ok(Row {
        claim: "A little non-linearity is enough (leaky ReLU, α from 0 to 1)",
        verdict: verdict.into(),
        number: format!("training error, identity − ReLU {}; α = 0.2 − ReLU {}", identity.fmt_signed(), leaky.fmt_signed()),
        figure: Some("linearity-full/slopes.png".into()),
        chapter: "linearity.md",
    })
}

fn saturation(docs: &Path) -> Result<Row, ExperimentError> {
    let r = Report::read(docs, "linearity-full")?;
    let sigmoid = r.paired("convnet18-sigmoid", "convnet18-relu")?;
    let tanh = r.paired("convnet18-tanh", "convnet18-relu")?;
    let holds = |d: Interval| if d.above(0.0) { "holds" } else { "does not hold" };
    Ok(Row {
        claim: "Saturating activations (sigmoid, tanh) train worse than ReLU, tuned fairly",
        verdict: format!(
            "For sigmoid it {} ({} than ReLU); for tanh it {} ({})",
            holds(sigmoid),
            sigmoid.comparison(),
            holds(tanh),
            tanh.comparison()
        ),
        number: format!("training error after 8 epochs, sigmoid − ReLU {}; tanh − ReLU {}", sigmoid.fmt_signed(), tanh.fmt_signed()),
        figure: Some("linearity-full/zoo.png".into()),
        chapter: "linearity.md",
    })
}

/// The shallowest depth at which `activation` with `init` stalls across its rates' basin.
fn stalls_from(r: &Report, activation: &str, init: &str) -> Result<Option<u64>, ExperimentError> {
    let cells = r.at("/cells")?.as_array().ok_or_else(|| r.missing("/cells"))?;
    Ok(cells
        .iter()
        .filter(|c| c["activation"] == activation && c["init"] == init && c["stalled_across_basin"] == true)
        .filter_map(|c| c["depth"].as_u64())
        .min())
}

fn depth(docs: &Path) -> Result<Row, ExperimentError> {
    let r = Report::read(docs, "depth-full")?;
    let deepest = r.at("/plan/depths")?.as_array().and_then(|d| d.iter().filter_map(Value::as_u64).max()).unwrap_or(0);
    let threshold = r.number("/plan/stalled_at")?;
    let mut parts = Vec::new();
    for (activation, init) in [("sigmoid", "xavier"), ("tanh", "xavier"), ("relu", "xavier"), ("relu", "kaiming")] {
        let from = stalls_from(&r, activation, init)?;
        parts.push(match from {
            Some(d) => format!("{activation} ({init}) stalls from {d} layers"),
            None => format!("{activation} ({init}) trains at every depth to {deepest}"),
        });
    }
    let sigmoid = stalls_from(&r, "sigmoid", "xavier")?;
    let tanh = stalls_from(&r, "tanh", "xavier")?;
    let verdict = match (sigmoid, tanh) {
        (Some(s), None) => format!("Holds for sigmoid (from {s} hidden layers), not for tanh"),
        (Some(s), Some(t)) => format!("Holds: sigmoid stalls from {s} hidden layers, tanh from {t}"),
        (None, _) => "Not shown: sigmoid trains at every depth tried".into(),
    };
    Ok(Row {
        claim: "Deep nets of saturating units stop training (vanishing gradients)",
        verdict,
        number: format!("MNIST MLPs, 5 epochs, stalled = training error ≥ {threshold} at every neighbouring rate: {}", parts.join("; ")),
        figure: Some("depth-full/errors.png".into()),
        chapter: "depth.md",
    })
}

/// conv1's exact-zero share of `activation` at `epoch` (None: the last measured).
fn zeros(r: &Report, activation: &str, epoch: Option<u64>) -> Result<Interval, ExperimentError> {
    let summaries = r.at("/summaries")?.as_array().ok_or_else(|| r.missing("/summaries"))?;
    let i = summaries.iter().position(|s| s["activation"] == activation).ok_or_else(|| r.missing(&format!("/summaries ({activation})")))?;
    let layers = summaries[i]["layers"].as_array().ok_or_else(|| r.missing(&format!("/summaries/{i}/layers")))?;
    let last = layers.iter().filter_map(|l| l["epoch"].as_u64()).max().unwrap_or(0);
    let epoch = epoch.unwrap_or(last);
    let j = layers
        .iter()
        .position(|l| l["layer"] == "conv1" && l["epoch"].as_u64() == Some(epoch))
        .ok_or_else(|| r.missing(&format!("/summaries/{i}/layers (conv1, epoch {epoch})")))?;
    r.interval(&format!("/summaries/{i}/layers/{j}/exact_zero"))
}

fn sparsity(docs: &Path) -> Result<Row, ExperimentError> {
    let r = Report::read(docs, "sparsity-full")?;
    let (relu_init, relu, tanh) = (zeros(&r, "relu", Some(0))?, zeros(&r, "relu", None)?, zeros(&r, "tanh", None)?);
    let learned = if relu.above(relu_init.ci.map_or(f64::INFINITY, |c| c.1)) {
        "more after training than at initialisation"
    } else if relu.below(relu_init.ci.map_or(f64::NEG_INFINITY, |c| c.0)) {
        "fewer after training than at initialisation"
    } else {
        "about as many at initialisation as after training"
    };
    let verdict = if relu.above(0.0) && !tanh.above(0.01) {
        format!("Holds: ReLU outputs exact zeros, tanh does not; {learned}")
    } else {
        "Does not hold as stated: see the chapter".into()
    };
    Ok(Row {
        claim: "ReLU gives sparse codes (exact zeros)",
        verdict,
        number: format!(
            "share of conv1 outputs exactly 0, ReLU {} trained ({} at init); tanh {}",
            relu.fmt(3),
            relu_init.fmt(3),
            tanh.fmt(3)
        ),
        figure: Some("sparsity-full/sparsity.png".into()),
        chapter: "sparsity.md",
    })
}

fn filters(docs: &Path) -> Result<Row, ExperimentError> {
    let r = Report::read(docs, "filters-full")?;
    let summaries = r.at("/summaries")?.as_array().ok_or_else(|| r.missing("/summaries"))?;
    let i = summaries.iter().position(|s| s["activation"] == "relu").ok_or_else(|| r.missing("/summaries (relu)"))?;
    let (init, trained) =
        (r.interval(&format!("/summaries/{i}/low_frequency_init"))?, r.interval(&format!("/summaries/{i}/low_frequency_trained"))?);
    let learned = match (init.ci, trained.ci) {
        (Some((_, hi)), Some((lo, _))) => lo > hi,
        _ => false,
    };
    Ok(Row {
        claim: "First-layer filters learn structure from noise",
        verdict: if learned {
            "Holds: ReLU's conv1 filters go from noise to smooth, low-frequency patterns"
        } else {
            "Not shown: see the chapter"
        }
        .into(),
        number: format!("conv1 energy at low spatial frequencies, ReLU: {} at init, {} trained", init.fmt(2), trained.fmt(2)),
        figure: Some("filters-full/filters.png".into()),
        chapter: "filters.md",
    })
}

/// The marker lines around the table in README.md.
pub const BEGIN: &str = "<!-- answer: made by `actlab answer` from docs/*/report.json; a test checks it -->";
pub const END: &str = "<!-- answer: end -->";

/// The byte range of the text between the markers in `readme`.
fn between(readme: &str) -> Option<std::ops::Range<usize>> {
    let start = readme.find(BEGIN)? + BEGIN.len();
    let end = start + readme[start..].find(END)?;
    Some(start..end)
}

/// `readme` with the text between the markers replaced by `table`; None if a marker is missing.
pub fn replace_between_markers(readme: &str, table: &str) -> Option<String> {
    let range = between(readme)?;
    Some(format!("{}\n{}{}", &readme[..range.start], table, &readme[range.end..]))
}

/// The text between the markers, as [`replace_between_markers`] writes it.
pub fn between_markers(readme: &str) -> Option<&str> {
    Some(readme[between(readme)?].trim_start_matches('\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_decide_the_words() {
        let worse = Interval { value: 0.2, ci: Some((0.1, 0.3)) };
        let level = Interval { value: -0.02, ci: Some((-0.08, 0.04)) };
        let single = Interval { value: 0.83, ci: None };
        assert_eq!((worse.comparison(), level.comparison(), single.comparison()), ("worse", "level", "level"));
        assert!(worse.above(0.0) && !level.above(0.0) && !single.above(0.5));
        assert_eq!(level.fmt_signed(), "-0.020 [-0.080, +0.040]");
        assert_eq!(single.fmt(2), "0.83 (no interval)");
    }

    #[test]
    fn the_table_goes_between_the_markers() {
        let readme = format!("intro\n{BEGIN}\nold table\n{END}\nrest\n");
        let new = replace_between_markers(&readme, "| new |\n").expect("markers");
        assert_eq!(new, format!("intro\n{BEGIN}\n| new |\n{END}\nrest\n"));
        assert_eq!(between_markers(&new), Some("| new |\n"));
        assert_eq!(replace_between_markers("no markers", "x"), None);
    }
}
