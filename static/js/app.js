// Starts the NHS.UK frontend components (header menu, error summary focus, etc.).
// Every page works without this script; it only enhances.
import { initAll } from '../nhsuk/nhsuk-frontend.min.js'

initAll()
