//! Phase 3: the chosen rate from every seed to the target; seed 1's run is the chosen finalist's.

use actlab_models::Activation;

use crate::ExperimentError;
use crate::fig1::Experiment;
use crate::fig1::race::Race;
use crate::fig1::records::{ActivationResult, RunHost, SeedRun};
use crate::toolkit::machine::device_name;
use crate::toolkit::markdown::fmt_lr;
use crate::toolkit::runner::progress_note;
use crate::toolkit::stats::Estimate;

pub(super) fn seed_runs(x: &mut Experiment, activation: Activation, race: Race) -> Result<ActivationResult, ExperimentError> {
    let Race { finalists, mut summaries, chosen_lr } = race;
    let chosen_finalist = finalists.iter().position(|f| f.lr == chosen_lr);
    let mut seed_one = chosen_finalist.map(|i| summaries.swap_remove(i));
    let mut runs = Vec::new();
    for seed in 1..=x.plan.seeds as u64 {
        let spec = x.full_run(activation, chosen_lr, seed, format!("{activation} seed {seed}"));
        let folder = spec.folder.clone();
        let reused = if seed == 1 { seed_one.take() } else { None };
        let summary = match reused {
            Some(summary) => summary,
            None => match x.runner.run(spec)? {
                Some(summary) => summary,
                None => {
                    let note = progress_note(&folder);
                    x.pending.push(format!("{activation} seed {seed} (lr {}): not finished{note}", fmt_lr(chosen_lr)));
                    continue;
                }
            },
        };
        x.host.get_or_insert_with(|| RunHost {
            backend: summary.backend.clone(),
            device: device_name(x.options.common.backend),
            threads: summary.threads,
            commit: summary.versions.commit.clone(),
        });
        runs.push(SeedRun::of(seed, &folder, &summary, x.plan.max_epochs));
    }
    let mut result =
        ActivationResult { activation, chosen_lr, finalists, runs, epochs_to_target: None, seconds_to_target: None, not_reached: 0 };
    let (epochs, seconds) = (result.epochs_reached(), result.seconds_reached());
    result.not_reached = result.runs.len() - epochs.len();
    result.epochs_to_target = (!epochs.is_empty()).then(|| Estimate::of(&epochs));
    result.seconds_to_target = (!seconds.is_empty()).then(|| Estimate::of(&seconds));
    Ok(result)
}
