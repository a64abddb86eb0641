"""tlcore's logging: a NullHandler in the library, ``show_logs`` for the CLI and scripts."""
from __future__ import annotations

import logging

import pytest

import tlcore as tl
from tlcore import _log


@pytest.fixture
def bare_root(monkeypatch):
    """A root logger without handlers (as in a fresh script), restored afterwards. Cleared
    from the test body, because pytest adds its capture handlers after fixtures run."""
    root = logging.getLogger()
    level = _log.logger.level

    def clear() -> logging.Logger:
        monkeypatch.setattr(root, "handlers", [])
        return root
    yield clear
    _log.logger.setLevel(level)


def test_library_adds_only_a_null_handler():
    assert [type(h) for h in logging.getLogger("tlcore").handlers] == [logging.NullHandler]


def test_show_logs_prints_info_plainly_and_marks_warnings(bare_root, capsys):
    bare_root()
    tl.show_logs()
    _log.logger.info("Instantiate DenseLayer d: 3, identity")
    _log.logger.warning("odd value")
    logging.basicConfig(format="CHANGED:%(message)s")  # a later basicConfig changes nothing
    _log.logger.info("after basicConfig")
    assert capsys.readouterr().err.splitlines() == [
        "Instantiate DenseLayer d: 3, identity", "tlcore: warning: odd value",
        "after basicConfig"]


def test_quiet_shows_warnings_only_but_records_still_reach_other_handlers(bare_root, capsys):
    root = bare_root()
    tl.show_logs("INFO")
    tl.show_logs("WARNING")  # a second call changes the level, adds no second handler
    seen = []
    catcher = logging.Handler()
    catcher.emit = seen.append
    root.addHandler(catcher)
    _log.logger.info("epoch line")
    _log.logger.warning("careful")
    assert capsys.readouterr().err.splitlines() == ["tlcore: warning: careful"]
    assert [r.getMessage() for r in seen] == ["epoch line", "careful"]  # e.g. pytest's caplog


def test_show_logs_leaves_an_applications_handlers_alone(bare_root, capsys):
    root = bare_root()
    app = logging.StreamHandler()
    root.addHandler(app)
    tl.show_logs("INFO")
    assert root.handlers == [app] and _log.logger.level == logging.INFO


def test_show_logs_rejects_unknown_level(bare_root):
    bare_root()
    with pytest.raises(ValueError, match=r"show_logs: unknown level 'LOUD'"):
        tl.show_logs("LOUD")


@pytest.mark.parametrize("flags, shown", [([], ["an info line", "tlcore: warning: a warning"]),
                                          (["--quiet"], ["tlcore: warning: a warning"])])
def test_the_cli_shows_info_lines_unless_quiet(bare_root, capsys, tmp_path, flags, shown):
    from tlcore.cli import main
    from tlcore.plugins import Manifest, registered

    def demo(args) -> int:
        _log.logger.info("an info line")
        _log.logger.warning("a warning")
        return 0

    bare_root()
    with registered(Manifest(examples={"logdemo": demo}), name="logtest"):
        assert main(["run", "logdemo", *flags, "--out", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert [line for line in err.splitlines() if "a warning" in line or "info line" in line] == (
        shown)
    assert out.startswith("logdemo: done in")


def test_tensorlayer_set_verbosity_shows_print_params(bare_root, capsys):
    """A ported script's ``tl.logging.set_verbosity(tl.logging.INFO)`` is enough to see
    ``print_params()``, as with TensorLayer's own handler."""
    bare_root()
    net = tl.layers.DenseLayer(tl.layers.InputLayer([None, 4], name="in"), 3, name="d")
    net.print_params()
    assert "num of params" not in capsys.readouterr().err  # a library logs nowhere by default
    tl.logging.set_verbosity(tl.logging.INFO)
    net.print_params()
    assert "  num of params: 15" in capsys.readouterr().err.splitlines()
