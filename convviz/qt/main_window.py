"""The main window: the scene in the middle with the player under it, the controls on the left,
the groups / im2col / two-roads panels on the right, menus, shortcuts, drag and drop, settings.

It only wires: the document owns the spec and builds, the player owns time, the scene and panels
draw. Closing stops the timer and waits for a build in progress.
"""

from __future__ import annotations

import html
import os
import sys

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QActionGroup, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from convviz.data.picture import SUPPORTED_SUFFIXES, PictureError, sample_names
from convviz.state.scene_file import PANELS, SavedScene, SceneError, lesson_paths, read_scene, write_scene
from convviz.state.torch_check import TorchCheck

from ..scene import palette
from ..scene.scene_base import SceneBase
from ..scene.scenes import scene_class
from ..scene.palette import OK, PALETTE_NAMES, STALE
from .controls import ControlPanel
from .document import Document
from .export_dialog import export_animation_dialog, export_picture
from .i18n import add_language_menu, current_language
from .painted import PaintReporter
from .player import Player
from .player_bar import PlayerBar
from .receptive_field_view import ReceptiveFieldView
from .settings import Settings
from .side_panels import CodePanel, GroupsPanel, Im2colPanel, RoadsPanel
from .training import TrainingView


def tr(text: str) -> str:
    # pyside6-lupdate files a free function's tr("...") under the empty context.
    return QCoreApplication.translate("", text)


def badge_html(check: TorchCheck | None) -> str:
    """The sentence under the header saying whether the screen equals PyTorch."""
    # The strings are outside the f-strings: pyside6-lupdate does not look inside them.
    if check is None:
        return '<span style="color:#6b6b6b">' + tr("checking against PyTorch…") + "</span>"
    if not check.available:
        return '<span style="color:#6b6b6b">' + tr("unchecked: %1").replace("%1", check.reason) + "</span>"
    if check.agree:
        reference = check.reference.replace(" and autograd", tr(" and autograd"))  # built in convviz.state, in English
        same, largest = tr("equals %1 for these arrays").replace("%1", reference), tr("largest difference")
        return f'<span style="color:{OK}">✔ {same} ({largest} {check.max_difference:.1e})</span>'
    differs = tr("differs from PyTorch")
    return f'<span style="color:{STALE}">✘ {differs}: {check.reason}</span>'


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings | None = None, check_with_torch: bool = True, parent=None):
        super().__init__(parent)
        self.setWindowTitle(tr("convviz — convolution made visible"))
        self.setAcceptDrops(True)
        self.settings = settings or Settings()
        self.document = Document(parent=self, check_with_torch=check_with_torch)
        self.document.message.connect(self.show_error)
        # The lessons' language: the interface's (View > Language, or the system's; convviz.qt.i18n).
        self.language = current_language()
        palette.use(self.settings.palette())
        self.presenter = False
        self.closed = False  # set by closeEvent: nothing is drawn any more
        self.player = Player(self)
        self.player.set_speed(self.settings.speed())
        self.last_check: TorchCheck | None = None

        # One scene per kind of operation, made when first needed; ``self.scene`` is the one on show.
        self.scene_stack = QStackedWidget()
        self._scenes: dict[type, SceneBase] = {}
        self.document.builder.wait_for_paint = True  # each check starts once its picture is painted
        self._paint_reporter = PaintReporter(self)
        self.scene = self._scene_for("conv")
        self.player_bar = PlayerBar(self.player)
        visualizer = QWidget()
        column = QVBoxLayout(visualizer)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.scene_stack, 1)
        column.addWidget(self.player_bar)
        # The pages of the window: the visualizer, and the live training view beside it.
        self.pages = QTabWidget()
        self.pages.setDocumentMode(True)
        self.pages.addTab(visualizer, self.tr("Visualizer"))
        self.visualizer_page = visualizer
        self.training = TrainingView()
        # Scrollable, so that the training page never makes the window wider than a laptop screen.
        training_page = QScrollArea()
        training_page.setWidgetResizable(True)
        training_page.setFrameShape(QScrollArea.NoFrame)
        training_page.setWidget(self.training)
        self.pages.addTab(training_page, self.tr("Training"))
        # A stack of layers' receptive field, drawn on the visualizer's picture.
        self.receptive_field = ReceptiveFieldView()
        self._restore_receptive_field()
        self.pages.addTab(self.receptive_field, self.tr("Receptive field"))
        self._receptive_field_picture = None  # the picture the page draws
        self.document.pictureChanged.connect(self._show_picture_in_receptive_field)
        self._show_picture_in_receptive_field(self.document.picture)
        self.training.openInVisualizer.connect(
            lambda args, label: (self.document.show_arrays(args, label), self.pages.setCurrentWidget(visualizer)))
        self.setCentralWidget(self.pages)

        self.controls = ControlPanel(self.document)
        self._dock(self.tr("Parameters"), self.controls, Qt.LeftDockWidgetArea, "parameters")
        self.side_tabs = QTabWidget()
        self.groups_panel, self.im2col_panel, self.roads_panel = GroupsPanel(), Im2colPanel(), RoadsPanel()
        self.side_tabs.addTab(self.groups_panel, self.tr("Groups"))
        self.side_tabs.addTab(self.im2col_panel, self.tr("im2col"))
        self.side_tabs.addTab(self.roads_panel, self.tr("Two roads to ∂L/∂x"))
        self.code_panel = CodePanel()
        self.side_tabs.addTab(self.code_panel, self.tr("PyTorch code"))
        more = self._dock(self.tr("More views"), self.side_tabs, Qt.RightDockWidgetArea, "more")
        parameters = self.findChild(QDockWidget, "parameters")
        self.resizeDocks([parameters, more], [350, 270], Qt.Horizontal)
        self.lesson_text = QTextBrowser()
        self.lesson_dock = self._dock(self.tr("Lesson"), self.lesson_text, Qt.LeftDockWidgetArea, "lesson")
        self.lesson_dock.hide()
        self._pending_frame = None
        self.status = QLabel()
        self._hover_in_status = ""  # the hover text the status bar shows, if it shows one
        self.statusBar().addWidget(self.status, 1)

        self.document.builtChanged.connect(self._show_built)
        self.document.staleChanged.connect(lambda stale: None if self.closed else self.scene.set_stale(stale))
        self.document.torchChecked.connect(self._show_check)
        self.player.frameChanged.connect(self._show_frame)
        self.player.speedChanged.connect(self.settings.set_speed)
        self.pages.currentChanged.connect(self._page_changed)
        self._docks_on_visualizer: list[QDockWidget] = []
        self._menus()
        self._shortcuts()
        self.resize(1400, 900)
        self.restoreGeometry(self.settings.geometry())
        self.restoreState(self.settings.window_state())
        saved = self.settings.spec()
        if saved is not None:
            self.document.restore(saved)
        else:
            self.document.restore(self.document.spec)

    def _restore_receptive_field(self) -> None:
        state = self.settings.receptive_field()
        if state is None:
            return
        try:
            self.receptive_field.restore_state(state)
        except ValueError as error:  # an older or hand-edited file: said, and the default stack kept
            print(f"convviz: ignoring the saved receptive-field stack ({error})", file=sys.stderr)

    def _show_picture_in_receptive_field(self, picture) -> None:
        # pictureChanged comes with every edit (the working size may have changed); the page
        # draws the picture itself, so it redraws only for another picture.
        if self.closed or picture is self._receptive_field_picture:
            return
        self._receptive_field_picture = picture
        pixels = picture.pixels
        self.receptive_field.set_image(pixels[..., 0] if picture.was_gray else pixels)

    def _scene_for(self, operation: str) -> SceneBase:
        """The scene that draws ``operation`` (``Built.operation``), made and wired the first time."""
        cls = scene_class(operation)
        if cls not in self._scenes:
            scene = self._scenes[cls] = cls()
            scene.hovered.connect(self._show_hover)
            self._paint_reporter.watch(scene)
            if scene.math is not None:  # the panels stay put as the math's line count changes
                scene.math.grow_only = True
            if self.presenter:
                scene.set_text_scale(1.7)
            self.scene_stack.addWidget(scene)
        return self._scenes[cls]

    def _dock(self, title: str, widget: QWidget, area, name: str) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    # ------------------------------------------------------------------------------------------
    def _menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        self.open_action = file_menu.addAction(self.tr("&Open image…"), QKeySequence.Open, self.open_dialog)
        self.recent_menu = file_menu.addMenu(self.tr("Open &recent"))
        self._fill_recent(self.settings.recent())
        samples = file_menu.addMenu(self.tr("&Samples"))
        for name in sample_names():
            samples.addAction(self.tr(name), lambda checked=False, n=name: self.document.open_sample(n))
        file_menu.addSeparator()
        self.export_animation_action = file_menu.addAction(self.tr("Export &animation…"),
                                                           lambda: export_animation_dialog(self))
        self.export_picture_action = file_menu.addAction(self.tr("Export &picture…"), lambda: export_picture(self))
        file_menu.addSeparator()
        file_menu.addAction(self.tr("Open &scene…"), self.open_scene_dialog)
        file_menu.addAction(self.tr("Sa&ve scene…"), QKeySequence.Save, self.save_scene_dialog)
        file_menu.addSeparator()
        file_menu.addAction(self.tr("&Quit"), QKeySequence.Quit, self.close)
        lessons = bar.addMenu(self.tr("&Lessons"))
        self.lesson_actions = []
        for path in lesson_paths():
            try:
                lesson = read_scene(path)
            except SceneError as error:  # a broken file in the install: said, not fatal
                print(f"convviz: {error}", file=sys.stderr)
                continue
            action = lessons.addAction(lesson.title_in(self.language),
                                       lambda checked=False, p=str(path): self.open_scene(p))
            self.lesson_actions.append(action)
        edit = bar.addMenu(self.tr("&Edit"))
        undo = self.document.undo_stack.createUndoAction(self, self.tr("&Undo"))
        undo.setShortcut(QKeySequence.Undo)
        redo = self.document.undo_stack.createRedoAction(self, self.tr("&Redo"))
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence.Redo])
        edit.addAction(undo)
        edit.addAction(redo)
        self.undo_action, self.redo_action = undo, redo
        view = bar.addMenu(self.tr("&View"))
        for dock in self.findChildren(QDockWidget):
            view.addAction(dock.toggleViewAction())
        view.addSeparator()
        self.presenter_action = view.addAction(self.tr("&Presenter mode"))
        self.presenter_action.setCheckable(True)
        self.presenter_action.setShortcut(QKeySequence("F11"))
        self.presenter_action.toggled.connect(self.set_presenter_mode)
        self.language_actions = add_language_menu(self, view)
        palettes = view.addMenu(self.tr("P&alette"))
        group = QActionGroup(self)
        self.palette_actions = {}
        for name, title in PALETTE_NAMES.items():
            action = palettes.addAction(self.tr(title))
            action.setCheckable(True)
            action.setChecked(name == palette.current_palette)
            action.triggered.connect(lambda checked=False, n=name: self.set_palette(n))
            group.addAction(action)
            self.palette_actions[name] = action

    def _shortcuts(self) -> None:
        keys = {
            "Space": self.player.toggle, "Right": lambda: self.player.step(1), "Left": lambda: self.player.step(-1),
            "Shift+Right": self.player.next_phase, "Shift+Left": self.player.previous_phase,
            "Home": self.player.home, "End": self.player.end, "+": self.player.faster, "=": self.player.faster,
            "-": self.player.slower,
            # A presenter's clicker sends Page Up / Page Down.
            "PgDown": lambda: self.player.step(1), "PgUp": lambda: self.player.step(-1),
        }
        self.shortcuts = {}
        for key, slot in keys.items():
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(lambda slot=slot: self._on_visualizer(slot))
            self.shortcuts[key] = shortcut

        leave = QShortcut(QKeySequence("Esc"), self)
        leave.activated.connect(lambda: self.presenter_action.setChecked(False))

    def set_presenter_mode(self, on: bool) -> None:
        """Full screen, the side panels out of the way, every text of the scene 1.7 times larger."""
        if self.presenter_action.isChecked() != on:
            self.presenter_action.setChecked(on)  # calls back here through toggled
            return
        docks = self.findChildren(QDockWidget)
        if on:
            self._docks_before = [dock for dock in docks if dock.isVisible()]
            for dock in docks:
                dock.hide()
            self.menuBar().hide()
            self.showFullScreen()
            for scene in self._scenes.values():
                scene.set_text_scale(1.7)
            self.player_bar.setStyleSheet("font-size: 15pt;")
        else:
            for dock in getattr(self, "_docks_before", docks):
                dock.show()
            self.menuBar().show()
            self.showNormal()
            for scene in self._scenes.values():
                scene.set_text_scale(1.0)
            self.player_bar.setStyleSheet("")
        self.presenter = on

    def set_palette(self, name: str) -> None:
        palette.use(name)
        self.palette_actions[name].setChecked(True)
        self.settings.set_palette(name)
        if self.document.built is not None:
            self.scene.show_built(self.document.built)
            self._show_frame(self.player.frame)

    def _page_changed(self, index: int) -> None:
        """The visualizer's docks belong to the visualizer: the training page gets the whole window."""
        docks = self.findChildren(QDockWidget)
        if self.pages.widget(index) is self.visualizer_page:
            for dock in self._docks_on_visualizer:
                dock.show()
        else:
            shown = [dock for dock in docks if dock.isVisible()]
            if shown:
                self._docks_on_visualizer = shown
            for dock in docks:
                dock.hide()

    def _on_visualizer(self, slot) -> None:
        """The player's keys act only while the visualizer is the page on show."""
        if self.pages.currentWidget() is self.visualizer_page:
            slot()

    def _fill_recent(self, paths) -> None:
        self.recent_menu.clear()
        for path in paths:
            self.recent_menu.addAction(path, lambda checked=False, p=path: self.open_path(p))
        self.recent_menu.setEnabled(bool(paths))

    # ------------------------------------------------------------------------------------------
    def open_dialog(self) -> None:
        patterns = " ".join(f"*{suffix}" for suffix in SUPPORTED_SUFFIXES)
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open an image"), "",
                                              self.tr("Images (%1)").replace("%1", patterns))
        if path:
            self.open_path(path)

    def open_path(self, path: str) -> bool:
        if self.document.open_image(path):
            self._fill_recent(self.settings.add_recent(os.path.abspath(path)))
            self.show_message(self.tr("Opened %1").replace("%1", path))
            return True
        return False

    # ------------------------------------------------------------------------------------------
    # Scenes and lessons

    def open_scene_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open a scene"), "", self.tr("convviz scenes (*.json)"))
        if path:
            self.open_scene(path)

    def save_scene_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the scene"), "scene.json",
                                              self.tr("convviz scenes (*.json)"))
        if path:
            self.save_scene(path)

    def open_scene(self, path: str) -> bool:
        """Show the saved scene at ``path``; a broken or newer file is refused, the state kept."""
        try:
            scene = read_scene(path)
            self.document.check_picture(scene.spec.image)
        except (SceneError, PictureError) as error:
            self.show_error(str(error))
            return False
        self._pending_frame = scene.frame
        self.document.propose(scene.spec)
        if scene.panel:
            self.side_tabs.setCurrentIndex(PANELS.index(scene.panel))
            self.findChild(QDockWidget, "more").show()
        text = scene.text_in(self.language)
        self.lesson_text.setHtml(f"<h3>{html.escape(scene.title_in(self.language))}</h3><p>{html.escape(text)}</p>"
                                 if text else "")
        self.lesson_dock.setVisible(bool(text))
        if self.document.built is not None and self.document.built.spec == scene.spec and not self.document.stale:
            self.player.seek(self._pending_frame)  # nothing to build: the same spec is on screen
            self._pending_frame = None
        self.show_message(self.tr("Opened the scene %1").replace("%1", path))
        return True

    def save_scene(self, path: str) -> bool:
        scene = SavedScene(self.document.spec, self.player.frame, PANELS[self.side_tabs.currentIndex()])
        try:
            write_scene(path, scene)
        except OSError as error:
            self.show_error(self.tr("cannot save the scene to %1: %2").replace("%1", path)
                              .replace("%2", error.strerror or str(error)))
            return False
        self.show_message(self.tr("Saved the scene to %1").replace("%1", path))
        return True

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        urls = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if urls:
            self.open_path(urls[0])

    def show_message(self, text: str, error: bool = False) -> None:
        """A line in the status bar; a problem in red (in any language, so said by the caller)."""
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {STALE};" if error else "")

    def show_error(self, text: str) -> None:
        self.show_message(text, error=True)

    # ------------------------------------------------------------------------------------------
    def _show_built(self, built) -> None:
        if self.closed:
            return
        trace = built.trace
        scene = self._scene_for(built.operation)
        self.scene.hover(None, None)  # the text under the mouse was about the old numbers
        if scene is not self.scene:
            self.scene = scene
            self.scene_stack.setCurrentWidget(scene)
            scene.set_stale(self.document.stale)
        self.scene.show_built(built)
        self.last_check = None
        self.scene.set_badge(badge_html(None) if self.document.builder.check_with_torch else "")
        self.groups_panel.show_built(built)
        self.im2col_panel.show_built(built)
        self.roads_panel.show_built(built)
        self.code_panel.show_built(built)
        # Every view holds the new trace before the player moves (its frame may not exist in the
        # old one), and the bar reads the player's frame. set_trace always emits frameChanged, so
        # the frame is drawn once, by _show_frame.
        self.player.set_trace(len(trace), [phase.first for phase in trace.phases])
        self.player_bar.set_trace(trace)
        if self._pending_frame is not None:  # a scene asked for this frame
            self.player.seek(min(self._pending_frame, len(trace) - 1))
            self._pending_frame = None
        if not built.label:  # a training run's arrays are not the user's parameters
            self.settings.set_spec(built.spec)
        if not self.scene.isVisible() or self.isMinimized():  # no paint will come: check now
            self.document.builder.painted(built.generation)

    def _show_frame(self, index: int) -> None:
        if self.closed or self.document.built is None or not len(self.document.built.trace):
            return
        self.scene.show_frame(index)
        self.im2col_panel.show_frame(index)

    def _show_check(self, check: TorchCheck) -> None:
        if self.closed:
            return
        self.last_check = check
        self.scene.set_badge(badge_html(check))

    def _show_hover(self, text: str) -> None:
        """What is under the mouse, in the status bar and the tooltip; nothing under it (or a new
        build, whose numbers the old text no longer describes) clears both, but not a message."""
        if text:
            self.status.setStyleSheet("")
            self.status.setText(text)
            self._hover_in_status = text
        elif self.status.text() == self._hover_in_status:
            self.status.setText("")
        self.scene.setToolTip(text)

    def closeEvent(self, event) -> None:
        self.player.pause()
        self.settings.set_window(self.saveGeometry(), self.saveState())
        self.settings.set_speed(self.player.speed)
        self.settings.set_receptive_field(self.receptive_field.state())
        # The last spec that ran: a window reopened on an invalid one would have nothing to show.
        built = self.document.built
        self.settings.set_spec(built.spec if built is not None and not built.label else self.document.spec)
        self.settings.sync()
        self.document.shutdown()
        self._stop_drawing()
        super().closeEvent(event)

    def _stop_drawing(self) -> None:
        """From here on a build, a check or a picture still on its way is dropped: the window is
        closing, and its views are about to go."""
        self.closed = True
