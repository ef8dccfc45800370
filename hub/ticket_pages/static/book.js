/* Remote-ticket form (/book).
 *
 * Without phone verification: POST /api/v1/bookings, then open the ticket's status
 * page. With it (page.verify): POST /api/v1/bookings/code sends a one-time code to
 * the phone; the field and number are then fixed, and the code goes with the
 * booking. The page's form token books once: a used or stale one reloads the page.
 * The words come from the page (page.t, in the page's language).
 */
(function () {
  "use strict";

  var page = JSON.parse(document.body.getAttribute("data-page"));
  var t = page.t;
  var form = document.getElementById("book-form");
  var error = document.getElementById("book-error");
  var submit = document.getElementById("book-submit");
  var sendCode = document.getElementById("send-code");
  var codeStep = document.getElementById("code-step");
  var RELOAD = ["booking_token_expired", "booking_token_used", "unauthorized"];

  function fail(message) {
    error.textContent = message;
    error.hidden = false;
    error.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  function choice() {
    var service = form.querySelector("input[name=service]:checked");
    var phone = document.getElementById("phone").value.trim();
    if (!service) { fail(t.choose_field); return null; }
    if (phone.replace(/\D/g, "").length < 9) { fail(t.enter_phone); return null; }
    return { service: service.value, phone: phone };
  }

  function post(url, body, button, done) {
    button.disabled = true;
    fetch(url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-Booking-Token": page.token
      },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (r.status === 201 || r.status === 202) { done(data); return; }
        var err = data.error || {};
        if (RELOAD.indexOf(err.code) >= 0) { window.location.reload(); return; }
        fail(err.message || t.failed);
        button.disabled = false;
      });
    }).catch(function () {
      fail(t.offline);
      button.disabled = false;
    });
  }

  if (sendCode) {
    sendCode.addEventListener("click", function () {
      error.hidden = true;
      var wanted = choice();
      if (!wanted) return;
      post(page.code_api, wanted, sendCode, function (data) {
        form.querySelectorAll("input[name=service], #phone").forEach(function (input) {
          input.readOnly = true;
          if (input.type === "radio" && !input.checked) input.disabled = true;
        });
        document.getElementById("code-sent").textContent =
          t.code_sent.replace("%(phone)s", data.sent_to);
        sendCode.hidden = true;
        codeStep.hidden = false;
        document.body.setAttribute("data-step", "code");
        document.getElementById("code").focus();
      });
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    error.hidden = true;
    var wanted = choice();
    if (!wanted) return;
    if (page.verify) {
      if (codeStep.hidden) { sendCode.click(); return; }
      wanted.code = document.getElementById("code").value.replace(/\D/g, "");
      if (!wanted.code) { fail(t.enter_code); return; }
    }
    post(page.api, wanted, submit, function (data) {
      if (data.id) window.location.assign("/t/" + encodeURIComponent(data.id));
    });
  });
})();
