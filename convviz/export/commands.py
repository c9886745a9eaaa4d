"""The terminal's ``convviz export``: an animation of one convolution, or the standard gallery.

``add_export_command(subparsers)`` registers it on the CLI's parser and sets ``args.run``. Exit
status 2: a bad argument (the message names it: ``argument --stride: ...``), including a
configuration that cannot run (the engine's own message, on the argument it belongs to); 1: the
file could not be written; 130: interrupted (nothing left behind); 0: done. Qt and OpenCV load only
when the command runs; with no display Qt draws offscreen.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from convviz.nn.functional.padding import PADDING_MODES
from convviz.state.kernels import PRESETS
from convviz.state.spec import (
    GRAD_OUTPUTS,
    KERNEL_RANGE,
    OPERATIONS,
    OUT_CHANNEL_RANGE,
    PAD_RANGE,
    SIZE_RANGE,
    STEP_RANGE,
    TRANSPOSED_ROADS,
)

from .options import EXPORT_PHASES, MAX_FPS, check_size

__all__ = ["add_export_command", "run_export", "spec_from_args"]

DEFAULT_PRESET = "sobel_x"
DEFAULT_SIZE = "960x720"
# The spec field a problem belongs to -> the argument that sets it.
ARGUMENT_OF = {"groups": "--groups", "padding": "--padding", "kernel_size": "--kernel/--dilation",
               "bias_value": "--bias", "spec": "--kernel/--stride/--padding/--dilation",
               "output_padding": "--output-padding", "padding_mode": "--padding-mode", "mode": "--phase",
               "dilation": "--dilation"}


def _whole_in(low: int, high: int, what: str):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{what} must be from {low} to {high}, got {value}")
        return value
    return parse


def _pair_in(low: int, high: int, what: str):
    """``S`` or ``SH,SW`` -> (SH, SW), each within low..high."""
    whole = _whole_in(low, high, what)

    def parse(text: str) -> tuple[int, int]:
        parts = text.split(",")
        if len(parts) not in (1, 2):
            raise argparse.ArgumentTypeError(f"expected one whole number or two (height,width), got {text!r}")
        values = tuple(whole(part) for part in parts)
        return values * 2 if len(values) == 1 else values
    return parse


def _padding(text: str):
    return text if text in ("same", "valid") else _pair_in(*PAD_RANGE, "the padding")(text)


def _kernel(text: str) -> tuple[str | None, tuple[int, int] | None]:
    """``NAME``, ``KHxKW`` or ``NAME:KHxKW`` -> (preset name or None, size or None)."""
    name, size_text = text, ""
    if ":" in text:
        name, size_text = text.split(":", 1)
    elif text not in PRESETS and "x" in text.lower():
        name, size_text = None, text
    if name is not None and name not in PRESETS:
        raise argparse.ArgumentTypeError(f"unknown kernel {name!r}: the presets are {', '.join(PRESETS)} "
                                         f"(or give a size KHxKW, or NAME:KHxKW)")
    size = None
    if name is None or size_text:
        parts = size_text.lower().split("x")
        if len(parts) != 2:
            raise argparse.ArgumentTypeError(f"expected a kernel size KHxKW such as 3x3, got {size_text!r}")
        whole = _whole_in(*KERNEL_RANGE, "a kernel side")
        size = (whole(parts[0]), whole(parts[1]))
    return name, size


def _frame_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
        return check_size((width, height))
    except ValueError as error:
        message = str(error) if "size must" in str(error) else f"expected WIDTHxHEIGHT such as 960x720, got {text!r}"
        raise argparse.ArgumentTypeError(message) from None


def _fps(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of frames per second, got {text!r}") from None
    if not 0 < value <= MAX_FPS:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most {MAX_FPS}, got {text}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not 0 <= value <= 60:
        raise argparse.ArgumentTypeError(f"must be from 0 to 60 seconds, got {text}")
    return value


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text}")
    return value


def add_export_command(subparsers) -> None:
    """Add ``export`` to an ``add_subparsers()`` object."""
    export = subparsers.add_parser(
        "export", help="an animation of a convolution (GIF, H.264 MP4 or PNGs), or a gallery; no window needed",
        description="Render frames of one convolution with the window's own scene and write them as a GIF, an "
                    "H.264 MP4 (plays in browsers and slides) or numbered PNGs in a folder; or, with --gallery, a "
                    "standard set of small GIFs with an index.html. Works without a display.")
    target = export.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", metavar="FILE.gif|FILE.mp4|DIR/", help="the format comes from the name")
    target.add_argument("--gallery", type=Path, metavar="DIR", help="write the standard gallery into DIR")
    export.add_argument("--image", default="shapes", metavar="PATH|SAMPLE",
                        help="an image file, or a built-in sample (shapes, digit, checker, stripes, gradient; "
                             "default: shapes)")
    export.add_argument("--image-size", type=_whole_in(*SIZE_RANGE, "the image size"), default=10, metavar="N",
                        help="the working picture's longer side in pixels (default: 10; every output element "
                             "is a frame, so keep it small)")
    export.add_argument("--channels", type=int, choices=(1, 3), default=1, help="1 (gray) or 3 (RGB); default: 1")
    export.add_argument("--operation", default="conv", choices=OPERATIONS,
                        help="conv (default), max_pool, avg_pool (the --kernel size is the window) or "
                             "conv_transpose")
    export.add_argument("--kernel", type=_kernel, default=(None, (3, 3)), metavar="NAME|KHxKW|NAME:KHxKW",
                        help=f"a preset ({', '.join(PRESETS)}; 3x3) for every filter, or a size with the "
                             f"default presets: {DEFAULT_PRESET} for the first filter, then sobel_y, laplacian, "
                             f"... (default: 3x3)")
    export.add_argument("--out-channels", type=_whole_in(*OUT_CHANNEL_RANGE, "the number of filters"), default=1,
                        metavar="N")
    export.add_argument("--stride", type=_pair_in(*STEP_RANGE, "the stride"), default=(1, 1), metavar="S|SH,SW")
    export.add_argument("--padding", type=_padding, default=(0, 0), metavar="P|PH,PW|same|valid")
    export.add_argument("--dilation", type=_pair_in(*STEP_RANGE, "the dilation"), default=(1, 1), metavar="D|DH,DW")
    export.add_argument("--groups", type=_whole_in(1, 256, "groups"), default=1, metavar="G")
    export.add_argument("--padding-mode", default="zeros", choices=PADDING_MODES)
    export.add_argument("--bias", type=_number, metavar="B", help="add a bias of B to every filter (default: none)")
    export.add_argument("--output-padding", type=_pair_in(0, STEP_RANGE[1] - 1, "the output padding"), default=(0, 0),
                        metavar="OP|OPH,OPW", help="conv_transpose: extra rows and columns at the bottom and right")
    export.add_argument("--road", default="scatter", choices=TRANSPOSED_ROADS,
                        help="conv_transpose: the scatter (default), or the direct convolution over the "
                             "zero-inserted input")
    export.add_argument("--ceil-mode", action="store_true", help="pooling: round the output size up")
    export.add_argument("--no-count-include-pad", dest="count_include_pad", action="store_false",
                        help="avg_pool: leave padding cells out of the mean's divisor")
    export.add_argument("--phase", default="forward", choices=tuple(EXPORT_PHASES),
                        help="forward: the kernel sliding; grad_input: grad_output scattered into the input "
                             "gradient (then the padding folded); grad_weight: the weight gradient (default: forward)")
    export.add_argument("--grad-output", default="ones", choices=GRAD_OUTPUTS,
                        help="the backward pass's ∂L/∂y (default: ones)")
    export.add_argument("--granularity", default="output", choices=("output", "tap"),
                        help="a frame per output element, or per multiply-add (default: output)")
    export.add_argument("--fps", type=_fps, default=10.0, metavar="F", help="frames per second (default: 10)")
    export.add_argument("--size", type=_frame_size, default=_frame_size(DEFAULT_SIZE), metavar="WxH",
                        help=f"each frame's size in pixels (default: {DEFAULT_SIZE})")
    export.add_argument("--hold", type=_seconds, default=1.0, metavar="SECONDS",
                        help="how long the last frame stays before the animation loops (default: 1)")
    export.add_argument("--no-caption", dest="caption", action="store_false",
                        help="leave out the line with the parameters under the scene")
    export.set_defaults(run=run_export, parser=export)


def spec_from_args(args):
    """The ConvSpec the arguments describe (its problems are found later, on the picture)."""
    import dataclasses

    from convviz.state.spec import ConvSpec

    name, kernel_size = args.kernel
    spec = ConvSpec(image=args.image, size=args.image_size, channels=args.channels, kernel_size=kernel_size or (3, 3),
                    stride=args.stride, padding=args.padding, dilation=args.dilation, groups=args.groups,
                    padding_mode=args.padding_mode, bias=args.bias is not None, bias_value=args.bias or 0.0,
                    mode="forward" if args.phase == "forward" else "backward", grad_output=args.grad_output,
                    granularity=args.granularity, presets=(name or DEFAULT_PRESET,),
                    operation=args.operation, output_padding=args.output_padding, transposed_road=args.road,
                    ceil_mode=args.ceil_mode, count_include_pad=args.count_include_pad)
    spec = spec.with_out_channels(args.out_channels)
    if name is not None:
        spec = dataclasses.replace(spec, presets=(name,) * args.out_channels)
    return spec


def _picture(args):
    """The picture --image names; exits 2 (through the parser) if it cannot be used."""
    from convviz.data.picture import PictureError, load_picture, load_sample, sample_names

    if args.image in sample_names():
        return load_sample(args.image), f"sample:{args.image}"
    if not Path(args.image).exists():
        args.parser.error(f"argument --image: {args.image!r} is neither a file nor a sample "
                          f"({', '.join(sample_names())})")
    try:
        return load_picture(args.image), args.image
    except PictureError as error:
        args.parser.error(f"argument --image: {error}")


def _check_output(args) -> None:
    from .writers import ExportError, check_output

    try:
        check_output(args.out, *args.size, args.fps)
    except ExportError as error:
        argument = "--out" if "format" in str(error) else "--size" if "even" in str(error) else "--fps"
        args.parser.error(f"argument {argument}: {error}")


def _bar(total: int, description: str, unit: str = "frame"):
    from tqdm import tqdm

    return tqdm(total=total, desc=description, unit=unit, leave=False, file=sys.stderr)


def run_export(args) -> int:
    if args.gallery is not None:
        return run_gallery(args)
    _check_output(args)
    import dataclasses

    from convviz.data.picture import working_image
    from convviz.state.build import problems

    from .animation import build_for, export_animation
    from .options import phase_frames
    from .writers import ExportCancelled, ExportError

    picture, source = _picture(args)
    spec = dataclasses.replace(spec_from_args(args), image=source)
    image = working_image(picture, spec.size, spec.channels)
    for problem in problems(spec, image.shape[1], image.shape[2]):
        args.parser.error(f"argument {ARGUMENT_OF.get(problem.field, '--' + problem.field)}: {problem.message}")
    built = build_for(spec, image)
    try:
        frames = phase_frames(built.trace, args.phase, built.operation)
    except ValueError as error:
        args.parser.error(f"argument --phase: {error}")
    bar = _bar(len(frames), f"export {Path(args.out).name}")
    try:
        result = export_animation(built, args.out, frames, fps=args.fps, size=args.size, caption=args.caption,
                                  hold_last=args.hold, progress=lambda done, total: bar.update(done - bar.n))
    except ExportError as error:
        print(f"convviz export: {error}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, ExportCancelled):
        print("convviz export: interrupted; nothing was written", file=sys.stderr)
        return 130
    finally:
        bar.close()
    what = f"{result.frames} PNGs" if result.format == "png" else (
        f"{result.frames} frames ({result.images} images), {result.fps:g} fps")
    print(f"wrote {result.path}: {what}, {result.width}x{result.height}, {result.bytes / 1024:.0f} KB "
          f"in {result.seconds:.1f} s")
    return 0


def run_gallery(args) -> int:
    from .gallery import GALLERY, PHASES, write_gallery
    from .writers import ExportError

    bar = _bar(len(GALLERY) * len(PHASES), "gallery", unit="GIF")
    try:
        items = write_gallery(args.gallery, progress=lambda file: bar.set_postfix_str(file),
                              done=lambda file: bar.update(1))
    except (ExportError, OSError) as error:
        print(f"convviz export: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("convviz export: interrupted", file=sys.stderr)
        return 130
    finally:
        bar.close()
    total = sum(item.bytes for item in items)
    print(f"wrote {len(items)} GIFs ({total / 1024:.0f} KB) and {args.gallery / 'index.html'}")
    return 0
