"""The terminal door: ``python main.py conv ...`` works out a convolution's sizes.

It answers the question students ask first, "what shape comes out, and why?", with the
output-size formula filled in with the numbers, using the engine's own validation, so a bad
configuration gets exactly the message the app and the engine give.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from .export.commands import add_export_command
from .nn.functional import conv_geometry
from .nn.functional.padding import PADDING_MODES
from .train.commands import add_train_commands


def _ints(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers such as 1,3,32,32, got {text!r}")


def _int_or_pair(text: str):
    values = _ints(text)
    if len(values) not in (1, 2):
        raise argparse.ArgumentTypeError(f"expected one integer or two (height,width), got {text!r}")
    return values[0] if len(values) == 1 else values


def _padding(text: str):
    return text if text in ("same", "valid") else _int_or_pair(text)


def describe_conv(input_shape, weight_shape, stride=1, padding=0, dilation=1, groups=1,
                  padding_mode="zeros") -> str:
    """A few lines: the configuration, the output shape with each axis's formula, the cost."""
    # Zero-stride stand-ins: conv_geometry needs only shapes and dtypes, not gigabytes of zeros.
    fake_input = np.broadcast_to(np.float32(0), input_shape)
    fake_weight = np.broadcast_to(np.float32(0), weight_shape)
    g = conv_geometry(fake_input, fake_weight, None, stride, padding, dilation, groups, padding_mode)
    top, bottom, left, right = g.pads
    (kh, kw), (sh, sw), (dh, dw) = g.kernel_size, g.stride, g.dilation
    macs = g.batch * g.out_channels * g.out_height * g.out_width * g.in_per_group * kh * kw
    return "\n".join([
        f"conv2d  input {tuple(input_shape)}  weight {tuple(weight_shape)}",
        f"        stride {g.stride}  padding top/bottom/left/right {g.pads} ({g.padding_mode})  "
        f"dilation {g.dilation}  groups {g.groups}",
        f"output  {g.output_shape}",
        f"  height = floor((H + p_top + p_bottom - d(k - 1) - 1) / s) + 1 = "
        f"floor(({g.height} + {top} + {bottom} - {dh}·({kh} - 1) - 1) / {sh}) + 1 = {g.out_height}",
        f"  width  = floor((W + p_left + p_right - d(k - 1) - 1) / s) + 1 = "
        f"floor(({g.width} + {left} + {right} - {dw}·({kw} - 1) - 1) / {sw}) + 1 = {g.out_width}",
        f"  the dilated kernel spans {dh * (kh - 1) + 1} x {dw * (kw - 1) + 1} pixels; each filter sees "
        f"{g.in_per_group} of the {g.in_channels} input channels",
        f"cost    {macs:,} multiply-adds = N·F·OH·OW·(C/groups)·KH·KW",
    ])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="convviz", description="convviz: convolution made visible. Without a command it opens the window "
                                    "(convviz --help); the commands work in a terminal.")
    commands = parser.add_subparsers(dest="command", required=True)
    conv = commands.add_parser("conv", help="work out a conv2d's output shape, with the formula and its numbers")
    conv.add_argument("--input", type=_ints, required=True, metavar="N,C,H,W", help="input shape (or C,H,W)")
    conv.add_argument("--weight", type=_ints, required=True, metavar="F,C/G,KH,KW", help="weight shape")
    conv.add_argument("--stride", type=_int_or_pair, default=1, metavar="S or SH,SW")
    conv.add_argument("--padding", type=_padding, default=0, metavar="P, PH,PW, same or valid")
    conv.add_argument("--dilation", type=_int_or_pair, default=1, metavar="D or DH,DW")
    conv.add_argument("--groups", type=int, default=1)
    conv.add_argument("--padding-mode", default="zeros", choices=PADDING_MODES)
    add_train_commands(commands)  # train, evaluate: each sets args.run
    add_export_command(commands)  # export: sets args.run
    parser.command_names = tuple(commands.choices)  # what the window's parser must not take for an IMAGE
    return parser


def _window_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 1400x900, got {text!r}")
    if not (320 <= width <= 8192 and 240 <= height <= 8192):
        raise argparse.ArgumentTypeError(f"the window size must be 320x240 to 8192x8192, got {text!r}")
    return width, height


def build_app_parser(commands: list[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="convviz",
        description="convviz: convolution made visible. Opens the window on IMAGE (or a built-in sample).",
        epilog=f"terminal commands: {', '.join(commands)} (convviz COMMAND --help)")
    parser.add_argument("image", nargs="?", metavar="IMAGE",
                        help="a PNG, JPEG, BMP, TIFF or WebP file to open (default: a built-in sample)")
    parser.add_argument("--screenshot", metavar="OUT.png",
                        help="render the window to OUT.png and exit (works without a display)")
    parser.add_argument("--window-size", type=_window_size, metavar="WxH", help="the window's size, e.g. 1400x900")
    return parser


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    commands = list(parser.command_names)
    if not argv or argv[0] not in commands:
        app_args = build_app_parser(commands).parse_args(argv)
        from .app import run_app  # Qt is imported only when the window is wanted

        return run_app(app_args.image, app_args.screenshot, app_args.window_size)
    args = parser.parse_args(argv)
    if hasattr(args, "run"):
        return args.run(args)
    try:
        print(describe_conv(args.input, args.weight, args.stride, args.padding, args.dilation, args.groups,
                            args.padding_mode))
    except (TypeError, ValueError) as error:
        print(f"convviz: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
