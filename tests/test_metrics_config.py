"""The thresholds file: shipped defaults, partial overrides, waivers, conventions, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from template_noise.config import Convention, Waiver, load_config
from template_noise.errors import InputError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "noise.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_documented_defaults() -> None:
    c = load_config()
    assert (c.min_volume, c.dedup_window_minutes, c.stale_days, c.default_expiry_days) == (
        50, 60, 7, 90,
    )  # fmt: skip
    assert c.flags["duplicates"] == 0.01
    assert c.flags["flooding"] == 10
    assert c.flags["ignored"] == 0.20
    assert c.flags["dismissed_unread"] == 0.30
    assert c.flags["no_expiry"] == 0.90
    assert c.flags["stale"] == 0.05
    assert (c.flags["metadata_invalid"], c.flags["metadata_drift"]) == (0, 0.05)
    assert (c.flags["retry_max_attempts"], c.flags["retry_rate"]) == (5, 0.10)
    assert c.flags["send_failures"] == 0.02
    assert c.checklist == {
        "min_expiry_coverage": 0.90,
        "max_stale_unread_rate": 0.05,
        "max_attempts": 5,
        "max_duplicate_rate": 0.01,
        "max_failure_rate": 0.02,
    }
    assert c.allowed_severities == ("info", "success", "warning", "error")
    assert (c.waivers, dict(c.conventions)) == ((), {})


def test_a_file_overrides_any_subset(tmp_path: Path) -> None:
    c = load_config(write(tmp_path, "stale_days = 3\n[flags]\nignored = 0.1\n"))
    assert (c.stale_days, c.flags["ignored"]) == (3, 0.1)
    assert (c.min_volume, c.flags["duplicates"]) == (50, 0.01)  # the rest stays
    assert c.query_params()["stale_days"] == 3


def test_waivers_and_conventions(tmp_path: Path) -> None:
    c = load_config(
        write(
            tmp_path,
            """
[[waivers]]
template = "Unknown sign-in from {ip}"
flag = "ignored"
reason = "security notice, kept by policy"

[conventions."Webhook endpoint disabled"]
severity = "Warning"
scope = "user"
""",
        )
    )
    assert c.waivers == (
        Waiver("Unknown sign-in from {ip}", "ignored", "security notice, kept by policy"),
    )
    assert c.waiver("Unknown sign-in from {ip}", "ignored") is not None
    assert c.waiver("Unknown sign-in from {ip}", "flooding") is None
    assert c.conventions == {"Webhook endpoint disabled": Convention("warning", "user")}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("min_volum = 5\n", "unknown key 'min_volum'"),
        ("[flags]\nignord = 0.1\n", "unknown key 'flags.ignord'"),
        ("min_volume = 'many'\n", "'min_volume' must be a non-negative integer"),
        ("min_volume = 2.5\n", "'min_volume' must be a non-negative integer"),
        ("[flags]\nignored = -1\n", "'ignored' must be a non-negative number"),
        ("flags = 3\n", "'flags' must be a table"),
        ("[[waivers]]\ntemplate = 'T'\nflag = 'ignored'\n", "'reason' must be a non-empty string"),
        ("[[waivers]]\ntemplate = 'T'\nflag = 'loud'\nreason = 'x'\n", "unknown flag 'loud'"),
        ("[conventions.T]\nscope = 'team'\n", "scope must be one of"),
        ("this is = not toml =\n", "not valid TOML"),
    ],
)
def test_bad_config_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError, match=r"noise\.toml") as e:
        load_config(path)
    assert message in str(e.value)
    assert "\n" not in str(e.value)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such config file"):
        load_config(tmp_path / "nope.toml")
