/*
 * brecha: the click popup that says how to get a place's printable profile (brecha profile).
 * Part of brecha (BSD-3-Clause). Loaded after brecha-maps.js; text goes through textContent or brecha.esc.
 */
(function () {
  'use strict';
  var B = window.brecha;
  /* o = {hint, out}: the popup repeats the tooltip and adds the command that writes the profile. */
  B.profilePopup = function (map, o) {
    B.popups.profile = function (p, lo) {
      var div = document.createElement('div');
      div.className = 'brecha-profile-pop';
      if (lo.tooltip) div.innerHTML = B.tooltipHtml(p, lo.tooltip);  // tooltipHtml escapes every value
      var hint = document.createElement('div');
      hint.className = 'brecha-3w-profile';
      hint.textContent = o.hint;
      var code = document.createElement('code');
      code.textContent = 'brecha profile "' + p.name + (p.state_name ? ', ' + p.state_name : '') + '" --out ' + o.out;
      code.style.cssText = 'display:block;font-size:10.5px;background:#f3f3f3;padding:2px 4px;margin-top:2px;' +
                           'white-space:normal;word-break:break-word';
      div.appendChild(hint);
      div.appendChild(code);
      return div;
    };
  };
})();
