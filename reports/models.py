"""Trustee board packs: one row per requested PDF, its progress and where the file is kept."""

from django.conf import settings
from django.db import models

from trusts.models import Trust
from trusts.scoping import TenantManager


class _DistinctManager(TenantManager["BoardPack"]):
    # The scope filter follows trust -> schools (a reverse relation), which would repeat a
    # pack once per visible school of its trust; DISTINCT keeps one row per pack.
    def get_queryset(self) -> models.QuerySet["BoardPack"]:
        return super().get_queryset().distinct()


class BoardPack(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="board_packs")
    # The census the pack reports on (None: the latest census when the pack is rendered).
    census_date = models.DateField(null=True, blank=True)
    # The period for funding, casework and activity figures (financial year to date).
    period_start = models.DateField()
    period_end = models.DateField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Relative to MEDIA_ROOT; set once the file is complete.
    file_path = models.CharField(max_length=300, blank=True)
    file_size = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    # How far the render has gone, 0 to 100 (services.board_pack_render: the figures gathered,
    # the pages laid out, the PDF written), for the page that shows the pack's progress.
    progress = models.PositiveSmallIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Written while the pack is drawn (trusts.jobs.heartbeat): a pack "rendering" whose
    # heartbeat stopped lost its worker, and is drawn again or marked failed.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The same request sent twice (a double click, a resubmitted form) makes one pack.
    idempotency_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = _DistinctManager(school="trust__schools")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Board pack {self.pk} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)

    # The steps of a render, each with the progress reached when it starts.
    STEPS = ((0, "Gathering the figures"), (40, "Laying out the pages"), (80, "Writing the PDF"))

    @property
    def step(self) -> str:
        """What the render is doing now, in words ("" unless it is rendering)."""
        if self.status != self.Status.RENDERING:
            return ""
        return [label for start, label in self.STEPS if self.progress >= start][-1]

    def get_additional_data(self) -> dict:
        return {"trust_id": self.trust_id, "school_id": None}


class FiguresCheck(models.Model):
    """One comparison of every kept figure with a recomputation from its source rows
    (`verify_figures`, daily from beat). Platform-wide, about no pupil: /healthz reads the
    latest to say whether the dashboards can be trusted."""

    checked_at = models.DateTimeField(auto_now_add=True)
    # One plain-English line per difference (school, figure, kept and recomputed values).
    differences = models.JSONField(default=list)

    class Meta:
        ordering = ["-checked_at"]
        get_latest_by = "checked_at"

    def __str__(self) -> str:
        return f"Figures check {self.checked_at:%Y-%m-%d %H:%M}: {len(self.differences)} differences"
