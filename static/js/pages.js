/* Contentizer page behaviour beyond live progress (app.js): the script's character
 * counter, messages that follow a job, the storyboard toolbar (editor disclosure, "More"
 * menu), reordering scenes by drag and drop or Alt+Arrow keys, keeping the keyboard
 * focus on the scene that moved across HTMX swaps, "Write it for me"'s draft and copy buttons. No dependencies beyond htmx.
 */
(function () {
  "use strict";

  var numbers = new Intl.NumberFormat("en-US");

  // --- the script's character counter ---------------------------------------------------
  // The service counts the trimmed script in code points (Python len); so does this.
  function scriptLength(text) {
    return Array.from(text.trim()).length;
  }

  function initCounter(counter) {
    var field = document.getElementById(counter.dataset.counterFor);
    if (!field || counter.dataset.ready) return;
    counter.dataset.ready = "1";
    var max = parseInt(field.dataset.maxChars, 10);
    var warning = document.getElementById(counter.id + "-warning");
    function update() {
      var length = scriptLength(field.value);
      var over = length > max;
      counter.textContent = numbers.format(length) + " of " + numbers.format(max) + " characters";
      counter.classList.toggle("counter--near", !over && length > max * 0.9);
      counter.classList.toggle("counter--over", over);
      field.setAttribute("aria-invalid", over ? "true" : "false");
      if (warning) {
        var text = over
          ? "The script is " + numbers.format(length - max) + (length - max === 1 ? " character" : " characters") +
            " over the limit of " +
            numbers.format(max) + ". Shorten it: a longer script is refused, not cut."
          : "";
        // Only a change of state is announced, not every keystroke past the limit.
        if (over !== !warning.hidden) {
          warning.hidden = !over;
        }
        if (over) warning.textContent = text;
      }
    }
    field.addEventListener("input", update);
    update();
  }

  // --- messages that follow a job ---------------------------------------------------------
  document.body.addEventListener("job-finished", function (event) {
    document.querySelectorAll("[data-until-job-finished]").forEach(function (elt) {
      elt.remove();
    });
    if (event.detail && event.detail.status === "succeeded") {
      document.querySelectorAll("[data-on-job-done]").forEach(function (elt) {
        elt.textContent = elt.dataset.onJobDone;
      });
    }
  });

  // --- the player's captions track, switched on and off ------------------------------------
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-captions-switch]");
    if (!button) return;
    var player = document.getElementById(button.dataset.captionsSwitch);
    var track = player && player.textTracks[0];
    if (!track) return;
    var on = track.mode !== "showing";
    track.mode = on ? "showing" : "hidden";
    button.setAttribute("aria-pressed", on ? "true" : "false");
  });

  // --- disclosures (the scene editor) and the "More" menu -------------------------------
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-disclose]");
    if (toggle) {
      var panel = document.getElementById(toggle.dataset.disclose);
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      if (panel) {
        panel.classList.toggle("is-open", open);
        if (open) {
          var first = panel.querySelector("textarea, input, select");
          if (first) first.focus();
        }
      }
    }
    // A click outside an open "More" menu closes it.
    document.querySelectorAll("details.scene__more[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var menu = event.target.closest && event.target.closest("details.scene__more[open]");
      if (menu) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
      return;
    }
    if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
    var handle = event.target.closest && event.target.closest(".scene__handle");
    var inField = /^(TEXTAREA|INPUT|SELECT)$/.test(event.target.tagName);
    if (!(event.altKey || handle) || inField) return;
    var scene = event.target.closest("li.scene[data-scene]");
    if (!scene) return;
    var button = scene.querySelector(
      '.scene__move button[value="' + (event.key === "ArrowUp" ? "up" : "down") + '"]'
    );
    event.preventDefault();
    if (button && !button.disabled) button.click();
  });

  // --- focus kept on the scene that changed ------------------------------------------------
  // An HTMX swap replaces the whole storyboard, and with it the focused button. Before a
  // request from inside it, remember which scene and which control had the focus; after
  // the swap, focus the same control of the same scene (or its handle).
  var pendingFocus = null;

  function focusKeyOf(elt) {
    if (!elt || !elt.closest) return "handle";
    var keyed = elt.closest("[data-focus-key]");
    if (keyed) return keyed.dataset.focusKey;
    if (elt.closest(".scene__editor")) return "edit";
    if (elt.closest(".scene__menu")) return "more";
    return "handle";
  }

  function rememberFocus(elt) {
    var scene = elt && elt.closest && elt.closest("li.scene[data-scene]");
    pendingFocus = scene ? { scene: scene.dataset.scene, key: focusKeyOf(document.activeElement) } : null;
  }

  function usable(elt) {
    return elt && !elt.disabled && elt.offsetParent !== null;
  }

  function announce(text) {
    var region = document.getElementById("storyboard-announce");
    if (region) region.textContent = text;
  }

  function restoreFocus() {
    if (!pendingFocus) return;
    var wanted = pendingFocus;
    pendingFocus = null;
    var scene = document.querySelector('li.scene[data-scene="' + wanted.scene + '"]');
    if (!scene) return;
    var keys = [wanted.key, wanted.key === "up" ? "down" : wanted.key === "down" ? "up" : "handle", "handle"];
    for (var i = 0; i < keys.length; i++) {
      var target = scene.querySelector('[data-focus-key="' + keys[i] + '"]');
      if (usable(target)) {
        target.focus();
        break;
      }
    }
    if (wanted.moved) {
      var scenes = Array.from(document.querySelectorAll("li.scene[data-scene]"));
      scene.classList.add("scene--moved");
      announce("Scene moved to position " + (scenes.indexOf(scene) + 1) + " of " + scenes.length + ".");
    }
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (pendingFocus && pendingFocus.explicit) {
      pendingFocus.explicit = false;
      return;
    }
    if (elt && elt.closest && elt.closest("#storyboard-body")) {
      rememberFocus(elt);
      if (pendingFocus && elt.closest(".scene__move")) pendingFocus.moved = true;
    }
  });
  document.addEventListener("htmx:afterSettle", restoreFocus);

  // --- drag and drop -----------------------------------------------------------------------
  // Drop a scene on another to take its place: moving down lands after it, moving up before.
  var dragged = null;

  function sceneOf(elt) {
    return elt && elt.closest ? elt.closest("li.scene[data-scene]") : null;
  }

  function clearMarks() {
    document.querySelectorAll(".scene--drop-before, .scene--drop-after").forEach(function (elt) {
      elt.classList.remove("scene--drop-before", "scene--drop-after");
    });
  }

  function landsAfter(target) {
    var scenes = Array.from(target.parentNode.children);
    return scenes.indexOf(dragged) < scenes.indexOf(target);
  }

  document.addEventListener("dragstart", function (event) {
    var handle = event.target.closest && event.target.closest(".scene__handle");
    if (!handle) return;
    dragged = sceneOf(handle);
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.scene);
    event.dataTransfer.setDragImage(dragged, 24, 24);
    dragged.classList.add("scene--dragging");
  });

  document.addEventListener("dragover", function (event) {
    var target = sceneOf(event.target);
    if (!dragged || !target || target.parentNode !== dragged.parentNode) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    clearMarks();
    if (target !== dragged) target.classList.add(landsAfter(target) ? "scene--drop-after" : "scene--drop-before");
  });

  document.addEventListener("drop", function (event) {
    var target = sceneOf(event.target);
    if (!dragged || !target || target.parentNode !== dragged.parentNode) return;
    event.preventDefault();
    clearMarks();
    if (target === dragged) return;
    var list = target.parentNode;
    list.insertBefore(dragged, landsAfter(target) ? target.nextSibling : target);
    var order = Array.from(list.querySelectorAll(":scope > li.scene[data-scene]")).map(function (li) {
      return li.dataset.scene;
    });
    pendingFocus = { scene: dragged.dataset.scene, key: "handle", moved: true, explicit: true };
    htmx.ajax("POST", list.dataset.reorderUrl, {
      source: list,
      target: "#storyboard-body",
      swap: "outerHTML",
      values: { order: order.join(",") },
    });
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("scene--dragging");
    clearMarks();
    dragged = null;
  });

  // --- confirmation for plain (non-HTMX) forms that mark it -----------------------------------
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !form.hasAttribute("hx-post") && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // --- "Write it for me": the draft that came back goes into the script field -----------
  // (the rest of the form is untouched; the counter hears an input event like typing).
  function takeWrittenScript(root) {
    var written = root.querySelector && root.querySelector("[data-written-script]");
    var field = document.getElementById("id_script");
    if (!written || !field || written.dataset.taken) return;
    written.dataset.taken = "1";
    field.value = written.value;
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.focus();
  }

  document.addEventListener("keydown", function (event) {
    var writer = event.key === "Enter" && event.target.closest && event.target.closest("#script-writer");
    if (!writer || (event.target.tagName !== "INPUT" && event.target.tagName !== "SELECT")) return;
    event.preventDefault();
    writer.querySelector("[data-testid=write-it]").click();
  });

  // --- copy buttons: [data-copy] names the element whose text is copied -----------------
  // Where the clipboard is refused (no secure context, no permission) the text is selected
  // instead, for the creator to copy with the keyboard.
  function initCopy(button) {
    var source = document.getElementById(button.dataset.copy);
    var status = button.parentNode.querySelector("[data-copy-status]");
    if (!source || button.dataset.ready) return;
    button.dataset.ready = "1";
    button.hidden = false;
    function say(text) {
      if (status) status.textContent = text;
    }
    function selectText() {
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      say("Selected: press Ctrl+C (⌘C) to copy.");
    }
    button.addEventListener("click", function () {
      var text = source.textContent.trim();
      if (!navigator.clipboard || !window.isSecureContext) return selectText();
      navigator.clipboard.writeText(text).then(function () { say("Copied."); }, selectText);
    });
  }

  htmx.onLoad(function (root) {
    (root.querySelectorAll ? root : document).querySelectorAll("[data-copy]").forEach(initCopy);
    (root.querySelectorAll ? root : document).querySelectorAll("[data-counter-for]").forEach(initCounter);
    takeWrittenScript(root);
  });
})();
