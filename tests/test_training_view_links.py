"""The Training view's links to the rest: a paused layer opened in the visualizer (its arrays are
the real pass's slices, and the trace of them equals torch), checkpoints saved and opened (a
broken one refused with the model untouched), a data folder that is not there, the torch
backend greyed out, and the page in the window."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from convviz.nn.functional import conv2d
from convviz.state.build import trace_of
from convviz.train import conv_layer_pass
from convviz.qt.training import form as form_module
from convviz.qt.training.layer_pass import layer_arguments

from test_training_view import WAIT, run_threads, start_and_pause, tiny_data, view  # noqa: F401 (fixtures)


def torch_pass(args):
    """torch's y, ∂L/∂x, ∂L/∂w, ∂L/∂b for the unbatched float64 arrays of ``args``."""
    x = torch.tensor(args.input, requires_grad=True)
    w = torch.tensor(args.weight, requires_grad=True)
    b = torch.tensor(args.bias, requires_grad=True)
    y = torch.nn.functional.conv2d(x, w, b, stride=args.stride, padding=args.padding, dilation=args.dilation)
    y.backward(torch.tensor(args.grad_output))
    return y.detach().numpy(), x.grad.numpy(), w.grad.numpy(), b.grad.numpy()


def trace_answers(args):
    trace = trace_of(args)
    final = trace.state(len(trace) - 1)
    return final["output"], final["grad_input"], final["grad_weight"], final["grad_bias"]


def open_layer(qtbot, view, layer: int, sample: int, channels: tuple[int, int], filters: tuple[int, int]):
    box = view.layer_box
    box.layer.setCurrentIndex(box.layer.findData(layer))
    box.sample.setValue(sample)
    box.channel_first.setValue(channels[0])
    box.channel_count.setValue(channels[1])
    box.filter_first.setValue(filters[0])
    box.filter_count.setValue(filters[1])
    with qtbot.waitSignal(view.openInVisualizer, timeout=WAIT) as opened:
        box.open_button.click()
    return opened.args


def test_open_in_the_visualizer_gives_the_real_pass(qtbot, view):
    assert not view.layer_box.open_button.isEnabled()  # only while paused
    start_and_pause(qtbot, view)  # a few steps in: the weights are no longer the initial ones
    assert view.layer_box.open_button.isEnabled()
    trainer = view.trainer
    args, label = open_layer(qtbot, view, 4, 3, (1, 3), (0, 2))
    real = conv_layer_pass(trainer, 4)  # the next batch, as the job saw it (nothing trained since)
    for array, expected in ((args.input, real.input[3, 1:4]), (args.weight, real.weight[0:2, 1:4]),
                            (args.bias, real.bias[0:2]), (args.grad_output, real.grad_output[3, 0:2])):
        assert array.dtype == np.float64 and array.ndim == expected.ndim
        np.testing.assert_array_equal(array, expected.astype(np.float64))
    assert (args.stride, args.padding, args.groups) == ((1, 1), (0, 0), 1)
    assert label == ("conv2 (layer 4), image 3 of the batch of 16, input channels 1-3 of 16, filters 0-1 of 32, "
                     "all 15×15: y and ∂L/∂x summed over these channels only; ∂L/∂w is this image's share of the batch's")
    for ours, theirs in zip(trace_answers(args), torch_pass(args)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
    view.stop()


def test_a_large_layer_is_cropped_to_a_centred_window(qtbot, view):
    view.start(paused=True)
    qtbot.waitUntil(lambda: view.state == "paused", timeout=WAIT)
    args, label = open_layer(qtbot, view, 0, 0, (0, 3), (0, 2))
    real = conv_layer_pass(view.trainer, 0)  # 64×64 input, 5×5 stride 2 -> 30×30
    assert args.input.shape == (3, 15, 15) and args.grad_output.shape == (2, 6, 6)
    assert "centre 15×15 (outputs 12-17 × 12-17 of 30×30)" in label and "outside it" in label
    np.testing.assert_array_equal(args.input, real.input[0, :, 24:39, 24:39])
    np.testing.assert_array_equal(args.grad_output, real.grad_output[0, 0:2, 12:18, 12:18])
    y, *_ = trace_answers(args)
    layer_y = conv2d(real.input[:1].astype(np.float64), real.weight[:2].astype(np.float64),
                     real.bias[:2].astype(np.float64), stride=2)
    np.testing.assert_allclose(y, layer_y[0, :, 12:18, 12:18], rtol=1e-12, atol=1e-12)  # the layer's own y there
    for ours, theirs in zip(trace_answers(args), torch_pass(args)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
    view.stop()


def test_channels_that_do_not_exist_are_refused():
    class Pass:  # the fields layer_arguments reads, as conv_layer_pass gives them
        input = np.zeros((2, 4, 6, 6), np.float32)
        weight = np.zeros((5, 4, 3, 3), np.float32)
        bias = np.zeros(5, np.float32)
        grad_output = np.zeros((2, 5, 4, 4), np.float32)
        stride, padding, dilation, groups, padding_mode = (1, 1), (0, 0), (1, 1), 1, "zeros"

    with pytest.raises(ValueError, match=r"input channels 3-4 do not exist: the layer has 4 input channels \(0-3\)"):
        layer_arguments(Pass, 0, range(3, 5), range(0, 1), "conv1")
    with pytest.raises(ValueError, match=r"image 2 is not in the batch: it holds images 0-1"):
        layer_arguments(Pass, 2, range(0, 1), range(0, 1), "conv1")


def test_checkpoint_saved_and_opened_continues_the_run(qtbot, view, tmp_path):
    view.start()
    qtbot.waitUntil(lambda: len(view.curves.epochs) >= 2, timeout=WAIT)  # epoch 1 done
    view.pause_button.click()
    qtbot.waitUntil(lambda: view.state == "paused", timeout=WAIT)
    path = tmp_path / "run" / "model.npz"
    view.save_checkpoint(str(path))
    qtbot.waitUntil(lambda: "Saved" in view.message.text(), timeout=WAIT)
    saved, done = view.trainer.model.state_dict(), view.trainer.epochs_done
    view.stop()
    view.open_checkpoint(str(path))  # a new run, paused at the checkpoint
    qtbot.waitUntil(lambda: view.state == "paused", timeout=WAIT)
    assert view.trainer.epochs_done == done and view.curves.epochs == list(range(done + 1))
    assert len(view.curves.batch_x) == 4 * done  # the loss curve of the epochs saved
    for key, value in view.trainer.model.state_dict().items():
        np.testing.assert_array_equal(value, saved[key])
    view.pause_button.click()  # resume: the curves continue
    qtbot.waitUntil(lambda: len(view.curves.epochs) == done + 2, timeout=WAIT)
    assert view.curves.epochs[-1] == done + 1 and view.trainer is not None
    view.stop()


def test_a_broken_checkpoint_is_refused_and_the_model_kept(qtbot, view, tmp_path):
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"PK\x03\x04 not really a zip file")
    view.open_checkpoint(str(broken))  # no run yet: nothing is made
    assert str(broken) in view.message.text() and "not a readable .npz checkpoint" in view.message.text()
    assert view.session is None and view.state == "idle"
    view.start(paused=True)
    qtbot.waitUntil(lambda: view.state == "paused", timeout=WAIT)
    before = view.trainer.model.state_dict()
    view.open_checkpoint(str(broken))
    qtbot.waitUntil(lambda: str(broken) in view.message.text(), timeout=WAIT)
    assert "truncated or corrupt" in view.message.text()
    for key, value in view.trainer.model.state_dict().items():
        np.testing.assert_array_equal(value, before[key])
    assert view.state == "paused"
    view.stop()


def test_a_missing_folder_shows_the_path_and_the_layout(qtbot, view, tmp_path):
    missing = tmp_path / "no-such-dataset"
    view.use_folder(str(missing))
    qtbot.waitUntil(lambda: view.state == "idle", timeout=WAIT)
    text = view.message.text()
    assert str(missing) in text and "training_set" in text and "test_set" in text
    assert view.form.data_source() == "builtin" and view.form.data.findData(str(missing)) < 0
    assert run_threads() == []


def test_the_torch_backend_is_greyed_out_with_the_reason(qtbot, monkeypatch):
    real_torch_choice = form_module.torch_choice
    monkeypatch.setattr(form_module, "torch_choice", lambda: (False, "PyTorch is not installed (test)"))
    run_form = form_module.RunForm()
    qtbot.addWidget(run_form)
    torch_item = run_form.backend.model().item(run_form.backend.findData("torch"))
    assert not torch_item.isEnabled() and run_form.backend.toolTip() == "PyTorch is not installed (test)"
    monkeypatch.setattr(form_module.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(form_module, "torch_available", lambda: (False, "no torch here"))
    assert real_torch_choice() == (False, "no torch here")  # no torch found: torch_available() says why


def test_the_window_opens_a_layer_in_the_visualizer(make_window, qtbot):
    from convviz.qt.training import TrainingView

    window = make_window(check_with_torch=False)
    view = window.findChild(TrainingView)
    assert view is window.training
    titles = [window.pages.tabText(i) for i in range(window.pages.count())]
    window.pages.setCurrentIndex(titles.index("Training"))
    view.form.train_per_class.setValue(16)
    view.form.test_per_class.setValue(4)
    view.start(paused=True)
    qtbot.waitUntil(lambda: view.state == "paused", timeout=WAIT)
    with qtbot.waitSignal(window.document.builtChanged, timeout=WAIT) as built:
        view.layer_box.open_button.click()
    assert window.pages.currentWidget() is window.visualizer_page
    assert built.args[0].label.startswith("conv1 (layer 0), image 0 of the batch of 16, input channels 0-2 of 3")
    window.close()
    assert run_threads() == []


def test_a_checkpoint_opened_into_a_paused_run_replaces_its_weights_and_lr(qtbot, view, tmp_path):
    view.start(paused=True)
    qtbot.waitUntil(lambda: view.state == "paused", timeout=WAIT)
    path = tmp_path / "start.npz"
    view.save_checkpoint(str(path))
    qtbot.waitUntil(lambda: "Saved" in view.message.text(), timeout=WAIT)
    start = view.trainer.model.state_dict()
    view.pause_button.click()  # resume, train a little, pause with another learning rate
    qtbot.waitUntil(lambda: len(view.curves.batch_x) >= 2, timeout=WAIT)
    view.pause_button.click()
    qtbot.waitUntil(lambda: view.state == "paused", timeout=WAIT)
    view.form.lr.setValue(2e-4)
    qtbot.waitUntil(lambda: "Learning rate 0.0002" in view.message.text(), timeout=WAIT)
    view.open_checkpoint(str(path))
    qtbot.waitUntil(lambda: "Continuing from" in view.message.text(), timeout=WAIT)
    assert view.trainer.lr == 5e-4 and view.form.lr.value() == 5e-4 and view.trainer.step_count == 0
    for key, value in view.trainer.model.state_dict().items():
        np.testing.assert_array_equal(value, start[key])
    assert view.curves.batch_x == [] and view.state == "paused"
    view.pause_button.click()  # the run goes on from the checkpoint's first step
    qtbot.waitUntil(lambda: len(view.curves.batch_x) >= 1, timeout=WAIT)
    assert view.curves.batch_x[0] == 0.25
    view.stop()
