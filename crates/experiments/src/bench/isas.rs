//! flex with actlab's own loops (pooling, im2col, tanh's gradient) compiled for each instruction
//! set in turn (`--isas`): the same binary, the kernels' dispatch forced to one copy at a time,
//! timed alternately so that a machine's drift falls on every copy alike.

use actlab_kernels::{Isa, force_kernel_isa, kernel_isa};
use actlab_models::Activation;
use actlab_train::Backend;
use burn::tensor::Device;

use crate::bench::profile::profile_ops;
use crate::bench::records::{IsaTiming, OpTime};
use crate::bench::timing::time_steps;
use crate::bench::{BenchOptions, median};

/// `max(o.rounds, 1)` rounds of every ISA in `o.isas` and every activation, then one per-op
/// profile per ISA and activation; the process's own choice is restored afterwards.
pub(super) fn compare_isas(device: &Device, o: &BenchOptions, log: &mut dyn FnMut(&str)) -> (Vec<IsaTiming>, Vec<OpTime>) {
    let before = kernel_isa();
    let cells: Vec<(Isa, Activation)> = o.isas.iter().flat_map(|&isa| o.activations.iter().map(move |&a| (isa, a))).collect();
    let mut rows: Vec<IsaTiming> = cells.iter().map(|&(isa, a)| IsaTiming::new(isa, a)).collect();
    // Each cell's last timed step, whose optimizer time the profile reports.
    let mut last_steps = Vec::new();
    for round in 1..=o.rounds.max(1) {
        last_steps.clear();
        for (&(isa, activation), row) in cells.iter().zip(rows.iter_mut()) {
            use_isa(isa);
            let step = time_steps(Backend::Flex, device, activation, o);
            log(&format!("own loops on {isa}, round {round}, {activation}: train {:.0} images/s", step.train_images_per_sec));
            row.train_images_per_sec.push(step.train_images_per_sec);
            last_steps.push(step);
        }
    }
    let mut ops = Vec::new();
    for ((&(isa, activation), row), step) in cells.iter().zip(rows.iter_mut()).zip(&last_steps) {
        row.median = median(row.train_images_per_sec.clone());
        if o.profile.contains(&Backend::Flex) {
            use_isa(isa);
            let mut profile = profile_ops(Backend::Flex, device, activation, step, o);
            profile.iter_mut().for_each(|op| op.backend = format!("flex, own loops {isa}"));
            ops.extend(profile);
        }
    }
    use_isa(before);
    (rows, ops)
}

/// Forces `isa`: the options were checked against this CPU, so it runs here.
fn use_isa(isa: Isa) {
    if let Err(e) = force_kernel_isa(isa) {
        unreachable!("--isas was checked against this CPU: {e}");
    }
}

impl IsaTiming {
    fn new(isa: Isa, activation: Activation) -> Self {
        Self { isa: isa.to_string(), activation: activation.to_string(), train_images_per_sec: vec![], median: f64::NAN }
    }
}
