// Saves each award answer as it is typed (templates/awards/applications/answers.html).
// Each <textarea data-autosave-url> is posted to its URL a moment after typing stops and when
// it loses focus; the JSON reply gives the word count and what is still missing. Without this
// script the page's own "Save answers" button saves every answer at once.
(function () {
  'use strict'

  var DELAY_MS = 1000

  function words (text) {
    var trimmed = text.trim()
    return trimmed ? trimmed.split(/\s+/).length : 0
  }

  function plural (n, word) {
    return n + ' ' + word + (n === 1 ? '' : 's')
  }

  function setup (form) {
    var tokenInput = form.querySelector('input[name=csrfmiddlewaretoken]')
    var token = tokenInput ? tokenInput.value : ''
    var summary = document.getElementById('missing-summary')

    form.querySelectorAll('textarea[data-autosave-url]').forEach(function (box) {
      var group = box.closest('.nhsuk-form-group')
      var countEl = group.querySelector('[data-word-count]')
      var statusEl = group.querySelector('[data-autosave-status]')
      var missingEl = group.querySelector('[data-missing-here]')
      var limit = parseInt(box.getAttribute('data-word-limit') || '0', 10)
      var timer = null
      var lastSaved = box.value
      var inFlight = false
      var again = false

      function showCount () {
        var n = words(box.value)
        countEl.textContent = plural(n, 'word') + (limit ? ' of ' + limit : '') +
          (limit && n > limit ? ' (' + (n - limit) + ' over the limit)' : '')
      }

      function showMissing (messages) {
        missingEl.textContent = ''
        messages.forEach(function (message) {
          var p = document.createElement('p')
          p.className = 'nhsuk-body-s nhsuk-u-secondary-text-color'
          p.textContent = message
          missingEl.appendChild(p)
        })
      }

      function save () {
        clearTimeout(timer)
        if (box.value === lastSaved) return
        if (inFlight) { again = true; return }
        inFlight = true
        var text = box.value
        var body = new FormData()
        body.append('text', text)
        body.append('csrfmiddlewaretoken', token)
        statusEl.textContent = ' · Saving…'
        fetch(box.getAttribute('data-autosave-url'), {
          method: 'POST',
          body: body,
          credentials: 'same-origin',
          headers: { 'X-CSRFToken': token, 'X-Requested-With': 'XMLHttpRequest' }
        }).then(function (response) {
          return response.json().catch(function () { return { saved: false } })
        }).then(function (data) {
          if (data.saved) {
            lastSaved = text
            statusEl.textContent = ' · Saved at ' + data.saved_at
            showMissing(data.missing_here || [])
            if (summary) {
              var n = (data.missing || []).length
              summary.querySelector('p').textContent = n
                ? plural(n, 'thing') + ' still missing before the application can be submitted.'
                : 'Nothing is missing.'
            }
          } else {
            statusEl.textContent = ' · Not saved: ' + (data.error || 'try the "Save answers" button.')
          }
        }).catch(function () {
          statusEl.textContent = ' · Not saved (no connection): use the "Save answers" button.'
        }).then(function () {
          inFlight = false
          if (again) { again = false; save() }
        })
      }

      box.addEventListener('input', function () {
        showCount()
        clearTimeout(timer)
        timer = setTimeout(save, DELAY_MS)
      })
      box.addEventListener('blur', save)
    })
  }

  document.querySelectorAll('form[data-award-autosave]').forEach(setup)
})()
