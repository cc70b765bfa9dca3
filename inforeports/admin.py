"""Reports are read here, never changed: every change goes through inforeports.services (the
pages), which check who may make it and keep approved reports as they were."""

from django.contrib import admin

from .models import InfoReport, TrustTemplate


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TrustTemplate)
class TrustTemplateAdmin(ReadOnly):
    list_display = ("trust", "updated_by", "updated_at")


@admin.register(InfoReport)
class InfoReportAdmin(ReadOnly):
    list_display = ("school", "academic_year", "version", "status", "approved_on")
    list_filter = ("status", "academic_year")
