//! The study's verdicts as rules on ranges, never hard-coded words: which activation is faster in
//! a cell, how a cell's ratio compares with the paper cell's, and the paragraph that weighs every
//! cell into one answer to "a property of ReLU or of the setting?".

use crate::speedup::records::{CellResult, SpeedRatio};

/// A ratio's 95% range: its bootstrap interval, or (bound, ∞) / (0, bound) where one side did
/// not reach the target in every seed. None: one seed (no interval) or no ratio at all.
pub fn range(r: Option<&SpeedRatio>) -> Option<(f64, f64)> {
    let r = r?;
    match (&r.epochs, r.at_least, r.at_most) {
        (Some(e), _, _) => e.ci95,
        (None, Some(b), _) => Some((b, f64::INFINITY)),
        (None, None, Some(b)) => Some((0.0, b)),
        _ => None,
    }
}

/// Which activation reached the target first in a cell, judged by the ratio's range against 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Faster {
    Relu,
    Other,
    NoClearDifference,
    Unknown,
}

pub fn faster(r: Option<&SpeedRatio>) -> Faster {
    match range(r) {
        Some((lo, _)) if lo > 1.0 => Faster::Relu,
        Some((_, hi)) if hi < 1.0 => Faster::Other,
        Some(_) => Faster::NoClearDifference,
        None => Faster::Unknown,
    }
}

/// How a cell's ratio compares with the paper cell's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Smaller,
    Larger,
    Overlapping,
    Unknown,
}

pub fn change(paper: Option<&SpeedRatio>, cell: Option<&SpeedRatio>) -> Change {
    match (range(paper), range(cell)) {
        (Some((plo, _)), Some((_, chi))) if chi < plo => Change::Smaller,
        (Some((_, phi)), Some((clo, _))) if clo > phi => Change::Larger,
        (Some(_), Some(_)) => Change::Overlapping,
        _ => Change::Unknown,
    }
}

impl Change {
    pub fn describe(self, cell: Option<&SpeedRatio>) -> &'static str {
        let bound = cell.is_some_and(|c| c.epochs.is_none());
        match (self, bound) {
            (Change::Smaller, false) => "smaller: the intervals do not overlap",
            (Change::Smaller, true) => "smaller: even its bound lies below the paper cell's interval",
            (Change::Larger, false) => "larger: the intervals do not overlap",
            (Change::Larger, true) => "larger: even its bound lies above the paper cell's interval",
            (Change::Overlapping, false) => "no clear change: the intervals overlap",
            (Change::Overlapping, true) => "no clear change: its bound does not separate it from the paper cell's",
            (Change::Unknown, _) if cell.is_some_and(|c| c.epochs.is_some()) => "one seed: no interval to compare",
            (Change::Unknown, _) => "not comparable: a ratio is missing",
        }
    }
}

fn listed(cells: &[&CellResult], other: &str) -> String {
    cells.iter().map(|c| format!("{} {}", c.key, short(c.ratio(other)))).collect::<Vec<_>>().join(", ")
}

/// "1.35× [1.30, 1.42] ReLU's epochs", "at least 4.28× ReLU's epochs (it did not reach the target
/// in every seed)".
fn times(r: Option<&SpeedRatio>) -> String {
    match r {
        Some(SpeedRatio { epochs: Some(e), .. }) => match e.ci95 {
            Some((lo, hi)) => format!("{:.2}× [{lo:.2}, {hi:.2}] ReLU's epochs", e.value),
            None => format!("{:.2}× ReLU's epochs (one seed, no interval)", e.value),
        },
        Some(SpeedRatio { at_least: Some(b), .. }) => format!("at least {b:.2}× ReLU's epochs (it did not reach the target in every seed)"),
        Some(SpeedRatio { at_most: Some(b), .. }) => format!("at most {b:.2}× ReLU's epochs (ReLU did not reach the target in every seed)"),
        _ => "an unknown multiple of ReLU's epochs (no ratio yet)".into(),
    }
}

/// "1.57×", "≥ 4.28×", "≤ 0.21×".
pub fn short(r: Option<&SpeedRatio>) -> String {
    match r {
        Some(SpeedRatio { epochs: Some(e), .. }) => format!("{:.2}×", e.value),
        Some(SpeedRatio { at_least: Some(b), .. }) => format!("≥ {b:.2}×"),
        Some(SpeedRatio { at_most: Some(b), .. }) => format!("≤ {b:.2}×"),
        _ => "–".into(),
    }
}

/// The answer for one activation against ReLU over every cell: where ReLU is faster, where the
/// other is, where neither clearly is, and what that says about the textbook reading.
pub fn paragraph(cells: &[CellResult], other: &str) -> String {
    let Some(paper) = cells.iter().find(|c| c.key == "paper") else {
        return "The paper's cell is not in this run, so no factor can be compared with it.".into();
    };
    let head = format!("In the paper's setting {other} needs {}.", times(paper.ratio(other)));
    let rest: Vec<&CellResult> = cells.iter().filter(|c| c.key != "paper").collect();
    let by = |f: Faster| -> Vec<&CellResult> { rest.iter().copied().filter(|c| faster(c.ratio(other)) == f).collect() };
    let (relu, theirs, neither, unknown) = (by(Faster::Relu), by(Faster::Other), by(Faster::NoClearDifference), by(Faster::Unknown));
    let judged = rest.len() - unknown.len();
    if judged == 0 {
        let one_seed = rest.iter().any(|c| c.ratio(other).is_some_and(|r| r.epochs.as_ref().is_some_and(|e| e.ci95.is_none())));
        return if one_seed {
            format!(
                "{head} With one seed per activation there are no intervals, so no factor can be judged: the default form (three seeds) gives them."
            )
        } else {
            format!("{head} No other cell has a {other}/relu range yet, so no factor can be judged.")
        };
    }
    let mut parts = Vec::new();
    if !relu.is_empty() {
        parts.push(format!("ReLU is faster in {} ({})", relu.len(), listed(&relu, other)));
    }
    if !theirs.is_empty() {
        parts.push(format!("{other} is faster in {} ({})", theirs.len(), listed(&theirs, other)));
    }
    if !neither.is_empty() {
        parts.push(format!("neither is clearly faster in {} ({})", neither.len(), listed(&neither, other)));
    }
    let counts = format!("Of the {judged} other cells with a range, {}.", parts.join("; "));
    let running = unknown.iter().filter(|c| c.ratio(other).is_none()).count();
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let pending = match (running, unknown.len() - running) {
        (0, 0) => String::new(),
        (r, 0) => format!(" {r} cell{} not finished yet.", plural(r)),
        (0, n) => format!(" In {n} cell{} neither activation reached the target in every seed, so there is no range.", plural(n)),
        (r, n) => format!(" {r} cell{} not finished yet; in {n} neither activation reached the target in every seed.", plural(r)),
    };
    let paper_faster = faster(paper.ratio(other));
    let modern = cells.iter().find(|c| c.key == "modern").map(|c| faster(c.ratio(other)));
    let verdict = if !theirs.is_empty() {
        let modern = match modern {
            Some(Faster::Relu) => " In the modern combination ReLU leads again, so the usual story holds there, but not as a law.",
            Some(Faster::Other) => " In the modern combination too, ReLU is the slower one.",
            _ => "",
        };
        format!(
            " So the speed-up is not a property of the activation alone: changing one factor of the setting makes {other} the faster one. This contradicts the usual reading of Figure 1.{modern}"
        )
    } else if !neither.is_empty() {
        " ReLU's lead vanishes (the range reaches 1) when one factor changes, so its size and even its existence depend on the setting."
            .to_string()
    } else if paper_faster == Faster::Relu {
        let so_far = if unknown.is_empty() { "" } else { " measured so far" };
        format!(" ReLU is faster in every cell{so_far}: the direction belongs to the activation; how much faster belongs to the setting.")
    } else {
        String::new()
    };
    format!("{head} {counts}{verdict}{pending}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::toolkit::stats::Ratio;

    fn measured(value: f64, lo: f64, hi: f64) -> SpeedRatio {
        SpeedRatio {
            activation: "tanh".into(),
            epochs: Some(Ratio { value, ci95: Some((lo, hi)), resamples: 10 }),
            seconds: None,
            at_least: None,
            at_most: None,
        }
    }

    fn bound(at_least: Option<f64>, at_most: Option<f64>) -> SpeedRatio {
        SpeedRatio { activation: "tanh".into(), epochs: None, seconds: None, at_least, at_most }
    }

    fn cell(key: &str, ratio: SpeedRatio) -> CellResult {
        CellResult { key: key.into(), change: key.into(), activations: Vec::new(), ratios: vec![ratio] }
    }

    #[test]
    fn bounds_and_intervals_say_which_is_faster_and_how_the_cell_moved() {
        assert_eq!(faster(Some(&measured(1.3, 1.2, 1.4))), Faster::Relu);
        assert_eq!(faster(Some(&measured(0.8, 0.7, 0.9))), Faster::Other);
        assert_eq!(faster(Some(&measured(1.1, 0.9, 1.3))), Faster::NoClearDifference);
        assert_eq!(faster(Some(&bound(Some(4.0), None))), Faster::Relu);
        assert_eq!(faster(Some(&bound(None, Some(0.2)))), Faster::Other);
        assert_eq!(faster(Some(&bound(None, Some(1.5)))), Faster::NoClearDifference);
        assert_eq!(faster(None), Faster::Unknown);
        let paper = measured(1.35, 1.3, 1.42);
        assert_eq!(change(Some(&paper), Some(&bound(None, Some(0.2)))), Change::Smaller);
        assert_eq!(change(Some(&paper), Some(&bound(Some(2.0), None))), Change::Larger);
        assert_eq!(change(Some(&paper), Some(&bound(Some(1.0), None))), Change::Overlapping);
        assert_eq!(change(Some(&paper), Some(&measured(1.6, 1.31, 1.9))), Change::Overlapping);
        // The paper's own ratio a bound (sigmoid never got there): a cell wholly below it is smaller.
        assert_eq!(change(Some(&bound(Some(4.0), None)), Some(&measured(2.0, 1.8, 2.2))), Change::Smaller);
    }

    #[test]
    fn one_reversed_cell_makes_the_answer_the_setting() {
        let paper = cell("paper", measured(1.35, 1.3, 1.42));
        let all_relu = [paper.clone(), cell("batch-norm", measured(1.6, 1.3, 2.0)), cell("modern", measured(1.5, 1.3, 2.0))];
        let text = paragraph(&all_relu, "tanh");
        assert!(text.contains("ReLU is faster in 2 (batch-norm 1.60×, modern 1.50×)"), "{text}");
        assert!(text.contains("the direction belongs to the activation"), "{text}");
        let reversed = [paper.clone(), cell("fan-in-init", bound(None, Some(0.21))), cell("modern", measured(1.5, 1.3, 2.0))];
        let text = paragraph(&reversed, "tanh");
        assert!(text.contains("tanh is faster in 1 (fan-in-init ≤ 0.21×)"), "{text}");
        assert!(text.contains("not a property of the activation alone"), "{text}");
        assert!(text.contains("ReLU leads again"), "{text}");
        let vanished = [paper.clone(), cell("adam", measured(1.1, 0.9, 1.3))];
        assert!(paragraph(&vanished, "tanh").contains("vanishes"));
        let pending = [paper, cell("adam", bound(None, None))];
        assert!(paragraph(&pending, "tanh").contains("No other cell has a tanh/relu range yet"));
        let mut one_seed = measured(0.74, 0.0, 0.0);
        one_seed.epochs.as_mut().expect("measured").ci95 = None;
        let quick = [cell("paper", measured(0.83, 0.8, 0.9)), cell("modern", one_seed)];
        assert!(paragraph(&quick, "tanh").contains("With one seed per activation there are no intervals"));
        let partly = [cell("paper", bound(Some(4.28), None)), cell("modern", measured(4.6, 4.0, 5.9)), cell("adam", bound(None, None))];
        let text = paragraph(&partly, "tanh");
        assert!(text.contains("needs at least 4.28× ReLU's epochs"), "{text}");
        assert!(text.contains("every cell measured so far") && text.contains("In 1 cell neither activation reached"), "{text}");
        let running = [
            cell("paper", measured(1.35, 1.3, 1.42)),
            cell("modern", measured(1.5, 1.3, 2.0)),
            CellResult { ratios: Vec::new(), ..cell("adam", bound(None, None)) },
        ];
        assert!(paragraph(&running, "tanh").contains("1 cell not finished yet."));
    }
}
