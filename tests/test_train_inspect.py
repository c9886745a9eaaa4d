"""Between steps: the feature maps of one image, and a convolution layer's real backward inputs
for the next batch (checked against torch autograd and against the step that follows)."""

from __future__ import annotations

import numpy as np
import pytest

from convviz import models
from convviz.train import BatchRecord, TrainConfig, Trainer, conv_layer_indices, conv_layer_pass, feature_maps

from test_train_loop import dataset

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.usefixtures("one_torch_thread")


def paused_trainer():
    trainer = Trainer(dataset(48, 16), TrainConfig(epochs=1, batch_size=16, seed=3))
    steps = trainer.steps()
    next(steps)
    return trainer, steps


@pytest.mark.parametrize("layer_index", [0, 4, 8, 11])
def test_a_conv_layers_pass_is_the_real_backward_of_the_next_step(layer_index):
    from convviz.train import torch_sequential

    trainer, steps = paused_trainer()
    before = trainer.model.state_dict()
    found = conv_layer_pass(trainer, layer_index)
    for key, value in trainer.model.state_dict().items():  # nothing moved, not even running statistics
        np.testing.assert_array_equal(value, before[key], err_msg=key)

    twin = torch_sequential(trainer.model).train()
    seen = {}
    twin[layer_index].register_forward_hook(lambda module, inputs, output: seen.update(input=inputs[0], output=output))
    twin[layer_index].register_forward_hook(lambda module, inputs, output: output.retain_grad())
    images, labels = trainer.next_batch()
    loss = torch.nn.functional.binary_cross_entropy(twin(torch.from_numpy(images.copy())), torch.from_numpy(labels))
    loss.backward()
    np.testing.assert_allclose(found.input, seen["input"].detach().numpy(), rtol=1e-4, atol=1e-5)
    scale = np.abs(found.grad_output).max()
    np.testing.assert_allclose(found.grad_output, seen["output"].grad.numpy(), rtol=1e-3, atol=1e-4 * scale)
    np.testing.assert_array_equal(found.weight, trainer.model[layer_index].weight.data)
    assert (found.stride, found.groups, found.padding_mode) == (trainer.model[layer_index].stride, 1, "zeros")
    assert not found.grad_output.flags.writeable

    record = next(steps)
    assert isinstance(record, BatchRecord) and record.loss == pytest.approx(found.loss, rel=1e-6)


def test_only_convolution_layers_can_be_opened():
    trainer, _ = paused_trainer()
    assert conv_layer_indices(trainer.model) == [0, 4, 8, 11]
    with pytest.raises(ValueError, match=r"layer 1 is not a convolution; the Conv2d layers are \[0, 4, 8, 11\]"):
        conv_layer_pass(trainer, 1)


def test_feature_maps_follow_the_layers_in_evaluation_mode():
    trainer, _ = paused_trainer()
    image = trainer.dataset.test.images[0]
    maps = feature_maps(trainer, image)
    assert [shape for _, shape in models.output_shapes(trainer.model, (3, 64, 64))] == [m.shape for _, m in maps]
    assert maps[-1][1][0] == pytest.approx(trainer.evaluate("test").probabilities[0], rel=1e-5)
    assert trainer.model.training
