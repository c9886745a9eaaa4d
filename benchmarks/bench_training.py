"""Training runs of convviz.train: speed of both backends on both models, the small model on the
built-in data, and both models trained on the real photos with and without augmentation.

A script, not a test. Every run of a part starts the NumPy and the torch backend from the same
weights (the seed) and the same batch order, so their curves can be compared directly.

    python benchmarks/bench_training.py --parts speed,builtin,photos [--data ../shared/data/cat-and-dog]
        [--epochs-small 10] [--epochs-source 5] [--steps 10] [--torch-threads N] [--json results.json]

speed    images/s of Trainer steps (forward, loss, backward, the finiteness checks, Adam) at
         batch 16 on random images, numpy and torch alternating, median of --steps
builtin  catdog_cnn_small on builtin_dataset (1000 + 200 per class): test accuracy per epoch and
         the wall time (data generation and training) until it first exceeds 90 %
photos   both models on the photos (1000 + 200 per class), both backends, with and without
         augmentation: test accuracy per epoch and wall time
"""

from __future__ import annotations

import argparse
import json
import os

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # spinning OpenBLAS threads slow torch next

import time
import types
from pathlib import Path

import numpy as np
import torch

from convviz.data import builtin_dataset, load_folder
from convviz.train import BatchRecord, EpochRecord, TrainConfig, Trainer

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "cat-and-dog"


def speed(steps: int, batch: int = 16) -> list[dict]:
    results = []
    for model in ("small", "source"):
        size = TrainConfig(model=model).input_size
        rng = np.random.default_rng(0)
        part = types.SimpleNamespace(images=rng.random((batch * (steps + 1), 3, size, size), dtype=np.float32),
                                     labels=(np.arange(batch * (steps + 1)) % 2).astype(np.float32), paths=())
        data = types.SimpleNamespace(train=part, test=types.SimpleNamespace(images=part.images[:2], labels=part.labels[:2]))
        runs = {backend: Trainer(data, TrainConfig(model=model, backend=backend, batch_size=batch, epochs=1)).steps()
                for backend in ("numpy", "torch")}
        times = {backend: [] for backend in runs}
        for generator in runs.values():
            next(generator)  # warm up: allocator, BLAS threads, oneDNN kernels
        for _ in range(steps):
            for backend, generator in runs.items():
                start = time.perf_counter()
                next(generator)
                times[backend].append(time.perf_counter() - start)
        row = {"model": model, **{f"{b}_images_per_second": batch / float(np.median(t)) for b, t in times.items()}}
        row["numpy_over_torch_time"] = row["torch_images_per_second"] / row["numpy_images_per_second"]
        print(f"speed  {model:6}  numpy {row['numpy_images_per_second']:7.1f} images/s  "
              f"torch {row['torch_images_per_second']:7.1f} images/s  numpy/torch time {row['numpy_over_torch_time']:.2f}x",
              flush=True)
        results.append(row)
    return results


def train_run(dataset, config: TrainConfig, label: str, stop_above: float | None = None, started=None) -> dict:
    """Train to the end (or until the test accuracy first exceeds ``stop_above``); per epoch:
    test accuracy, and wall time since ``started`` (default: the start of training)."""
    started = time.perf_counter() if started is None else started
    trainer = Trainer(dataset, config)
    epochs = []
    for record in trainer.steps():
        if isinstance(record, EpochRecord):
            epochs.append({"epoch": record.epoch, "test_accuracy": record.test_accuracy,
                           "train_accuracy": record.train_accuracy, "test_loss": record.test_loss,
                           "images_per_second": record.images_per_second,
                           "wall_seconds": time.perf_counter() - started})
            print(f"{label}  epoch {record.epoch:2d}  train {record.train_accuracy:.3f}  test {record.test_accuracy:.3f}  "
                  f"{record.images_per_second:6.1f} images/s  {epochs[-1]['wall_seconds']:7.1f} s", flush=True)
            if stop_above is not None and record.test_accuracy > stop_above:
                break
        elif not isinstance(record, BatchRecord):
            print(f"{label}  {record.message}", flush=True)
            break
    return {"label": label, **config.to_dict(), "epochs_run": epochs}


def builtin(epochs: int) -> list[dict]:
    results = []
    for backend in ("numpy", "torch"):
        started = time.perf_counter()
        dataset = builtin_dataset(64, 1000, 200, seed=0)
        generated = time.perf_counter() - started
        result = train_run(dataset, TrainConfig(epochs=epochs, backend=backend), f"builtin small {backend}",
                           stop_above=0.9, started=started)
        result["generation_seconds"] = generated
        results.append(result)
    return results


def photos(data: Path, epochs_small: int, epochs_source: int) -> list[dict]:
    results = []
    for model, epochs in (("small", epochs_small), ("source", epochs_source)):
        size = TrainConfig(model=model).input_size
        started = time.perf_counter()
        dataset = load_folder(data, size, 1000, 200, seed=0)
        print(f"photos {model}: loaded {len(dataset.train.labels)} + {len(dataset.test.labels)} images at {size}x{size} "
              f"in {time.perf_counter() - started:.1f} s ({len(dataset.skipped)} skipped)", flush=True)
        for augment in (False, True):
            for backend in ("numpy", "torch"):
                config = TrainConfig(model=model, epochs=epochs, backend=backend, augment=augment, data=str(data))
                label = f"photos {model} {backend} {'augmented' if augment else 'plain'}"
                results.append(train_run(dataset, config, label))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="speed,builtin,photos")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--epochs-small", type=int, default=10)
    parser.add_argument("--epochs-source", type=int, default=5)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--torch-threads", type=int, help="torch.set_num_threads (default: torch's own choice)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.torch_threads:
        torch.set_num_threads(args.torch_threads)
    parts = set(args.parts.split(","))
    print(f"numpy {np.__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads), "
          f"{os.cpu_count()} cores", flush=True)
    results = {}
    if "speed" in parts:
        results["speed"] = speed(args.steps)
    if "builtin" in parts:
        results["builtin"] = builtin(args.epochs_small)
    if "photos" in parts:
        results["photos"] = photos(args.data, args.epochs_small, args.epochs_source)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
