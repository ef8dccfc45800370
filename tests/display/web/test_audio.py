"""Announcement audio: the call's phrase from the clip set, rendered once, cached."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from display.announcer import DEFAULT_CLIP_DIR, ClipSet, call_phrase, render_announcement
from display.web import EXTENSION
from hub.app import create_app
from tests.conftest import close_app
from tests.display.web.livehub import FAST_DISPLAY, Caller, add_accounts, settings_for, write_config


def _get(app: Any, path: str, **kwargs: Any) -> tuple[int, str, bytes, dict[str, str]]:
    with app.test_client().get(path, **kwargs) as answer:  # closes the file it sent
        return answer.status_code, answer.mimetype, answer.data, dict(answer.headers)


def test_call_audio_is_the_configured_phrase_from_the_clip_set(app: Any, caller: Caller) -> None:
    """GIVEN the template "Số {number}" without chime and a call of B001 to counter 2
    WHEN a screen fetches /display/audio/<seq>.wav
    THEN it gets exactly the announcer's WAV of "Số bê một"."""
    call = caller.call("2", "tu-phap")
    status, mimetype, data, _ = _get(app, f"/display/audio/{call['seq']}.wav")
    assert status == 200
    assert mimetype == "audio/wav"
    phrase = call_phrase(call["number"], "2", FAST_DISPLAY["template"])
    assert phrase == "Số bê một"
    assert data == render_announcement(phrase, ClipSet.load(DEFAULT_CLIP_DIR), chime=False)


def test_audio_is_rendered_once_and_a_recall_reuses_it(
    app: Any, caller: Caller, tmp_path: Path
) -> None:
    """GIVEN a call, fetched once by a screen
    WHEN a second screen fetches it, the counter recalls the number (a new seq), and a
    screen revalidates its copy with the ETag
    THEN one file was rendered into <data>/audio and served three times; the
    revalidation answers 304."""
    call = caller.call("1", "dat-dai")
    first = _get(app, f"/display/audio/{call['seq']}.wav")
    second = _get(app, f"/display/audio/{call['seq']}.wav")
    caller._post("/counters/1/recall", caller.staff("1"))
    recall = caller.hub.views.snapshot(recent=1)["recent"][-1]
    assert recall["recall"] is True and recall["seq"] == call["seq"] + 1
    third = _get(app, f"/display/audio/{recall['seq']}.wav")
    assert first[0] == second[0] == third[0] == 200
    assert first[2] == second[2] == third[2]
    cache = app.extensions[EXTENSION].cache
    assert (cache.misses, cache.hits) == (1, 2)
    assert len(list((tmp_path / "audio").glob("*.wav"))) == 1
    etag = first[3]["ETag"]
    status, _, _, _ = _get(
        app, f"/display/audio/{call['seq']}.wav", headers={"If-None-Match": etag}
    )
    assert status == 304


def test_unknown_call_audio_is_404(app: Any, caller: Caller) -> None:
    """GIVEN one call (seq 1)
    WHEN a screen asks for the audio of seq 0 and seq 2
    THEN both answer 404 with the JSON error code unknown_seq."""
    caller.call("1", "dat-dai")
    for seq in (0, 2):
        status, mimetype, data, _ = _get(app, f"/display/audio/{seq}.wav")
        assert (status, mimetype) == (404, "application/json")
        assert b'"unknown_seq"' in data


def test_call_audio_of_a_number_past_any_seq_is_404(app: Any, caller: Caller) -> None:
    """GIVEN one call WHEN a screen (or anyone: no token) asks for the audio of a seq past
    what the database's integers hold THEN 404 unknown_seq (SQLite's integer overflowed:
    a 500; PostgreSQL's bigint too)."""
    caller.call("1", "dat-dai")
    for seq in (2**53, 2**63, 99999999999999999999999):
        status, mimetype, data, _ = _get(app, f"/display/audio/{seq}.wav")
        assert (status, mimetype) == (404, "application/json")
        assert b'"unknown_seq"' in data


def test_broken_clip_set_gives_503_and_the_page_still_works(tmp_path: Path) -> None:
    """GIVEN a config whose clip_dir does not exist
    WHEN a screen fetches a call's audio, then the page
    THEN the audio answers 503 audio_unavailable (the screen shows the call anyway) and
    the page still loads."""
    config = write_config(tmp_path, clip_dir="no-such-clips", **FAST_DISPLAY)
    app = create_app(settings_for(config, tmp_path))
    try:
        call = Caller(app, add_accounts(app, counters=())).call("1", "dat-dai")
        status, _, data, _ = _get(app, f"/display/audio/{call['seq']}.wav")
        assert status == 503
        assert b'"audio_unavailable"' in data
        assert _get(app, "/display")[0] == 200
    finally:
        close_app(app)
