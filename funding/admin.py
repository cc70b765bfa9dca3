"""Banding tables for platform admins: a scheme per LA and financial year with its bands, and
import/export of bands (django-import-export) in the reference file's columns plus the year.
Importing next year's table creates new rows only: bands are keyed by LA, year and label, so an
older year's table is never touched."""

from decimal import Decimal, InvalidOperation

from django.contrib import admin
from import_export import fields, resources
from import_export.admin import ImportExportModelAdmin
from import_export.widgets import DecimalWidget, ForeignKeyWidget

from trusts.models import LocalAuthority

from . import figures
from .models import Band, BandingScheme, FundingSettings


class BandResource(resources.ModelResource):
    la_code = fields.Field(attribute="scheme__local_authority__code", column_name="la_code", readonly=True)
    financial_year = fields.Field(
        attribute="scheme__financial_year", column_name="financial_year", readonly=True
    )
    scheme = fields.Field(attribute="scheme", column_name="scheme", widget=ForeignKeyWidget(BandingScheme))
    band = fields.Field(attribute="label", column_name="band")
    hours_per_week = fields.Field(
        attribute="hours_per_week", column_name="hours_per_week", widget=DecimalWidget()
    )
    annual_value_gbp = fields.Field(
        attribute="annual_value", column_name="annual_value_gbp", widget=DecimalWidget()
    )

    class Meta:
        model = Band
        fields = ("la_code", "financial_year", "scheme", "band", "hours_per_week", "annual_value_gbp")
        export_order = fields
        import_id_fields = ("scheme", "band")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        rollback_on_validation_errors = True

    def before_import(self, dataset, **kwargs):
        # The reference file has no scheme column: each row's scheme is found from its LA and year.
        if "scheme" not in (dataset.headers or []):
            dataset.append_col([""] * len(dataset), header="scheme")
        super().before_import(dataset, **kwargs)

    def before_import_row(self, row, **kwargs):
        try:
            code = int(str(row.get("la_code", "")).strip())
            year = int(str(row.get("financial_year", "")).strip())
        except ValueError:
            raise ValueError("Each row needs an la_code and a financial_year (e.g. 2026).") from None
        la = LocalAuthority.objects.filter(code=code).first()
        if la is None:
            raise ValueError(f"No local authority with code {code}.")
        if not 2000 <= year <= 2100:
            raise ValueError(f"{year} is not a financial year.")
        try:
            if Decimal(str(row.get("annual_value_gbp", "")).strip()) < 0:
                raise ValueError("An annual value cannot be negative.")
        except InvalidOperation:
            raise ValueError("annual_value_gbp must be an amount in pounds.") from None
        scheme, _ = BandingScheme.objects.get_or_create(local_authority=la, financial_year=year)
        if scheme.carried_forward_from is not None:
            # The LA's own table for the year replaces the rates carried forward (this import
            # runs in a transaction, so a dry run or a refused file leaves the mark in place).
            scheme.carried_forward_from = None
            scheme.notes = ""
            scheme.save(update_fields=["carried_forward_from", "notes"])
        row["scheme"] = scheme.pk
        row["band"] = str(row.get("band", "")).strip()

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        changed = any(r.import_type != r.IMPORT_TYPE_SKIP for r in result.rows)
        if changed and not self._is_dry_run(kwargs) and not result.has_errors():
            figures.banding_changed()


class TablesChangedAdminMixin:
    """Saving or deleting banding tables here rebuilds every school's funding figures."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        figures.banding_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        figures.banding_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        figures.banding_changed()


class BandInline(admin.TabularInline):
    model = Band
    extra = 0


@admin.register(BandingScheme)
class BandingSchemeAdmin(TablesChangedAdminMixin, admin.ModelAdmin):
    list_display = ["local_authority", "label", "band_count", "carried_forward_from"]
    list_filter = ["local_authority", "financial_year"]
    inlines = [BandInline]

    @admin.display(description="bands")
    def band_count(self, obj):
        return obj.bands.count()


@admin.register(Band)
class BandAdmin(TablesChangedAdminMixin, ImportExportModelAdmin):
    resource_classes = [BandResource]
    list_display = ["label", "scheme", "hours_per_week", "annual_value"]
    list_filter = ["scheme__local_authority", "scheme__financial_year"]
    list_select_related = ["scheme__local_authority"]


@admin.register(FundingSettings)
class FundingSettingsAdmin(admin.ModelAdmin):
    list_display = ["school", "hourly_rate", "on_cost_percent", "weeks_per_year", "notional_threshold"]
    list_select_related = ["school"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        figures.school_refresh(school_id=obj.school_id)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        figures.school_refresh(school_id=obj.school_id)

    def delete_queryset(self, request, queryset):
        school_ids = list(queryset.values_list("school_id", flat=True))
        super().delete_queryset(request, queryset)
        figures.schools_refresh(school_ids=school_ids)
