"""Tests for tlcore/visualize: every function renders a real picture from small real inputs
(the shipped MNIST digits), read back with Pillow and checked for size and non-blankness."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("matplotlib")
from PIL import Image  # noqa: E402

import tlcore as tl  # noqa: E402
from tlcore.cli import main  # noqa: E402
from tlcore.utils import TrainingHistory  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    """(64, 28, 28) float32 test digits in [0, 1] and their labels."""
    X = tl.files.load_mnist_dataset(shape=(-1, 28, 28))
    return X[4][:64], X[5][:64]


def picture(path, min_size=(100, 100)):
    """The PNG as an array, after checking it is at least ``min_size`` and not blank."""
    with Image.open(path) as im:
        assert im.format == "PNG"
        assert im.size[0] >= min_size[0] and im.size[1] >= min_size[1], im.size
        pixels = np.asarray(im.convert("L"), dtype=np.float64)
    assert pixels.std() > 10, f"{path} looks blank (pixel std {pixels.std():.2f})"
    return pixels


def test_import_tlcore_and_tl_vis_do_not_import_matplotlib_or_tensorflow():
    code = ("import sys, tlcore as tl; assert tl.vis is tl.visualize; tl.vis.W; "
            "bad = [m for m in ('matplotlib', 'PIL', 'tensorflow', 'sklearn') if m in sys.modules]"
            "; assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_W_tiles_every_column_of_a_first_layer(tmp_path, digits):
    X, _ = digits
    weights = X[:25].reshape(25, 784).T  # real strokes as 25 "features"
    path = tl.vis.W(weights, second=0, saveable=True, shape=[28, 28], name=str(tmp_path / "w1"))
    assert path == str(tmp_path / "w1.png")
    pixels = picture(path, (200, 200))
    assert tl.visualize.draw_weights is tl.visualize.W
    # 5x5 tiles of 28 px with 1 px white gaps: a gap column is white from top to bottom
    assert pixels.shape[1] > 5 * 28


def test_W_with_saveable_false_returns_a_figure_and_writes_nothing(tmp_path, monkeypatch, digits):
    monkeypatch.chdir(tmp_path)
    fig = tl.vis.W(digits[0][:4].reshape(4, 784).T, saveable=False)
    assert type(fig).__name__ == "Figure"
    assert list(tmp_path.iterdir()) == []


def test_no_function_touches_pyplot_unless_show_is_asked(tmp_path, digits):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.close("all")
    tl.vis.images2d(digits[0][:4], saveable=False)
    tl.vis.frame(digits[0][0], name=str(tmp_path / "f"))
    _history().plot(tmp_path / "c")
    assert plt.get_fignums() == []  # off-screen figures only: no window, no pyplot state


def test_W_rejects_a_tile_shape_that_does_not_match(tmp_path):
    with pytest.raises(ValueError, match=r"tl.visualize.W: shape \[10, 10\] must have 784 pixels"
                                         r".*received 100"):
        tl.vis.W(np.ones((784, 3)), shape=[10, 10], name=str(tmp_path / "w"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("channels", [1, 3])
def test_CNN2d_draws_grey_and_colour_filters(tmp_path, digits, channels):
    X, _ = digits
    patches = X[:16, 10:15, 10:15]  # 16 real 5x5 patches as filters
    filters = np.repeat(np.moveaxis(patches, 0, -1)[:, :, None, :], channels, axis=2)
    filters[:, :, -1] *= np.linspace(0.2, 1.0, 16)  # colour filters differ per channel
    picture(tl.vis.CNN2d(filters, name=str(tmp_path / "cnn")))


def test_CNN2d_rejects_filters_it_cannot_show(tmp_path):
    with pytest.raises(ValueError, match=r"1 or 3 in_channels, received shape \(5, 5, 64, 8\)"):
        tl.vis.CNN2d(np.ones((5, 5, 64, 8)), name=str(tmp_path / "c"))


def test_images2d_draws_a_batch(tmp_path, digits):
    X, _ = digits
    picture(tl.vis.images2d(X[:36, :, :, None], name=str(tmp_path / "digits.png")))
    standardized = (X[:9, :, :, None].repeat(3, axis=3) - 0.5) * 4
    picture(tl.vis.images2d(standardized, name=str(tmp_path / "rgb")))


def test_frame_draws_one_image(tmp_path, digits):
    picture(tl.vis.frame(digits[0][0], cmap="gray", name=str(tmp_path / "frame")))


def test_tsne_embedding_maps_labelled_points(tmp_path, digits):
    X, y = digits
    vocab = {i: f"d{int(label)}" for i, label in enumerate(y)}
    path = tl.vis.tsne_embedding(X[:40].reshape(40, -1), vocab, plot_only=40, saveable=True,
                                 name=str(tmp_path / "tsne"))
    picture(path, (400, 400))


def test_tsne_embedding_needs_a_few_points():
    with pytest.raises(ValueError, match="at least 4 embeddings"):
        tl.vis.tsne_embedding(np.ones((3, 2)), ["a", "b", "c"])


def test_missing_matplotlib_gives_an_install_hint(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"tl.visualize.frame needs matplotlib.*pip install"):
        tl.vis.frame(np.eye(4), name=str(tmp_path / "f"))


def test_save_image_and_read_image_round_trip(tmp_path, digits):
    digit = digits[0][0]
    path = tl.vis.save_image(digit[:, :, None], str(tmp_path / "digit.png"))
    back = tl.vis.read_image("digit.png", str(tmp_path))
    np.testing.assert_array_equal(back, np.rint(digit * 255).astype(np.uint8))
    picture(path, (28, 28))
    assert [a.shape for a in tl.vis.read_images(["digit.png"] * 3, str(tmp_path),
                                                n_threads=2, printable=False)] == [(28, 28)] * 3


def test_read_image_names_a_file_that_is_not_an_image(tmp_path):
    (tmp_path / "notes.png").write_text("not a picture")
    with pytest.raises(ValueError, match=r"notes.png.*not an image"):
        tl.vis.read_image(str(tmp_path / "notes.png"))


def test_save_images_lays_out_a_grid(tmp_path, digits):
    X, _ = digits
    path = tl.vis.save_images(X[:6], [2, 3], str(tmp_path / "grid.png"))
    grid = picture(path, (84, 56))
    assert grid.shape == (56, 84)
    np.testing.assert_array_equal(grid[28:, 28:56], np.rint(X[4] * 255))  # row 1, column 1
    with pytest.raises(ValueError, match="7 images do not fit a 2x3 grid"):
        tl.vis.save_images(X[:7], [2, 3], str(tmp_path / "no.png"))
    assert not (tmp_path / "no.png").exists()


def test_draw_boxes_and_labels_draws_green_boxes(tmp_path, digits):
    image = np.repeat(digits[0][0][:, :, None], 3, axis=2)
    image = np.kron(image, np.ones((4, 4, 1)))  # 112 x 112
    out = tl.vis.draw_boxes_and_labels_to_image(
        image, [1], [[0.5, 0.5, 0.5, 0.5]], [0.9], ["zero", "one"], is_center=True,
        is_rescale=True, save_name=str(tmp_path / "boxes.png"))
    assert out.shape == (112, 112, 3) and out.dtype == np.uint8
    np.testing.assert_array_equal(out[56, 28], [0, 255, 0])  # left edge at x = 0.25 * 112
    picture(tmp_path / "boxes.png", (112, 112))
    with pytest.raises(ValueError, match=r"class ids \[5\]"):
        tl.vis.draw_boxes_and_labels_to_image(image, [5], [[0, 0, 1, 1]], [], ["a"])


def _history():
    h = TrainingHistory()
    for epoch in range(1, 6):
        evaluated = epoch in (1, 3, 5)
        h.append(epoch=epoch, time=0.1, train_loss=1.0 / epoch,
                 val_loss=1.2 / epoch if evaluated else None,
                 val_acc=0.8 + 0.03 * epoch if evaluated else None)
    return h


def test_training_history_plot(tmp_path):
    path = _history().plot(tmp_path / "curves")
    assert path == str(tmp_path / "curves.png")
    picture(path, (500, 300))  # two panels: loss and acc


def test_training_curves_groups_train_and_validation_of_every_metric():
    data = {"epochs": [1, 2, 3], "times": [0.1, 0.1, 0.1], "train_loss": [3.0, 2.0, 1.0],
            "val_loss": [3.5, None, 1.5], "train_acc": [None, None, None],
            "metrics": {"train_top5": [0.5, 0.6, 0.7], "val_top5": [0.4, 0.5, 0.6]}}
    fig = tl.vis.training_curves(data, saveable=False)
    panels = {ax.get_title(): sorted(t.get_text() for t in ax.get_legend().get_texts())
              for ax in fig.axes}
    # times is not a curve; an all-None series draws nothing; named metrics get their panel
    assert panels == {"loss": ["train", "validation"], "top5": ["train", "validation"]}
    val_loss = [line for line in fig.axes[0].lines if line.get_label() == "validation"][0]
    assert list(val_loss.get_xdata()) == [1.0, 3.0]  # the unevaluated epoch is skipped


def test_training_curves_rejects_an_empty_history(tmp_path):
    with pytest.raises(ValueError, match="nothing to draw"):
        TrainingHistory().plot(tmp_path / "empty.png")
    assert list(tmp_path.iterdir()) == []


def test_curves_heatmap_and_image_rows(tmp_path, digits):
    X, _ = digits
    picture(tl.vis.curves({"reward": [1, 3, None, 6, 8], "mean": [1, 2, 2, 3, 4]},
                          title="reward", name=str(tmp_path / "reward")))
    attention = np.abs(X[0][6:12, 6:14])
    picture(tl.vis.heatmap(attention, list("abcdefgh"), list("uvwxyz"),
                           name=str(tmp_path / "attention")))
    with pytest.raises(ValueError, match="x_labels must have 8 entries.*received 2"):
        tl.vis.heatmap(attention, ["a", "b"], name=str(tmp_path / "bad"))
    picture(tl.vis.image_rows([X[:8], 1 - X[:8]], ["digits", "inverse"],
                              name=str(tmp_path / "rows")), (300, 100))


def test_cli_plot_draws_a_saved_history(tmp_path, capsys):
    _history().save(tmp_path / "history.json")
    assert main(["plot", str(tmp_path / "history.json"), "-o", str(tmp_path / "c.png")]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "c.png")
    picture(tmp_path / "c.png", (500, 300))


def test_cli_plot_explains_a_file_that_is_not_a_history(tmp_path, capsys):
    (tmp_path / "x.json").write_text(json.dumps([1, 2]))
    assert main(["plot", str(tmp_path / "x.json")]) == 2
    assert "is not a training history" in capsys.readouterr().err
    assert main(["plot", str(tmp_path / "missing.json")]) == 2
    assert "cannot read history" in capsys.readouterr().err


def test_pictures_are_written_atomically_with_the_usual_file_mode(tmp_path):
    import os

    umask = os.umask(0o022)
    try:
        path = tl.vis.frame(np.eye(8), name=str(tmp_path / "f"))
    finally:
        os.umask(umask)
    assert os.stat(path).st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["f.png"]  # no temporary file left
