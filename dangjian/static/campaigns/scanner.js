/* The staff scanner of member codes (党员码), plain JavaScript without a build step.

   Every scan (camera or typed) first goes into a queue in localStorage, one per activity, as
   {nonce, code, at} with the scan time, and is shown as "已记录，待上传". The queue is uploaded
   to the API's batch endpoint right after a scan, when the browser comes back online, when the
   page loads and every 10 seconds. An item leaves the queue only when the server has answered
   it (checked in, already checked in, or refused); a network failure leaves it queued, and a
   retried nonce is a no-op on the server. A service worker keeps the page for reloads offline. */
(function () {
  "use strict";
  var root = document.querySelector("[data-scanner]");
  if (!root) return;

  var activity = root.dataset.activity;
  var QUEUE_KEY = "dangjian-scan-queue-" + activity;
  var RESULTS_KEY = "dangjian-scan-results-" + activity;
  var CODE_MAX = 64; // the API refuses longer codes (and with them the whole batch)
  var BATCH_MAX = 100;
  var RESULTS_KEPT = 50;
  var POLL_MS = 10000;
  var CAMERA_REPEAT_MS = 3000; // the camera sees one code many times a second
  var timeZone = root.dataset.timeZone || undefined;

  var pendingList = root.querySelector("[data-pending]");
  var pendingCount = root.querySelector("[data-pending-count]");
  var resultsList = root.querySelector("[data-results]");
  var resultsEmpty = root.querySelector("[data-results-empty]");
  var uploadProblem = root.querySelector("[data-upload-problem]");
  var network = root.querySelector("[data-network]");

  // ------------------------------------------------------------ storage

  function load(key) {
    try {
      var items = JSON.parse(localStorage.getItem(key));
      return Array.isArray(items) ? items : [];
    } catch (e) {
      return [];
    }
  }

  function save(key, items) {
    localStorage.setItem(key, JSON.stringify(items));
  }

  function newNonce() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    // crypto.randomUUID needs a secure context; plain HTTP on a LAN still has getRandomValues.
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  /* Queue one scan; returns false (with a reason shown) when it cannot be a member code. */
  function record(raw) {
    var code = String(raw || "").replace(/\s+/g, "").toUpperCase();
    if (!code) return false;
    if (code.length > CODE_MAX) {
      showCodeProblem("这不是党员码");
      return false;
    }
    showCodeProblem("");
    var queue = load(QUEUE_KEY);
    queue.push({ nonce: newNonce(), code: code, at: new Date().toISOString() });
    save(QUEUE_KEY, queue);
    render();
    upload();
    return true;
  }

  // ------------------------------------------------------------ upload

  var uploading = false;

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : root.dataset.csrf;
  }

  function upload() {
    var queue = load(QUEUE_KEY);
    // navigator.onLine is only reliable when false: then wait for the "online" event.
    if (uploading || !queue.length || !navigator.onLine) return;
    uploading = true;
    var items = queue.slice(0, BATCH_MAX);
    var more = false;
    fetch(root.dataset.batchUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken(),
      },
      body: JSON.stringify({ items: items }),
    })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (response.ok) {
            answered(body.results || []);
            setUploadProblem("");
            more = load(QUEUE_KEY).length > 0;
          } else if (response.status === 401 || response.status === 403) {
            setUploadProblem("登录已过期或没有签到权限：请重新登录后再上传，扫描记录仍保存在本机。");
          } else {
            setUploadProblem("上传未被接受：" + (body.message || response.status) + "。扫描记录仍保存在本机。");
          }
        });
      })
      .catch(function () {
        setUploadProblem(""); // offline: the items wait, as their badge says
      })
      .then(function () {
        uploading = false;
        render();
        if (more) upload();
      });
  }

  /* Remove the answered items from the queue (read afresh: scans may have arrived meanwhile)
     and keep the answers, newest first. */
  function answered(results) {
    var byNonce = {};
    results.forEach(function (result) {
      if (result.nonce) byNonce[result.nonce] = result;
    });
    var queue = load(QUEUE_KEY);
    var done = queue.filter(function (item) { return byNonce[item.nonce]; });
    save(QUEUE_KEY, queue.filter(function (item) { return !byNonce[item.nonce]; }));
    var kept = load(RESULTS_KEY);
    done.forEach(function (item) {
      kept.unshift({ scan: item, result: byNonce[item.nonce] });
    });
    save(RESULTS_KEY, kept.slice(0, RESULTS_KEPT));
  }

  // ------------------------------------------------------------ display

  function time(iso) {
    if (!iso) return "";
    return new Date(iso).toLocaleTimeString("zh-CN", {
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      timeZone: timeZone,
    });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function render() {
    var queue = load(QUEUE_KEY);
    pendingCount.textContent = queue.length;
    pendingList.replaceChildren.apply(pendingList, queue.map(function (item) {
      var li = element("li", "list-group-item d-flex flex-wrap justify-content-between gap-2");
      li.dataset.pendingItem = item.nonce;
      li.append(
        element("span", "badge text-bg-warning align-self-center", "已记录，待上传"),
        element("span", "text-mono small me-auto", item.code),
        element("span", "small text-secondary", "扫描时间 " + time(item.at))
      );
      return li;
    }));
    var kept = load(RESULTS_KEY);
    resultsEmpty.hidden = kept.length > 0 || queue.length > 0;
    resultsList.replaceChildren.apply(resultsList, kept.map(function (entry) {
      var result = entry.result;
      var li = element("li", "list-group-item");
      li.dataset.result = result.status;
      li.dataset.nonce = result.nonce;
      if (result.status === "refused") {
        li.classList.add("list-group-item-danger");
        li.append(
          element("div", "fw-semibold", "未签到：" + result.message),
          element("div", "small text-mono", entry.scan.code + " · 扫描时间 " + time(entry.scan.at))
        );
      } else {
        li.classList.add(result.status === "checked_in" ? "list-group-item-success" : "list-group-item-light");
        var head = element("div", "d-flex flex-wrap justify-content-between gap-2");
        head.append(
          element("span", "fw-semibold", result.member_name + " · " + (result.organization || "")),
          element("span", "", result.status === "checked_in" ? "签到成功" : "已签到")
        );
        li.append(head, element("div", "small", "签到时间 " + time(result.at)));
      }
      return li;
    }));
    var online = navigator.onLine;
    network.textContent = online ? "在线" : "离线：扫描照常记录，联网后自动上传";
    network.className = "badge " + (online ? "text-bg-success" : "text-bg-secondary");
  }

  function setUploadProblem(text) {
    uploadProblem.textContent = text;
    uploadProblem.hidden = !text;
  }

  var codeProblem = root.querySelector("[data-code-problem]");
  function showCodeProblem(text) {
    codeProblem.textContent = text;
  }

  // ------------------------------------------------------------ typing

  var form = root.querySelector("[data-code-form]");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (record(form.elements.code.value)) form.elements.code.value = "";
    form.elements.code.focus();
  });

  // ------------------------------------------------------------ the camera (jsQR)

  var video = root.querySelector("[data-video]");
  var canvas = root.querySelector("[data-canvas]");
  var startButton = root.querySelector("[data-camera-start]");
  var stopButton = root.querySelector("[data-camera-stop]");
  var cameraStatus = root.querySelector("[data-camera-status]");
  var stream = null;
  var lastCode = "";
  var lastSeen = 0;

  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.jsQR) {
    startButton.disabled = true;
    cameraStatus.textContent = "此浏览器不能使用摄像头（需要 HTTPS 访问），请在下面输入党员码。";
  }

  startButton.addEventListener("click", function () {
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        startButton.hidden = true;
        stopButton.hidden = false;
        cameraStatus.textContent = "将党员码对准取景框";
        return video.play();
      })
      .then(function () { requestAnimationFrame(scanFrame); })
      .catch(function () {
        cameraStatus.textContent = "无法打开摄像头（未授权或需要 HTTPS），请在下面输入党员码。";
      });
  });

  stopButton.addEventListener("click", stopCamera);

  function stopCamera() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.hidden = true;
    startButton.hidden = false;
    stopButton.hidden = true;
    cameraStatus.textContent = "";
  }

  function scanFrame() {
    if (!stream) return;
    if (video.readyState === video.HAVE_ENOUGH_DATA) {
      var scale = Math.min(1, 640 / video.videoWidth);
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      var context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      if (found && found.data) seen(found.data);
    }
    requestAnimationFrame(scanFrame);
  }

  function seen(code) {
    var now = Date.now();
    if (code === lastCode && now - lastSeen < CAMERA_REPEAT_MS) return;
    lastCode = code;
    lastSeen = now;
    if (record(code)) {
      cameraStatus.textContent = "已记录 " + code;
      if (navigator.vibrate) navigator.vibrate(80);
    }
  }

  // ------------------------------------------------------------ offline support

  function keepForOffline() {
    if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
    navigator.serviceWorker
      .register(root.dataset.serviceWorker, { scope: location.pathname })
      .then(function () {
        // The first visit was not served through the worker: keep this page now.
        if (navigator.onLine && window.caches) {
          return caches.open(root.dataset.cache).then(function (cache) {
            return cache.add(location.pathname);
          });
        }
      })
      .catch(function () { /* no offline reload, scanning still works */ });
  }

  window.addEventListener("online", function () { render(); upload(); });
  window.addEventListener("offline", render);
  window.addEventListener("storage", function (event) {
    if (event.key === QUEUE_KEY || event.key === RESULTS_KEY) render();
  });
  setInterval(upload, POLL_MS);
  render();
  upload();
  keepForOffline();
})();
