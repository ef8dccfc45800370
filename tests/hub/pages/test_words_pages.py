"""The staff and admin pages, rendered, use the glossary's names: "mã nhận dạng" for a
fingerprint, "Máy lấy số" for the kiosk, "Màn hình gọi số" for the screens."""

from __future__ import annotations

import re

from hub.tls import CA_CERT, fingerprint
from tests.hub.pages.test_tls import tls_app, tls_folder

__all__ = ["tls_app", "tls_folder"]

TEXT = re.compile(r"<[^>]+>")


def _text(html: str) -> str:
    return " ".join(TEXT.sub(" ", html).split())


def test_the_trust_page_names_the_fingerprint_and_the_kiosk(tls_app, tls_folder) -> None:
    """GIVEN a hub with TLS WHEN /tls is rendered in Vietnamese THEN the CA's digest is
    the "Mã nhận dạng SHA-256", the kiosk is "máy lấy số", and neither "dấu vân tay" nor
    "kiosk" is written in a Vietnamese sentence."""
    html = tls_app.test_client().get("/tls", base_url="https://hub.local").get_data(as_text=True)
    text = _text(html)
    digest = fingerprint((tls_folder / CA_CERT).read_text())

    assert f"Mã nhận dạng SHA-256 {digest}" in text
    assert "hãy so mã nhận dạng này" in text
    assert "Màn hình gọi số và máy lấy số" in text and "TV và máy lấy số" in text
    assert "dấu vân tay" not in text.lower()
    assert " kiosk " not in f" {text} "


def test_the_device_page_names_each_kind_once(hub, browser) -> None:
    """GIVEN an admin WHEN they register a kiosk THEN the token card says only its
    "mã nhận dạng" is kept, and the kinds read "Máy lấy số" and "Màn hình gọi số"."""
    admin = browser("quantri", "admin")
    html = admin.post("/admin/devices", {"name": "kiosk-sanh", "kind": "kiosk"}).get_data(
        as_text=True
    )
    text = _text(html)

    assert "hệ thống chỉ lưu mã nhận dạng của mã này" in text
    assert re.search(r'<option value="kiosk"[^>]*>Máy lấy số</option>', html)
    assert re.search(r'<option value="display"[^>]*>Màn hình gọi số</option>', html)
    assert "Máy lấy số, thiết bị đánh giá, màn hình gọi số và bàn phím quầy" in text
    assert "Máy cấp số" not in text and "Thiết bị hiển thị" not in text
