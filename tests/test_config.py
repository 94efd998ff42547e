"""site.toml: every key optional, typos and wrong types named with the file, an explicit --config must exist."""
from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT
from digest.config import ConfigError, load_config


def test_the_shipped_config_and_no_config_both_load(tmp_path):
    shipped = load_config(ROOT / "site.toml", root=ROOT)
    assert shipped.titles["en"] == "Arabic News Digest" and shipped.base_url.endswith("/")
    bare = load_config(root=tmp_path)  # no site.toml there: every default
    assert bare.per_page == 20 and bare.translator.backend == "google" and bare.config_path is None


@pytest.mark.parametrize("text, words", [
    ('[site]\ntitel = "x"\n', ["unknown key 'titel' in [site]", "base_url"]),
    ('[translatr]\nbackend = "none"\n', ["unknown key 'translatr' at the top level", "translator"]),
    ('[site.en]\ntitle = "x"\nsubtitle = "y"\n', ["unknown key 'subtitle' in [site.en]", "description"]),
    ('[site]\ntitel = 1\n[translator]\nbakend = "none"\n', ["'titel' in [site]", "'bakend' in [translator]"]),
    ("site = 3\n", ["[site] should be a table"]),
    ('[site]\nper_page = "ten"\n', ["'per_page' should be int"]),
    ("[site\n", ["not valid TOML"]),
])
def test_mistakes_are_named_with_the_file(tmp_path, text, words):
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, root=tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    for word in words:
        assert word in message, message


def test_an_explicit_config_file_must_exist(tmp_path):
    missing = tmp_path / "sitee.toml"
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(missing, root=tmp_path)
    run = subprocess.run([sys.executable, str(ROOT / "generate.py"), "--config", str(missing), "build", "-q",
                          "--output", str(tmp_path / "out")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and f"{missing}: no such config file" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "out").exists()
