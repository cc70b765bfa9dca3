"""The casework admin. Cases and notes are read here only; requests, plans, reviews and
activity are not in the admin at all. Every change to the rows the kept figures count
(casework.figures) therefore goes through casework.services, which refresh the figures in the
same transaction. The agreed split of a person's time (arrangements) is edited here; it is not
a kept figure: the time split reads it when it is shown."""

from django.contrib import admin
from django.db import models
from django.forms.models import BaseInlineFormSet
from django_scopes import scopes_disabled

from . import services
from .models import (
    ActivityArrangement,
    ArrangementShare,
    Case,
    CaseNote,
    DigestSent,
    LAReviewRules,
)


class UnscopedInlineFormSet(BaseInlineFormSet):
    """Model formsets look rows up through the model's default manager, which is tenant-scoped
    (and, for trust-scoped models, never active in a request). The admin is for platform
    admins, who see every trust, so the formset works with the scopes disabled."""

    def add_fields(self, form, index):
        with scopes_disabled():
            super().add_fields(form, index)

    def full_clean(self):
        with scopes_disabled():
            super().full_clean()

    def save(self, commit=True):
        with scopes_disabled():
            return super().save(commit)


_NOTE_FIELDS = ("created_at", "author", "text")


class ReadOnlyNoteInline(admin.TabularInline):
    model = CaseNote
    formset = UnscopedInlineFormSet
    extra = 0
    fields = _NOTE_FIELDS
    readonly_fields = _NOTE_FIELDS
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return CaseNote.objects.with_scopes_disabled().all()


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Cases are read in the admin; they are changed through the casework pages (services)."""

    list_display = ["pk", "kind", "school", "status", "opened_on", "owner"]
    list_filter = ["kind", "status"]
    inlines = [ReadOnlyNoteInline]

    def get_queryset(self, request):
        return Case.objects.with_scopes_disabled().select_related("school", "owner")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CaseNote)
class CaseNoteAdmin(admin.ModelAdmin):
    """Append-only: notes can be read here, never changed or deleted."""

    list_display = ["pk", "case", "author", "created_at"]
    readonly_fields = ["case", "author", "text", "created_at"]

    def get_queryset(self, request):
        return CaseNote.objects.with_scopes_disabled().select_related("case", "author")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ArrangementShareInline(admin.TabularInline):
    model = ArrangementShare
    formset = UnscopedInlineFormSet
    extra = 2

    def get_queryset(self, request):
        return ArrangementShare.objects.with_scopes_disabled().all()


@admin.register(ActivityArrangement)
class ActivityArrangementAdmin(admin.ModelAdmin):
    """The agreed split of a person's time between trusts (50/50 when none is recorded)."""

    list_display = ["name", "person"]
    inlines = [ArrangementShareInline]


@admin.register(DigestSent)
class DigestSentAdmin(admin.ModelAdmin):
    list_display = ["date", "owner", "items", "sent_at"]
    readonly_fields = ["date", "owner", "items", "sent_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LAReviewRules)
class LAReviewRulesAdmin(admin.ModelAdmin):
    """Each LA's rules for annual reviews. Saved through casework.services.la_review_rules_save,
    which checks the statutory limits and moves the steps on every due list of that LA's plans."""

    list_display = ["local_authority", "request_reports_weeks", "circulate_weeks", "report_days", "forms"]
    fields = [
        "local_authority",
        "request_reports_weeks",
        "circulate_weeks",
        "report_days",
        "forms",
        "forms_url",
    ]
    # An address typed without its scheme is an https one (Django 6's default, asked for now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change) -> None:
        services.la_review_rules_save(actor=request.user, rules=obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Without rules an LA's reviews fall back to the statutory defaults: change them instead.
        return False
