"""Vietnamese (and English) wording for what a citizen reads on a ticket.

Pure functions only: no I/O, no clock. Every string follows
``shared/design/glossary.md`` ("phiếu số thứ tự", "trước quý vị còn 5 người",
"thời gian chờ dự kiến: khoảng 15 phút"); dates are ``27/11/2026 14:05`` in the
site's timezone and Vietnamese numbers use ``.`` for thousands.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)

LANGS: tuple[str, ...] = ("vi", "en")
"""Locales the kiosk can print; Vietnamese first, English second."""

PRIORITY_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "elderly": "Người cao tuổi",
        "disabled": "Người khuyết tật",
        "pregnant": "Phụ nữ mang thai",
        "veteran": "Người có công với cách mạng",
        "war_invalid": "Thương binh – bệnh binh",
    }
)
"""Vietnamese label of each priority category the hub sends (glossary terms)."""

PRIORITY_LABELS_EN: Mapping[str, str] = MappingProxyType(
    {
        "elderly": "Elderly",
        "disabled": "Person with a disability",
        "pregnant": "Pregnant woman",
        "veteran": "Person of revolutionary merit",
        "war_invalid": "War invalid",
    }
)
"""English label of each priority category."""

TICKET_LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "vi": MappingProxyType(
            {
                "title": "PHIẾU SỐ THỨ TỰ",
                "field": "Lĩnh vực: {field}",
                "priority": "Ưu tiên: {label}",
                "priority_generic": "Ưu tiên",
                "ahead": "Trước quý vị còn {n} người",
                "next": "Quý vị là người tiếp theo",
                "wait": "Thời gian chờ dự kiến: {wait}",
                "no_open_counter": "Chưa có quầy nào đang mở phục vụ lĩnh vực này",
                "wait_unknown": "chưa xác định",
                "wait_under_minute": "dưới 1 phút",
                "wait_minutes": "khoảng {m} phút",
                "wait_hours": "khoảng {h} giờ",
                "wait_hours_minutes": "khoảng {h} giờ {m} phút",
                "issued": "Thời gian lấy số: {time}",
                "qr_caption": "Quét mã QR để theo dõi số thứ tự của quý vị",
                "footer": "Cảm ơn quý vị đã sử dụng dịch vụ",
            }
        ),
        "en": MappingProxyType(
            {
                "title": "QUEUE TICKET",
                "field": "Field: {field}",
                "priority": "Priority: {label}",
                "priority_generic": "Priority",
                "ahead": "{n} people ahead of you",
                "ahead_one": "1 person ahead of you",
                "next": "You are next",
                "wait": "Estimated wait: {wait}",
                "no_open_counter": "No counter serving this field is open yet",
                "wait_unknown": "not yet known",
                "wait_under_minute": "under 1 min",
                "wait_minutes": "about {m} min",
                "wait_hours": "about {h} h",
                "wait_hours_minutes": "about {h} h {m} min",
                "issued": "Issued: {time}",
                "qr_caption": "Scan the QR code to follow your number",
                "footer": "Thank you for using our service",
            }
        ),
    }
)
"""Every fixed wording of the ticket, per locale. ``{…}`` are ``str.format`` fields."""


def labels(lang: str = "vi") -> Mapping[str, str]:
    """Return the ticket wording for one locale.

    Args:
        lang: ``"vi"`` or ``"en"``.

    Returns:
        A read-only mapping from label key to text.

    Raises:
        ValueError: if ``lang`` is not one of :data:`LANGS`.
    """
    try:
        return TICKET_LABELS[lang]
    except KeyError:
        raise ValueError(f"unsupported language {lang!r}; expected one of {LANGS}") from None


CENTRE_PREFIXES: tuple[str, ...] = (
    "Trung tâm Phục vụ hành chính công",
    "Bộ phận Một cửa",
    "Bộ phận tiếp nhận và trả kết quả",
)
"""Institution names a centre's name usually starts with (glossary)."""


def break_centre_name(name: str) -> str:
    """Put a line break after a known institution prefix, unless one is given.

    "Trung tâm Phục vụ hành chính công xã Tân Phú" →
    "Trung tâm Phục vụ hành chính công\nxã Tân Phú", so a printed name never
    splits "hành chính công" across lines. Matching ignores case and Unicode
    normalisation.

    Args:
        name: The centre's name as configured.
    """
    if "\n" in name:
        return name
    composed = unicodedata.normalize("NFC", " ".join(name.split()))
    folded = composed.casefold()
    for prefix in CENTRE_PREFIXES:
        if folded.startswith(prefix.casefold() + " "):
            return composed[: len(prefix)] + "\n" + composed[len(prefix) + 1 :]
    return name


def format_int(n: int, lang: str = "vi") -> str:
    """Format an integer with thousands separators: ``1234567`` → ``"1.234.567"`` (vi).

    Args:
        n: The number.
        lang: ``"vi"`` uses ``.`` for thousands, ``"en"`` uses ``,``.
    """
    labels(lang)  # validates lang
    grouped = f"{n:,}"
    return grouped.replace(",", ".") if lang == "vi" else grouped


def _round_minutes(seconds: int) -> int:
    """Round seconds to whole minutes, halves up (90 s → 2 min)."""
    return (seconds + 30) // 60


def format_wait(seconds: int | None, lang: str = "vi") -> str:
    """Describe an estimated wait the way a person would say it.

    The hub's estimate is rough, so precision drops as the wait grows: under a
    minute says so; under 10 minutes is to the minute; under an hour to 5
    minutes; beyond that to a quarter of an hour.

    Args:
        seconds: Estimated wait in seconds, or ``None`` when the hub cannot tell.
        lang: ``"vi"`` or ``"en"``.

    Returns:
        e.g. ``"khoảng 15 phút"``, ``"dưới 1 phút"``, ``"khoảng 1 giờ 15 phút"``,
        ``"chưa xác định"``.

    Raises:
        ValueError: if ``seconds`` is negative.
    """
    text = labels(lang)
    if seconds is None:
        return text["wait_unknown"]
    if seconds < 0:
        raise ValueError(f"estimated wait must not be negative, got {seconds}")
    if seconds < 60:
        return text["wait_under_minute"]
    minutes = _round_minutes(seconds)
    if minutes < 10:
        return text["wait_minutes"].format(m=minutes)
    if minutes < 60:
        fives = (minutes + 2) // 5 * 5
        if fives < 60:
            return text["wait_minutes"].format(m=fives)
    quarters = (minutes + 7) // 15 * 15
    hours, rest = divmod(quarters, 60)
    if rest == 0:
        return text["wait_hours"].format(h=format_int(hours, lang))
    return text["wait_hours_minutes"].format(h=format_int(hours, lang), m=rest)


def format_datetime_local(dt_utc: datetime, tz: str) -> str:
    """Format an aware instant as ``"27/11/2026 14:05"`` in the site's timezone.

    Args:
        dt_utc: An aware datetime (normally UTC).
        tz: IANA timezone name, e.g. ``"Asia/Ho_Chi_Minh"``.

    Raises:
        ValueError: if ``dt_utc`` is naive.
        zoneinfo.ZoneInfoNotFoundError: if ``tz`` is unknown.
    """
    if dt_utc.tzinfo is None or dt_utc.utcoffset() is None:
        raise ValueError("issued time must be timezone-aware (UTC)")
    return dt_utc.astimezone(ZoneInfo(tz)).strftime("%d/%m/%Y %H:%M")


def format_people_ahead(n: int, lang: str = "vi") -> str:
    """Say how many people are ahead: ``"Trước quý vị còn 5 người"``, or that you are next.

    Args:
        n: Tickets waiting ahead of this one (0 = next).
        lang: ``"vi"`` or ``"en"``.

    Raises:
        ValueError: if ``n`` is negative.
    """
    text = labels(lang)
    if n < 0:
        raise ValueError(f"people ahead must not be negative, got {n}")
    if n == 0:
        return text["next"]
    if n == 1 and "ahead_one" in text:
        return text["ahead_one"]
    return text["ahead"].format(n=format_int(n, lang))


def priority_label(category: str, lang: str = "vi") -> str:
    """Return the label of a priority category; unknown ones read just "Ưu tiên".

    Args:
        category: The hub's category string, e.g. ``"elderly"``.
        lang: ``"vi"`` or ``"en"``.
    """
    labels(lang)  # validates lang
    table = PRIORITY_LABELS if lang == "vi" else PRIORITY_LABELS_EN
    label = table.get(category)
    if label is None:
        # The hub may add categories before kiosks are updated; still mark the
        # ticket as priority rather than failing the print.
        logger.info("unknown priority category %r printed as generic priority", category)
        return labels(lang)["priority_generic"]
    return label


def priority_line(category: str, lang: str = "vi") -> str:
    """Return the ticket's priority line: ``"Ưu tiên: Người cao tuổi"`` or ``"Ưu tiên"``."""
    text = labels(lang)
    label = priority_label(category, lang)
    if label == text["priority_generic"]:
        return label
    return text["priority"].format(label=label)


def field_line(field: str, lang: str = "vi") -> str:
    """Return ``"Lĩnh vực: <field>"``."""
    return labels(lang)["field"].format(field=field)


def wait_line(seconds: int | None, lang: str = "vi") -> str:
    """Return ``"Thời gian chờ dự kiến: khoảng 15 phút"`` (see :func:`format_wait`)."""
    return labels(lang)["wait"].format(wait=format_wait(seconds, lang))


def wait_or_no_counter_line(seconds: int | None, no_open_counter: bool, lang: str = "vi") -> str:
    """The wait line, or, when no open counter serves the field, a line saying so
    instead of an estimate (there is nothing to estimate)."""
    if no_open_counter:
        return labels(lang)["no_open_counter"]
    return wait_line(seconds, lang)


def issued_line(dt_utc: datetime, tz: str, lang: str = "vi") -> str:
    """Return ``"Thời gian lấy số: 27/11/2026 14:05"`` in the site's timezone."""
    return labels(lang)["issued"].format(time=format_datetime_local(dt_utc, tz))
