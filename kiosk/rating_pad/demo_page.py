# ruff: noqa: E501 - the page's small CSS and script are embedded as long lines below
"""The page of ``motcua demo``'s rating pads: each counter's buttons and LEDs.

A WSGI app on 127.0.0.1 (see :mod:`kiosk.rating_pad.demo`): it shows what the
agent's LEDs show, presses its fake buttons, and has a «Phục vụ xong» button per
counter. That button completes the number really being served at the counter, as
the officer's «Hoàn thành» would (the hub's completion, through its API, by the
demo officer who opened the counter), so the pad then invites a rating for that
very ticket. It never issues or calls a number: with nothing being served it says
so.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from typing import Any

import requests
from werkzeug.wrappers import Request, Response

from config.rating_pad import LEVELS
from config.schema import Config
from config.wire import ErrorCode
from kiosk.kit import favicon
from kiosk.rating_pad.loop import RatingPad

__all__ = ["NOTHING_SERVED", "PadPage"]

logger = logging.getLogger(__name__)

NOTHING_SERVED = "Quầy chưa phục vụ số nào"
"""What «Phục vụ xong» says when the counter serves no number."""
HUB_UNREACHABLE = "Không kết nối được với hub demo"


class PadPage:
    """A WSGI app: the fake buttons page, its script, the pad state and presses.

    Args:
        config: The demo centre's configuration (levels' labels, counters' names).
        agent: The running pad agent, whose fake buttons the page presses.
        base_url: The demo hub.
        officers: ``(username, password, display name)`` of the demo accounts that
            may have opened a counter: «Phục vụ xong» acts as the one who did.
    """

    def __init__(
        self,
        config: Config,
        agent: RatingPad,
        base_url: str,
        officers: Sequence[tuple[str, str, str]],
    ) -> None:
        self.config = config
        self.agent = agent
        self.api = f"{base_url.rstrip('/')}/api/v1"
        self.officers = {name: (user, password) for user, password, name in officers}
        self._tokens: dict[str, str] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        response = self.route(request)
        response.headers["Content-Security-Policy"] = "default-src 'self'; style-src 'self'"
        return response(environ, start_response)

    def route(self, request: Request) -> Response:
        """The answer to one request of the page."""
        if request.path == "/" and request.method == "GET":
            return Response(PAGE, mimetype="text/html")
        if request.path == "/pad.js":
            return Response(SCRIPT, mimetype="text/javascript")
        if request.path == "/pad.css":
            return Response(STYLE, mimetype="text/css")
        if request.path in ("/favicon.svg", "/favicon.ico"):
            return self._icon(request.path)
        if request.path == "/state":
            return self._json(self.state())
        if request.path == "/press" and request.method == "POST":
            body = request.get_json(silent=True) or {}
            pad = self.agent.pads.get(str(body.get("counter")))
            if pad is None or body.get("button") not in LEVELS:
                return self._json({"error": "unknown counter or button"}, 400)
            pad.panel.press(body["button"])  # type: ignore[attr-defined]
            return self._json({"ok": True})
        if request.path == "/serve" and request.method == "POST":
            body = request.get_json(silent=True)
            counter = body.get("counter") if isinstance(body, dict) else None
            return self._json(self.serve(str(counter)))
        return self._json({"error": "not found"}, 404)

    @staticmethod
    def _icon(path: str) -> Response:
        svg = path.endswith(".svg")
        data = (favicon.ICON_DIR / (favicon.SVG if svg else favicon.PNG)).read_bytes()
        response = Response(data, mimetype="image/svg+xml" if svg else "image/png")
        response.cache_control.max_age = favicon.MAX_AGE_S
        return response

    @staticmethod
    def _json(data: Any, status: int = 200) -> Response:
        return Response(json.dumps(data, ensure_ascii=False), status, mimetype="application/json")

    def state(self) -> dict[str, Any]:
        """What the page draws: the levels, each counter's LEDs, the outbox's size."""
        levels = {lv.id: lv.label for lv in self.config.ratings.levels}
        names = {c.id: c.name for c in self.config.counters}
        return {
            "levels": [{"id": lv, "label": levels.get(lv, lv)} for lv in LEVELS],
            "counters": [
                {"id": c, "name": names.get(c, c), "leds": leds}
                for c, leds in self.agent.led_states().items()
            ],
            "outbox": self.agent.outbox.count(),
        }

    def serve(self, counter: str) -> dict[str, Any]:
        """Complete the number being served at ``counter``: ``{ok, message, number?}``."""
        if self.config.counter(counter) is None:
            return {"ok": False, "message": "Không có quầy này"}
        try:
            return self._complete_current(counter)
        except (requests.RequestException, ValueError, KeyError, TypeError) as err:
            logger.warning("the demo pad page could not complete at counter %s: %s", counter, err)
            return {"ok": False, "message": HUB_UNREACHABLE}

    def _complete_current(self, counter: str) -> dict[str, Any]:
        views = requests.get(f"{self.api}/counters", timeout=5).json()
        view = next((v for v in views if v["id"] == counter), None)
        current = view.get("current") if view else None
        if not current:
            return {"ok": False, "message": NOTHING_SERVED}
        officer = self.officers.get(str(view.get("staff")))
        if officer is None:  # opened by an account the demo does not know the password of
            return {
                "ok": False,
                "message": f"Số {current['number']} do cán bộ ngoài demo phục vụ: "
                "hãy bấm «Hoàn thành» ở bàn làm việc cán bộ.",
            }
        answer = self._as_officer(officer, f"{self.api}/counters/{counter}/complete")
        if answer.ok:
            number = answer.json()["number"]
            return {"ok": True, "number": number, "message": f"Số {number} đã hoàn thành."}
        error = answer.json().get("error", {})
        if error.get("code") in (ErrorCode.NO_CURRENT_TICKET, ErrorCode.COUNTER_CLOSED):
            return {"ok": False, "message": NOTHING_SERVED}
        return {"ok": False, "message": str(error.get("message") or HUB_UNREACHABLE)}

    def _as_officer(self, officer: tuple[str, str], url: str) -> requests.Response:
        """POST ``url`` as ``officer``, logging in (again) when needed."""
        user, password = officer
        for fresh in (False, True):
            with self._lock:
                token = None if fresh else self._tokens.get(user)
            if token is None:
                login = requests.post(
                    f"{self.api}/auth/login",
                    json={"username": user, "password": password},
                    timeout=5,
                )
                login.raise_for_status()
                token = str(login.json()["token"])
                with self._lock:
                    self._tokens[user] = token
            answer = requests.post(url, headers={"Authorization": f"Bearer {token}"}, timeout=5)
            if answer.status_code != 401:
                return answer
        return answer


PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Nút đánh giá (demo)</title><link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/pad.css">
<script src="/pad.js" defer></script></head>
<body><h1>Đánh giá mức độ hài lòng <small>thiết bị giả lập · demo</small></h1>
<p class="hint">1. Gọi một số ở bàn làm việc cán bộ (/counter), rồi bấm «Phục vụ xong» để hoàn thành số đang phục vụ tại quầy (đèn nhấp nháy mời đánh giá).
2. Bấm một mức đánh giá. Sau «Không hài lòng», hai nút còn lại chọn lý do trong 10 giây.</p>
<div id="pads"></div><p class="foot">Hàng đợi gửi (outbox): <b id="outbox">0</b></p></body></html>
"""

STYLE = """
body{font-family:"Be Vietnam Pro","DejaVu Sans",sans-serif;background:#f3f5f9;margin:0;padding:20px;color:#1b2430}
h1{font-size:20px;color:#12355b}h1 small{font-size:12px;color:#667085;font-weight:400}
.hint{color:#667085;font-size:13px;max-width:760px}
#pads{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:16px}
.pad{background:#fff;border-radius:14px;padding:16px;box-shadow:0 1px 3px rgba(16,24,40,.1)}
.pad h2{margin:0 0 12px;font-size:16px;display:flex;justify-content:space-between;align-items:center}
.serve{font:inherit;font-size:12px;border:1px solid #cfe7e7;background:#eef6f6;color:#0b6466;border-radius:8px;padding:4px 10px;cursor:pointer}
.msg{margin:-4px 0 10px;font-size:13px;min-height:18px}.msg.ok{color:#0b6466}.msg.no{color:#b42318}
.buttons{display:flex;gap:10px}
.btn{flex:1;border:none;border-radius:12px;padding:14px 6px;font:inherit;font-weight:600;font-size:13px;color:#fff;cursor:pointer;position:relative}
.btn.very_satisfied{background:#2a9d5c}.btn.satisfied{background:#8cc152}.btn.unsatisfied{background:#d1495b}
.led{display:block;width:14px;height:14px;border-radius:50%;margin:0 auto 8px;background:#2b2f36;border:2px solid rgba(255,255,255,.6)}
.led.invite{animation:blink 2s infinite}.led.page_2,.led.page_3,.led.page_4{animation:blink .6s infinite}.led.thank_you{animation:blink .3s 3;background:#fff}
@keyframes blink{0%,49%{background:#fff9c4;box-shadow:0 0 10px #fff59d}50%,100%{background:#2b2f36}}
.foot{color:#667085;font-size:12px}
"""

SCRIPT = """
(function(){
  function post(url, body){return fetch(url,{method:"POST",headers:{"Content-Type":"application/json"},body:JSON.stringify(body)});}
  function draw(s){
    var box=document.getElementById("pads");
    if(!box.dataset.built){
      s.counters.forEach(function(c){
        var card=document.createElement("div");card.className="pad";
        var h=document.createElement("h2");h.textContent=c.name;
        var sv=document.createElement("button");sv.className="serve";sv.textContent="Phục vụ xong";
        var msg=document.createElement("p");msg.className="msg";msg.id="msg-"+c.id;msg.setAttribute("role","status");
        sv.addEventListener("click",function(){post("/serve",{counter:c.id}).then(function(r){return r.json();}).then(function(a){msg.textContent=a.message;msg.className="msg "+(a.ok?"ok":"no");}).catch(function(){msg.textContent="Không kết nối được";msg.className="msg no";});});
        h.appendChild(sv);card.appendChild(h);card.appendChild(msg);
        var row=document.createElement("div");row.className="buttons";
        s.levels.forEach(function(l){
          var b=document.createElement("button");b.className="btn "+l.id;
          var led=document.createElement("span");led.className="led";led.id="led-"+c.id+"-"+l.id;
          b.appendChild(led);b.appendChild(document.createTextNode(l.label));
          b.addEventListener("click",function(){post("/press",{counter:c.id,button:l.id});});
          row.appendChild(b);
        });
        card.appendChild(row);box.appendChild(card);
      });
      box.dataset.built="1";
    }
    s.counters.forEach(function(c){
      s.levels.forEach(function(l){
        var led=document.getElementById("led-"+c.id+"-"+l.id);
        var st=c.leds[l.id]||"off";
        if(led.dataset.st!==st){led.className="led "+st;led.dataset.st=st;}
      });
    });
    document.getElementById("outbox").textContent=s.outbox;
  }
  function tick(){fetch("/state").then(function(r){return r.json();}).then(draw).catch(function(){});}
  tick();setInterval(tick,400);
})();
"""
