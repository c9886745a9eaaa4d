"""The receptive-field arithmetic (convviz.trace.receptive_field): numbers worked out by hand, and
agreement with a brute force in torch (the gradient of one output pixel is non-zero exactly on
the pixels it reads when every weight is positive)."""

from fractions import Fraction

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from convviz.trace.receptive_field import (PRESETS, SOURCE_INPUT_SIZE, SOURCE_NETWORK, Layer, ReceptiveFieldError,
                                           Rect, field_of, receptive_fields)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_the_source_network_by_hand():
    fields = receptive_fields(SOURCE_NETWORK, SOURCE_INPUT_SIZE)
    # Worked out on paper, layer by layer (n size, j jump, r field, c start; j₀ = r₀ = 1, c₀ = 0):
    # 1 conv 11 s3:     n = ⌊(224−11)/3⌋+1 = 72   j = 1·3 = 3    r = 1 + 10·1 = 11    c = 0 + 5·1 = 5
    # 2 max pool 2:     n = ⌊(72−2)/2⌋+1 = 36     j = 3·2 = 6    r = 11 + 1·3 = 14    c = 5 + 0.5·3 = 6.5
    # 3 conv 5:         n = 36−4 = 32             j = 6          r = 14 + 4·6 = 38    c = 6.5 + 2·6 = 18.5
    # 4 max pool 2:     n = 32/2 = 16             j = 12         r = 38 + 1·6 = 44    c = 18.5 + 0.5·6 = 21.5
    # 5 conv 3 p1:      n = 16+2−3+1 = 16         j = 12         r = 44 + 2·12 = 68   c = 21.5 + (1−1)·12 = 21.5
    # 6 conv 3:         n = 16−2 = 14             j = 12         r = 68 + 2·12 = 92   c = 21.5 + 1·12 = 33.5
    # 7 max pool 2:     n = 14/2 = 7              j = 24         r = 92 + 1·12 = 104  c = 33.5 + 0.5·12 = 39.5
    assert [f.y.size for f in fields] == [72, 36, 32, 16, 16, 14, 7]
    assert [f.y.jump for f in fields] == [3, 6, 6, 12, 12, 12, 24]
    assert [f.y.r for f in fields] == [11, 14, 38, 44, 68, 92, 104]
    assert [f.y.start for f in fields] == [5, 6.5, 18.5, 21.5, 21.5, 33.5, 39.5]
    assert all(f.y == f.x for f in fields)  # square everywhere
    # The 64×7×7 of SOURCE.md: the flatten sees a 7×7 grid.
    assert fields[-1].size == (7, 7)
    # Output (0, 0) is centred at 39.5 and spans 104: rows 39.5 − 51.5 = −12 .. 39.5 + 51.5 = 91, so it
    # reaches 12 rows into layer 5's padding (1 pixel of padding at jump 12).
    first = field_of(SOURCE_NETWORK, 0, 0, SOURCE_INPUT_SIZE)
    assert first.rect == Rect(-12, -12, 91, 91) and first.outside == ("top", "left")
    # Output (6, 6): centre 39.5 + 6·24 = 183.5, rows 132 .. 235, 12 beyond the last row (223).
    last = field_of(SOURCE_NETWORK, 6, 6, SOURCE_INPUT_SIZE)
    assert last.rect == Rect(132, 132, 235, 235) and last.outside == ("bottom", "right")
    middle = field_of(SOURCE_NETWORK, 3, 2, SOURCE_INPUT_SIZE)   # rows 39.5 + 72 ± 51.5, columns 39.5 + 48 ± 51.5
    assert middle.rect == Rect(60, 36, 163, 139) and middle.outside == ()


def test_the_formulas_carry_todays_numbers():
    second = receptive_fields(SOURCE_NETWORK, SOURCE_INPUT_SIZE)[2]   # layer 3, conv 5 after the first pool
    assert second.y.r_formula == "r₃ = r₂ + (k−1)·j₂ = 14 + (5−1)·6 = 38"
    assert second.y.jump_formula == "j₃ = j₂·s = 6·1 = 6"
    assert second.y.start_formula == "c₃ = c₂ + ((k−1)/2 − p)·j₂ = 6.5 + ((5−1)/2 − 0)·6 = 18.5"
    assert second.y.size_formula == "n₃ = ⌊(n₂ + 2p − k)/s⌋ + 1 = ⌊(36 + 2·0 − 5)/1⌋ + 1 = 32"
    dilated = receptive_fields(PRESETS["dilated"])[1]
    assert dilated.formulas("r")[0] == "r₂ = r₁ + (k′−1)·j₁ = 3 + (5−1)·1 = 7, k′ = d·(k−1)+1 = 2·(3−1)+1 = 5"
    assert dilated.y.size_formula is None   # no input size, no output size
    padded = receptive_fields([Layer.conv(3, padding=2)])[0]
    assert padded.y.start_formula == "c₁ = c₀ + ((k−1)/2 − p)·j₀ = 0 + ((3−1)/2 − 2)·1 = −1"


def test_the_small_presets_by_hand():
    two = receptive_fields(PRESETS["two_3x3"], 10)
    # r = 1 + 2 = 3, then 3 + 2·1 = 5; jump stays 1; sizes 10−2 = 8, 8−2 = 6.
    assert [f.r for f in two] == [(3, 3), (5, 5)] and two[-1].jump == (1, 1) and two[-1].size == (6, 6)
    mixed = receptive_fields(PRESETS["conv_pool_conv"], 12)
    # conv 3: r 3, j 1; pool 2: r 3 + 1·1 = 4, j 2; conv 3: r 4 + 2·2 = 8, j 2. Sizes 10, 5, 3.
    assert [f.r for f in mixed] == [(3, 3), (4, 4), (8, 8)]
    assert [f.jump for f in mixed] == [(1, 1), (2, 2), (2, 2)] and mixed[-1].size == (3, 3)
    dilated = receptive_fields(PRESETS["dilated"], 20)
    # spans 3, 5, 9: r = 3, 3 + 4 = 7, 7 + 8 = 15; sizes 18, 14, 6.
    assert [f.r[0] for f in dilated] == [3, 7, 15] and dilated[-1].size == (6, 6)
    assert field_of(PRESETS["dilated"], 0, 0).rect == Rect(0, 0, 14, 14)


def test_rectangular_kernels_keep_their_axes_apart():
    fields = receptive_fields([Layer.conv((1, 5), stride=(2, 1)), Layer.conv((3, 1))], (9, 9))
    # rows: k 1 s 2 then k 3: r 1 then 1 + 2·2 = 5; columns: k 5 then k 1: r 5 then 5.
    assert fields[-1].r == (5, 5) and fields[-1].jump == (2, 1) and fields[-1].size == (3, 5)
    assert field_of([Layer.conv((1, 5), stride=(2, 1)), Layer.conv((3, 1))], 1, 2).rect == Rect(2, 2, 6, 6)


# ----------------------------------------------------------------------------------------------
# Brute force: every layer as a conv2d with ones weights of the layer's geometry (a pooling's
# window is the same set of pixels), the gradient of one output pixel w.r.t. the input.

STACKS = {
    "plain": (Layer.conv(3), Layer.conv(3)),
    "pool": (Layer.conv(3), Layer.max_pool(2), Layer.conv(3)),
    "dilated": (Layer.conv(3), Layer.conv(3, dilation=2), Layer.conv(3, dilation=3)),
    "padded_strided": (Layer.conv(5, stride=2, padding=2), Layer.avg_pool(3, stride=2, padding=1), Layer.conv(3, padding=1)),
    "mixed": (Layer.conv((3, 5), stride=(1, 2), padding=(1, 0), dilation=(2, 1)), Layer.max_pool(2, stride=1),
              Layer.conv(2, stride=3, padding=(0, 1))),
    "even_pool_dilated": (Layer.max_pool(3, stride=2, padding=1, dilation=2), Layer.conv(4, padding=3)),
}


def run_stack(x: torch.Tensor, layers) -> list[torch.Tensor]:
    """Every layer's output, each kept for its gradient."""
    outputs = []
    for layer in layers:
        x = F.conv2d(x, torch.ones(1, 1, *layer.kernel, dtype=x.dtype), stride=layer.stride,
                     padding=layer.padding, dilation=layer.dilation)
        x.retain_grad()
        outputs.append(x)
    return outputs


def support(grad: torch.Tensor) -> Rect | None:
    rows, columns = np.nonzero(grad[0, 0].numpy())
    return None if rows.size == 0 else Rect(rows.min(), columns.min(), rows.max(), columns.max())


@pytest.mark.parametrize("name", STACKS)
def test_output_sizes_match_torch_layers(name):
    layers, size = STACKS[name], (23, 19)
    x = torch.zeros(1, 1, *size)
    for layer, field in zip(layers, receptive_fields(layers, size)):
        if layer.kind == "conv":
            x = F.conv2d(x, torch.ones(1, 1, *layer.kernel), stride=layer.stride, padding=layer.padding,
                         dilation=layer.dilation)
        elif layer.kind == "max_pool":
            x = F.max_pool2d(x, layer.kernel, layer.stride, layer.padding, layer.dilation)
        else:
            x = F.avg_pool2d(x, layer.kernel, layer.stride, layer.padding)
        assert tuple(x.shape[2:]) == field.size


@pytest.mark.parametrize("name", STACKS)
def test_every_output_pixel_reads_what_autograd_says(name):
    """The pixels each output really reads (rows × columns) and the units of every layer it depends on."""
    layers, size = STACKS[name], (23, 19)
    n_out = receptive_fields(layers, size)[-1].size
    for oy in range(n_out[0]):
        for ox in range(n_out[1]):
            x = torch.ones(1, 1, *size, dtype=torch.float64, requires_grad=True)
            outputs = run_stack(x, layers)
            outputs[-1][0, 0, oy, ox].backward()
            field = field_of(layers, oy, ox, size)
            rows, columns = np.nonzero(x.grad[0, 0].numpy())
            assert set(zip(rows.tolist(), columns.tolist())) == {(r, c) for r in field.read_rows
                                                                for c in field.read_columns}, (oy, ox)
            assert support(x.grad) == field.read
            for share, output in zip(field.shares, outputs):
                assert support(output.grad) == share.units, (oy, ox, share.index)


@pytest.mark.parametrize("name", STACKS)
def test_the_rectangles_are_what_a_larger_image_shows(name):
    """On the image itself, padding and dilation hide the field's ends; on an image larger by a
    whole number of jumps on each side, the same output (shifted) and every layer's central unit
    see their whole field, which must be the rectangle, shifted."""
    layers, size = STACKS[name], (23, 19)
    fields = receptive_fields(layers, size)
    jy, jx = fields[-1].jump
    shift = 8  # last-layer outputs: a margin larger than any of these fields
    my, mx = jy * shift, jx * shift
    big = (size[0] + 2 * my, size[1] + 2 * mx)
    for oy, ox in [(0, 0), (fields[-1].size[0] - 1, fields[-1].size[1] - 1), (1, 0)]:
        field = field_of(layers, oy, ox, size)
        for share in field.shares:
            sy, sx = my // fields[share.index - 1].y.jump, mx // fields[share.index - 1].x.jump
            x = torch.ones(1, 1, *big, dtype=torch.float64, requires_grad=True)
            run_stack(x, layers[:share.index])[-1][0, 0, share.unit[0] + sy, share.unit[1] + sx].backward()
            seen = support(x.grad)
            assert Rect(seen.top - my, seen.left - mx, seen.bottom - my, seen.right - mx) == share.rect
        assert field.shares[-1].rect == field.rect


def test_shares_are_nested_and_end_with_the_field():
    field = field_of(SOURCE_NETWORK, 4, 1, SOURCE_INPUT_SIZE)
    for inner, outer in zip(field.shares, field.shares[1:]):
        assert outer.rect.top <= inner.rect.top and inner.rect.bottom <= outer.rect.bottom
        assert outer.rect.left <= inner.rect.left and inner.rect.right <= outer.rect.right
    assert [s.rect.height for s in field.shares] == [11, 14, 38, 44, 68, 92, 104]
    assert field.shares[-1].rect == field.rect


def test_start_and_first_pixel_agree():
    for layers in list(STACKS.values()) + [SOURCE_NETWORK]:
        for f in receptive_fields(layers):
            for axis in (f.y, f.x):
                assert axis.start == axis.first + Fraction(axis.r - 1, 2)


# ----------------------------------------------------------------------------------------------
# Refusals

@pytest.mark.parametrize("make, words", [
    (lambda: Layer("dense", 3), "kind must be one of conv, max_pool, avg_pool"),
    (lambda: Layer.conv(0), "conv kernel must be positive"),
    (lambda: Layer.conv(3, stride=0), "conv stride must be positive"),
    (lambda: Layer.conv(3, padding=-1), "conv padding must be at least 0"),
    (lambda: Layer.conv(3, dilation=(1, 0)), "conv dilation must be positive"),
    (lambda: Layer.max_pool(3, padding=2), "at most half its kernel"),
    (lambda: Layer.avg_pool(2, padding=(0, 2)), "at most half its kernel"),
    (lambda: Layer("avg_pool", 2, 2, 0, 2), "average pooling has no dilation"),
])
def test_bad_layers_are_refused_with_the_rule(make, words):
    with pytest.raises(ValueError, match=words):
        make()


def test_a_layer_given_a_float_is_refused():
    with pytest.raises(TypeError, match="conv kernel must be an int or a pair of ints"):
        Layer.conv(2.5)


def test_a_window_that_no_longer_fits_names_the_layer_and_the_formula():
    with pytest.raises(ReceptiveFieldError) as caught:
        receptive_fields(SOURCE_NETWORK, 40)
    # 40 → ⌊29/3⌋+1 = 10 → 5 → 5−4 = 1 → a 2×2 pool cannot fit 1 row.
    error = caught.value
    assert error.layer == 4 and error.axis == "y"
    assert error.formula == "n₄ = ⌊(n₃ + 2p − k)/s⌋ + 1 = ⌊(1 + 2·0 − 2)/2⌋ + 1 = 0"
    assert "layer 4 (max_pool 2×2) does not fit" in str(error)
    wide = [Layer.conv((1, 7))]
    with pytest.raises(ReceptiveFieldError, match="along x") as caught:
        receptive_fields(wide, (10, 5))
    assert caught.value.layer == 1 and caught.value.axis == "x"


@pytest.mark.parametrize("call, words", [
    (lambda: receptive_fields([]), "at least one layer"),
    (lambda: receptive_fields([Layer.conv(3), "conv 3"]), "layer 2 must be a Layer, got str"),
    (lambda: receptive_fields([Layer.conv(3)], 0), "input_size must be positive"),
    (lambda: field_of([Layer.conv(3)], -1, 0), "two whole numbers ≥ 0"),
    (lambda: field_of([Layer.conv(3)], 0, 1.0), "two whole numbers ≥ 0"),
    (lambda: field_of([Layer.conv(3)], 8, 0, 10), r"output pixel \(8, 0\) is outside the last layer's 8×8 output"),
])
def test_bad_calls_are_refused(call, words):
    with pytest.raises(ReceptiveFieldError, match=words):
        call()


def test_a_pixel_seeing_only_padding_has_no_units_below():
    # A 1×1 conv with padding 2: output 0 reads position −2 only.
    field = field_of([Layer.conv(3), Layer.conv(1, padding=2)], 0, 0, 8)
    # Its field by the arithmetic is layer 1's window there, rows −2..0, but position −2 of layer 1
    # is padding: nothing is read at all.
    assert field.shares[0].units is None and field.rect == Rect(-2, -2, 0, 0)
    assert field.read is None and field.read_rows == () and field.outside == ("top", "left")


def test_layers_round_trip_through_a_dict():
    for layer in SOURCE_NETWORK + PRESETS["dilated"] + STACKS["mixed"]:
        assert Layer.from_dict(layer.as_dict()) == layer
    with pytest.raises(ValueError, match="at least 'kind' and 'kernel'"):
        Layer.from_dict({"kernel": 3})


def test_a_dilated_window_reads_every_other_pixel_of_its_span():
    field = field_of([Layer.conv(3, dilation=2)], 1, 0, 9)
    # span d·(k−1)+1 = 5: rows 1..5 by the arithmetic, but only rows 1, 3, 5 are read.
    assert field.rect == Rect(1, 0, 5, 4)
    assert field.read_rows == (1, 3, 5) and field.read_columns == (0, 2, 4) and field.read == field.rect
