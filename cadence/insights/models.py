"""Insights keep derived figures only: they can be rebuilt from the rows they summarise at any time."""

from __future__ import annotations

from django.db import models

from cadence.courses.models import Course


class HealthSnapshot(models.Model):
    """A course's heavy health figures (funnel, weekly activity, video drop-off, revisits) for one scope of
    learners ("all", or a group-limited TA's groups), kept by the hourly refresh so the page reads one row."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=200)
    computed_at = models.DateTimeField()
    figures = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "scope"], name="one_health_snapshot_per_scope")]

    def __str__(self) -> str:
        return f"{self.course_id}:{self.scope}"
