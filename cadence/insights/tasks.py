"""Background work for insights: every active course's learner figures (the services keep them current between
runs) and course health's heavy figures, refreshed every hour; then whether each check-in's learner came back, and
the automated check-in rules; each course's statistical risk model, trained daily in a process of its own (so
the worker never imports scikit-learn). One-line wrappers around the services."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from cadence.insights import checkins_log, health_snapshots, services, services_checkins, training_process


@db_periodic_task(crontab(minute="17"))  # type: ignore[untyped-decorator]  # huey ships no type hints
def refresh_learner_stats() -> int:
    return services.refresh_active_courses(now=timezone.now())


@db_periodic_task(crontab(minute="35"))  # type: ignore[untyped-decorator]
def refresh_course_health_hourly() -> int:
    return health_snapshots.refresh_all()


@db_periodic_task(crontab(hour="3", minute="41"))  # type: ignore[untyped-decorator]
def train_risk_models_daily() -> int:
    return training_process.train_all_in_own_process(now=timezone.now())


@db_periodic_task(crontab(minute="23"))  # type: ignore[untyped-decorator]  # after the learner figures' refresh
def refresh_check_in_outcomes() -> int:
    return checkins_log.refresh_outcomes(now=timezone.now())


@db_periodic_task(crontab(minute="27"))  # type: ignore[untyped-decorator]
def run_check_in_rules() -> int:
    return services_checkins.run_all_rules(now=timezone.now())
