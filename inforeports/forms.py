from django import forms

from core.forms import Form

from .schedule import HEADINGS
from .services import SECTION_MAX_CHARS


class TemplateForm(Form):
    """The trust's policy text under every heading."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for heading in HEADINGS:
            self.fields[heading.key] = forms.CharField(
                label=heading.title,
                required=False,
                max_length=SECTION_MAX_CHARS,
                help_text=f"Schedule 1, paragraph {heading.schedule}. {heading.guidance}",
                widget=forms.Textarea(attrs={"rows": 5}),
            )


class SectionForm(Form):
    text = forms.CharField(
        label="The school's text",
        required=False,
        max_length=SECTION_MAX_CHARS,
        help_text="What this school does, after the trust's policy. Leave a blank line between paragraphs.",
        widget=forms.Textarea(attrs={"rows": 10}),
    )


class ApproveForm(Form):
    confirm = forms.BooleanField(
        label="I have read the report and approve it for publication on the school's website",
        error_messages={"required": "Confirm that you have read the report and approve it"},
    )
