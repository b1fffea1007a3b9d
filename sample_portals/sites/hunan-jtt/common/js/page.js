/* Paging for TRS WCM list pages: the list files are index.html, index_1.html, ... */
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {
  if (_nPageCount == null || _nPageCount <= 1) { return; }
  function name(i) { return i == 0 ? _sPageName + "." + _sPageExt : _sPageName + "_" + i + "." + _sPageExt; }
  var html = "<span>共" + _nPageCount + "页</span> ";
  html += _nCurrIndex > 0 ? "<a href=\"" + name(0) + "\">首页</a> <a href=\"" + name(_nCurrIndex - 1) + "\">上一页</a> " : "<span>首页</span> <span>上一页</span> ";
  for (var i = 0; i < _nPageCount; i++) {
    html += i == _nCurrIndex ? "<span class=\"current\">" + (i + 1) + "</span> " : "<a href=\"" + name(i) + "\">" + (i + 1) + "</a> ";
  }
  html += _nCurrIndex + 1 < _nPageCount ? "<a href=\"" + name(_nCurrIndex + 1) + "\">下一页</a> <a href=\"" + name(_nPageCount - 1) + "\">尾页</a>" : "<span>下一页</span> <span>尾页</span>";
  document.write(html);
}
