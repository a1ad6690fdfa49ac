/* Contentizer page behaviour on top of htmx 2 (loaded before this file, both deferred).
 *
 * Live progress: the htmx ws extension swaps each fragment the job consumer sends.
 * While that socket is not open, the fragment polls its own URL instead (its
 * hx-trigger filter calls contentizerShouldPoll). When a job fragment arrives in a
 * finished state, a "job-finished" event on <body> lets other parts of the page
 * (the storyboard, the video player) fetch their new state.
 */
(function () {
  "use strict";

  window.contentizerShouldPoll = function (elt) {
    var live = elt.closest("[ws-connect]");
    return !live || live.dataset.socket !== "open";
  };

  function mark(state) {
    return function (event) {
      var elt = event.target;
      if (elt && elt.dataset) {
        elt.dataset.socket = state;
      }
    };
  }
  document.addEventListener("htmx:wsOpen", mark("open"));
  document.addEventListener("htmx:wsClose", mark("closed"));
  document.addEventListener("htmx:wsError", mark("closed"));

  htmx.onLoad(function (elt) {
    if (elt && elt.matches && elt.matches("[data-job-finished]")) {
      document.body.dispatchEvent(
        new CustomEvent("job-finished", {
          detail: { kind: elt.dataset.jobKind, status: elt.dataset.jobStatus },
        })
      );
    }
  });
})();
