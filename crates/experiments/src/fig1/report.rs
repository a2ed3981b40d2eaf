//! The report: numbers assembled from the runs, then report.json, the figure and report.md.

use actlab_models::Activation;
use std::collections::BTreeMap;
use std::path::Path;

use crate::ExperimentError;
use crate::fig1::Experiment;
use crate::fig1::curve;
use crate::fig1::records::{ActivationResult, Report, RunHost, Trial};
use crate::toolkit::machine::device_name;
use crate::toolkit::markdown::{Table, data_files, fmt_estimate, fmt_lr, fmt_ratio};
use crate::toolkit::stats::{Ratio, bootstrap_ratio};
use actlab_train::durable::write_atomic;

/// Ratios of each activation's mean epochs and seconds to target to relu's, with bootstrap intervals.
fn ratios_to_relu(results: &[ActivationResult]) -> (BTreeMap<String, Ratio>, BTreeMap<String, Ratio>) {
    let (mut epoch_ratios, mut time_ratios) = (BTreeMap::new(), BTreeMap::new());
    let Some(relu) = results.iter().find(|r| r.activation == Activation::Relu) else { return (epoch_ratios, time_ratios) };
    let (relu_epochs, relu_seconds) = (relu.epochs_reached(), relu.seconds_reached());
    for other in results.iter().filter(|r| r.activation != Activation::Relu) {
        let (epochs, seconds) = (other.epochs_reached(), other.seconds_reached());
        if !epochs.is_empty() && !relu_epochs.is_empty() {
            epoch_ratios.insert(other.activation.to_string(), bootstrap_ratio(&epochs, &relu_epochs, 10_000, 1));
            time_ratios.insert(other.activation.to_string(), bootstrap_ratio(&seconds, &relu_seconds, 10_000, 2));
        }
    }
    (epoch_ratios, time_ratios)
}

pub(super) fn assemble(x: &Experiment, trials: Vec<Trial>, results: Vec<ActivationResult>) -> Report {
    let (epoch_ratios, time_ratios) = ratios_to_relu(&results);
    let (base, data, backend) = (&x.base, x.runner.data(), x.options.common.backend);
    let host = RunHost { backend: backend.to_string(), device: device_name(backend), threads: 0, commit: String::new() };
    Report {
        plan: x.plan.clone(),
        trials,
        results,
        epoch_ratios,
        time_ratios,
        machine: x.host.clone().unwrap_or(host),
        dataset: data.files.iter().map(Into::into).collect(),
        train_images: data.train.len(),
        setting: format!(
            "{} on {} {} training images, batch {}, {} with momentum {}, weight decay {}, augmentation {}",
            base.model.arch,
            data.train.len(),
            base.dataset.name,
            base.training.batch_size,
            format!("{:?}", base.optimizer.kind).to_lowercase(),
            base.optimizer.momentum,
            base.optimizer.weight_decay,
            if base.dataset.augment.is_active() { "on" } else { "off" },
        ),
        dataset_name: base.dataset.name.to_string(),
        pending: x.pending.clone(),
    }
}

/// Writes report.json, fig1.png/svg and report.md into `out`.
pub(super) fn write(out: &Path, report: &Report) -> Result<(), ExperimentError> {
    let json_path = out.join("report.json");
    write_atomic(&json_path, serde_json::to_string_pretty(report).unwrap_or_default().as_bytes(), "report")
        .map_err(|e| ExperimentError::io(&json_path, e))?;
    curve::draw(out, report)?;
    let md = [
        header(report),
        epochs_table(report),
        pending(report),
        runs_table(report),
        search_table(report),
        finalists_table(report),
        machine(report),
    ]
    .concat();
    let md_path = out.join("report.md");
    write_atomic(&md_path, md.as_bytes(), "report").map_err(|e| ExperimentError::io(&md_path, e))
}

fn header(report: &Report) -> String {
    let p = &report.plan;
    let mut md = String::from("# AlexNet Figure 1 reproduction\n\n");
    md.push_str(&format!(
        "{}. Each run stops when the running training error of its current epoch first reaches {}; runs that hit the {}-epoch cap are listed as not reached. Curves: the mean over seeds of the training error of each whole epoch that every seed completed, then the mean stop point (mean epochs, mean running error at the stop); shaded: min to max over seeds; dots: each run's stop.\n\n",
        report.setting, p.target, p.max_epochs
    ));
    if !p.reductions.is_empty() {
        md.push_str("**Reduced run.** Differences from the full experiment:\n\n");
        for r in &p.reductions {
            md.push_str(&format!("- {r}\n"));
        }
        md.push('\n');
    }
    md
}

fn epochs_table(report: &Report) -> String {
    let mut table = Table::new(&[
        "activation",
        "chosen lr",
        "epochs to target: mean ± std [95% CI]",
        "seconds to target: mean ± std [95% CI]",
        "not reached",
        "epochs vs relu [95% bootstrap CI]",
        "time vs relu [95% bootstrap CI]",
    ]);
    for r in &report.results {
        let name = r.activation.to_string();
        let vs_relu =
            |ratios: &BTreeMap<String, Ratio>| if r.activation == Activation::Relu { "1".into() } else { fmt_ratio(ratios.get(&name)) };
        table.push(vec![
            name.clone(),
            fmt_lr(r.chosen_lr),
            fmt_estimate(&r.epochs_to_target, 2),
            fmt_estimate(&r.seconds_to_target, 0),
            r.not_reached.to_string(),
            vs_relu(&report.epoch_ratios),
            vs_relu(&report.time_ratios),
        ]);
    }
    format!(
        "## Epochs to target\n\n{}\nResolution: a hit is counted at the first logged point at or under the target that covers at least a fifth of its epoch, so epochs to target fall just past a whole epoch (N + ≈0.2) and runs that cross during the same epoch get the same value; a spread or interval narrower than about one epoch reflects that resolution, not certainty.\n",
        table.render()
    )
}

fn pending(report: &Report) -> String {
    if report.pending.is_empty() {
        return String::new();
    }
    let mut md = String::from("\n**Not finished yet** (this report covers what had finished when it was written):\n\n");
    for p in &report.pending {
        md.push_str(&format!("- {p}\n"));
    }
    md
}

fn runs_table(report: &Report) -> String {
    let mut table = Table::new(&["activation", "seed", "epochs to target", "seconds to target", "epochs run", "outcome", "actlab commit"]);
    for r in &report.results {
        for run in &r.runs {
            table.push(vec![
                r.activation.to_string(),
                run.seed.to_string(),
                run.epochs_to_target.map(|e| format!("{e:.2}")).unwrap_or("–".into()),
                run.seconds_to_target.map(|s| format!("{s:.0}")).unwrap_or("–".into()),
                format!("{:.2}", run.epochs_run),
                run.stop.to_string(),
                run.commit.clone(),
            ]);
        }
    }
    format!("\n![training error vs epochs](fig1.png)\n\n## Runs\n\n{}", table.render())
}

fn search_table(report: &Report) -> String {
    let mut table = Table::new(&["activation", "lr", "training error", ""]);
    for t in &report.trials {
        let chosen = report.results.iter().any(|r| r.activation == t.activation && r.chosen_lr == t.lr);
        table.push(vec![
            t.activation.to_string(),
            fmt_lr(t.lr),
            t.train_error.map(|e| format!("{e:.4}")).unwrap_or("diverged".into()),
            if chosen { "chosen" } else { "" }.into(),
        ]);
    }
    format!(
        "\n## Learning-rate search\n\nTrials of {} epoch(s) from seed 1; score = running training error at the end of the trial (lower is better). While the best rate is at an edge of those tried, the grid is extended past it by its own spacing (at most 3 more trials).\n\n{}",
        report.plan.trial_epochs,
        table.render()
    )
}

fn finalists_table(report: &Report) -> String {
    let p = &report.plan;
    if p.finalists <= 1 {
        return String::new();
    }
    let mut table = Table::new(&["activation", "lr", "trial error", "epochs to target", "seconds to target", "", "actlab commit"]);
    for r in &report.results {
        for f in &r.finalists {
            table.push(vec![
                r.activation.to_string(),
                fmt_lr(f.lr),
                format!("{:.4}", f.trial_error),
                f.run.epochs_to_target.map_or(format!("not reached in {:.2}", f.run.epochs_run), |e| format!("{e:.2}")),
                f.run.seconds_to_target.map_or("–".into(), |s| format!("{s:.0}")),
                if f.lr == r.chosen_lr { "chosen" } else { "" }.into(),
                f.run.commit.clone(),
            ]);
        }
    }
    format!(
        "\n## Learning-rate finalists\n\nThe {} best rates of the trials above, each run from seed 1 to the target; the one that reached it in the fewest epochs is chosen (the paper chose each rate \"to make training as fast as possible\"), and its run is seed 1 of the full runs.\n\n{}",
        p.finalists,
        table.render()
    )
}

/// Every build that made a trial or run, or the machine's one commit.
fn commits(report: &Report) -> String {
    let runs = report.results.iter().flat_map(|r| r.runs.iter().chain(r.finalists.iter().map(|f| &f.run)));
    let mut commits: Vec<&str> =
        report.trials.iter().map(|t| t.commit.as_str()).chain(runs.map(|run| run.commit.as_str())).filter(|c| !c.is_empty()).collect();
    commits.sort_unstable();
    commits.dedup();
    if commits.len() > 1 {
        format!("{} (the trials and runs were made by different builds; each run's is in the tables above)", commits.join(", "))
    } else {
        report.machine.commit.clone()
    }
}

fn machine(report: &Report) -> String {
    let m = &report.machine;
    let mut md = format!(
        "\n## Machine and data\n\n- backend: {}, device: {}, threads: {}\n- actlab commit: {}\n",
        m.backend,
        m.device,
        m.threads,
        commits(report)
    );
    md.push_str(&data_files(&report.dataset));
    md
}
