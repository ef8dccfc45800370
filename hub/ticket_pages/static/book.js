/* Remote-ticket form (/book): POST /api/v1/bookings, then open the ticket's status page. */
(function () {
  "use strict";

  var page = JSON.parse(document.body.getAttribute("data-page"));
  var form = document.getElementById("book-form");
  var error = document.getElementById("book-error");
  var submit = document.getElementById("book-submit");

  function fail(message) {
    error.textContent = message;
    error.hidden = false;
    error.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    error.hidden = true;
    var service = form.querySelector("input[name=service]:checked");
    var phone = document.getElementById("phone").value.trim();
    if (!service) { fail("Vui lòng chọn lĩnh vực."); return; }
    if (phone.replace(/\D/g, "").length < 9) { fail("Vui lòng nhập số điện thoại di động."); return; }
    submit.disabled = true;
    fetch(page.api, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-Booking-Token": page.token
      },
      body: JSON.stringify({ service: service.value, phone: phone })
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (r.status === 201 && data.id) {
          window.location.assign("/t/" + encodeURIComponent(data.id));
          return;
        }
        var err = data.error || {};
        if (err.code === "booking_token_expired" || err.code === "unauthorized") {
          window.location.reload();
          return;
        }
        fail(err.message || "Không lấy được số, vui lòng thử lại.");
        submit.disabled = false;
      });
    }).catch(function () {
      fail("Không kết nối được tới Trung tâm, vui lòng thử lại.");
      submit.disabled = false;
    });
  });
})();
