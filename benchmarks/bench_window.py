"""How fast the window is, against issue 7's targets: playing, a parameter change, starting up.

A script, not a test. The real ``MainWindow`` (a throwaway QSettings: the user's own settings are
neither read nor written) on the 128×128 RGB sample with 8 filters of 3×3:

frames  ~300 frames per mode over every phase, half spread and shuffled (scrubbing), half one run
        of consecutive frames (playing): ``player.seek(i)`` (the update), then the event loop's own
        paint of what changed (processEvents until the scene's viewport has painted), the work of
        one tick of the player's timer (``--paint repaint``: a forced ``viewport().repaint()``).
        Then the player's timer itself at 60 frames/s. Target: p95 < 16 ms.
change  ``document.propose(spec)`` (stride 1↔2, kernel k↔k+2, padding p↔0 in turn) to the new
        picture painted: the build on the worker, builtChanged, the window's redraw, the paint;
        after a warm-up round of the six settings (the math panel grows to its tallest text once).
        Target: p95 < 100 ms at 128×128×3, 8 filters of 3×3; reported at 256×256, 16 of 7×7.
        As in the app, the objects made at start are frozen out of full garbage collections.
start   fresh processes through the real door (``convviz.cli.main([])``): launch to the first paint
        of the main window and of the built picture; ``python main.py --screenshot`` whole. < 2 s.

    python benchmarks/bench_window.py [--frames 300] [--changes 20] [--starts 5]
        [--only frames,change,start] [--paint events|repaint] [--side-tab 0|1|2]

Offscreen (QT_QPA_PLATFORM=offscreen) unless DISPLAY is set, then in a real X window. The machine
is shared, so beside each wall time is the CPU time it used (the GUI thread's for a frame, the
process's for a change or a start): wall far above CPU means the process was waiting for a core.
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # spinning OpenBLAS threads skew the next call
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)  # this checkout's convviz, whatever pip installed last

import dataclasses
import json
import platform
import statistics
import subprocess
import tempfile
import time

import numpy as np
import PySide6
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication

from convviz.app import freeze_what_start_made
from convviz.qt.main_window import MainWindow
from convviz.qt.settings import Settings
from convviz.state.build import build_trace, colour_levels, conv_arguments
from convviz.state.spec import ConvSpec

FRAME_MS, CHANGE_MS, START_S = 16.0, 100.0, 2.0
SUMMARY: list[tuple[str, str, str]] = []  # (target, result, met)


def ms(seconds: float) -> float:
    return seconds * 1e3


def p95(values) -> float:
    return float(np.percentile(values, 95))


def spread(values) -> str:
    return f"{statistics.median(values):7.2f} {p95(values):7.2f} {max(values):7.2f}"


def met(value: float, target: float) -> str:
    return "yes" if value < target else "NO"


class PaintWatch(QObject):
    """Counts (and stamps the time of) the Paint events a widget receives."""

    def __init__(self, widget):
        super().__init__()
        self.count, self.stamps = 0, []
        widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Paint:
            self.count += 1
            self.stamps.append(time.perf_counter())
        return False


def paint(app, window, watch, how: str = "events") -> None:
    """Paint what changed, synchronously. "events": run the posted work (the scene's dirty items,
    then the window's update request and its paint) until the viewport has painted; "repaint":
    force the scene's viewport to repaint at once (the player bar is then not painted)."""
    if how == "repaint":
        window.scene.viewport().repaint()
        return
    before = watch.count
    for _ in range(20):
        app.processEvents()
        if watch.count > before:
            return
    raise RuntimeError("the scene did not repaint after a change: nothing new would be on screen")


def seek_and_paint(app, window, watch, frame: int) -> None:
    if frame != window.player.frame:
        window.player.seek(frame)
        paint(app, window, watch)


def wait_until(app, condition, timeout: float = 120.0) -> None:
    """Run the event loop until ``condition()``; a waker timer makes sure it is checked often."""
    deadline = time.perf_counter() + timeout
    waker = QTimer()
    waker.start(20)
    try:
        while not condition():
            if time.perf_counter() > deadline:
                raise RuntimeError(f"gave up waiting after {timeout:.0f} s")
            app.processEvents(QEventLoop.WaitForMoreEvents)
    finally:
        waker.stop()


def show_spec(app, window, spec):
    """Propose ``spec`` as a control would; wait until it is built, shown and checked against torch
    (so no background work is left to disturb what is timed next). Returns the Built."""
    document, seen = window.document, {}
    if document.built is not None and document.built.spec == spec and not document.stale:
        return document.built  # already on screen: proposing it again builds nothing
    on_built, on_checked = (lambda built: seen.setdefault("built", built)), (lambda c: seen.setdefault("checked", c))
    document.builtChanged.connect(on_built)
    document.torchChecked.connect(on_checked)
    try:
        document.propose(spec)
        wait_until(app, lambda: "built" in seen and ("checked" in seen or not document.builder.check_with_torch))
        app.processEvents()
    finally:
        document.builtChanged.disconnect(on_built)
        document.torchChecked.disconnect(on_checked)
    return seen["built"]


def classroom_spec(mode: str, size=128, filters=8, kernel=3) -> ConvSpec:
    """The default spec (the shapes sample, padding 1, stride 1) at this size, filters and kernel."""
    return dataclasses.replace(ConvSpec().with_out_channels(filters), size=size, channels=3,
                               kernel_size=(kernel, kernel), mode=mode)


# ----------------------------------------------------------------------------------------------
# Frames

def frame_plan(trace, frames: int, rng) -> list[tuple[str, str, int]]:
    """(phase, "scrub" | "play", frame) in visiting order: per phase of many frames, half spread
    evenly and shuffled, half one run of consecutive frames; a phase of a few frames, all of them."""
    big = [p for p in trace.phases if p.count > 20]
    each = max(2, frames // (2 * max(1, len(big))))
    plan = []
    for phase in trace.phases:
        if phase.count <= 20:
            plan += [(phase.name, "scrub", i) for i in range(phase.first, phase.first + phase.count)]
            continue
        spread_frames = np.linspace(phase.first, phase.first + phase.count - 1, each).astype(int)
        plan += [(phase.name, "scrub", int(i)) for i in rng.permutation(spread_frames)]
        start = int(rng.integers(phase.first, phase.first + phase.count - each))
        plan += [(phase.name, "play", i) for i in range(start, start + each)]
    return plan


def time_frames(app, window, watch, mode: str, args, rng) -> None:
    built = show_spec(app, window, classroom_spec(mode))
    trace, player = built.trace, window.player
    for i in (1, len(trace) // 2, 2, 3):  # warm up: the first paints of a new layout are slower
        seek_and_paint(app, window, watch, i)
    print(f"\n{mode}: input {built.args.input.shape}, weight {built.args.weight.shape}, {len(trace):,} frames "
          f"({', '.join(f'{p.name} {p.count:,}' for p in trace.phases)})")
    print(f"{'phase':12} {'visits':6} {'n':>4} | {'update med':>10} {'paint med':>9} | {'wall: median':>12} "
          f"{'p95':>7} {'max':>7} | {'CPU: median':>11} {'p95':>7} {'max':>7}  (ms)")
    rows: dict[tuple[str, str], list[tuple[float, float, float]]] = {}  # (phase, kind) -> times
    for phase, kind, index in frame_plan(trace, args.frames, rng):
        if index == player.frame:  # a seek to the frame on screen does nothing
            seek_and_paint(app, window, watch, index - 1 if index else index + 1)
        cpu, start = time.thread_time(), time.perf_counter()
        player.seek(index)
        updated = time.perf_counter()
        paint(app, window, watch, args.paint)
        rows.setdefault((phase, kind), []).append((ms(updated - start), ms(time.perf_counter() - updated),
                                                   ms(time.thread_time() - cpu)))
        if args.paint == "repaint":
            app.processEvents()  # what the forced repaint left (player bar, panels), untimed
    walls, cpus = {"play": [], "scrub": []}, {"play": [], "scrub": []}
    for (phase, kind), times in rows.items():
        walls[kind] += [u + p for u, p, _ in times]
        cpus[kind] += [c for _, _, c in times]
        print(f"{phase:12} {kind:6} {len(times):4} | {statistics.median(u for u, _, _ in times):10.2f} "
              f"{statistics.median(p for _, p, _ in times):9.2f} | {spread([u + p for u, p, _ in times])} | "
              f"{spread([c for _, _, c in times])}")
    for kind in ("play", "scrub"):
        print(f"{'all':12} {kind:6} {len(walls[kind]):4} | {'':10} {'':9} | {spread(walls[kind])} | "
              f"{spread(cpus[kind])}" + (f"   p95 < {FRAME_MS:.0f} ms: {met(p95(walls[kind]), FRAME_MS)}"
                                         if kind == "play" else ""))
    # The target is about playing: consecutive frames. A jump to a random frame (scrubbing) is reported.
    for kind, what in (("play", "playing (consecutive frames)"), ("scrub", "scrubbing (random frames)")):
        wall, cpu = walls[kind], cpus[kind]
        SUMMARY.append((f"frame update + paint, {mode}, {what}" + (", p95 < 16 ms" if kind == "play" else ""),
                        f"p95 {p95(wall):.1f} ms (median {statistics.median(wall):.1f}, max {max(wall):.1f}); "
                        f"CPU p95 {p95(cpu):.1f} ms", met(p95(wall), FRAME_MS) if kind == "play" else "-"))
    play_for_real(app, window, watch, trace, args.play_seconds)


def play_for_real(app, window, watch, trace, seconds: float) -> None:
    """The player's own timer at 60 frames/s from the middle of the slide phase: how many frames it
    moved and how regular the paints were (a slow repaint drops frames, it never queues them)."""
    player, slide = window.player, trace.phase("slide")
    seek_and_paint(app, window, watch, slide.first + slide.count // 2)
    first, paints = player.frame, len(watch.stamps)
    speed = player.speed
    player.set_speed(60.0)
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    player.play()
    loop.exec()
    player.pause()
    player.set_speed(speed)
    stamps = watch.stamps[paints:]
    gaps = [ms(b - a) for a, b in zip(stamps, stamps[1:])] or [0.0]
    print(f"the player's timer at 60 frames/s for {seconds:.0f} s: {player.frame - first} frames "
          f"({(player.frame - first) / seconds:.1f}/s), {len(stamps)} paints; between paints median "
          f"{statistics.median(gaps):.1f} ms, p95 {p95(gaps):.1f} ms, max {max(gaps):.1f} ms")


# ----------------------------------------------------------------------------------------------
# Parameter changes

def toggled(spec, k: int, kernel: int):
    """Change k of a series: stride 1↔2, kernel k↔k+2 and padding p↔0 in turn."""
    which = k % 3
    if which == 0:
        return dataclasses.replace(spec, stride=(2, 2) if spec.stride == (1, 1) else (1, 1))
    if which == 1:
        size = kernel + 2 if spec.kernel_size == (kernel, kernel) else kernel
        return dataclasses.replace(spec, kernel_size=(size, size))
    return dataclasses.replace(spec, padding=(0, 0) if spec.padding != (0, 0) else (1, 1))


class Stopwatch:
    """Replaces ``obj.name`` with a timed call of the same method (the window looks it up at each
    call); ``remove()`` puts the method back."""

    def __init__(self, obj, name: str):
        self.obj, self.name, self.real, self.times = obj, name, getattr(obj, name), []
        setattr(obj, name, self)

    def __call__(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return self.real(*args, **kwargs)
        finally:
            self.times.append(ms(time.perf_counter() - start))

    def remove(self) -> None:
        delattr(self.obj, self.name)


def time_changes(app, window, watch, label: str, base, count: int, kernel: int, at_start: bool, warmup: int = 6):
    """Each change starts from frame 0 (the pad frame a first start opens at) or the middle of the
    slide phase (a lecturer stopping to change something); the player keeps that frame.

    The warm-up is one round of the six settings the changes cycle through: the first time the
    math panel shows a longer text it grows, and every panel is laid out again (it then keeps that
    height). The warm-up changes are timed too, and their slowest is printed beside the rest."""
    document, builder, player = window.document, window.document.builder, window.player
    spec = show_spec(app, window, base).spec
    marks: dict = {}

    def on_worker_built(result):  # on the worker thread, the moment the build is done
        marks["built"] = time.perf_counter()

    def on_shown(result):  # after the window's own builtChanged slots have drawn it
        marks["shown"], marks["paints"] = time.perf_counter(), watch.count

    def on_checked(check):
        marks["checked"] = check

    builder.built.connect(on_worker_built, Qt.DirectConnection)
    document.builtChanged.connect(on_shown)
    document.torchChecked.connect(on_checked)
    show_built, show_frame = Stopwatch(window.scene, "show_built"), Stopwatch(window.scene, "show_frame")
    rows, first_visits = [], []
    try:
        for k in range(warmup + count):
            spec = toggled(spec, k, kernel)
            slide = document.built.trace.phase("slide")
            seek_and_paint(app, window, watch, 0 if at_start else slide.first + slide.count // 2)
            marks.clear()
            show_built.times.clear()
            show_frame.times.clear()
            cpu, start = time.process_time(), time.perf_counter()
            document.propose(spec)
            proposed = time.perf_counter()
            wait_until(app, lambda: "shown" in marks and watch.count > marks["paints"])
            painted, cpu = time.perf_counter(), time.process_time() - cpu
            if k < warmup:
                first_visits.append(ms(painted - start))
            else:
                rows.append(dict(total=ms(painted - start), propose=ms(proposed - start),
                                 worker=ms(marks["built"] - proposed), drawn=ms(marks["shown"] - marks["built"]),
                                 paint=ms(painted - marks["shown"]), show_built=sum(show_built.times),
                                 show_frame=sum(show_frame.times), calls=len(show_frame.times), cpu=ms(cpu)))
            if builder.check_with_torch:  # the comparison with torch finishes, as between a user's edits
                wait_until(app, lambda: "checked" in marks, timeout=30)
            app.processEvents()
    finally:
        builder.built.disconnect(on_worker_built)
        document.builtChanged.disconnect(on_shown)
        document.torchChecked.disconnect(on_checked)
        show_built.remove()
        show_frame.remove()
    totals = [r["total"] for r in rows]
    med = {key: statistics.median(r[key] for r in rows) for key in rows[0]}
    print(f"{label:38} {len(rows):3} | {spread(totals)} | {med['cpu']:6.0f} | {med['propose']:7.1f} "
          f"{med['worker']:7.1f} {med['drawn']:7.1f} {med['paint']:6.1f} | {med['show_built']:10.1f} "
          f"{med['show_frame']:6.1f} x{med['calls']:.0f} | warm-up max {max(first_visits):.0f}")
    return totals, [r["cpu"] for r in rows]


def median_ms(fn, repeat: int = 5):
    """(median milliseconds of ``repeat`` calls of ``fn()``, its last result)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(ms(time.perf_counter() - start))
    return statistics.median(times), result


def build_pieces(window, spec) -> str:
    """The build's pieces called directly on this thread."""
    image = window.document.working_image(spec)
    arguments_ms, arguments = median_ms(lambda: conv_arguments(spec, image))
    build_ms, trace = median_ms(lambda: build_trace(spec, image))
    levels_ms, _ = median_ms(lambda: colour_levels(trace, arguments))
    return (f"conv_arguments {arguments_ms:.1f} ms, build_trace {build_ms:.1f} ms ({len(trace):,} frames), "
            f"colour_levels {levels_ms:.1f} ms")


def change_section(app, window, watch, args) -> None:
    print(f"\nparameter change: propose(spec) to the new picture painted, {args.changes} changes after a "
          f"warm-up round of the six settings they cycle through (stride 1<->2, kernel k<->k+2, padding p<->0 in "
          f"turn); medians of the pieces, ms; the warm-up's slowest change at the end")
    print(f"{'case':38} {'n':>3} | {'median':>7} {'p95':>7} {'max':>7} | {'CPU':>6} | {'propose':>7} "
          f"{'worker':>7} {'drawn':>7} {'paint':>6} | {'show_built':>10} {'show_frame':>6} calls | first visits")
    small, large = dict(size=128, filters=8, kernel=3), dict(size=256, filters=16, kernel=7)
    cases = [("128x128x3, 8 of 3x3", small, "forward", False), ("128x128x3, 8 of 3x3", small, "forward", True),
             ("128x128x3, 8 of 3x3", small, "backward", False), ("256x256x3, 16 of 7x7", large, "forward", False),
             ("256x256x3, 16 of 7x7", large, "backward", False)]
    for name, shape, mode, at_start in cases:
        targeted = shape is small
        name = f"{name}, {mode}" + (", frame 0" if at_start else "")
        base = classroom_spec(mode, **shape)
        totals, cpus = time_changes(app, window, watch, name, base, args.changes, shape["kernel"], at_start)
        if not at_start:
            print(f"{'':38}     pieces: {build_pieces(window, base)}")
        SUMMARY.append((f"parameter change, {name}, " + ("p95 < 100 ms" if targeted else "reported"),
                        f"p95 {p95(totals):.0f} ms (median {statistics.median(totals):.0f}); "
                        f"CPU p95 {p95(cpus):.0f} ms", met(p95(totals), CHANGE_MS) if targeted else "-"))


# ----------------------------------------------------------------------------------------------
# Starting

def child_env(config_home: str) -> dict:
    env = dict(os.environ, XDG_CONFIG_HOME=config_home)  # fresh settings: a first start, the user's untouched
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def start_section(args) -> None:
    """Fresh processes of _window_start.py (the real door with marks at the first paints), then
    ``python main.py --screenshot`` timed whole; each with fresh settings."""
    print(f"\nstarting: {args.starts} fresh processes each; seconds from launch (CPU seconds)")
    runs = []
    for _ in range(args.starts):
        with tempfile.TemporaryDirectory(prefix="convviz-bench-") as config:
            env = dict(child_env(config), CONVVIZ_BENCH_LAUNCH=repr(time.perf_counter()))
            done = subprocess.run([sys.executable, os.path.join(REPO, "benchmarks", "_window_start.py")],
                                  cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
        lines = [line for line in done.stdout.splitlines() if line.startswith("MARKS ")]
        if not lines:
            raise RuntimeError(f"the window never painted its picture:\n{done.stdout}\n{done.stderr}")
        runs.append(json.loads(lines[-1][len("MARKS "):]))
    for name in runs[0]:
        walls, cpus = [run[name][0] for run in runs], [run[name][1] for run in runs]
        print(f"  {name:44} median {statistics.median(walls):6.3f} ({statistics.median(cpus):5.2f})  "
              f"min {min(walls):6.3f}  max {max(walls):6.3f}")
    for name, label in (("first paint of the main window", "start to first painted window"),
                        ("first paint of the built picture", "start to the built picture painted")):
        wall = statistics.median(run[name][0] for run in runs)
        cpu = statistics.median(run[name][1] for run in runs)
        SUMMARY.append((f"{label}, < 2 s", f"{wall:.2f} s (median of {len(runs)}); CPU {cpu:.2f} s",
                        met(wall, START_S)))
    whole = []
    with tempfile.TemporaryDirectory(prefix="convviz-bench-") as folder:
        out = os.path.join(folder, "shot.png")
        for _ in range(args.starts):
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "main.py", "--screenshot", out], cwd=REPO,
                                  env=child_env(folder), capture_output=True, text=True, timeout=120)
            whole.append(time.perf_counter() - start)
            if done.returncode or not os.path.getsize(out):
                raise RuntimeError(f"main.py --screenshot failed:\n{done.stderr}")
    print(f"  {'python main.py --screenshot OUT.png, whole':44} median {statistics.median(whole):6.3f}          "
          f"min {min(whole):6.3f}  max {max(whole):6.3f}")
    SUMMARY.append(("python main.py --screenshot, whole process (reported)",
                    f"{statistics.median(whole):.2f} s (median of {len(whole)})", "-"))


# ----------------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=300, help="frames timed per mode (default 300)")
    parser.add_argument("--changes", type=int, default=20, help="parameter changes timed per case (default 20)")
    parser.add_argument("--starts", type=int, default=5, help="fresh processes started (default 5)")
    parser.add_argument("--play-seconds", type=float, default=3.0, help="seconds of real playing (default 3)")
    parser.add_argument("--only", default="frames,change,start", help="sections to run (default all three)")
    parser.add_argument("--paint", choices=("events", "repaint"), default="events",
                        help="a frame's paint: the event loop's paint of what changed (default), or a "
                             "forced repaint() of the scene's viewport")
    parser.add_argument("--side-tab", type=int, default=0, help="the side panel shown: 0 groups (the "
                        "default on a first start), 1 im2col (redrawn every frame), 2 two roads")
    parser.add_argument("--no-torch-check", action="store_true",
                        help="build without the comparison with torch (the app always checks)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sections = set(args.only.split(","))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    print(f"convviz window benchmark: Qt platform {app.platformName()}, PySide6 {PySide6.__version__}, "
          f"pyqtgraph {pg.__version__}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}")
    if sections & {"frames", "change"}:
        store = tempfile.NamedTemporaryFile(prefix="convviz-bench-", suffix=".ini", delete=False).name
        window = MainWindow(settings=Settings(QSettings(store, QSettings.IniFormat)),
                            check_with_torch=not args.no_torch_check)
        window.side_tabs.setCurrentIndex(args.side_tab)
        window.show()
        app.processEvents()
        if not args.no_torch_check:  # as the app does once torch is in: freeze what start made
            wait_until(app, lambda: window.last_check is not None, timeout=60)
        freeze_what_start_made()
        watch = PaintWatch(window.scene.viewport())
        print(f"window {window.width()}x{window.height()}, scene viewport {window.scene.viewport().width()}x"
              f"{window.scene.viewport().height()}, side tab {window.side_tabs.tabText(args.side_tab)!r}; "
              f"a frame's paint: {args.paint}; compared with torch: {not args.no_torch_check}")
        try:
            if "frames" in sections:
                rng = np.random.default_rng(args.seed)
                for mode in ("forward", "backward"):
                    time_frames(app, window, watch, mode, args, rng)
            if "change" in sections:
                change_section(app, window, watch, args)
        finally:
            window.close()
            app.processEvents()
            os.unlink(store)
    if "start" in sections:
        start_section(args)
    print(f"\nsummary (load average now {os.getloadavg()[0]:.2f})")
    for target, result, verdict in SUMMARY:
        print(f"  {target:72} {result:58} {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
