// Follows a report version while its PDF is produced (templates/reporting/version_status.html).
// Polls the JSON at data-progress-url and updates the page in place: the progress bar, the
// role="status" text (announced by screen readers), and, when the PDF is ready, the download
// button. A failed version reloads the page, which shows the reason and "Try again". Without
// this script the page refreshes itself (a meta refresh inside <noscript>).
(function () {
  'use strict'

  var INTERVAL_MS = 1500
  var MAX_ERRORS = 5

  var root = document.getElementById('report-progress')
  if (!root || !window.fetch) return

  var url = root.getAttribute('data-progress-url')
  var tag = root.querySelector('[data-progress-tag] .nhsuk-tag')
  var text = root.querySelector('[data-progress-text]')
  var bar = document.getElementById('report-progress-bar')
  var working = root.querySelector('[data-progress-working]')
  var ready = root.querySelector('[data-progress-ready]')
  var errors = 0
  var last = ''

  var TAG_CLASSES = {
    queued: 'nhsuk-tag--grey',
    running: 'nhsuk-tag--blue',
    ready: 'nhsuk-tag--green',
    failed: 'nhsuk-tag--red'
  }

  function setTag (status, label) {
    if (!tag) return
    tag.className = 'nhsuk-tag ' + (TAG_CLASSES[status] || 'nhsuk-tag--grey')
    tag.textContent = label
  }

  function fill (selector, value) {
    var el = root.querySelector(selector)
    if (el) el.textContent = value
  }

  function show (state) {
    var summary = state.status + '|' + state.progress + '|' + state.message
    if (summary === last) return
    last = summary
    root.setAttribute('data-status', state.status)
    setTag(state.status, state.status_label)
    if (bar) {
      bar.value = state.progress
      bar.textContent = state.progress + '%'
    }
    if (state.status === 'ready') {
      text.textContent = 'The PDF is ready.'
      working.hidden = true
      fill('[data-progress-pages]', String(state.page_count))
      fill('[data-progress-size]', state.size_label)
      fill('[data-progress-sha256]', state.sha256)
      var link = root.querySelector('[data-progress-download]')
      if (link) link.setAttribute('href', state.download_url)
      ready.hidden = false
    } else {
      text.textContent = state.progress + '% done' + (state.message ? ': ' + state.message : '')
    }
  }

  function poll () {
    fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status)
        return response.json()
      })
      .then(function (state) {
        errors = 0
        if (state.status === 'failed') {
          window.location.reload()
          return
        }
        show(state)
        if (state.status !== 'ready') window.setTimeout(poll, INTERVAL_MS)
      })
      .catch(function () {
        errors += 1
        if (errors >= MAX_ERRORS) {
          text.textContent = 'Progress could not be checked. Refresh the page to see where it has got to.'
          return
        }
        window.setTimeout(poll, INTERVAL_MS * (errors + 1))
      })
  }

  window.setTimeout(poll, INTERVAL_MS)
})()
