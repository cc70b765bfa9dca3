"""Common transfer files brought in: who uploaded which file for which school, what its check
found and what the import changed. The file itself is not kept: only what the register takes
from it (identity, year group, SEN history and needs of the pupils with SEND), and that only
until it is imported (data minimisation: a CTF also carries addresses, contacts and
attendance, which this service never reads)."""

from django.conf import settings
from django.db import models

from trusts.audit import AuditedInSchool
from trusts.models import School
from trusts.scoping import TenantManager


class TransferImport(AuditedInSchool, models.Model):
    class Status(models.TextChoices):
        READY = "ready", "Ready to import"
        INVALID = "invalid", "Has errors"
        IMPORTED = "imported", "Imported"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="transfer_imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
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


class PupilMove(AuditedInSchool, models.Model):
    """A pupil moving between two schools of the deployment. The sending school releases the
    pupil to a named school; that school's SENCO receives them, and only then does the
    receiving school get the pupil's records (copies on a register row of its own: the sending
    school keeps its records, read-only now the pupil has left). The provision the pupil had
    is kept here as it stood on receipt: the interventions and their costs stay the sending
    school's."""

    class Status(models.TextChoices):
        RELEASED = "released", "Released"
        RECEIVED = "received", "Received"
        CANCELLED = "cancelled", "Cancelled"

    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.PROTECT, related_name="moves_out")
    from_school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="moves_out")
    to_school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="moves_in")
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.RELEASED)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(auto_now_add=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The pupil's register row at the receiving school, made or matched on receipt.
    received_pupil = models.ForeignKey(
        "pupils.Pupil", on_delete=models.PROTECT, null=True, blank=True, related_name="moves_in"
    )
    # What the receipt brought: counts of records copied, and the provision history as it
    # stood (intervention name, kind, dates, scores), for the receiving school to read.
    summary = models.JSONField(default=dict, blank=True)
    provision_history = models.JSONField(default=list, blank=True)

    # Scoped by the sending school; the receiving school's reads go through
    # transfers.selectors, which ask trusts.access for both sides explicitly.
    objects = TenantManager(school="from_school")

    class Meta:
        ordering = ["-released_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil"], condition=models.Q(status="released"), name="pupil_move_one_open_per_pupil"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_school=models.F("to_school")), name="pupil_move_between_two_schools"
            ),
        ]

    def __str__(self) -> str:
        return f"Pupil move {self.pk}"

    audit_school = "from_school"  # the trust and school of its audit entries
