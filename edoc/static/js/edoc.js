/* edoc: small progressive enhancements; every page works without them. */
(function () {
  "use strict";

  /* Tables marked .edoc-stack become one card per row on a phone (see edoc.css); each cell
     gets its column's heading as data-label so the card still says what each value is. */
  function labelStackedTables() {
    document.querySelectorAll("table.edoc-stack").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.classList.contains("edoc-nolabel") ? "" : th.textContent.trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        var col = 0;
        Array.prototype.forEach.call(tr.children, function (td) {
          var label = heads[col];
          if (label && !td.hasAttribute("data-label")) td.setAttribute("data-label", label);
          // a cell with nothing to show (no error, no date) would be a lone heading on a card
          if (!td.textContent.trim() && !td.querySelector("a, button, input, img, svg, i")) {
            td.classList.add("edoc-blank");
          }
          col += td.colSpan || 1;
        });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", labelStackedTables);
  } else {
    labelStackedTables();
  }
})();
