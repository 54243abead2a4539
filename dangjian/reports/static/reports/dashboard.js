/* The dashboard's and the big screen's charts (Apache ECharts, vendored). The first data come
   with the page (#dashboard-data); `window.refreshDashboard()` fetches them again from the
   data endpoint and updates the tiles and charts in place (setOption), without reloading.
   The big screen calls it every `data-refresh` seconds. */
(function () {
  "use strict";
  var root = document.querySelector("[data-dashboard]");
  if (!root || !window.echarts) return;
  var theme = root.dataset.theme || null;
  var charts = {};

  function draw(data) {
    data.charts.forEach(function (item) {
      var el = root.querySelector('[data-chart="' + item.key + '"]');
      if (!el) return;
      var chart = charts[item.key] || (charts[item.key] = echarts.init(el, theme));
      var option = Object.assign({ backgroundColor: "transparent" }, item.option);
      chart.setOption(option, true);
    });
    data.figures.forEach(function (figure) {
      var tile = root.querySelector('[data-figure="' + figure.key + '"]');
      if (!tile) return;
      tile.querySelector("[data-value]").textContent = figure.display;
      tile.querySelector("[data-label]").textContent = figure.label;
    });
    var stamp = root.querySelector("[data-generated]");
    if (stamp) stamp.textContent = data.generated_at.slice(11, 19);
  }

  function problem(text) {
    var el = root.querySelector("[data-problem]");
    if (el) el.textContent = text;
  }

  window.refreshDashboard = function () {
    return fetch(root.dataset.dataUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      cache: "no-store",
    })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) {
          throw new Error("登录已失效，请重新登录");
        }
        if (response.redirected) throw new Error("登录已失效，请重新登录");
        if (!response.ok) throw new Error("数据暂时无法更新（" + response.status + "）");
        return response.json();
      })
      .then(function (data) {
        draw(data);
        problem("");
      })
      .catch(function (error) {
        // Keep the last figures on the wall; say why they are not fresh.
        problem(error.message || "数据暂时无法更新");
      });
  };

  draw(JSON.parse(document.getElementById("dashboard-data").textContent));
  var seconds = parseInt(root.dataset.refresh || "0", 10);
  if (seconds > 0) window.setInterval(window.refreshDashboard, seconds * 1000);
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (key) {
      charts[key].resize();
    });
  });
})();
