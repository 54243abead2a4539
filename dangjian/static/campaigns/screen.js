/* The projector page: fetch the current screen code every few seconds (and right after it
   changes), count down to the next one, and show how many have checked in. */
(function () {
  "use strict";
  var root = document.querySelector("[data-screen]");
  if (!root) return;
  var qr = root.querySelector("[data-qr]");
  var count = root.querySelector("[data-checked-in]");
  var countdown = root.querySelector("[data-countdown]");
  var problem = root.querySelector("[data-screen-problem]");
  var POLL_MS = 5000;
  var expiresAt = Date.now() + Number(root.dataset.expiresIn) * 1000;

  function tick() {
    countdown.textContent = Math.max(0, Math.ceil((expiresAt - Date.now()) / 1000));
  }

  function schedule() {
    var untilChange = expiresAt - Date.now() + 300;
    setTimeout(refresh, Math.max(500, Math.min(POLL_MS, untilChange)));
  }

  function refresh() {
    fetch(root.dataset.codeUrl, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        qr.innerHTML = data.svg;
        qr.classList.remove("stale");
        count.textContent = data.checked_in;
        expiresAt = Date.now() + data.expires_in * 1000;
        problem.textContent = "";
      })
      .catch(function () {
        if (Date.now() > expiresAt) qr.classList.add("stale");
        problem.textContent = "无法获取最新二维码（网络中断或登录已过期），正在重试…";
      })
      .then(schedule);
  }

  var fullscreen = document.querySelector("[data-fullscreen]");
  if (fullscreen && document.documentElement.requestFullscreen) {
    fullscreen.addEventListener("click", function () {
      document.documentElement.requestFullscreen();
    });
  } else if (fullscreen) {
    fullscreen.hidden = true;
  }

  setInterval(tick, 250);
  tick();
  schedule();
})();
