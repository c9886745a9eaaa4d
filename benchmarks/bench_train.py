"""Images per second of a full training step of catdog_cnn(): convviz against torch.

A script, not a test. One step = forward, BCE loss, backward, Adam(lr=5e-4), at batch 16,
3x224x224 float32, as in the source article. Both engines start from the same weights, run at
the same thread count, in this one process, alternating so that neither gets a quieter machine.

    python benchmarks/bench_train.py [--batch 16] [--steps 10] [--profile] [--baseline DIR]

--profile adds the time convviz spends in each layer's forward and backward. --baseline DIR also
times the convviz of another checkout DIR (e.g. ``git worktree add /tmp/old <commit>``) in the
same process, its steps alternating with this one's and torch's: on a busy machine that compares
two versions of the engine more fairly than two runs can.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile

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


def load_baseline(checkout: str):
    """Another checkout's convviz, imported as the package ``convviz_baseline`` (the engine's
    imports are relative, so it runs as it is, next to this checkout's convviz)."""
    link_dir = tempfile.mkdtemp(prefix="convviz_baseline_")
    os.symlink(os.path.join(os.path.abspath(checkout), "convviz"), os.path.join(link_dir, "convviz_baseline"))
    sys.path.insert(0, link_dir)
    return (importlib.import_module("convviz_baseline.models"), importlib.import_module("convviz_baseline.nn"),
            importlib.import_module("convviz_baseline.optim"))


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
    parser.add_argument("--baseline", metavar="DIR", help="another checkout whose convviz is timed alongside")
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    model = models.catdog_cnn(rng=rng)
    reference = torch_catdog(model.state_dict())
    images = rng.random((args.batch, 3, 224, 224), dtype=np.float32)
    labels = rng.integers(0, 2, (args.batch, 1)).astype(np.float32)
    t_images, t_labels = torch.from_numpy(images), torch.from_numpy(labels)

    criterion, optimizer = nn.BCELoss(), optim.Adam(model.parameters(), lr=5e-4)
    t_criterion, t_optimizer = torch.nn.BCELoss(), torch.optim.Adam(reference.parameters(), lr=5e-4)

    def engine_step(model, criterion, optimizer):
        def step():
            loss = criterion(model(images), labels)
            optimizer.zero_grad()
            model.backward(criterion.backward(), need_input_grad=False)  # nothing needs the images' gradient
            optimizer.step()
            return float(loss)
        return step

    steps = {"convviz": engine_step(model, criterion, optimizer)}

    def torch_step():
        t_optimizer.zero_grad()
        loss = t_criterion(reference(t_images), t_labels)
        loss.backward()
        t_optimizer.step()
        return loss.item()

    if args.baseline:
        old_models, old_nn, old_optim = load_baseline(args.baseline)
        old_model = old_models.catdog_cnn(rng=0)
        old_model.load_state_dict(model.state_dict())
        steps["baseline"] = engine_step(old_model, old_nn.BCELoss(), old_optim.Adam(old_model.parameters(), lr=5e-4))
    steps["torch"] = torch_step

    for step in steps.values():  # warm up: allocator, BLAS threads, oneDNN kernels
        step()
    times = {name: [] for name in steps}
    names = list(steps)
    for round_ in range(args.steps):
        for name in names[round_ % len(names):] + names[: round_ % len(names)]:  # each goes first in turn
            start = time.perf_counter()
            steps[name]()
            times[name].append(time.perf_counter() - start)
    median = {name: float(np.median(t)) for name, t in times.items()}
    print(f"catdog_cnn training step, batch {args.batch}, float32, torch threads {torch.get_num_threads()}, "
          f"median of {args.steps}")
    for name, seconds in median.items():
        print(f"{name + ':':9} {seconds * 1e3:7.1f} ms/step {args.batch / seconds:7.1f} images/s")
    print(f"convviz / torch time: {median['convviz'] / median['torch']:.2f}x")
    if args.baseline:
        print(f"convviz / baseline time: {median['convviz'] / median['baseline']:.2f}x  (baseline: {args.baseline})")
    if args.profile:
        profile_layers(model, images, labels, criterion)


if __name__ == "__main__":
    main()
