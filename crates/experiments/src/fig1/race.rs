//! Phase 2: the best short-trial rates, each run from seed 1 to the target; the one that gets
//! there in the fewest epochs is chosen (ties and no finisher: the better short-trial score).

use actlab_models::Activation;
use actlab_train::Summary;

use crate::ExperimentError;
use crate::fig1::Experiment;
use crate::fig1::records::{Finalist, SeedRun, Trial};
use crate::toolkit::markdown::fmt_lr;
use crate::toolkit::runner::progress_note;

/// The finalists of one activation, their runs' summaries, and the rate chosen.
pub(super) struct Race {
    pub finalists: Vec<Finalist>,
    pub summaries: Vec<Summary>,
    pub chosen_lr: f64,
}

/// The finalist (given best short-trial score first) that reached the target in the fewest
/// epochs; on a tie the earlier one. None when none reached it.
pub fn fastest(finalists: &[Finalist]) -> Option<f64> {
    finalists.iter().filter_map(|f| f.run.epochs_to_target.map(|e| (f.lr, e))).min_by(|a, b| a.1.total_cmp(&b.1)).map(|(lr, _)| lr)
}

/// "3e-3 reached it in 6.24 epochs; 1e-3 did not reach the target in 80.00 epochs".
fn finished_finalists(finalists: &[Finalist]) -> String {
    let done: Vec<String> = finalists
        .iter()
        .map(|f| {
            let outcome = f
                .run
                .epochs_to_target
                .map_or(format!("did not reach the target in {:.2} epochs", f.run.epochs_run), |e| format!("reached it in {e:.2} epochs"));
            format!("{} {outcome}", fmt_lr(f.lr))
        })
        .collect();
    if done.is_empty() { String::new() } else { format!(" (finished finalists: {})", done.join("; ")) }
}

/// None when a finalist has not finished (`--report-only`); `pending` then says which.
pub(super) fn race(x: &mut Experiment, activation: Activation, trials: &[Trial]) -> Result<Option<Race>, ExperimentError> {
    let mut ranked: Vec<(f64, f64)> =
        trials.iter().filter(|t| t.activation == activation).filter_map(|t| t.train_error.map(|e| (t.lr, e))).collect();
    ranked.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (mut finalists, mut summaries) = (Vec::new(), Vec::new());
    let mut unfinished = Vec::new();
    // The finalists are independent runs: every one is looked for (listed together in a --plan
    // wave) before the race is judged.
    for &(lr, trial_error) in ranked.iter().take(x.plan.finalists) {
        let spec = x.full_run(activation, lr, 1, format!("finalist {activation} lr {} seed 1", fmt_lr(lr)));
        let folder = spec.folder.clone();
        let Some(summary) = x.runner.run(spec)? else {
            unfinished.push((lr, progress_note(&folder)));
            continue;
        };
        finalists.push(Finalist { lr, trial_error, run: SeedRun::of(1, &folder, &summary, x.plan.max_epochs) });
        summaries.push(summary);
    }
    if let Some((lr, note)) = unfinished.first() {
        let done = finished_finalists(&finalists);
        x.pending.push(format!("{activation}: finalist rate {} (seed 1) not finished{note}, so no rate is chosen yet{done}", fmt_lr(*lr)));
        return Ok(None);
    }
    let chosen_lr = fastest(&finalists).unwrap_or(ranked[0].0);
    Ok(Some(Race { finalists, summaries, chosen_lr }))
}

#[cfg(test)]
mod tests {
    use super::fastest;
    use crate::fig1::records::{Finalist, Outcome, SeedRun};

    fn finalist(lr: f64, trial_error: f64, epochs_to_target: Option<f64>) -> Finalist {
        let run = SeedRun {
            seed: 1,
            folder: String::new(),
            reached: epochs_to_target.is_some(),
            epochs_to_target,
            seconds_to_target: None,
            epochs_run: 80.0,
            stop: Outcome::Unknown,
            commit: String::new(),
        };
        Finalist { lr, trial_error, run }
    }

    #[test]
    fn the_fastest_finalist_wins_even_with_a_worse_trial_score() {
        let best_score_but_slow = finalist(3e-2, 0.62, Some(69.2));
        let runner_up_but_fast = finalist(1e-2, 0.64, Some(35.0));
        assert_eq!(fastest(&[best_score_but_slow.clone(), runner_up_but_fast.clone()]), Some(1e-2));
        // A finalist that never reached the target cannot win; on a tie the better score does.
        assert_eq!(fastest(&[finalist(3e-2, 0.62, None), runner_up_but_fast.clone()]), Some(1e-2));
        assert_eq!(fastest(&[finalist(3e-2, 0.62, Some(35.0)), runner_up_but_fast]), Some(3e-2));
        assert_eq!(fastest(&[finalist(3e-2, 0.62, None)]), None);
    }
}
