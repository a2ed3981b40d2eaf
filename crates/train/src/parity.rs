//! Backend parity: one SGD step of convnet18 from the same weights and batch on a backend and on
//! flex (the reference), compared layer by layer. The backend parity test and
//! `actlab backends --check` (how a user checks a GPU) run this one body.

use actlab_datasets::synthetic::SyntheticConfig;
use actlab_datasets::{Batcher, Normalization, Normalizer};
use actlab_models::{Activation, Arch, InitScheme, Model, ModelConfig};
use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::Device;

use crate::optimizer::{OptimizerConfig, OptimizerKind};
use crate::step::{Stepped, TrainStep};
use crate::{Backend, BackendError};

/// The largest relative difference accepted: float rounding in a different summation order gives
/// about 1e-6 here; a wrong kernel gives 1e-2 or more.
pub const TOLERANCE: f32 = 1e-4;

/// The weight tensors compared, in forward order.
pub const LAYERS: [&str; 4] = ["conv1", "conv2", "conv3", "fc"];

/// How one backend's step compares with flex's for one activation.
#[derive(Clone, Debug)]
pub struct Parity {
    pub backend: Backend,
    pub activation: Activation,
    /// |loss − flex loss| / |flex loss|.
    pub loss_relative: f32,
    /// Per layer of `LAYERS`: max |w − w_flex| / max |w_flex| after the step.
    pub weights_relative: Vec<f32>,
}

impl Parity {
    /// The largest of the loss and weight differences.
    pub fn worst(&self) -> f32 {
        self.weights_relative.iter().copied().fold(self.loss_relative, f32::max)
    }

    pub fn passed(&self) -> bool {
        self.worst() < TOLERANCE
    }
}

/// One step on `backend` and on flex, for each activation.
pub fn check(backend: Backend, activations: &[Activation]) -> Result<Vec<Parity>, BackendError> {
    let device = backend.probe()?;
    Ok(activations
        .iter()
        .map(|&activation| {
            let init = initial_weights(activation);
            let reference = one_step(&Device::flex(), activation, &init);
            let other = one_step(&device, activation, &init);
            compare(backend, activation, &reference, &other)
        })
        .collect())
}

fn config(activation: Activation) -> ModelConfig {
    let mut config = ModelConfig::new(Arch::Convnet18, activation);
    config.init = InitScheme::Kaiming;
    config
}

/// Initial weights, drawn once on flex. Each backend starts from a copy: the random generator is
/// shared by threads, so drawing per backend would not give the same weights.
fn initial_weights(activation: Activation) -> ModuleRecord {
    let reference = Device::flex().autodiff();
    reference.seed(7);
    Model::new(&config(activation), [3, 32, 32], 10, &reference).expect("convnet18 builds for 3×32×32").into_record()
}

/// Loss and all weights (flattened) after one SGD step from the same weights and batch.
fn one_step(device: &Device, activation: Activation, init: &ModuleRecord) -> (f32, Vec<Vec<f32>>) {
    let ad = device.clone().autodiff();
    let model = Model::new(&config(activation), [3, 32, 32], 10, &ad).expect("convnet18 builds for 3×32×32").load_record(init.clone());
    let (train, _) = SyntheticConfig { train: 16, test: 2, ..Default::default() }.generate(5);
    let batcher = Batcher::new(Normalizer::fit(Normalization::PerChannel, &train), Default::default());
    let indices: Vec<usize> = (0..16).collect();
    let batch = batcher.batch(&train, &indices, None, &ad);
    let optimizer = OptimizerConfig { kind: OptimizerKind::Sgd, lr: 0.05, momentum: 0.9, beta2: 0.999, weight_decay: 0.0 };
    let (model, loss) = match TrainStep::new(&ad).run(model, &mut optimizer.init(), 0.05, batch) {
        Stepped::Updated(model, outcome) => (model, outcome.loss as f32),
        // A diverged step leaves nothing to compare; NaN weights fail the comparison loudly.
        _ => return (f32::NAN, vec![vec![f32::NAN]; LAYERS.len()]),
    };
    let Model::ConvNet18(net) = model else { unreachable!("built a convnet18") };
    let data = [
        net.conv1.weight.val().into_data(),
        net.conv2.weight.val().into_data(),
        net.conv3.weight.val().into_data(),
        net.fc.weight.val().into_data(),
    ];
    let params = data.into_iter().map(|d| d.convert::<f32>().try_to_vec::<f32>().unwrap_or_default()).collect();
    (loss, params)
}

/// Agreement per tensor, relative to its largest entry (max|a − b| / max|a|), so entries near
/// zero do not turn float rounding into a large elementwise ratio. NaN compares as infinitely far.
fn compare(backend: Backend, activation: Activation, reference: &(f32, Vec<Vec<f32>>), other: &(f32, Vec<Vec<f32>>)) -> Parity {
    let finite = |x: f32| if x.is_nan() { f32::INFINITY } else { x };
    let loss_relative = finite((reference.0 - other.0).abs() / reference.0.abs());
    let weights_relative = reference
        .1
        .iter()
        .zip(&other.1)
        .map(|(r, o)| {
            let scale = r.iter().fold(0f32, |m, v| m.max(v.abs()));
            let diff =
                if r.len() == o.len() { r.iter().zip(o).fold(0f32, |m, (a, b)| m.max(finite((a - b).abs()))) } else { f32::INFINITY };
            finite(diff / scale)
        })
        .collect();
    Parity { backend, activation, loss_relative, weights_relative }
}
