//! The bench report as Markdown tables.

use actlab_models::Activation;

use crate::bench::records::{BenchReport, OpTime, PytorchResult, StepResult};
use crate::bench::side_by_side::side_by_side;
use crate::toolkit::machine::device_name;
use crate::toolkit::markdown::Table;

/// Projected training time of one Figure 1 seed at `images_per_sec`: the paper's epochs to 25%
/// (ReLU ≈6, tanh ≈36) of 50,000 images.
fn fig1_seed(activation: &str, images_per_sec: f64) -> String {
    let epochs = match activation.parse::<Activation>() {
        Ok(Activation::Relu) => 6.0,
        Ok(Activation::Tanh) => 36.0,
        _ => return "-".into(),
    };
    let seconds = epochs * 50_000.0 / images_per_sec;
    if seconds >= 5400.0 { format!("{:.1} h", seconds / 3600.0) } else { format!("{:.0} min", seconds / 60.0) }
}

/// The report as Markdown.
pub fn markdown(r: &BenchReport) -> String {
    let m = &r.machine;
    let mut s = format!(
        "Machine: {} ({} threads); FMA peak {} ({}).\nISA: {}; GEMM microkernels: {}; actlab's own loops: {}; caches: {}.\nconvnet18, batch {}, SGD momentum, random input; median of {} steps after warm-up. Training: {:.1} MFLOP/image.\n\n",
        m.cpu,
        m.threads,
        m.peak_gflops.map(|p| format!("≈{p:.0} GFLOP/s")).unwrap_or_else(|| "unknown".into()),
        m.peak_basis,
        m.isa.join(", "),
        if m.gemm_path.is_empty() { "not recorded" } else { &m.gemm_path },
        if m.kernel_path.is_empty() { "not recorded" } else { &m.kernel_path },
        m.caches.join(", "),
        r.batch,
        r.steps,
        r.train_mflops_per_image,
    );
    if let Some(gpu) = r.steps_results.iter().filter(|x| x.on_gpu()).find_map(StepResult::timed_backend) {
        s.push_str(&format!(
            "GPU: {} (the adapter wgpu chose; PyTorch: {}).\n\n",
            device_name(gpu),
            r.pytorch_gpu.as_ref().and_then(|p| p.device_name.clone()).unwrap_or_else(|| "not run on a GPU".into())
        ));
    }
    s.push_str(&stacks_table(r));
    s.push_str("\nOne Figure 1 seed: the paper's epochs to 25% (ReLU ≈6, tanh ≈36) × 50,000 images at the training rate above; data loading, evaluation and checkpoints not included.\n");
    if let Some(why) = &r.pytorch_missing {
        s.push_str(&format!("\nPyTorch: {why}.\n"));
    }
    if let Some(why) = &r.pytorch_gpu_missing {
        s.push_str(&format!("\nPyTorch on the GPU: {why}.\n"));
    }
    s.push_str(&ops_table(r));
    for p in r.pytorch.iter().chain(&r.pytorch_gpu) {
        s.push_str(&pytorch_ops(p));
    }
    s.push_str(&side_by_side(r));
    s.push_str(&head_to_head_table(r));
    s.push_str(&isa_tables(r));
    if let Some(t) = r.cifar10_load_s {
        s.push_str(&format!("\nCIFAR-10 load (60,000 images, parsed and checksummed): {t:.2} s\n"));
    }
    s
}

/// The PyTorch result a row is compared with: the GPU one for GPU backends, else the CPU one.
fn pytorch_for<'a>(r: &'a BenchReport, step: &StepResult) -> Option<&'a PytorchResult> {
    if step.on_gpu() { r.pytorch_gpu.as_ref() } else { r.pytorch.as_ref() }
}

fn stacks_table(r: &BenchReport) -> String {
    let header = [
        "stack",
        "activation",
        "train images/s",
        "vs PyTorch",
        "GFLOP/s",
        "share of peak",
        "forward images/s",
        "fwd / bwd / opt ms",
        "one Figure 1 seed",
    ];
    let mut table = Table::new(&header);
    let torch = |step: &StepResult| pytorch_for(r, step).and_then(|p| p.runs.iter().find(|x| x.activation == step.activation));
    let cpu_share = |g: f64| r.machine.peak_gflops.map(|p| format!("{:.0}%", 100.0 * g / p)).unwrap_or_else(|| "-".into());
    let share = |gpu: bool, g: f64| if gpu { "-".to_string() } else { cpu_share(g) };
    for (p, run) in r.pytorch.iter().chain(&r.pytorch_gpu).flat_map(|p| p.runs.iter().map(move |run| (p, run))) {
        let g = run.train_images_per_sec * r.train_mflops_per_image / 1e3;
        table.push(vec![
            format!("PyTorch {} ({})", p.torch, p.device),
            run.activation.clone(),
            format!("{:.0}", run.train_images_per_sec),
            "1.00×".into(),
            format!("{g:.1}"),
            share(p.on_gpu(), g),
            format!("{:.0}", run.forward_images_per_sec),
            "-".into(),
            fig1_seed(&run.activation, run.train_images_per_sec),
        ]);
    }
    for x in &r.steps_results {
        let ratio = torch(x).map(|t| format!("{:.2}×", x.train_images_per_sec / t.train_images_per_sec));
        table.push(vec![
            format!("actlab {}", x.backend),
            x.activation.clone(),
            format!("{:.0}", x.train_images_per_sec),
            ratio.unwrap_or_else(|| "-".into()),
            format!("{:.1}", x.train_gflops),
            share(x.on_gpu(), x.train_gflops),
            format!("{:.0}", x.forward_images_per_sec),
            format!("{:.1} / {:.1} / {:.1}", x.forward_ms, x.backward_ms, x.optimizer_ms),
            fig1_seed(&x.activation, x.train_images_per_sec),
        ]);
    }
    table.render()
}

/// The backend label of the per-op profiles `--isas` adds ("flex, own loops avx2").
const OWN_LOOPS: &str = "flex, own loops ";

fn ops_table(r: &BenchReport) -> String {
    if r.ops.is_empty() {
        return String::new();
    }
    let mut table = Table::new(&["backend", "activation", "op", "forward", "backward", "GFLOP/s"]);
    for op in r.ops.iter().filter(|op| !op.backend.starts_with(OWN_LOOPS)) {
        table.push(vec![
            op.backend.clone(),
            op.activation.clone(),
            op.op.clone(),
            format!("{:.2}", op.forward_ms),
            format!("{:.2}", op.backward_ms),
            op.gflops.map(|g| format!("{g:.1}")).unwrap_or_default(),
        ]);
    }
    format!("\nPer-op time of one step (ms; backward = input and weight gradients):\n\n{}", table.render())
}

fn pytorch_ops(p: &PytorchResult) -> String {
    let mut s = String::new();
    for run in p.runs.iter().filter(|run| !run.ops.is_empty()) {
        let what = if p.on_gpu() { "self GPU kernel ms" } else { "self CPU ms" };
        s.push_str(&format!(
            "\nPyTorch {} on {} {}, per step (torch.profiler over 5 steps, {what}):\n\n",
            p.torch, p.device, run.activation
        ));
        for op in &run.ops {
            s.push_str(&format!("- {}: {:.2} ms ({} calls)\n", op.op, op.self_ms, op.calls));
        }
    }
    s
}

fn head_to_head_table(r: &BenchReport) -> String {
    let Some(first) = r.head_to_head.first() else { return String::new() };
    let mut table =
        Table::new(&["actlab backend", "activation", "actlab", "PyTorch (same device kind)", "actlab / PyTorch", "median ratio"]);
    let list = |v: &[f64], digits: usize| v.iter().map(|x| format!("{x:.digits$}")).collect::<Vec<_>>().join(", ");
    for h in &r.head_to_head {
        table.push(vec![
            h.backend.clone(),
            h.activation.clone(),
            list(&h.actlab_images_per_sec, 0),
            list(&h.pytorch_images_per_sec, 0),
            list(&h.ratios, 2),
            format!("**{:.2}×**", h.median_ratio),
        ]);
    }
    format!(
        "\nHead to head: each actlab backend and PyTorch on the same kind of device (flex and PyTorch on the CPU; a GPU backend and PyTorch on the GPU) timed alternately, {} rounds after the run above (training images/s, median of {} steps each):\n\n{}",
        first.ratios.len(),
        r.steps,
        table.render()
    )
}

/// `--isas`: training images/s per instruction set of actlab's own loops, round by round, and the
/// per-op times side by side.
fn isa_tables(r: &BenchReport) -> String {
    if r.isa_timings.is_empty() {
        return String::new();
    }
    let baseline = |activation: &str| r.isa_timings.iter().find(|t| t.isa == "baseline" && t.activation == activation).map(|t| t.median);
    let mut table = Table::new(&["own loops", "activation", "train images/s, round by round", "median", "vs baseline"]);
    for t in &r.isa_timings {
        let rounds: Vec<String> = t.train_images_per_sec.iter().map(|x| format!("{x:.0}")).collect();
        table.push(vec![
            t.isa.clone(),
            t.activation.clone(),
            rounds.join(", "),
            format!("{:.0}", t.median),
            baseline(&t.activation).map_or("-".into(), |b| format!("{:.3}×", t.median / b)),
        ]);
    }
    let mut s = format!(
        "\nactlab's own loops (pooling, im2col, tanh's gradient) compiled for each instruction set, forced in turn in this one binary and timed alternately (GEMMs unchanged: {}):\n\n{}",
        if r.machine.gemm_path.is_empty() { "not recorded" } else { &r.machine.gemm_path },
        table.render()
    );
    s.push_str(&isa_ops_table(r));
    s
}

/// Forward + backward ms of every op, one column per instruction set.
fn isa_ops_table(r: &BenchReport) -> String {
    let isas: Vec<&str> = r.isa_timings.iter().map(|t| t.isa.as_str()).fold(vec![], |mut v, i| {
        if !v.contains(&i) {
            v.push(i);
        }
        v
    });
    let first = format!("{OWN_LOOPS}{}", isas.first().copied().unwrap_or_default());
    let rows: Vec<&OpTime> = r.ops.iter().filter(|op| op.backend == first).collect();
    if rows.is_empty() {
        return String::new();
    }
    let header: Vec<String> = ["activation", "op"].iter().map(|h| h.to_string()).chain(isas.iter().map(|i| format!("{i}, ms"))).collect();
    let mut table = Table::new(&header.iter().map(String::as_str).collect::<Vec<_>>());
    for row in rows {
        let mut cells = vec![row.activation.clone(), row.op.clone()];
        for isa in &isas {
            let op = r.ops.iter().find(|o| o.backend == format!("{OWN_LOOPS}{isa}") && o.activation == row.activation && o.op == row.op);
            cells.push(op.map_or("-".into(), |o| format!("{:.2} + {:.2}", o.forward_ms, o.backward_ms)));
        }
        table.push(cells);
    }
    format!("\nPer op, forward + backward ms, per instruction set of the own loops:\n\n{}", table.render())
}
