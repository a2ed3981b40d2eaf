//! The fast CPU kernels as a Burn backend extension: implemented for flex, each with its own
//! backward pass under autodiff. The trait's default bodies are Burn's own ops, so the autodiff
//! wrapper and any other backend compute exactly what the plain Burn modules do.

use burn::backend::autodiff::NodeId;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::ops::{ConvOptions, FloatTensorOps, ModuleOps};
use burn::backend::tensor::{FloatTensor, IntTensor};
use burn::backend::{Autodiff, Backend, Flex, IntDType, TensorMetadata, backend_extension};
use burn::tensor::{DType, TensorData};

use crate::conv_kernel::{self, ConvShape};
use crate::pool_kernel::{self, PoolShape};
use crate::tanh_kernel;

/// Burn's own ops: the trait's default bodies, and flex's fallback where a kernel does not apply.
mod plain {
    use super::*;

    fn conv_options(stride: usize, padding: usize) -> ConvOptions<2> {
        ConvOptions::new([stride, stride], [padding, padding], [1, 1], 1)
    }

    pub fn conv2d<B: Backend>(x: FloatTensor<B>, w: FloatTensor<B>, b: FloatTensor<B>, stride: usize, padding: usize) -> FloatTensor<B> {
        B::conv2d(x, w, Some(b), conv_options(stride, padding))
    }

    pub fn conv2d_x_backward<B: Backend>(
        x: FloatTensor<B>,
        w: FloatTensor<B>,
        grad: FloatTensor<B>,
        stride: usize,
        padding: usize,
    ) -> FloatTensor<B> {
        B::conv2d_x_backward(x, w, grad, conv_options(stride, padding))
    }

    pub fn conv2d_weight_backward<B: Backend>(
        x: FloatTensor<B>,
        w: FloatTensor<B>,
        grad: FloatTensor<B>,
        stride: usize,
        padding: usize,
    ) -> FloatTensor<B> {
        B::conv2d_weight_backward(x, w, grad, conv_options(stride, padding))
    }

    pub fn pool2d<B: Backend>(x: FloatTensor<B>, max: bool, kernel: usize, stride: usize, ceil: bool) -> FloatTensor<B> {
        let (k, s) = ([kernel; 2], [stride; 2]);
        if max { B::max_pool2d(x, k, s, [0, 0], [1, 1], ceil) } else { B::avg_pool2d(x, k, s, [0, 0], false, ceil) }
    }

    pub fn max_pool2d_with_indices<B: Backend>(
        x: FloatTensor<B>,
        kernel: usize,
        stride: usize,
        ceil: bool,
    ) -> (FloatTensor<B>, IntTensor<B>) {
        let pooled = B::max_pool2d_with_indices(x, [kernel; 2], [stride; 2], [0, 0], [1, 1], ceil, IntDType::I64);
        (pooled.output, pooled.indices)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn max_pool2d_backward<B: Backend>(
        x: FloatTensor<B>,
        grad: FloatTensor<B>,
        indices: IntTensor<B>,
        kernel: usize,
        stride: usize,
        ceil: bool,
    ) -> FloatTensor<B> {
        B::max_pool2d_with_indices_backward(x, [kernel; 2], [stride; 2], [0, 0], [1, 1], ceil, grad, indices).x_grad
    }

    pub fn avg_pool2d_backward<B: Backend>(
        x: FloatTensor<B>,
        grad: FloatTensor<B>,
        kernel: usize,
        stride: usize,
        ceil: bool,
    ) -> FloatTensor<B> {
        B::avg_pool2d_backward(x, grad, [kernel; 2], [stride; 2], [0, 0], false, ceil)
    }

    /// `grad · (1 − y²)` from the forward output `y`.
    pub fn tanh_backward<B: Backend>(y: FloatTensor<B>, grad: FloatTensor<B>) -> FloatTensor<B> {
        let y2 = B::float_mul(y.clone(), y);
        B::float_mul(grad, B::float_add_scalar(B::float_neg(y2), 1.0f32.into()))
    }
}

/// Convolution (square kernel, equal strides, symmetric padding, with bias), max and average
/// pooling (square window, no padding, padding-free average), and tanh, with their gradients.
#[backend_extension(Flex, Autodiff)]
pub trait FastCpuOps: Backend {
    fn fast_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        stride: usize,
        padding: usize,
    ) -> FloatTensor<Self> {
        plain::conv2d::<Self>(x, weight, bias, stride, padding)
    }

    fn fast_conv2d_x_backward(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        stride: usize,
        padding: usize,
    ) -> FloatTensor<Self> {
        plain::conv2d_x_backward::<Self>(x, weight, grad, stride, padding)
    }

    fn fast_conv2d_weight_backward(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        stride: usize,
        padding: usize,
    ) -> FloatTensor<Self> {
        plain::conv2d_weight_backward::<Self>(x, weight, grad, stride, padding)
    }

    fn fast_conv2d_bias_backward(x: FloatTensor<Self>, bias: FloatTensor<Self>, grad: FloatTensor<Self>) -> FloatTensor<Self> {
        Self::conv2d_bias_backward(x, bias, grad)
    }

    fn fast_pool2d(x: FloatTensor<Self>, max: bool, kernel: usize, stride: usize, ceil: bool) -> FloatTensor<Self> {
        plain::pool2d::<Self>(x, max, kernel, stride, ceil)
    }

    /// Max pooling and the in-plane index (`y·width + x`, `i64`) of the input each output took.
    fn fast_max_pool2d_with_indices(
        x: FloatTensor<Self>,
        kernel: usize,
        stride: usize,
        ceil: bool,
    ) -> (FloatTensor<Self>, IntTensor<Self>) {
        plain::max_pool2d_with_indices::<Self>(x, kernel, stride, ceil)
    }

    fn fast_max_pool2d_backward(
        x: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        indices: IntTensor<Self>,
        kernel: usize,
        stride: usize,
        ceil: bool,
    ) -> FloatTensor<Self> {
        plain::max_pool2d_backward::<Self>(x, grad, indices, kernel, stride, ceil)
    }

    fn fast_avg_pool2d_backward(
        x: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        kernel: usize,
        stride: usize,
        ceil: bool,
    ) -> FloatTensor<Self> {
        plain::avg_pool2d_backward::<Self>(x, grad, kernel, stride, ceil)
    }

    fn fast_tanh(x: FloatTensor<Self>) -> FloatTensor<Self> {
        Self::float_tanh(x)
    }

    /// `grad · (1 − y²)` from the forward output `y`.
    fn fast_tanh_backward(y: FloatTensor<Self>, grad: FloatTensor<Self>) -> FloatTensor<Self> {
        plain::tanh_backward::<Self>(y, grad)
    }
}

type FlexTensor = FloatTensor<Flex>;

fn dims4(t: &FlexTensor) -> [usize; 4] {
    t.shape().dims()
}

fn is_f32(tensors: &[&FlexTensor]) -> bool {
    tensors.iter().all(|t| t.dtype() == DType::F32)
}

/// The tensor as a contiguous buffer (copying only if it is a strided view).
fn contiguous(t: FlexTensor) -> FlexTensor {
    // The same test `as_slice` applies, for any dtype.
    if t.layout().contiguous_offsets().is_some() { t } else { t.to_contiguous() }
}

fn f32s(t: &FlexTensor) -> &[f32] {
    t.as_slice::<f32>().expect("made contiguous f32 before")
}

fn tensor(values: Vec<f32>, shape: impl Into<Vec<usize>>) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, shape.into()))
}

/// Every method falls back to Burn's op for what the kernels do not cover (other dtypes,
/// shapes the kernel rejects).
impl FastCpuOps for Flex {
    fn fast_conv2d(x: FlexTensor, weight: FlexTensor, bias: FlexTensor, stride: usize, padding: usize) -> FlexTensor {
        match ConvShape::new(dims4(&x), dims4(&weight), stride, padding).filter(|_| is_f32(&[&x, &weight, &bias])) {
            Some(s) => {
                let (x, weight, bias) = (contiguous(x), contiguous(weight), contiguous(bias));
                let y = conv_kernel::forward(&s, f32s(&x), f32s(&weight), f32s(&bias));
                tensor(y, [s.batch, s.filters, s.out_height, s.out_width])
            }
            None => plain::conv2d::<Self>(x, weight, bias, stride, padding),
        }
    }

    fn fast_conv2d_x_backward(x: FlexTensor, weight: FlexTensor, grad: FlexTensor, stride: usize, padding: usize) -> FlexTensor {
        match ConvShape::new(dims4(&x), dims4(&weight), stride, padding).filter(|_| is_f32(&[&weight, &grad])) {
            Some(s) => {
                let (weight, grad) = (contiguous(weight), contiguous(grad));
                tensor(conv_kernel::backward_input(&s, f32s(&weight), f32s(&grad)), dims4(&x))
            }
            None => plain::conv2d_x_backward::<Self>(x, weight, grad, stride, padding),
        }
    }

    fn fast_conv2d_weight_backward(x: FlexTensor, weight: FlexTensor, grad: FlexTensor, stride: usize, padding: usize) -> FlexTensor {
        match ConvShape::new(dims4(&x), dims4(&weight), stride, padding).filter(|_| is_f32(&[&x, &grad])) {
            Some(s) => {
                let (x, grad) = (contiguous(x), contiguous(grad));
                tensor(conv_kernel::backward_weight(&s, f32s(&x), f32s(&grad)), dims4(&weight))
            }
            None => plain::conv2d_weight_backward::<Self>(x, weight, grad, stride, padding),
        }
    }

    fn fast_conv2d_bias_backward(x: FlexTensor, bias: FlexTensor, grad: FlexTensor) -> FlexTensor {
        if !is_f32(&[&grad]) {
            return Self::conv2d_bias_backward(x, bias, grad);
        }
        let [batch, filters, h, w] = dims4(&grad);
        let grad = contiguous(grad);
        // Only the output side matters for the bias; a 1×1 "kernel" over it gives that shape.
        let s = ConvShape::new([batch, 1, h, w], [filters, 1, 1, 1], 1, 0).expect("a 1×1 kernel always fits");
        tensor(conv_kernel::backward_bias(&s, f32s(&grad)), [filters])
    }

    fn fast_pool2d(x: FlexTensor, max: bool, kernel: usize, stride: usize, ceil: bool) -> FlexTensor {
        let [n, c, ..] = dims4(&x);
        match PoolShape::new(dims4(&x), kernel, stride, ceil).filter(|_| is_f32(&[&x])) {
            Some(s) => {
                let x = contiguous(x);
                let y = if max { pool_kernel::max_forward(&s, f32s(&x)) } else { pool_kernel::avg_forward(&s, f32s(&x)) };
                tensor(y, [n, c, s.out_height, s.out_width])
            }
            None => plain::pool2d::<Self>(x, max, kernel, stride, ceil),
        }
    }

    fn fast_max_pool2d_with_indices(x: FlexTensor, kernel: usize, stride: usize, ceil: bool) -> (FlexTensor, FlexTensor) {
        let [n, c, ..] = dims4(&x);
        match PoolShape::new(dims4(&x), kernel, stride, ceil).filter(|_| is_f32(&[&x])) {
            Some(s) => {
                let x = contiguous(x);
                let (y, indices) = pool_kernel::max_forward_with_indices(&s, f32s(&x));
                let shape = [n, c, s.out_height, s.out_width];
                (tensor(y, shape), FlexTensor::from_data(TensorData::new(indices, shape)))
            }
            None => plain::max_pool2d_with_indices::<Self>(x, kernel, stride, ceil),
        }
    }

    fn fast_max_pool2d_backward(
        x: FlexTensor,
        grad: FlexTensor,
        indices: FlexTensor,
        kernel: usize,
        stride: usize,
        ceil: bool,
    ) -> FlexTensor {
        let shape = dims4(&x);
        let (grad, indices) = (contiguous(grad), contiguous(indices));
        let dx = PoolShape::new(shape, kernel, stride, ceil)
            .filter(|_| is_f32(&[&grad]))
            .zip(indices.as_slice::<i64>())
            .and_then(|(s, at)| pool_kernel::max_backward(&s, at, f32s(&grad)));
        match dx {
            Some(dx) => tensor(dx, shape),
            None => plain::max_pool2d_backward::<Self>(x, grad, indices, kernel, stride, ceil),
        }
    }

    fn fast_avg_pool2d_backward(x: FlexTensor, grad: FlexTensor, kernel: usize, stride: usize, ceil: bool) -> FlexTensor {
        let shape = dims4(&x);
        match PoolShape::new(shape, kernel, stride, ceil).filter(|_| is_f32(&[&grad])) {
            Some(s) => {
                let grad = contiguous(grad);
                tensor(pool_kernel::avg_backward(&s, f32s(&grad)), shape)
            }
            None => plain::avg_pool2d_backward::<Self>(x, grad, kernel, stride, ceil),
        }
    }

    fn fast_tanh(x: FlexTensor) -> FlexTensor {
        if !is_f32(&[&x]) {
            return Self::float_tanh(x);
        }
        let shape = x.shape();
        let x = contiguous(x);
        tensor(tanh_kernel::forward(f32s(&x)), shape.to_vec())
    }

    fn fast_tanh_backward(y: FlexTensor, grad: FlexTensor) -> FlexTensor {
        if !is_f32(&[&y, &grad]) {
            return plain::tanh_backward::<Self>(y, grad);
        }
        let shape = y.shape();
        let (y, grad) = (contiguous(y), contiguous(grad));
        tensor(tanh_kernel::backward(f32s(&y), f32s(&grad)), shape.to_vec())
    }
}

#[derive(Debug)]
struct ConvBackward;

impl<B: Backend + FastCpuOps> Backward<B, 3> for ConvBackward {
    /// x, weight and bias as checkpointed, then stride and padding.
    type State = (NodeId, NodeId, NodeId, usize, usize);

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, checkpointer: &mut Checkpointer) {
        let [node_x, node_weight, node_bias] = ops.parents;
        let grad = grads.consume::<B>(&ops.node);
        let (x_state, weight_state, bias_state, stride, padding) = ops.state;
        let x = checkpointer.retrieve_node_output::<B::FloatTensorPrimitive>(x_state);
        let weight = checkpointer.retrieve_node_output::<B::FloatTensorPrimitive>(weight_state);
        let bias = checkpointer.retrieve_node_output::<B::FloatTensorPrimitive>(bias_state);
        if let Some(node) = node_x {
            let dx = B::fast_conv2d_x_backward(x.clone(), weight.clone(), grad.clone(), stride, padding);
            grads.register::<B>(node.id, dx);
        }
        if let Some(node) = node_weight {
            let dw = B::fast_conv2d_weight_backward(x.clone(), weight, grad.clone(), stride, padding);
            grads.register::<B>(node.id, dw);
        }
        if let Some(node) = node_bias {
            grads.register::<B>(node.id, B::fast_conv2d_bias_backward(x, bias, grad));
        }
    }
}

#[derive(Debug)]
struct MaxPoolBackward;

impl<B: Backend + FastCpuOps> Backward<B, 1> for MaxPoolBackward {
    /// x as checkpointed, the forward's argmax indices, then kernel, stride, ceil.
    type State = (NodeId, B::IntTensorPrimitive, usize, usize, bool);

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, checkpointer: &mut Checkpointer) {
        let [node_x] = ops.parents;
        let grad = grads.consume::<B>(&ops.node);
        let (x_state, indices, kernel, stride, ceil) = ops.state;
        let x = checkpointer.retrieve_node_output::<B::FloatTensorPrimitive>(x_state);
        if let Some(node) = node_x {
            grads.register::<B>(node.id, B::fast_max_pool2d_backward(x, grad, indices, kernel, stride, ceil));
        }
    }
}

#[derive(Debug)]
struct AvgPoolBackward;

impl<B: Backend + FastCpuOps> Backward<B, 1> for AvgPoolBackward {
    /// x as checkpointed, then kernel, stride, ceil.
    type State = (NodeId, usize, usize, bool);

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, checkpointer: &mut Checkpointer) {
        let [node_x] = ops.parents;
        let grad = grads.consume::<B>(&ops.node);
        let (x_state, kernel, stride, ceil) = ops.state;
        let x = checkpointer.retrieve_node_output::<B::FloatTensorPrimitive>(x_state);
        if let Some(node) = node_x {
            grads.register::<B>(node.id, B::fast_avg_pool2d_backward(x, grad, kernel, stride, ceil));
        }
    }
}

#[derive(Debug)]
struct TanhBackward;

impl<B: Backend + FastCpuOps> Backward<B, 1> for TanhBackward {
    /// The forward output.
    type State = B::FloatTensorPrimitive;

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _checkpointer: &mut Checkpointer) {
        let [node_x] = ops.parents;
        let grad = grads.consume::<B>(&ops.node);
        if let Some(node) = node_x {
            grads.register::<B>(node.id, B::fast_tanh_backward(ops.state, grad));
        }
    }
}

impl<B: Backend + FastCpuOps, C: CheckpointStrategy> FastCpuOps for Autodiff<B, C> {
    fn fast_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        stride: usize,
        padding: usize,
    ) -> FloatTensor<Self> {
        match ConvBackward.prepare::<C>([x.node(), weight.node(), bias.node()]).compute_bound().stateful() {
            OpsKind::Tracked(mut prep) => {
                let state = (prep.checkpoint(&x), prep.checkpoint(&weight), prep.checkpoint(&bias), stride, padding);
                let y = B::fast_conv2d(x.into_primitive(), weight.into_primitive(), bias.into_primitive(), stride, padding);
                prep.finish(state, y)
            }
            OpsKind::UnTracked(prep) => {
                let y = B::fast_conv2d(x.into_primitive(), weight.into_primitive(), bias.into_primitive(), stride, padding);
                prep.finish(y)
            }
        }
    }

    /// Tracked max pooling keeps the forward's argmax for the backward pass (recomputing it there
    /// cost 30 ms a step on convnet18's first pool, the scatter from saved indices 2).
    fn fast_pool2d(x: FloatTensor<Self>, max: bool, kernel: usize, stride: usize, ceil: bool) -> FloatTensor<Self> {
        if max {
            return match MaxPoolBackward.prepare::<C>([x.node()]).compute_bound().stateful() {
                OpsKind::Tracked(mut prep) => {
                    let x_state = prep.checkpoint(&x);
                    let (y, indices) = B::fast_max_pool2d_with_indices(x.into_primitive(), kernel, stride, ceil);
                    prep.finish((x_state, indices, kernel, stride, ceil), y)
                }
                OpsKind::UnTracked(prep) => prep.finish(B::fast_pool2d(x.into_primitive(), true, kernel, stride, ceil)),
            };
        }
        match AvgPoolBackward.prepare::<C>([x.node()]).compute_bound().stateful() {
            OpsKind::Tracked(mut prep) => {
                let state = (prep.checkpoint(&x), kernel, stride, ceil);
                prep.finish(state, B::fast_pool2d(x.into_primitive(), false, kernel, stride, ceil))
            }
            OpsKind::UnTracked(prep) => prep.finish(B::fast_pool2d(x.into_primitive(), false, kernel, stride, ceil)),
        }
    }

    fn fast_tanh(x: FloatTensor<Self>) -> FloatTensor<Self> {
        match TanhBackward.prepare::<C>([x.node()]).compute_bound().stateful() {
            OpsKind::Tracked(prep) => {
                let y = B::fast_tanh(x.into_primitive());
                prep.finish(y.clone(), y)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::fast_tanh(x.into_primitive())),
        }
    }
}
