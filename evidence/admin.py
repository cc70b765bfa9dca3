"""LA templates are edited here by platform admins; every save goes through
evidence.services (which checks headings, positions and the sources each kind may use). Packs
and professionals' records are the schools' and are read here only."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet

from . import services
from .models import EvidencePack, PackTemplate, ProfessionalInvolvement, TemplateSection


def _kept_and_removed(formset) -> tuple[list[TemplateSection], list[TemplateSection]]:
    kept, removed = [], []
    for f in formset.forms:
        if f.instance.pk is None and not f.has_changed():
            continue
        if formset.can_delete and formset._should_delete_form(f):
            removed.append(f.instance)
        else:
            kept.append(f.instance)
    return kept, removed


class SectionFormSet(BaseInlineFormSet):
    """The service's checks of the sections, run as the form's own so that a mistake is shown
    on the page rather than refused after saving."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept, _ = _kept_and_removed(self)
        try:
            services.check_sections(self.instance.kind, kept)
        except ValidationError as e:
            raise ValidationError(e.messages) from None


class TemplateSectionInline(admin.TabularInline):
    model = TemplateSection
    formset = SectionFormSet
    extra = 1
    fields = ["position", "heading", "source", "guidance"]


@admin.register(PackTemplate)
class PackTemplateAdmin(admin.ModelAdmin):
    list_display = ["local_authority", "kind", "title", "updated_at"]
    list_filter = ["kind", "local_authority"]
    inlines = [TemplateSectionInline]

    def save_model(self, request, obj, form, change):
        # The sections arrive with the inline formset: the service saves both, together, in
        # save_related.
        return None

    def save_related(self, request, form, formsets, change):
        sections, removed = [], []
        for formset in formsets:
            # Not saved here: this fills in the formset's new, changed and deleted objects
            # that the admin's history message reads; the service writes them.
            formset.save(commit=False)
            kept, gone = _kept_and_removed(formset)
            sections += kept
            removed += gone
        try:
            with transaction.atomic():
                services.template_save(
                    actor=request.user, template=form.instance, sections=sections, removed=removed
                )
        except ValidationError as e:
            # Checked on the form already; only a change made meanwhile gets here.
            messages.error(request, "Nothing was saved: " + " ".join(e.messages))

    # Deleting a template with packs made on it is refused by the admin's own page for
    # protected objects (EvidencePack.template is PROTECT).


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EvidencePack)
class EvidencePackAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "school", "local_authority", "status", "sent_on"]
    list_filter = ["kind", "status"]
    exclude = ["sent_content"]

    def get_queryset(self, request):
        return EvidencePack.objects.with_scopes_disabled().select_related("school", "local_authority")


@admin.register(ProfessionalInvolvement)
class ProfessionalInvolvementAdmin(ReadOnlyAdmin):
    list_display = ["pk", "role", "school", "started_on"]
    exclude = ["who", "advice"]

    def get_queryset(self, request):
        return ProfessionalInvolvement.objects.with_scopes_disabled().select_related("school")
