"""PyTorch reference for bench/train.ts: the old system's U-Net, one training step timed.

Same model as training-runner/src/train/model/unet.ts (4 levels, base 16, conv3x3+BN+ReLU twice per block,
max-pool, bilinear upsampling + skip concat, 1x1 logits: 1,965,569 parameters), BCE with logits, Adam
(lr 1e-4, weight decay 1e-4), batch of random images and masks. Prints one JSON object on stdout.

Usage: /usr/bin/python3 bench/torch_unet.py --sizes 128,256 --batch 4 --steps 5 [--threads 2]
"""

import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class DoubleConv(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.block = nn.Sequential(
            nn.Conv2d(cin, cout, 3, padding=1),
            nn.BatchNorm2d(cout),
            nn.ReLU(inplace=True),
            nn.Conv2d(cout, cout, 3, padding=1),
            nn.BatchNorm2d(cout),
            nn.ReLU(inplace=True),
        )

    def forward(self, x):
        return self.block(x)


class UNet(nn.Module):
    def __init__(self, cin=3, base=16, cout=1):
        super().__init__()
        f = [base, base * 2, base * 4, base * 8]
        self.enc = nn.ModuleList()
        prev = cin
        for c in f:
            self.enc.append(DoubleConv(prev, c))
            prev = c
        self.bottleneck = DoubleConv(f[-1], f[-1] * 2)
        self.dec = nn.ModuleList()
        prev = f[-1] * 2
        for c in reversed(f):
            self.dec.append(DoubleConv(prev + c, c))
            prev = c
        self.head = nn.Conv2d(f[0], cout, 1)

    def forward(self, x):
        skips = []
        for block in self.enc:
            x = block(x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.bottleneck(x)
        for block, skip in zip(self.dec, reversed(skips)):
            x = F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)
            x = block(torch.cat([x, skip], dim=1))
        return self.head(x)


def time_steps(size, batch, steps, warmup):
    torch.manual_seed(0)
    model = UNet()
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-4, weight_decay=1e-4)
    loss_fn = nn.BCEWithLogitsLoss()
    x = torch.rand(batch, 3, size, size)
    y = (torch.rand(batch, 1, size, size) > 0.9).float()
    times = []
    # CPU time of the process (all threads): unlike wall time, it barely moves with the machine's load.
    cpu_times = []
    for i in range(warmup + steps):
        start = time.perf_counter()
        cpu_start = time.process_time()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        elapsed = time.perf_counter() - start
        if i >= warmup:
            times.append(elapsed * 1000)
            cpu_times.append((time.process_time() - cpu_start) * 1000)
    return {
        "size": size,
        "batch": batch,
        "msPerStep": statistics.median(times),
        "cpuMsPerStep": statistics.median(cpu_times),
        "samples": times,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="128,256")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    params = sum(p.numel() for p in UNet().parameters())
    results = [time_steps(int(s), args.batch, args.steps, args.warmup) for s in args.sizes.split(",")]
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "parameters": params,
                "peakRssMiB": peak_kib / 1024,
                "results": results,
            }
        )
    )


if __name__ == "__main__":
    main()
