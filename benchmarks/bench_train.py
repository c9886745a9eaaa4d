"""Images per second of a full training step of catdog_cnn(): convviz against torch.

A script, not a test. One step = forward, BCE loss, backward, Adam(lr=5e-4), at batch 16,
3x224x224 float32, as in the source article. Both engines start from the same weights, run at
the same thread count, in this one process, alternating so that neither gets a quieter machine.

    python benchmarks/bench_train.py [--batch 16] [--steps 10] [--profile]

--profile adds the time convviz spends in each layer's forward and backward.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # spinning OpenBLAS threads slow torch next

import time
from collections import defaultdict

import numpy as np
import torch

from convviz import models, nn, optim


def torch_catdog(state_dict) -> torch.nn.Sequential:
    tn = torch.nn
    model = tn.Sequential(
        tn.Conv2d(3, 16, 11, stride=3), tn.BatchNorm2d(16), tn.ReLU(), tn.MaxPool2d(2, 2),
        tn.Conv2d(16, 32, 5), tn.BatchNorm2d(32), tn.ReLU(), tn.MaxPool2d(2, 2),
        tn.Conv2d(32, 64, 3, padding=1), tn.BatchNorm2d(64), tn.ReLU(),
        tn.Conv2d(64, 64, 3), tn.BatchNorm2d(64), tn.ReLU(), tn.MaxPool2d(2, 2),
        tn.Flatten(), tn.Linear(3136, 2048), tn.ReLU(), tn.Linear(2048, 1), tn.Sigmoid(),
    )
    model.load_state_dict({key: torch.from_numpy(np.array(value)) for key, value in state_dict.items()})
    return model


def profile_layers(model, images, labels, criterion, repeat=5):
    """Best time of each layer's forward and backward over a few steps, in ms."""
    forward, backward = defaultdict(lambda: np.inf), defaultdict(lambda: np.inf)
    for _ in range(repeat):
        x = images
        for index, layer in enumerate(model):
            start = time.perf_counter()
            x = layer(x)
            forward[index] = min(forward[index], time.perf_counter() - start)
        criterion(x, labels)
        grad = criterion.backward()
        for index in reversed(range(len(model))):
            start = time.perf_counter()
            grad = model[index].backward(grad, need_input_grad=index > 0)
            backward[index] = min(backward[index], time.perf_counter() - start)
    print(f"\n{'layer':44} {'fwd ms':>7} {'bwd ms':>7}")
    for index, layer in enumerate(model):
        print(f"{index:2d} {str(layer)[:41]:41} {forward[index] * 1e3:7.2f} {backward[index] * 1e3:7.2f}")
    print(f"{'sum':44} {sum(forward.values()) * 1e3:7.2f} {sum(backward.values()) * 1e3:7.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    model = models.catdog_cnn(rng=rng)
    reference = torch_catdog(model.state_dict())
    images = rng.random((args.batch, 3, 224, 224), dtype=np.float32)
    labels = rng.integers(0, 2, (args.batch, 1)).astype(np.float32)
    t_images, t_labels = torch.from_numpy(images), torch.from_numpy(labels)

    criterion, optimizer = nn.BCELoss(), optim.Adam(model.parameters(), lr=5e-4)
    t_criterion, t_optimizer = torch.nn.BCELoss(), torch.optim.Adam(reference.parameters(), lr=5e-4)

    def convviz_step():
        loss = criterion(model(images), labels)
        optimizer.zero_grad()
        model.backward(criterion.backward(), need_input_grad=False)  # nothing needs the images' gradient
        optimizer.step()
        return float(loss)

    def torch_step():
        t_optimizer.zero_grad()
        loss = t_criterion(reference(t_images), t_labels)
        loss.backward()
        t_optimizer.step()
        return loss.item()

    for step in (convviz_step, torch_step):  # warm up: allocator, BLAS threads, oneDNN kernels
        step()
    ours, theirs = [], []
    for _ in range(args.steps):
        for step, times in ((convviz_step, ours), (torch_step, theirs)):
            start = time.perf_counter()
            step()
            times.append(time.perf_counter() - start)
    ours_s, theirs_s = np.median(ours), np.median(theirs)
    print(f"catdog_cnn training step, batch {args.batch}, float32, torch threads {torch.get_num_threads()}, "
          f"median of {args.steps}")
    print(f"convviz: {ours_s * 1e3:7.1f} ms/step {args.batch / ours_s:7.1f} images/s")
    print(f"torch:   {theirs_s * 1e3:7.1f} ms/step {args.batch / theirs_s:7.1f} images/s")
    print(f"convviz / torch time: {ours_s / theirs_s:.2f}x")
    if args.profile:
        profile_layers(model, images, labels, criterion)


if __name__ == "__main__":
    main()
