#!/usr/bin/env python3
"""PyTorch reference for `actlab bench`: the same convnet18 (cuda-convnet layers-18pct), batch,
optimizer and thread count, timed the same way (median of steps after warm-up).

Prints one JSON object on stdout. `actlab bench` runs this script and prints the ratio; it can
also be run alone: python3 bench/pytorch_reference.py --threads 2 (or --device cuda on a GPU).

On a GPU, cuDNN picks its fastest convolution algorithms (torch.backends.cudnn.benchmark), the
counterpart of Burn's autotune; every timed step ends in .item(), which waits for the GPU.
"""
import argparse
import json
import statistics
import sys
import time


def build(torch, activation):
    nn = torch.nn
    act = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}[activation]
    net = nn.Sequential(
        nn.Conv2d(3, 32, 5, padding=2),
        nn.MaxPool2d(3, 2, ceil_mode=True),
        act(),
        nn.Conv2d(32, 32, 5, padding=2),
        act(),
        nn.AvgPool2d(3, 2, ceil_mode=True, count_include_pad=False),
        nn.Conv2d(32, 64, 5, padding=2),
        act(),
        nn.AvgPool2d(3, 2, ceil_mode=True, count_include_pad=False),
        nn.Flatten(),
        nn.Linear(64 * 4 * 4, 10),
    )
    # cuda-convnet's Gaussian init (as actlab's fig1 configs), biases 0.
    with torch.no_grad():
        for layer, std in zip([m for m in net if isinstance(m, (nn.Conv2d, nn.Linear))], [1e-4, 1e-2, 1e-2, 1e-2]):
            layer.weight.normal_(0.0, std)
            layer.bias.zero_()
    return net


PROFILED_STEPS = 5


def profile_step(torch, step, device):
    """The 15 ops with the most self time per step, averaged over PROFILED_STEPS steps (one step
    alone was noisy enough to exceed the median step): CPU time on the CPU, kernel time on a GPU."""
    from torch.profiler import ProfilerActivity, profile

    gpu = device.type == "cuda"
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if gpu else [])
    with profile(activities=activities) as prof:
        for _ in range(PROFILED_STEPS):
            step()
    def self_us(e):
        return getattr(e, "self_device_time_total", 0) if gpu else e.self_cpu_time_total
    events = sorted(prof.key_averages(), key=lambda e: -self_us(e))
    per_step = [(e.key, self_us(e) / 1000.0 / PROFILED_STEPS, e.count // PROFILED_STEPS) for e in events if self_us(e) > 0]
    return [{"op": op, "self_ms": ms, "calls": calls} for op, ms, calls in per_step][:15]


def median_rate(times, batch):
    return batch / statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--activations", default="relu,tanh")
    parser.add_argument("--profile", action="store_true", help="add a per-op profile of one step")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    args = parser.parse_args()

    import torch

    device = torch.device(args.device)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            sys.exit(f"CUDA is not available to PyTorch {torch.__version__} (asked for --device {args.device})")
        torch.backends.cudnn.benchmark = True
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    result = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "batch": args.batch,
        "device": args.device,
        "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else None,
        "runs": [],
    }
    x = torch.randn(args.batch, 3, 32, 32, device=device)
    y = torch.randint(0, 10, (args.batch,), device=device)
    for activation in args.activations.split(","):
        net = build(torch, activation).to(device)
        opt = torch.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
        loss_fn = torch.nn.CrossEntropyLoss()

        def step():
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(x), y)
            loss.backward()
            opt.step()
            return loss.item()

        train = []
        for i in range(args.warmup + args.steps):
            t = time.perf_counter()
            step()
            if i >= args.warmup:
                train.append(time.perf_counter() - t)
        forward = []
        with torch.no_grad():
            for i in range(args.warmup + args.steps):
                t = time.perf_counter()
                net(x).argmax(1).sum().item()
                if i >= args.warmup:
                    forward.append(time.perf_counter() - t)
        run = {
            "activation": activation,
            "train_images_per_sec": median_rate(train, args.batch),
            "forward_images_per_sec": median_rate(forward, args.batch),
        }
        if args.profile:
            run["ops"] = profile_step(torch, step, device)
        result["runs"].append(run)
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
