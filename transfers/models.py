"""Common transfer files brought in: who uploaded which file for which school, what its check
found and what the import changed. The file itself is not kept: only what the register takes
from it (identity, year group, SEN history and needs of the pupils with SEND), and that only
until it is imported (data minimisation: a CTF also carries addresses, contacts and
attendance, which this service never reads)."""

from django.conf import settings
from django.db import models

from trusts.models import School
from trusts.scoping import TenantManager


class TransferImport(models.Model):
    class Status(models.TextChoices):
        READY = "ready", "Ready to import"
        INVALID = "invalid", "Has errors"
        IMPORTED = "imported", "Imported"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="transfer_imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveIntegerField()
    sha256 = models.CharField("SHA-256", max_length=64)
    ctf_version = models.CharField("CTF version", max_length=10)
    source_laestab = models.CharField("sending school", max_length=7, blank=True)
    source_name = models.CharField("sending school's name", max_length=200, blank=True)
    # The pupils with SEND as read from the file, until the import; emptied by it.
    pupils = models.JSONField(default=list, blank=True)
    # Per pupil in the file: what the import does (pupil ids, never names) and the counts.
    summary = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)

    objects = TenantManager(school="school")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Transfer import {self.pk} for {self.school}"

    def get_additional_data(self) -> dict:
        return {"trust_id": self.school.trust_id, "school_id": self.school_id}
