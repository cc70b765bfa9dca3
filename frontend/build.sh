#!/usr/bin/env bash
# Rebuild the vendored front-end files under static/vendor/ from the npm registry.
# The output is committed, so running the app never needs npm or a network.
# GOV.UK Frontend is compiled without its font (system fonts instead) and without the crown.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
work="$(mktemp -d)"
cd "$work"
npm init -y >/dev/null
npm install --silent govuk-frontend@5.14.0 htmx.org@2 sass
npx sass --quiet --no-source-map --style=compressed --load-path=node_modules \
  "$here/govuk-frontend.scss" "$root/static/vendor/govuk-frontend/govuk-frontend.min.css"
python3 "$here/strip_crest.py" "$root/static/vendor/govuk-frontend/govuk-frontend.min.css"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$root/static/vendor/govuk-frontend/"
cp node_modules/govuk-frontend/LICENSE.txt "$root/static/vendor/govuk-frontend/"
cp node_modules/htmx.org/dist/htmx.min.js "$root/static/vendor/htmx/"
cp node_modules/htmx.org/LICENSE "$root/static/vendor/htmx/"
rm -rf "$work"
