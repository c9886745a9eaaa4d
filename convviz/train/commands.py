"""The terminal's ``convviz train`` and ``convviz evaluate`` (argparse subcommands).

``add_train_commands(subparsers)`` registers both on the CLI's parser; each sets ``args.run`` to
the function that carries it out and returns the exit status. Exit status 2: a bad argument
(argparse's message names it); 1: the data, a checkpoint or training itself failed (the
message names the path); 0: done. Nothing heavy is imported until a command runs (the CLI's
``--help`` and ``conv`` stay light): tqdm, convviz.data (and through it OpenCV) load here.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import sys
from pathlib import Path

from .config import BACKENDS, MODELS, TrainConfig, TrainConfigError, input_size
from .files import replace_atomically

__all__ = ["add_train_commands", "load_data", "run_evaluate", "run_train"]

# The settings `convviz train` takes from the command line; absent ones come from the checkpoint
# being resumed, or else TrainConfig's defaults.
SETTINGS = ("data", "model", "epochs", "batch_size", "lr", "train_per_class", "test_per_class", "augment", "seed",
            "backend")


def _whole(minimum: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value
    parse.__name__ = "whole number"
    return parse


def _positive_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number such as 5e-4, got {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text}")
    return value


def add_train_commands(subparsers) -> None:
    """Add ``train`` and ``evaluate`` to an ``add_subparsers()`` object."""
    defaults = TrainConfig()
    train = subparsers.add_parser(
        "train", help="train the cat/dog CNN without a window; writes model.npz, metrics.csv, curves.png",
        description="Train the cat/dog CNN in the terminal, with a progress bar and a line per epoch. Writes "
                    "OUT/model.npz (a checkpoint, after every epoch), OUT/metrics.csv and OUT/curves.png. "
                    "With --resume, settings not given are the checkpoint's.")
    train.add_argument("--data", metavar="ROOT|builtin",
                       help=f"a folder with training_set/ and test_set/ (cats/, dogs/), or builtin (default: {defaults.data})")
    train.add_argument("--model", choices=tuple(MODELS), help=f"small (64x64) or source (224x224; default: {defaults.model})")
    train.add_argument("--epochs", type=_whole(1), metavar="N", help=f"total epochs of the run (default: {defaults.epochs})")
    train.add_argument("--batch-size", type=_whole(1), metavar="B", help=f"default: {defaults.batch_size}")
    train.add_argument("--lr", type=_positive_number, metavar="LR", help=f"Adam's learning rate (default: {defaults.lr:g})")
    train.add_argument("--train-per-class", type=_whole(1), metavar="N", help=f"default: {defaults.train_per_class}")
    train.add_argument("--test-per-class", type=_whole(1), metavar="N", help=f"default: {defaults.test_per_class}")
    train.add_argument("--augment", action=argparse.BooleanOptionalAction, default=None,
                       help="random flips and small shifts of the training images (default: off)")
    train.add_argument("--seed", type=_whole(0), metavar="S", help="initial weights, batch order, built-in images (default: 0)")
    train.add_argument("--backend", choices=BACKENDS, help=f"default: {defaults.backend}")
    train.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder for model.npz, metrics.csv, curves.png")
    train.add_argument("--resume", type=Path, metavar="FILE", help="continue the run saved in this checkpoint")
    train.set_defaults(run=run_train, parser=train)

    evaluate = subparsers.add_parser(
        "evaluate", help="the accuracy of a checkpoint on a test set",
        description="Evaluate a checkpoint on ROOT/test_set (or on built-in images); the last line printed is "
                    "'accuracy: 0.XXX (correct/total)'.")
    evaluate.add_argument("--checkpoint", required=True, type=Path, metavar="FILE")
    evaluate.add_argument("--data", metavar="ROOT|builtin", help="default: the data the checkpoint was trained on")
    evaluate.add_argument("--test-per-class", type=_whole(1), metavar="N", help="default: the checkpoint's")
    evaluate.add_argument("--seed", type=_whole(0), metavar="S",
                          help="which built-in images (default: the checkpoint's, i.e. its test images)")
    evaluate.add_argument("--backend", choices=BACKENDS, default="numpy")
    evaluate.set_defaults(run=run_evaluate, parser=evaluate)


def _fail(command: str, error) -> int:
    print(f"convviz {command}: {error}", file=sys.stderr)
    return 1


def load_data(data: str, size: int, train_per_class: int, test_per_class: int, seed: int, progress=None):
    """``builtin_dataset(...)`` for "builtin", else ``load_folder(data, ...)`` (DataError if unusable)."""
    from ..data import DataError, builtin_dataset, load_folder

    if data == "builtin":
        return builtin_dataset(size, train_per_class, test_per_class, seed)
    if not Path(data).is_dir():
        raise DataError(f"{data}: no such folder (expected ROOT with training_set/ and test_set/, each with "
                        f"cats/ and dogs/, or 'builtin')")
    return load_folder(data, size, train_per_class, test_per_class, seed, progress=progress)


def _loading_bar():
    from tqdm import tqdm

    bar = tqdm(desc="loading photos", unit="img", leave=False, file=sys.stderr)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh() if done == total else bar.update(0)

    return bar, progress


def write_metrics(path: Path, history) -> None:
    """metrics.csv: a header of EPOCH_COLUMNS, then one row per epoch."""
    from .records import EPOCH_COLUMNS

    def write(stream):
        writer = csv.writer(stream)
        writer.writerow(EPOCH_COLUMNS)
        writer.writerows(record.row() for record in history)

    replace_atomically(path, write, binary=False)


def write_outputs(out: Path, trainer) -> None:
    from .plot import curves_image, write_png

    trainer.save(out / "model.npz")
    write_metrics(out / "metrics.csv", trainer.history)
    write_png(out / "curves.png", curves_image(trainer.history))


def epoch_line(record, epochs: int) -> str:
    return (f"epoch {record.epoch}/{epochs}  train loss {record.train_loss:.4f} accuracy {record.train_accuracy:.3f}  "
            f"test loss {record.test_loss:.4f} accuracy {record.test_accuracy:.3f}  "
            f"{record.images_per_second:.0f} images/s  {record.seconds:.1f} s")


def run_train(args) -> int:
    from tqdm import tqdm

    from ..data import DataError
    from .checkpoint import CheckpointError, apply_checkpoint, read_checkpoint
    from .loop import Trainer
    from .records import BatchRecord, EpochRecord, Stopped

    try:
        checkpoint = read_checkpoint(args.resume) if args.resume is not None else None
    except CheckpointError as error:
        return _fail("train", error)
    settings = checkpoint.config.to_dict() if checkpoint else TrainConfig().to_dict()
    settings.update({name: getattr(args, name) for name in SETTINGS if getattr(args, name) is not None})
    try:
        config = TrainConfig(**settings)
    except TrainConfigError as error:
        args.parser.error(str(error))
    if checkpoint and config.epochs <= len(checkpoint.history):
        args.parser.error(f"argument --epochs: the checkpoint has trained {len(checkpoint.history)} epochs already; "
                          f"ask for more (--epochs {len(checkpoint.history) + 1} or above)")
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return _fail("train", f"{args.out}: cannot create the output folder ({error.strerror})")

    bar, progress = _loading_bar() if config.data != "builtin" else (None, None)
    try:
        dataset = load_data(config.data, config.input_size, config.train_per_class, config.test_per_class,
                            config.seed, progress)
    except (DataError, ValueError) as error:
        return _fail("train", error)
    finally:
        if bar is not None:
            bar.close()
    for skipped in dataset.skipped:
        print(f"skipped {skipped.path}: {skipped.reason}", file=sys.stderr)

    try:
        trainer = Trainer(dataset, config)
        if checkpoint:
            apply_checkpoint(checkpoint, trainer)
            if args.lr is not None:
                trainer.set_lr(args.lr)
    except (CheckpointError, TrainConfigError) as error:
        return _fail("train", error)
    print(f"training {config.model} ({config.backend}) on {dataset.source}: {len(dataset.train.labels)} training, "
          f"{len(dataset.test.labels)} test images of {config.input_size}x{config.input_size}, "
          f"epochs {trainer.epochs_done + 1}-{config.epochs}, batch {config.batch_size}, lr {trainer.lr:g}"
          + (", augmented" if config.augment else ""), flush=True)

    bar, status = None, 0
    try:
        for record in trainer.steps():
            if isinstance(record, BatchRecord):
                if bar is None:
                    bar = tqdm(total=record.total, desc=f"epoch {record.epoch}/{config.epochs}", unit="img",
                               leave=False, file=sys.stderr)
                bar.update(record.seen - bar.n)
                bar.set_postfix(loss=f"{record.loss:.3f}", accuracy=f"{record.accuracy:.3f}", refresh=False)
            elif isinstance(record, EpochRecord):
                bar.close()
                bar = None
                print(epoch_line(record, config.epochs), flush=True)
                write_outputs(args.out, trainer)
            elif isinstance(record, Stopped):
                status = _fail("train", record.message)
    except KeyboardInterrupt:
        status = 130
        print("convviz train: interrupted; the checkpoint holds the weights so far (the interrupted epoch is "
              "trained again on --resume)", file=sys.stderr)
    finally:
        if bar is not None:
            bar.close()
    write_outputs(args.out, trainer)
    print(f"wrote {args.out / 'model.npz'}, {args.out / 'metrics.csv'}, {args.out / 'curves.png'}")
    return status


def run_evaluate(args) -> int:
    from ..data import DataError
    from .checkpoint import CheckpointError, apply_checkpoint, read_checkpoint
    from .loop import Trainer

    try:
        checkpoint = read_checkpoint(args.checkpoint)
    except CheckpointError as error:
        return _fail("evaluate", error)
    saved = checkpoint.config
    data = args.data if args.data is not None else saved.data
    test_per_class = args.test_per_class or saved.test_per_class
    seed = saved.seed if args.seed is None else args.seed
    try:
        dataset = load_data(data, input_size(saved.model), 0, test_per_class, seed)
    except (DataError, ValueError) as error:
        return _fail("evaluate", error)
    try:
        config = dataclasses.replace(saved, backend=args.backend, data=data, test_per_class=test_per_class)
        trainer = Trainer(dataset, config, require_training_images=False)
        apply_checkpoint(checkpoint, trainer)
    except (CheckpointError, TrainConfigError) as error:
        return _fail("evaluate", error)
    result = trainer.evaluate("test")
    (cat_cat, cat_dog), (dog_cat, dog_dog) = result.confusion_matrix
    print(f"checkpoint {args.checkpoint}: model {saved.model}, {len(checkpoint.history)} epochs trained")
    print(f"test images: {result.total} from {dataset.source}; loss {result.loss:.4f}")
    print(f"confusion (rows true, columns predicted): cats {cat_cat} as cat, {cat_dog} as dog; "
          f"dogs {dog_cat} as cat, {dog_dog} as dog")
    print(result.summary())
    return 0
