//! The training loop.
//!
//! burn-train's `Learner` is not used for the loop itself: the AlexNet Figure 1 measurement needs
//! the running training error of the *current epoch* checked every few iterations (to stop at the
//! first moment it reaches 0.25), a fixed CSV layout, mid-epoch checkpoints that resume to the
//! identical metrics, and a NaN loss reported as an outcome (for learning-rate searches) rather
//! than a panic. Burn's optimizers, losses, records and devices do all the numerical work.

use actlab_datasets::{Batcher, LoadedDataset, Normalizer};
use actlab_models::Model;
use burn::optim::ModuleOptimizer;
use burn::tensor::Device;
use std::path::PathBuf;
use std::time::Instant;

use crate::TrainError;
use crate::checkpoint::Checkpoints;
use crate::config::RunConfig;
use crate::evaluate::evaluate;
use crate::loop_state::LoopState;
use crate::metrics::{MetricsRow, MetricsWriter};
use crate::progress::{Progress, ProgressMode};
use crate::run_folder::RunFolder;
use crate::seed::{batch_rng, epoch_order};
use crate::step::{Stepped, TrainStep};
use crate::stop::StopRule;
use crate::summary::{DatasetSummary, StopReason, Summary, TargetHit, Versions};

/// Where a run writes, and how it reports progress.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub out: PathBuf,
    pub progress: ProgressMode,
    pub label: String,
}

/// What the loop needs that does not change while it runs.
struct Setup<'a> {
    config: &'a RunConfig,
    data: &'a LoadedDataset,
    folder: RunFolder,
    device: Device,
    train_device: Device,
    batcher: Batcher,
    step: TrainStep,
    rule: StopRule,
    batch_size: usize,
    batches_per_epoch: u64,
}

/// Wall-clock bookkeeping: time before this process (from the checkpoint) and since.
struct Clock {
    started: Instant,
    before: f64,
    last_checkpoint: Instant,
    last_row: (Instant, u64),
    images: u64,
}

/// What changes as the loop runs (the model itself is passed along, as Burn's optimizer consumes it).
struct Run {
    optimizer: ModuleOptimizer,
    state: LoopState,
    metrics: MetricsWriter,
    checkpoints: Checkpoints,
    progress: Progress,
    clock: Clock,
    order: Vec<usize>,
    final_row: Option<MetricsRow>,
}

/// Trains `config` on `data`, resuming from the checkpoint in `options.out` if there is one.
pub fn train(config: &RunConfig, data: &LoadedDataset, options: &RunOptions) -> Result<Summary, TrainError> {
    let setup = Setup::new(config, data, options)?;
    let (mut model, mut run) = setup.start(options)?;
    let mut stop = run.state.target_hit.is_some().then_some(StopReason::TargetReached);
    while stop.is_none() && run.state.iteration < setup.rule.max_iterations {
        let (next, stopped) = run.iterate(&setup, model)?;
        model = next;
        stop = stopped;
    }
    if !matches!(stop, Some(StopReason::Diverged { .. })) {
        run.record_where_it_ended(&setup, &model)?;
    }
    run.progress.finish();
    run.finish(&setup, &model, stop.unwrap_or(StopReason::MaxEpochs))
}

impl<'a> Setup<'a> {
    fn new(config: &'a RunConfig, data: &'a LoadedDataset, options: &RunOptions) -> Result<Self, TrainError> {
        let t = &config.training;
        let device = t.backend.probe()?;
        let train_device = device.clone().autodiff();
        device.seed(t.seed);
        train_device.seed(t.seed);
        let n = data.train.len();
        if n == 0 {
            return Err(TrainError::EmptyTrainingSet);
        }
        if t.eval_every > 0 && data.test.as_ref().is_some_and(|test| test.is_empty()) {
            return Err(TrainError::EmptyTestSet);
        }
        let batch_size = t.batch_size.min(n);
        Ok(Self {
            config,
            data,
            folder: RunFolder::new(&options.out),
            batcher: Batcher::new(Normalizer::fit(config.dataset.normalize, &data.train), config.dataset.augment),
            step: TrainStep::new(&train_device),
            rule: StopRule::new(config, n),
            batch_size,
            batches_per_epoch: n.div_ceil(batch_size) as u64,
            device,
            train_device,
        })
    }

    fn train_images(&self) -> usize {
        self.data.train.len()
    }

    /// A new model and optimizer, restored from the latest checkpoint if there is one.
    fn start(&self, options: &RunOptions) -> Result<(Model, Run), TrainError> {
        let (config, train) = (self.config, &self.data.train);
        let model = Model::new(&config.model, train.shape, train.classes.len(), &self.train_device)?;
        let optimizer = config.optimizer.init();
        let checkpoints = Checkpoints::new(&self.folder.checkpoint_dir());
        let resumed = checkpoints.latest()?;
        checkpoints.remove_unreferenced(resumed.as_ref())?;
        let (model, optimizer, state) = match &resumed {
            Some(state) => {
                let (model, optimizer) = checkpoints.restore(state, model, optimizer)?;
                (model, optimizer, state.clone())
            }
            None => (model, optimizer, LoopState::new()),
        };
        let (metrics, last_kept) = MetricsWriter::open(&self.folder.metrics_path(), resumed.as_ref().map(|s| s.iteration))?;
        let progress = Progress::new(options.progress, &options.label, self.rule.max_iterations, state.iteration);
        if resumed.is_some() && state.iteration < self.rule.max_iterations {
            progress.message(&format!("resuming at iteration {} (epoch {})", state.iteration, state.epoch));
        }
        let now = Instant::now();
        let clock = Clock { started: now, before: state.elapsed_s, last_checkpoint: now, last_row: (now, 0), images: 0 };
        let order = epoch_order(self.train_images(), config.training.seed, state.epoch);
        Ok((model, Run { optimizer, state, metrics, checkpoints, progress, clock, order, final_row: last_kept }))
    }
}

impl Clock {
    /// Seconds of training, this process and the ones before it.
    fn elapsed(&self) -> f64 {
        self.before + self.started.elapsed().as_secs_f64()
    }

    /// Images per second since the last row, and a new interval from now.
    fn images_per_sec_since_row(&mut self) -> f64 {
        let interval = self.last_row.0.elapsed().as_secs_f64().max(1e-9);
        let speed = (self.images - self.last_row.1) as f64 / interval;
        self.last_row = (Instant::now(), self.images);
        speed
    }
}

impl Run {
    /// One training step, with the row, evaluation and checkpoint that fall due after it.
    fn iterate(&mut self, s: &Setup, model: Model) -> Result<(Model, Option<StopReason>), TrainError> {
        if let Some(stop) = s.rule.out_of_time(self.clock.elapsed()) {
            return Ok((model, Some(stop)));
        }
        let (n, t) = (s.train_images(), &s.config.training);
        let from = self.state.batch_in_epoch as usize * s.batch_size;
        let indices = &self.order[from..(from + s.batch_size).min(n)];
        let epoch_now = self.state.epochs(n);
        let lr = s.config.schedule.lr(s.config.optimizer.lr, epoch_now, s.config.stop.max_epochs);
        let batch = s.batcher.batch(&s.data.train, indices, Some(&mut batch_rng(t.seed, self.state.iteration)), &s.train_device);
        let images = indices.len();
        let model = match s.step.run(model, &mut self.optimizer, lr, batch) {
            Stepped::Updated(model, outcome) => {
                self.state.record(images, outcome);
                model
            }
            Stepped::Diverged(model, loss) => {
                let iteration = self.state.iteration;
                self.progress.message(&format!("diverged: loss {loss} at iteration {iteration} (epoch {epoch_now:.2}) with lr {lr:e}"));
                return Ok((model, Some(StopReason::Diverged { epoch: epoch_now, iteration, loss })));
            }
        };
        self.clock.images += images as u64;
        self.progress.step();
        let epoch_end = self.state.batch_in_epoch == s.batches_per_epoch;
        let last = self.state.iteration == s.rule.max_iterations;
        let mut stop = None;
        if self.state.iteration.is_multiple_of(t.log_every as u64) || epoch_end || last {
            stop = self.log_row(s, &model, lr, epoch_end, last)?;
        }
        if epoch_end {
            self.state.start_next_epoch();
            self.order = epoch_order(n, t.seed, self.state.epoch);
        }
        let checkpoint_due = self.clock.last_checkpoint.elapsed().as_secs_f64() >= t.checkpoint_minutes * 60.0;
        if epoch_end || checkpoint_due || stop.is_some() || last {
            self.checkpoint(&model)?;
        }
        Ok((model, stop))
    }

    /// Writes a metrics row (evaluating on the test set when due) and checks the target.
    fn log_row(&mut self, s: &Setup, model: &Model, lr: f64, epoch_end: bool, last: bool) -> Result<Option<StopReason>, TrainError> {
        let t = &s.config.training;
        let finished_epochs = self.state.epoch + epoch_end as u64;
        let evaluates = s.data.test.is_some() && t.eval_every > 0;
        let eval_due = epoch_end && finished_epochs.is_multiple_of(t.eval_every.max(1) as u64);
        let test_error = if evaluates && (eval_due || last) {
            let test = s.data.test.as_ref().map(|set| evaluate(model, set, &s.batcher, t.eval_batch_size, &s.device));
            self.state.last_test_error = test;
            test
        } else {
            None
        };
        let speed = self.clock.images_per_sec_since_row();
        let row = self.state.row(s.train_images(), test_error, lr, speed, self.clock.elapsed());
        self.metrics.write(&row)?;
        let remaining = (s.rule.max_iterations - self.state.iteration) as f64 * self.clock.elapsed() / self.state.iteration.max(1) as f64;
        self.progress.row(&row, epoch_end, remaining);
        let mut stop = None;
        if self.state.target_hit.is_none() && s.rule.target_met(row.train_error, self.state.epoch_seen, epoch_end) {
            self.state.target_hit = Some(TargetHit { epoch: row.epoch, iteration: row.iteration, seconds: row.elapsed_s });
            stop = Some(StopReason::TargetReached);
        }
        self.final_row = Some(row);
        Ok(stop)
    }

    fn checkpoint(&mut self, model: &Model) -> Result<(), TrainError> {
        self.state.elapsed_s = self.clock.elapsed();
        self.checkpoints.save(model, &self.optimizer, self.state.clone())?;
        self.clock.last_checkpoint = Instant::now();
        Ok(())
    }

    /// A run stopped between rows (its time limit) still records where it ended.
    fn record_where_it_ended(&mut self, s: &Setup, model: &Model) -> Result<(), TrainError> {
        let logged = self.final_row.as_ref().is_some_and(|r| r.iteration == self.state.iteration);
        if self.state.epoch_batches == 0 || logged {
            return Ok(());
        }
        let lr = s.config.schedule.lr(s.config.optimizer.lr, self.state.epoch as f64, s.config.stop.max_epochs);
        let speed = self.clock.images_per_sec_since_row();
        let row = self.state.row(s.train_images(), None, lr, speed, self.clock.elapsed());
        self.metrics.write(&row)?;
        self.state.elapsed_s = row.elapsed_s;
        self.checkpoints.save(model, &self.optimizer, self.state.clone())?;
        self.final_row = Some(row);
        Ok(())
    }

    /// Saves the final model (unless the run diverged) and writes summary.json.
    fn finish(self, s: &Setup, model: &Model, stop: StopReason) -> Result<Summary, TrainError> {
        if !matches!(stop, StopReason::Diverged { .. }) {
            let path = s.folder.model_path();
            model.save(&path).map_err(|source| TrainError::Record { path, source })?;
            s.folder.sync_model()?;
        }
        let fresh_seconds = self.clock.started.elapsed().as_secs_f64();
        let data = s.data;
        let summary = Summary {
            stop: Some(stop),
            target_train_error: s.config.stop.target_train_error,
            target_reached: self.state.target_hit.clone().or_else(|| s.folder.read_summary().and_then(|p| p.target_reached)),
            epochs: self.state.epochs(s.train_images()),
            iterations: self.state.iteration,
            seconds: self.clock.elapsed(),
            final_train_loss: self.final_row.as_ref().map(|r| r.train_loss),
            final_train_error: self.final_row.as_ref().map(|r| r.train_error),
            final_test_error: self.state.last_test_error,
            mean_images_per_sec: if fresh_seconds > 0.0 { self.clock.images as f64 / fresh_seconds } else { 0.0 },
            backend: s.config.training.backend.to_string(),
            threads: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            versions: Versions::current(),
            dataset: DatasetSummary {
                name: s.config.dataset.name.to_string(),
                train_images: data.train.len(),
                test_images: data.test.as_ref().map(|t| t.len()),
                files: data.files.iter().map(Into::into).collect(),
            },
        };
        s.folder.write_summary(&summary)?;
        Ok(summary)
    }
}
