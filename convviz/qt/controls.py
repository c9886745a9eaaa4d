"""The parameter panel: every knob of the spec, and next to each the reason it cannot take a value.

A widget never changes numbers itself: it makes a new spec and proposes it to the document. When
the document's spec changes (an edit, undo, redo, settings), every widget is set from it with its
signals blocked, so a programmatic update never echoes back as an edit.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from convviz.nn.functional import PADDING_MODES
from convviz.state.build import allowed_groups
from convviz.state.kernels import PRESETS
from convviz.state.spec import (
    GRAD_OUTPUT_TEXT,
    KERNEL_RANGE,
    OPERATION_TEXT,
    OUT_CHANNEL_RANGE,
    PAD_RANGE,
    SIZE_RANGE,
    STEP_RANGE,
    ConvSpec,
)

from .kernel_editor import KernelEditor

replace = dataclasses.replace


def spin(low: int, high: int, tip: str = "") -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setKeyboardTracking(False)  # typing "12" is one change, not "1" then "12"
    box.setToolTip(tip)
    return box


def pair_row(first: QWidget, second: QWidget, label_first: str, label_second: str) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for text, widget in ((label_first, first), (label_second, second)):
        layout.addWidget(QLabel(text))
        layout.addWidget(widget, 1)
    return row


class ControlPanel(QScrollArea):
    """All the spec's controls, grouped: image, kernel, geometry, mode."""

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.setWidgetResizable(True)
        body = QWidget()
        self.setWidget(body)
        column = QVBoxLayout(body)
        self.errors: dict[str, QLabel] = {}
        column.addWidget(self._operation_group())
        column.addWidget(self._image_group())
        column.addWidget(self._kernel_group())
        column.addWidget(self._geometry_group())
        column.addWidget(self._mode_group())
        self.general_error = self._error_label("spec")
        column.addWidget(self.general_error)
        column.addStretch(1)
        document.specChanged.connect(self.show_spec)
        document.problemsChanged.connect(self.show_problems)
        document.pictureChanged.connect(self._show_picture)
        self.show_spec(document.spec)
        self.show_problems(document.problems)
        self._show_picture(document.picture)
        # Wide enough for every row: a horizontal scroll bar would hide the right half of the controls.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setMinimumWidth(body.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width() + 4)

    def _error_label(self, field: str) -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        label.setStyleSheet("color: #b00020;")
        label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        label.hide()
        self.errors[field] = label
        return label

    def _row(self, form: QFormLayout, label: str, widget: QWidget, field: str | None = None) -> None:
        form.addRow(label, widget)
        if field is not None:
            form.addRow(self._error_label(field))

    def _hideable_row(self, form: QFormLayout, label: str, widget: QWidget, field: str | None = None) -> QWidget:
        """A row shown only for some operations: its label and its widget hide together."""
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        if label:
            layout.addWidget(QLabel(label))
        layout.addWidget(widget, 1)
        form.addRow(row)
        if field is not None:
            form.addRow(self._error_label(field))
        return row

    # ------------------------------------------------------------------------------------------
    def _operation_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Operation"))
        form = QFormLayout(group)
        self.operation = QComboBox()
        for key, text in OPERATION_TEXT.items():
            self.operation.addItem(self.tr(text), key)
        self.operation.setToolTip(self.tr("What the visualizer plays: a convolution, a pooling, or a transposed "
                                          "convolution"))
        self.operation.currentIndexChanged.connect(
            lambda: self.document.propose(self.document.spec.with_operation(self.operation.currentData())))
        form.addRow(self.tr("Show"), self.operation)
        self.road = QComboBox()
        self.road.addItem(self.tr("scatter x × kernel"), "scatter")
        self.road.addItem(self.tr("direct convolution"), "direct")
        self.road.setToolTip(self.tr("The same output, two ways: each input value times the kernel scattered "
                                     "into the output, or a convolution over the zero-inserted input with the "
                                     "kernel turned 180°"))
        self.road.currentIndexChanged.connect(lambda: self._propose(transposed_road=self.road.currentData()))
        self.road_row = self._hideable_row(form, self.tr("Road"), self.road)
        return group

    def _image_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Image"))
        form = QFormLayout(group)
        self.source = QLabel()
        self.source.setWordWrap(True)
        form.addRow(self.tr("Picture"), self.source)
        self.channels = QComboBox()
        self.channels.addItem(self.tr("1 channel (gray)"), 1)
        self.channels.addItem(self.tr("3 channels (RGB)"), 3)
        self.channels.currentIndexChanged.connect(lambda: self._propose(channels=self.channels.currentData()))
        self._row(form, self.tr("Channels"), self.channels, "channels")
        self.size = spin(*SIZE_RANGE, self.tr("The working image's longer side, 4 to 256 pixels"))
        self.size.valueChanged.connect(lambda v: self._propose(size=v))
        self._row(form, self.tr("Working size"), self.size, "size")
        self.scale = QLabel()
        self.scale.setWordWrap(True)
        self.scale.setStyleSheet("color: #6b6b6b;")
        form.addRow(self.scale)
        return group

    def _kernel_group(self) -> QGroupBox:
        group = self.kernel_group = QGroupBox(self.tr("Kernel"))
        form = QFormLayout(group)
        self.kernel_h = spin(*KERNEL_RANGE, self.tr("Kernel height KH, 1 to 15"))
        self.kernel_w = spin(*KERNEL_RANGE, self.tr("Kernel width KW, 1 to 15"))
        self.kernel_h.valueChanged.connect(lambda v: self._propose(kernel_size=(v, self.document.spec.kernel_size[1])))
        self.kernel_w.valueChanged.connect(lambda v: self._propose(kernel_size=(self.document.spec.kernel_size[0], v)))
        self._row(form, self.tr("Size"), pair_row(self.kernel_h, self.kernel_w, "KH", "KW"), "kernel_size")
        # The weights: a pooling has none, so they hide together.
        self.weights_box = QWidget()
        weights = QFormLayout(self.weights_box)
        weights.setContentsMargins(0, 0, 0, 0)
        self.out_channels = spin(*OUT_CHANNEL_RANGE, self.tr("Output channels: how many filters, 1 to 16"))
        self.out_channels.valueChanged.connect(
            lambda v: self.document.propose(self.document.spec.with_out_channels(v)))
        self._row(weights, self.tr("Filters"), self.out_channels, "out_channels")
        self.preset = QComboBox()
        for name, text in PRESETS.items():
            self.preset.addItem(self.tr(name.replace("_", " ")), name)  # names listed in convviz.qt.i18n
            self.preset.setItemData(self.preset.count() - 1, self.tr(text), Qt.ToolTipRole)
        self.preset.activated.connect(self._apply_preset)
        self.preset_all = QCheckBox(self.tr("all filters"))
        self.preset_all.setToolTip(self.tr("Apply the preset to every filter, not only the one being edited"))
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.preset, 1)
        layout.addWidget(self.preset_all)
        weights.addRow(self.tr("Preset"), row)
        self.seed = spin(0, 2**31 - 1, self.tr("Seed of the random preset"))
        self.seed.valueChanged.connect(lambda v: self._propose(seed=v))
        weights.addRow(self.tr("Random seed"), self.seed)
        self.editor = KernelEditor(self.document)
        weights.addRow(self.editor)
        self.bias = QCheckBox(self.tr("add a bias"))
        self.bias.toggled.connect(lambda on: self._propose(bias=on))
        self.bias_value = QDoubleSpinBox()
        self.bias_value.setRange(-1000.0, 1000.0)
        self.bias_value.setDecimals(3)
        self.bias_value.setSingleStep(0.1)
        self.bias_value.setKeyboardTracking(False)
        self.bias_value.valueChanged.connect(lambda v: self._propose(bias_value=v))
        self._row(weights, self.tr("Bias"), pair_row(self.bias, self.bias_value, "", self.tr("value")), "bias_value")
        form.addRow(self.weights_box)
        return group

    def _geometry_group(self) -> QGroupBox:
        group = self.geometry_group = QGroupBox(self.tr("Stride, padding, dilation, groups"))
        form = QFormLayout(group)
        self.stride_h, self.stride_w = spin(*STEP_RANGE), spin(*STEP_RANGE)
        self.stride_h.valueChanged.connect(lambda v: self._propose(stride=(v, self.document.spec.stride[1])))
        self.stride_w.valueChanged.connect(lambda v: self._propose(stride=(self.document.spec.stride[0], v)))
        self._row(form, self.tr("Stride"), pair_row(self.stride_h, self.stride_w, "↓", "→"), "stride")
        self.padding_choice = QComboBox()
        for key, text in (("numbers", self.tr("numbers")), ("valid", self.tr("valid (none)")),
                          ("same", self.tr("same (keep the size)"))):
            self.padding_choice.addItem(text, key)
        self.padding_choice.currentIndexChanged.connect(self._padding_choice_changed)
        form.addRow(self.tr("Padding"), self.padding_choice)
        self.pad_h, self.pad_w = spin(*PAD_RANGE), spin(*PAD_RANGE)
        self.pad_h.valueChanged.connect(lambda v: self._propose(padding=(v, self.pad_w.value())))
        self.pad_w.valueChanged.connect(lambda v: self._propose(padding=(self.pad_h.value(), v)))
        self._row(form, "", pair_row(self.pad_h, self.pad_w, "↕", "↔"), "padding")
        self.padding_mode = QComboBox()
        for mode in PADDING_MODES:
            self.padding_mode.addItem(mode, mode)
        self.padding_mode.currentIndexChanged.connect(
            lambda: self._propose(padding_mode=self.padding_mode.currentData()))
        self.padding_mode_row = self._hideable_row(form, self.tr("Padding mode"), self.padding_mode, "padding_mode")
        self.dilation_h, self.dilation_w = spin(*STEP_RANGE), spin(*STEP_RANGE)
        self.dilation_h.valueChanged.connect(lambda v: self._propose(dilation=(v, self.document.spec.dilation[1])))
        self.dilation_w.valueChanged.connect(lambda v: self._propose(dilation=(self.document.spec.dilation[0], v)))
        self._row(form, self.tr("Dilation"), pair_row(self.dilation_h, self.dilation_w, "↓", "→"), "dilation")
        self.groups = spin(1, 16, self.tr("Groups split the channels: each filter sees C/groups input channels"))
        self.groups.valueChanged.connect(lambda v: self._propose(groups=v))
        self.groups_hint = QLabel()
        self.groups_hint.setStyleSheet("color: #6b6b6b;")
        self.groups_row = self._hideable_row(form, self.tr("Groups"), pair_row(self.groups, self.groups_hint, "", ""),
                                             "groups")
        self.output_padding_h, self.output_padding_w = spin(0, STEP_RANGE[1] - 1), spin(0, STEP_RANGE[1] - 1)
        self.output_padding_h.valueChanged.connect(
            lambda v: self._propose(output_padding=(v, self.document.spec.output_padding[1])))
        self.output_padding_w.valueChanged.connect(
            lambda v: self._propose(output_padding=(self.document.spec.output_padding[0], v)))
        self.output_padding_h.setToolTip(self.tr("Extra output rows and columns at the bottom and right: "
                                                 "smaller than the stride or the dilation"))
        self.output_padding_row = self._hideable_row(
            form, self.tr("Output padding"), pair_row(self.output_padding_h, self.output_padding_w, "↓", "→"),
            "output_padding")
        self.ceil_mode = QCheckBox(self.tr("ceil mode: round the output size up"))
        self.ceil_mode.setToolTip(self.tr("A last, partial window where the stride does not divide the input"))
        self.ceil_mode.toggled.connect(lambda on: self._propose(ceil_mode=on))
        self.ceil_mode_row = self._hideable_row(form, "", self.ceil_mode)
        self.count_include_pad = QCheckBox(self.tr("padding cells count in the mean"))
        self.count_include_pad.toggled.connect(lambda on: self._propose(count_include_pad=on))
        self.count_include_pad_row = self._hideable_row(form, "", self.count_include_pad)
        return group

    def _mode_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("What to play"))
        form = QFormLayout(group)
        self.mode = QComboBox()
        self.mode.addItem(self.tr("forward"), "forward")
        self.mode.addItem(self.tr("forward and backward"), "backward")
        self.mode.currentIndexChanged.connect(lambda: self._propose(mode=self.mode.currentData()))
        form.addRow(self.tr("Mode"), self.mode)
        form.addRow(self._error_label("mode"))
        self.grad_output = QComboBox()
        for key, text in GRAD_OUTPUT_TEXT.items():
            self.grad_output.addItem(self.tr(text), key)
        self.grad_output.currentIndexChanged.connect(lambda: self._propose(grad_output=self.grad_output.currentData()))
        form.addRow(self.tr("∂L/∂y"), self.grad_output)
        self.grad_seed = spin(0, 2**31 - 1, self.tr("Seed of the random ∂L/∂y"))
        self.grad_seed.valueChanged.connect(lambda v: self._propose(grad_seed=v))
        form.addRow(self.tr("∂L/∂y seed"), self.grad_seed)
        self.granularity = QComboBox()
        self.granularity.addItem(self.tr("one output element"), "output")
        self.granularity.addItem(self.tr("one multiply-add"), "tap")
        self.granularity.currentIndexChanged.connect(lambda: self._propose(granularity=self.granularity.currentData()))
        form.addRow(self.tr("One frame is"), self.granularity)
        self.reset = QPushButton(self.tr("Reset to the default"))
        self.reset.clicked.connect(lambda: self.document.propose(replace(ConvSpec(), image=self.document.spec.image)))
        form.addRow(self.reset)
        return group

    # ------------------------------------------------------------------------------------------
    def _propose(self, **changes) -> None:
        self.document.propose(replace(self.document.spec, **changes))

    def _apply_preset(self) -> None:
        filters = None if self.preset_all.isChecked() else [self.editor.filter]
        self.document.propose(self.document.spec.with_preset(self.preset.currentData(), filters))

    def _padding_choice_changed(self) -> None:
        choice = self.padding_choice.currentData()
        self._propose(padding=(self.pad_h.value(), self.pad_w.value()) if choice == "numbers" else choice)

    def show_spec(self, spec: ConvSpec) -> None:
        widgets = [self.operation, self.road, self.output_padding_h, self.output_padding_w, self.ceil_mode,
                   self.count_include_pad, self.channels, self.size, self.kernel_h, self.kernel_w, self.out_channels, self.preset,
                   self.seed, self.bias, self.bias_value, self.stride_h, self.stride_w, self.padding_choice,
                   self.pad_h, self.pad_w, self.padding_mode, self.dilation_h, self.dilation_w, self.groups,
                   self.mode, self.grad_output, self.grad_seed, self.granularity]
        blockers = [QSignalBlocker(w) for w in widgets]
        self.channels.setCurrentIndex(self.channels.findData(spec.channels))
        self.size.setValue(spec.size)
        self.kernel_h.setValue(spec.kernel_size[0])
        self.kernel_w.setValue(spec.kernel_size[1])
        self.out_channels.setValue(spec.out_channels)
        self.preset.setCurrentIndex(self.preset.findData(spec.presets[min(self.editor.filter, len(spec.presets) - 1)]))
        self.seed.setValue(spec.seed)
        self.bias.setChecked(spec.bias)
        self.bias_value.setValue(spec.bias_value)
        self.bias_value.setEnabled(spec.bias)
        self.stride_h.setValue(spec.stride[0])
        self.stride_w.setValue(spec.stride[1])
        self.padding_choice.setCurrentIndex(self.padding_choice.findData(spec.padding_choice))
        numbers = spec.padding_choice == "numbers"
        if numbers:
            self.pad_h.setValue(spec.padding[0])
            self.pad_w.setValue(spec.padding[1])
        self.pad_h.setEnabled(numbers)
        self.pad_w.setEnabled(numbers)
        self.padding_mode.setCurrentIndex(self.padding_mode.findData(spec.padding_mode))
        self.dilation_h.setValue(spec.dilation[0])
        self.dilation_w.setValue(spec.dilation[1])
        self.groups.setValue(spec.groups)
        allowed = allowed_groups(spec.channels, spec.out_channels)
        self.groups_hint.setText(self.tr("can be %1").replace("%1", ", ".join(map(str, allowed))))
        self.mode.setCurrentIndex(self.mode.findData(spec.mode))
        backward = spec.mode == "backward"
        self.grad_output.setCurrentIndex(self.grad_output.findData(spec.grad_output))
        self.grad_output.setEnabled(backward)
        self.grad_seed.setValue(spec.grad_seed)
        self.grad_seed.setEnabled(backward and spec.grad_output == "random")
        self.granularity.setCurrentIndex(self.granularity.findData(spec.granularity))
        self._show_operation(spec)
        del blockers

    def _show_operation(self, spec: ConvSpec) -> None:
        """Only the controls the spec's operation reads are on show."""
        operation = spec.operation
        self.operation.setCurrentIndex(self.operation.findData(operation))
        transposed, pooling = operation == "conv_transpose", spec.is_pooling
        self.road.setCurrentIndex(self.road.findData(spec.transposed_road))
        self.road_row.setVisible(transposed)
        self.weights_box.setVisible(not pooling)
        self.kernel_group.setTitle(self.tr("Window") if pooling else self.tr("Kernel"))
        self.groups_row.setVisible(not pooling)
        self.geometry_group.setTitle(self.tr("Stride, padding, dilation") if pooling else
                                     self.tr("Stride, padding, dilation, groups"))
        self.padding_mode_row.setVisible(operation == "conv")
        self.output_padding_row.setVisible(transposed)
        self.output_padding_h.setValue(spec.output_padding[0])
        self.output_padding_w.setValue(spec.output_padding[1])
        self.ceil_mode_row.setVisible(pooling)
        self.ceil_mode.setChecked(spec.ceil_mode)
        self.count_include_pad_row.setVisible(operation == "avg_pool")
        self.count_include_pad.setChecked(spec.count_include_pad)
        self.dilation_h.setEnabled(operation != "avg_pool")
        self.dilation_w.setEnabled(operation != "avg_pool")
        # The transposed convolution plays its forward pass (two ways); one frame is one input value.
        backward = self.mode.model().item(1)
        backward.setEnabled(not transposed)
        self.granularity.setEnabled(operation == "conv" or (transposed and spec.transposed_road == "direct"))

    def show_problems(self, problems) -> None:
        by_field: dict[str, list[str]] = {}
        for problem in problems:
            field = problem.field if problem.field in self.errors else "spec"
            by_field.setdefault(field, []).append(problem.message)
        for field, label in self.errors.items():
            messages = by_field.get(field)
            label.setText("\n".join(messages or []))
            label.setVisible(bool(messages))

    def _show_picture(self, picture) -> None:
        spec = self.document.spec
        name = picture.source.split("/")[-1]
        self.source.setText(name)
        self.source.setToolTip(picture.source)
        image = self.document.working_image(spec)
        height, width = image.shape[1:]
        original_h, original_w = picture.original_size
        notes = "; ".join(picture.notes)
        self.scale.setText(self.tr("working image %1×%2 from %3×%4 (scale %5)%6").replace("%1", str(height))
                           .replace("%2", str(width)).replace("%3", str(original_h)).replace("%4", str(original_w))
                           .replace("%5", f"{width / original_w:.3g}").replace("%6", f"; {notes}" if notes else ""))
