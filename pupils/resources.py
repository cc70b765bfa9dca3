"""Register exports with django-import-export, safe to open in Excel.

Every text cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading
single quote (trusts.exports.FormulaSafeExportMixin), so a spreadsheet shows it as text."""

from __future__ import annotations

from django.db.models import QuerySet
from import_export import fields, resources
from import_export.formats import base_formats

from trusts.exports import FormulaSafeExportMixin

from .models import Pupil


class RegisterResource(FormulaSafeExportMixin, resources.ModelResource):
    school = fields.Field(attribute="school__laestab", column_name="LAESTAB")
    upn = fields.Field(attribute="upn", column_name="UPN")
    surname = fields.Field(attribute="surname", column_name="Surname")
    forename = fields.Field(attribute="forename", column_name="Forename")
    date_of_birth = fields.Field(attribute="date_of_birth", column_name="DOB")
    gender = fields.Field(attribute="gender", column_name="Gender")
    year_group = fields.Field(attribute="year_group", column_name="YearGroup")
    provision = fields.Field(attribute="provision", column_name="SENProvision")
    primary_need = fields.Field(attribute="primary_need", column_name="PrimaryNeed")
    secondary_need = fields.Field(attribute="secondary_need", column_name="SecondaryNeed")
    home_la = fields.Field(attribute="home_local_authority__name", column_name="HomeLA")

    class Meta:
        model = Pupil
        fields = (
            "school",
            "upn",
            "surname",
            "forename",
            "date_of_birth",
            "gender",
            "year_group",
            "provision",
            "primary_need",
            "secondary_need",
            "home_la",
        )
        export_order = fields

    def dehydrate_date_of_birth(self, pupil: Pupil) -> str:
        return pupil.date_of_birth.isoformat()


FORMATS = {"csv": base_formats.CSV, "xlsx": base_formats.XLSX}


def export_register(pupils: QuerySet[Pupil], fmt: str) -> tuple[bytes, str, int]:
    """The pupils as a CSV or XLSX file: (content, content type, number of rows)."""
    dataset = RegisterResource().export(queryset=pupils.select_related("school", "home_local_authority"))
    file_format = FORMATS[fmt]()
    content = file_format.export_data(dataset)
    if isinstance(content, str):
        content = ("\ufeff" + content).encode("utf-8")  # BOM: Excel then reads UTF-8 names
    return content, file_format.get_content_type(), len(dataset)
