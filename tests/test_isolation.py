"""No test reads or writes the home of whoever runs them (conftest's autouse ``isolated_home``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import platformdirs
from click.testing import CliRunner
from conftest import REAL_HOME

from trelloplan.cli import main
from trelloplan.lock import default_lock_folder
from trelloplan.sandbox import Sandbox
from trelloplan.store import default_store_path


def test_home_and_the_xdg_folders_are_a_fresh_temporary_folder(isolated_home: Path) -> None:
    assert Path.home() == isolated_home and not isolated_home.resolve().is_relative_to(REAL_HOME)
    for folder in (platformdirs.user_cache_dir("trelloplan"), platformdirs.user_config_dir("trelloplan"),
                   platformdirs.user_data_dir("trelloplan"), platformdirs.user_state_dir("trelloplan")):
        assert Path(folder).is_relative_to(isolated_home), folder
    assert not any(name.startswith(("TRELLO_", "TRELLOPLAN_")) for name in os.environ)


def test_the_default_store_and_locks_land_in_the_test_home(isolated_home: Path, sandbox: Sandbox) -> None:
    board = CliRunner().invoke(main, ["apply", "tests/plans/cassette-plan.yaml", "--yes", "--state",
                                      str(isolated_home / "plan.state.json")], env=sandbox.env())
    assert board.exit_code == 0, board.output
    board_id = sandbox.state.db.all("SELECT id FROM boards")[0]["id"]
    pulled = CliRunner().invoke(main, ["pull", "--board", board_id], env=sandbox.env())
    assert pulled.exit_code == 0, pulled.output
    store = default_store_path(board_id)
    assert store.is_file() and store.is_relative_to(isolated_home)
    assert default_lock_folder().is_relative_to(isolated_home)
    assert not (REAL_HOME / ".cache" / "trelloplan" / "boards" / f"{board_id}.sqlite").exists()


def test_a_subprocess_sees_the_test_home_too(isolated_home: Path) -> None:
    code = "import platformdirs, pathlib; print(pathlib.Path.home()); print(platformdirs.user_cache_dir('trelloplan'))"
    home, cache = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert Path(home) == isolated_home and Path(cache).is_relative_to(isolated_home)
