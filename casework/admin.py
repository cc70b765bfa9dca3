from django.contrib import admin
from django_scopes import scopes_disabled

from .models import (
    ActivityArrangement,
    ArrangementShare,
    Case,
    CaseNote,
    DigestSent,
)


def _rendered(response):
    # A TemplateResponse renders after the view returns: render it inside the block.
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    return response


class UnscopedAdmin(admin.ModelAdmin):
    """The admin is for platform admins, who see every trust: its views run with the tenant
    scopes disabled (the trust dimension of activity is never active in a request)."""

    def changelist_view(self, request, extra_context=None):
        with scopes_disabled():
            return _rendered(super().changelist_view(request, extra_context))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with scopes_disabled():
            return _rendered(super().changeform_view(request, object_id, form_url, extra_context))

    def delete_view(self, request, object_id, extra_context=None):
        with scopes_disabled():
            return _rendered(super().delete_view(request, object_id, extra_context))

    def history_view(self, request, object_id, extra_context=None):
        with scopes_disabled():
            return _rendered(super().history_view(request, object_id, extra_context))


class ReadOnlyNoteInline(admin.TabularInline):
    model = CaseNote
    extra = 0
    fields = ["created_at", "author", "text"]
    readonly_fields = fields
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
class CaseAdmin(UnscopedAdmin):
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
class CaseNoteAdmin(UnscopedAdmin):
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
    extra = 2

    def get_queryset(self, request):
        return ArrangementShare.objects.with_scopes_disabled().all()


@admin.register(ActivityArrangement)
class ActivityArrangementAdmin(UnscopedAdmin):
    """The agreed split of a person's time between trusts (50/50 when none is recorded)."""

    list_display = ["name", "person"]
    inlines = [ArrangementShareInline]


@admin.register(DigestSent)
class DigestSentAdmin(UnscopedAdmin):
    list_display = ["date", "owner", "items", "sent_at"]
    readonly_fields = ["date", "owner", "items", "sent_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
