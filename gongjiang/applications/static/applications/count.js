// Live character count for textareas with data-count="<id of the counter element>".
(function () {
  function update(area) {
    var out = document.getElementById(area.dataset.count);
    if (!out) return;
    var n = area.value.replace(/\s/g, "").length;
    var min = parseInt(area.dataset.min || "0", 10), max = parseInt(area.dataset.max || "0", 10);
    out.textContent = "已输入 " + n + " 字（建议" + (area.dataset.target || "") + "字左右）";
    out.className = (n < min || (max && n > max)) ? "warn" : "ok";
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-count]").forEach(function (area) {
      area.addEventListener("input", function () { update(area); });
      update(area);
    });
  });
})();
