"""Remove the GOV.UK crest from the compiled GOV.UK Frontend CSS: the portal is not a GOV.UK
service, does not ship the crest image, and a url() to a missing file breaks collectstatic's
manifest in production."""

import re
import sys
from pathlib import Path

path = Path(sys.argv[1])
css = path.read_text()
stripped = re.sub(r"[^{}]*\{[^{}]*govuk-crest\.svg[^{}]*\}", "", css)
if "govuk-crest" in stripped:
    sys.exit("govuk-crest is still referenced")
path.write_text(stripped)
