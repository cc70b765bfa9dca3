"""Tasks are sent only when the transaction that asked for them commits (delay_on_commit /
on_commit): a rolled-back request leaves no message on the broker, so no task ever runs."""

import datetime
import json

import pytest
import redis
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from pupils import tasks as pupil_tasks
from pupils.models import CensusImport
from reports import services
from reports.models import BoardPack
from reports.tests.conftest import make_reference
from trusts.models import School
from trusts.tests.factories import data_admin, executive

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


CENSUS_DATE = datetime.date(2025, 10, 2)


class Rollback(Exception):
    pass


def queued_tasks(url: str) -> list[str]:
    client = redis.Redis.from_url(url)
    return [json.loads(m)["headers"]["task"] for m in client.lrange("celery", 0, -1)]


def test_a_board_pack_requested_in_a_rolled_back_transaction_is_never_sent(own_redis, use_redis):
    reference = make_reference(previous=False)
    user = executive(reference.christus)
    use_redis(own_redis.url())
    with pytest.raises(Rollback), transaction.atomic():
        services.board_pack_request(
            actor=user, trust=reference.christus, census_date=None, idempotency_key="r" * 32
        )
        raise Rollback
    assert BoardPack.objects.count() == 0
    assert queued_tasks(own_redis.url()) == []
    # The same request committed is sent once.
    pack = services.board_pack_request(
        actor=user, trust=reference.christus, census_date=None, idempotency_key="c" * 32
    )
    assert queued_tasks(own_redis.url()) == ["reports.tasks.render_board_pack"]
    assert not services.board_pack_is_waiting(pack)


def _upload(school, user) -> CensusImport:
    record = CensusImport(
        school=school,
        census_date=CENSUS_DATE,
        uploaded_by=user,
        file_name="census.csv",
        file_size=10,
        sha256="0" * 64,
        status=CensusImport.Status.CHECKING,
    )
    record.file.save("rollback-test.csv", ContentFile(b"UPN,Surname\r\n"), save=False)
    record.save()
    return record


def test_census_import_tasks_enqueued_in_a_rolled_back_transaction_are_never_sent(
    own_redis, use_redis, media_root
):
    reference = make_reference(previous=False)
    school = School.objects.filter(trust=reference.assisi).first()
    user = data_admin(reference.assisi)
    use_redis(own_redis.url())
    with pytest.raises(Rollback), transaction.atomic():
        record = _upload(school, user)
        pupil_tasks.check_census_import.delay_on_commit(record.pk)
        pupil_tasks.apply_census_import.delay_on_commit(record.pk, user.pk)
        raise Rollback
    assert CensusImport.objects.count() == 0
    assert queued_tasks(own_redis.url()) == []
    with transaction.atomic():
        record = _upload(school, user)
        pupil_tasks.check_census_import.delay_on_commit(record.pk)
        pupil_tasks.apply_census_import.delay_on_commit(record.pk, user.pk)
        assert queued_tasks(own_redis.url()) == []  # not before the commit
    assert sorted(queued_tasks(own_redis.url())) == [
        "pupils.tasks.apply_census_import",
        "pupils.tasks.check_census_import",
    ]


def test_render_time_limits_are_below_the_broker_visibility_timeout():
    # Otherwise a slow but healthy render would be delivered a second time.
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert visibility > settings.REPORTS_BOARD_PACK_TIME_LIMIT
    assert visibility > settings.CELERY_TASK_TIME_LIMIT
    from reports.tasks import render_board_pack

    assert render_board_pack.acks_late and render_board_pack.reject_on_worker_lost


def test_requeue_command_refuses_a_negative_age_and_sends_nothing(own_redis, use_redis):
    from django.core.management import CommandError, call_command

    use_redis(own_redis.url())
    with pytest.raises(CommandError, match="0 or more"):
        call_command("requeue_board_packs", "--older-than", "-5")
    assert queued_tasks(own_redis.url()) == []
