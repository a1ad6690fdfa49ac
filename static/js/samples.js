// "Hear the voice" / "Hear the music" on the new-video form: the sample player follows
// the chosen option (the server makes each sample once, offline, and keeps it).
(function () {
  "use strict";
  function wire(box) {
    var select = document.getElementById(box.dataset.sampleFor);
    var audio = box.querySelector("audio");
    var skip = (box.dataset.sampleSkip || "").split(" ");
    if (!select || !audio) return;
    function update() {
      var value = select.value;
      var hidden = !value || skip.indexOf(value) !== -1;
      box.hidden = hidden;
      if (!hidden) {
        audio.src = box.dataset.sampleUrl.replace(/VOICE|BED/, encodeURIComponent(value));
      }
    }
    select.addEventListener("change", update);
    update();
  }
  document.querySelectorAll("[data-sample-for]").forEach(wire);
})();
