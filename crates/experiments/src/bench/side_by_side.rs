//! flex's per-op profile beside PyTorch's, op group by op group, so that every gap between the
//! two has an address. flex's figures time each op alone (forward, then backward, on the step's
//! shapes); PyTorch's are torch.profiler's self CPU time of the same ops per step, over 5; the last
//! row is what the step takes beyond the rows above.

use crate::bench::records::{BenchReport, OpTime, PytorchRun};
use crate::toolkit::markdown::Table;

/// One row: which of flex's ops (by the start of their name) and which PyTorch ops it adds up.
struct Group {
    name: &'static str,
    flex_ops: &'static [&'static str],
    /// Which passes of flex's ops count: forward, backward.
    passes: (bool, bool),
    torch_ops: &'static [&'static str],
}

const FC_LOSS_STEP: [&str; 3] = ["fc ", "cross-entropy", "SGD"];
const GROUPS: [Group; 6] = [
    Group {
        name: "convolutions, forward",
        flex_ops: &["conv"],
        passes: (true, false),
        torch_ops: &["aten::mkldnn_convolution", "aten::convolution", "aten::_convolution", "aten::conv2d"],
    },
    Group {
        name: "convolutions, backward (data + weights)",
        flex_ops: &["conv"],
        passes: (false, true),
        torch_ops: &["aten::convolution_backward", "aten::mkldnn_convolution_backward"],
    },
    Group {
        name: "max pool, forward + backward",
        flex_ops: &["maxpool"],
        passes: (true, true),
        torch_ops: &["aten::max_pool2d_with_indices", "aten::max_pool2d_with_indices_backward"],
    },
    Group {
        name: "average pools, forward + backward",
        flex_ops: &["avgpool"],
        passes: (true, true),
        torch_ops: &["aten::avg_pool2d", "aten::avg_pool2d_backward"],
    },
    Group {
        name: "activations, forward + backward",
        flex_ops: &["relu", "tanh", "sigmoid"],
        passes: (true, true),
        torch_ops: &[
            "aten::relu",
            "aten::relu_",
            "aten::clamp_min",
            "aten::clamp_min_",
            "aten::threshold_backward",
            "aten::tanh",
            "aten::tanh_backward",
            "aten::sigmoid",
            "aten::sigmoid_backward",
        ],
    },
    Group {
        name: "linear layer, loss, optimizer",
        flex_ops: &FC_LOSS_STEP,
        passes: (true, true),
        torch_ops: &[
            "aten::addmm",
            "aten::mm",
            "aten::_log_softmax",
            "aten::_log_softmax_backward_data",
            "aten::nll_loss_forward",
            "aten::nll_loss_backward",
            "Optimizer.step#SGD.step",
            "aten::_foreach_add_",
            "aten::_foreach_mul_",
        ],
    },
];

fn flex_ms(ops: &[&OpTime], g: &Group) -> f64 {
    let chosen = ops.iter().filter(|o| g.flex_ops.iter().any(|p| o.op.starts_with(p)));
    chosen.map(|o| if g.passes.0 { o.forward_ms } else { 0.0 } + if g.passes.1 { o.backward_ms } else { 0.0 }).sum()
}

fn torch_ms(run: &PytorchRun, g: &Group) -> f64 {
    run.ops.iter().filter(|o| g.torch_ops.contains(&o.op.as_str())).map(|o| o.self_ms).sum()
}

/// The side-by-side table per activation where both profiles exist (empty otherwise).
pub fn side_by_side(r: &BenchReport) -> String {
    let Some(torch) = &r.pytorch else { return String::new() };
    let mut s = String::new();
    for run in torch.runs.iter().filter(|run| !run.ops.is_empty()) {
        let ops: Vec<&OpTime> = r.ops.iter().filter(|o| o.backend == "flex" && o.activation == run.activation).collect();
        let Some(step) = r.steps_results.iter().find(|x| x.backend == "flex" && x.activation == run.activation) else { continue };
        if ops.is_empty() {
            continue;
        }
        let mut table = Table::new(&["ops", "actlab flex, ms", "PyTorch, ms", "flex ÷ PyTorch"]);
        let (mut flex_rest, mut torch_rest) =
            (step.forward_ms + step.backward_ms + step.optimizer_ms, 1e3 * r.batch as f64 / run.train_images_per_sec);
        let mut push = |name: &str, f: f64, t: f64| {
            // A negative rest: the profiled steps ran slower than the timed steps' median.
            let ms = |x: f64| if x >= 0.0 { format!("{x:.1}") } else { "–".into() };
            let ratio = if t > 0.0 && f >= 0.0 { format!("{:.2}", f / t) } else { "–".into() };
            table.push(vec![name.to_string(), ms(f), ms(t), ratio]);
        };
        for g in &GROUPS {
            let (f, t) = (flex_ms(&ops, g), torch_ms(run, g));
            (flex_rest, torch_rest) = (flex_rest - f, torch_rest - t);
            push(g.name, f, t);
        }
        push("everything else (the step's median less the rows above)", flex_rest, torch_rest);
        s.push_str(&format!(
            "\nSide by side, {}, one training step (flex: each op timed alone, forward and backward; PyTorch {}: torch.profiler's self CPU time per step over 5 steps, its 15 costliest ops):\n\n{}",
            run.activation,
            torch.torch,
            table.render()
        ));
    }
    s
}
