//! Phase 1: short trials on a log grid of learning rates, extended past an edge while the best
//! rate sits there.

use actlab_models::Activation;
use actlab_train::StopReason;

use crate::ExperimentError;
use crate::fig1::records::Trial;
use crate::fig1::{Experiment, lr_name};
use crate::toolkit::markdown::fmt_lr;
use crate::toolkit::rates::RateGrid;
use crate::toolkit::runner::{RunSpec, progress_note};

/// The trials of one activation; `complete` is false when one was not finished (`--report-only`).
pub(super) struct Search {
    pub trials: Vec<Trial>,
    pub complete: bool,
}

pub(super) fn search(x: &mut Experiment, activation: Activation) -> Result<Search, ExperimentError> {
    let mut grid = RateGrid::new(&x.plan.lr_grid);
    let mut trials = Vec::new();
    let mut unfinished = None;
    while let Some(lr) = grid.next_rate() {
        let folder = x.options.common.out.join("search").join(activation.name()).join(lr_name(lr));
        let mut config = x.base.clone();
        config.model.activation = activation;
        config.optimizer.lr = lr;
        config.stop.max_epochs = x.plan.trial_epochs;
        config.stop.target_train_error = None;
        let label = format!("search {activation} lr {}", fmt_lr(lr));
        let Some(summary) = x.runner.run(RunSpec { folder: folder.clone(), config, label })? else {
            let note = progress_note(&folder);
            unfinished.get_or_insert_with(|| {
                format!("{activation}: learning-rate trial {} not finished{note}, so no rate is chosen yet", fmt_lr(lr))
            });
            // The grid's rates are independent: all of them go into one --plan wave (or --jobs
            // wave); only an extension past an edge waits for their results.
            if grid.grid_left() { continue } else { break }
        };
        let diverged = matches!(summary.stop, Some(StopReason::Diverged { .. }));
        let error = if diverged { None } else { summary.final_train_error };
        grid.record(lr, error);
        let (folder, commit) = (folder.display().to_string(), summary.versions.commit);
        trials.push(Trial { activation, lr, train_error: error, diverged, folder, commit });
    }
    if let Some(why) = unfinished {
        x.pending.push(why);
        return Ok(Search { trials, complete: false });
    }
    if !grid.any_finite() {
        return Err(ExperimentError::AllDiverged { activation });
    }
    Ok(Search { trials, complete: true })
}
