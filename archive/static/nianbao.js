// nianbao: the one script the archive's pages load (served by archive/reader.py, no inline script).
// A button with data-copy-target="ID" copies the text of element ID (the citation block) to the clipboard.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy-target]");
  if (!button) return;
  var source = document.getElementById(button.getAttribute("data-copy-target"));
  if (!source) return;
  var text = source.innerText.trim();
  var done = function () {
    button.setAttribute("data-copied", "1");
    button.textContent = "已复制";
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, function () { fallback(text); done(); });
  } else {
    fallback(text);
    done();
  }
  function fallback(value) {
    var area = document.createElement("textarea");
    area.value = value;
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
    document.body.removeChild(area);
  }
});
