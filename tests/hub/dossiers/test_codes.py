"""Checking dossier codes (no database)."""

from __future__ import annotations

import pytest

from config.dossiers import DossierSettings
from hub import errors
from hub.dossiers import clean_codes


def test_codes_are_trimmed_capitalised_and_kept_once_in_order() -> None:
    codes = [
        " 000.00.12.h56-241204-0001 ",
        "000.00.12.H56-241204-0002",
        "000.00.12.H56-241204-0001",
    ]
    assert clean_codes(codes, DossierSettings()) == [
        "000.00.12.H56-241204-0001",
        "000.00.12.H56-241204-0002",
    ]


@pytest.mark.parametrize(
    "code",
    ["", "12345", "000.00.12.H56 241204", "=HYPERLINK(1)", "000.00\n12.H56-241204-0001",
     "Ⅻ.000001", "A" * 41],
)  # fmt: skip
def test_a_code_off_the_pattern_is_invalid_dossier(code) -> None:
    with pytest.raises(errors.BadRequest) as err:
        clean_codes([code], DossierSettings())
    assert err.value.code == "invalid_dossier" and "\n" not in err.value.message


def test_a_centre_pattern_and_the_limit() -> None:
    settings = DossierSettings(pattern=r"^H56\.\d{4}$", max_per_ticket=2)
    assert clean_codes(["h56.0001"], settings) == ["H56.0001"]
    with pytest.raises(errors.BadRequest):
        clean_codes(["000.00.12.H56-241204-0001"], settings)
    with pytest.raises(errors.BadRequest) as err:
        clean_codes(["H56.0001", "H56.0002", "H56.0003"], settings)
    assert err.value.message == "Tối đa 2 mã hồ sơ cho một phiếu"
