/*
 * Loaded before the ipywidgets html-manager on pages that hold widgets
 * (see nb_ipywidgets_js in _config.yml; tools/vendor_js.py copies this
 * file next to the vendored scripts). Two fixes for an offline book:
 *
 * 1. Fonts. The html-manager's stylesheets (Font Awesome) ask for their
 *    font files relative to a public path; point it at the folder the
 *    html-manager was unpacked into, whatever the page's depth.
 *
 * 2. MathJax 3. @jupyter-widgets/base typesets widget labels with the
 *    MathJax 2 API, `MathJax.Hub.Queue(["Typeset", MathJax.Hub, el])`,
 *    whenever `window.MathJax` exists (ipywidgets issue 3829). With
 *    MathJax 3 `Hub` is undefined and the widget fails to render. Give
 *    every object ever assigned to `window.MathJax` (Sphinx's config
 *    object first, then MathJax itself) a `Hub` whose `Queue` typesets
 *    the element with the MathJax 3 API once MathJax has started.
 */
(function () {
  "use strict";

  var here = document.currentScript && document.currentScript.src;
  if (here && !window.__jupyter_widgets_assets_path__) {
    window.__jupyter_widgets_assets_path__ =
      new URL("html-manager/", here).href;
  }

  var pending = [];

  function typeset(element) {
    var mj = window.MathJax;
    if (!(element instanceof Element)) {
      return;
    }
    if (mj && mj.startup && mj.startup.promise) {
      mj.startup.promise = mj.startup.promise
        .then(function () { return window.MathJax.typesetPromise([element]); })
        .catch(function (err) { console.error("MathJax typeset:", err); });
    } else {
      pending.push(element);
    }
  }

  function flush() {
    var mj = window.MathJax;
    if (pending.length && mj && mj.startup && mj.startup.promise) {
      pending.splice(0).forEach(typeset);
    }
  }

  var hub = {
    Queue: function () {
      Array.prototype.forEach.call(arguments, function (job) {
        if (typeof job === "function") {
          job();
        } else if (Array.isArray(job) && job[0] === "Typeset") {
          typeset(job[2]);
        }
      });
    },
  };

  function withHub(value) {
    if (value && typeof value === "object" && !value.Hub) {
      try {
        Object.defineProperty(value, "Hub", {
          value: hub, configurable: true, enumerable: false,
        });
      } catch (err) {
        console.error("widgets-shim: cannot add MathJax.Hub", err);
      }
    }
    return value;
  }

  var current = withHub(window.MathJax);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    enumerable: true,
    get: function () { return current; },
    set: function (value) { current = withHub(value); },
  });

  window.addEventListener("load", flush);
})();
