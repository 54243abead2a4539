/* Before logging out, warn when the offline scanner on this phone still holds scans that were
   not uploaded: after logging out they can only be uploaded by whoever logs in next. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-logout]");
  if (!form) return;
  form.addEventListener("submit", function (event) {
    var pending = 0;
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var key = localStorage.key(i);
        if (key.indexOf("dangjian-scan-queue-") === 0) {
          pending += (JSON.parse(localStorage.getItem(key)) || []).length;
        }
      }
    } catch (e) {
      return;
    }
    if (pending && !window.confirm("本机还有 " + pending + " 条扫码记录未上传，退出后需由下一位登录的工作人员上传。确定退出？")) {
      event.preventDefault();
    }
  });
})();
