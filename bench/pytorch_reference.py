#!/usr/bin/env python3
"""PyTorch reference for `actlab bench`: the same convnet18 (cuda-convnet layers-18pct), batch,
optimizer and thread count, timed the same way (median of steps after warm-up).

Prints one JSON object on stdout. `actlab bench` runs this script and prints the ratio; it can
also be run alone: python3 bench/pytorch_reference.py --threads 2
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
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    result = {"torch": torch.__version__, "threads": torch.get_num_threads(), "batch": args.batch, "runs": []}
    x = torch.randn(args.batch, 3, 32, 32)
    y = torch.randint(0, 10, (args.batch,))
    for activation in args.activations.split(","):
        net = build(torch, activation)
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
            from torch.profiler import ProfilerActivity, profile

            with profile(activities=[ProfilerActivity.CPU]) as prof:
                step()
            run["ops"] = [
                {"op": e.key, "self_ms": e.self_cpu_time_total / 1000.0, "calls": e.count}
                for e in sorted(prof.key_averages(), key=lambda e: -e.self_cpu_time_total)
                if e.self_cpu_time_total > 0
            ][:15]
        result["runs"].append(run)
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
