"""Evidence pack pages through the access policy: SENCOs of the school and the Head of SEND
build and send, headteachers read, everyone else gets 404; every read of a pack is audited;
the lists and the pack page take the same queries for few or many records; bad input changes
nothing; the PDF is tagged; the admin edits templates through the services."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from casework.models import EHCRequest
from evidence import services
from evidence.models import EvidencePack, PackTemplate, ProfessionalInvolvement

from .conftest import TODAY, complete_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def packs(world):
    return {
        "a": services.pack_start(actor=world.senco_a, pupil=world.pupil_a, kind="ehc_request"),
        "b": services.pack_start(actor=world.senco_b, pupil=world.pupil_b, kind="ehc_request"),
    }


def read_urls(world, packs, side="a"):
    pupil, pack = getattr(world, f"pupil_{side}"), packs[side]
    return [
        reverse("evidence:pupil_packs", args=[pupil.pk]),
        reverse("evidence:pack_detail", args=[pack.pk]),
        reverse("evidence:pack_pdf", args=[pack.pk]),
    ]


def write_urls(world, packs, side="a"):
    pupil, pack = getattr(world, f"pupil_{side}"), packs[side]
    return [
        reverse("evidence:professional_new", args=[pupil.pk]),
        reverse("evidence:pack_send", args=[pack.pk]),
    ]


def post_only_urls(world, packs, side="a"):
    pupil, pack = getattr(world, f"pupil_{side}"), packs[side]
    return [reverse("evidence:pack_new", args=[pupil.pk]), reverse("evidence:pack_discard", args=[pack.pk])]


@pytest.mark.parametrize("who", ["senco_a", "hos"])
def test_the_schools_senco_and_the_head_of_send_read_and_write(client, world, packs, who):
    client.force_login(getattr(world, who))
    for url in read_urls(world, packs) + write_urls(world, packs):
        assert client.get(url).status_code == 200, url
    # The check page sends them back to the question while nothing has been answered.
    check = client.get(reverse("evidence:pack_send_check", args=[packs["a"].pk]))
    assert check.status_code == 302


def test_the_headteacher_reads_but_does_not_build_or_send(client, world, packs):
    client.force_login(world.head_a)
    for url in read_urls(world, packs):
        assert client.get(url).status_code == 200, url
    body = client.get(reverse("evidence:pack_detail", args=[packs["a"].pk])).content.decode()
    assert 'id="mark-sent"' not in body and 'id="discard"' not in body
    for url in write_urls(world, packs):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("evidence:pack_send_check", args=[packs["a"].pk])).status_code == 404
    for url in post_only_urls(world, packs):
        assert client.post(url, {"kind": "ehc_request"}).status_code == 404, url
    assert EvidencePack.objects.filter(pk=packs["a"].pk).exists()


@pytest.mark.parametrize("who", ["executive", "data_admin", "senco_a2", "senco_b"])
def test_everyone_else_gets_404_and_executives_see_no_names(client, world, packs, who):
    client.force_login(getattr(world, who))
    urls = (
        read_urls(world, packs)
        + write_urls(world, packs)
        + [reverse("evidence:pack_send_check", args=[packs["a"].pk])]
    )
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Khanova" not in response.content.decode()
    for url in post_only_urls(world, packs):
        assert client.post(url, {"kind": "ehc_request"}).status_code == 404, url


def test_another_trusts_pack_is_404_even_for_the_head_of_send(client, world, packs):
    client.force_login(world.hos)
    for url in read_urls(world, packs, "b") + write_urls(world, packs, "b"):
        assert client.get(url).status_code == 404, url


def test_logged_out_visitors_go_to_login(client, world, packs):
    for url in read_urls(world, packs) + write_urls(world, packs):
        assert client.get(url)["Location"].startswith("/accounts/login/")


def access_entries(pack):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(pack),
        object_pk=str(pack.pk),
        action=LogEntry.Action.ACCESS,
    )


def test_every_read_of_a_pack_is_audited(client, world, packs):
    client.force_login(world.head_a)
    pack = packs["a"]
    client.get(reverse("evidence:pack_detail", args=[pack.pk]))
    assert access_entries(pack).count() == 1
    client.get(reverse("evidence:pack_pdf", args=[pack.pk]))
    entries = list(access_entries(pack).order_by("pk"))
    assert len(entries) == 2
    assert entries[1].additional_data["export"] == "evidence pack PDF"
    assert entries[1].actor == world.head_a


def test_the_pack_page_shows_what_is_missing_with_links_to_add_it(client, world, packs):
    client.force_login(world.senco_a)
    body = client.get(reverse("evidence:pack_detail", args=[packs["a"].pk])).content.decode()
    assert 'id="missing-list"' in body
    assert "Fewer than 2 completed cycles of assess, plan, do, review (0 completed)" in body
    assert "No one-page profile" in body and "No parents&#x27; or carers&#x27; views" in body
    assert reverse("evidence:professional_new", args=[world.pupil_a.pk]) in body


def test_a_complete_record_says_nothing_is_missing(client, world):
    complete_record(world.pupil_a, world.senco_a)
    pack = services.pack_start(actor=world.senco_a, pupil=world.pupil_a, kind="ehc_request")
    client.force_login(world.senco_a)
    body = client.get(reverse("evidence:pack_detail", args=[pack.pk])).content.decode()
    assert 'id="nothing-missing"' in body and 'id="missing-list"' not in body
    assert "Precision teaching" in body


def test_sending_goes_through_check_your_answers_and_starts_the_request(client, world, packs):
    client.force_login(world.senco_a)
    pack = packs["a"]
    form = reverse("evidence:pack_send", args=[pack.pk])
    answers = {
        "sent_on_day": str(TODAY.day),
        "sent_on_month": str(TODAY.month),
        "sent_on_year": str(TODAY.year),
    }
    response = client.post(form, answers)
    assert response["Location"] == reverse("evidence:pack_send_check", args=[pack.pk])
    assert not EHCRequest.objects.exists()  # nothing recorded before the check
    check = client.get(response["Location"]).content.decode()
    assert "6 weeks" in check and f"{TODAY.day} {TODAY:%B %Y}" in check
    done = client.post(reverse("evidence:pack_send_check", args=[pack.pk]))
    assert done["Location"] == reverse("evidence:pack_detail", args=[pack.pk])
    request = EHCRequest.objects.get()
    assert request.request_date == TODAY
    page = client.get(done["Location"]).content.decode()
    assert 'id="request-steps"' in page and "Decision whether to assess (6 weeks)" in page
    assert (TODAY + dt.timedelta(weeks=6)).strftime("%B") in page
    assert reverse("casework:ehc_request_detail", args=[request.pk]) in page
    assert 'id="mark-sent"' not in page


def test_a_future_date_sent_is_refused_on_the_form_and_changes_nothing(client, world, packs):
    client.force_login(world.senco_a)
    tomorrow = TODAY + dt.timedelta(days=1)
    response = client.post(
        reverse("evidence:pack_send", args=[packs["a"].pk]),
        {
            "sent_on_day": str(tomorrow.day),
            "sent_on_month": str(tomorrow.month),
            "sent_on_year": str(tomorrow.year),
        },
    )
    assert response.status_code == 200
    assert "The date sent cannot be in the future" in response.content.decode()
    for bad in ({"sent_on_day": "31", "sent_on_month": "2", "sent_on_year": "2026"}, {}):
        response = client.post(reverse("evidence:pack_send", args=[packs["a"].pk]), bad)
        assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    packs["a"].refresh_from_db()
    assert not packs["a"].is_sent and not EHCRequest.objects.exists()


def test_starting_a_pack_and_adding_a_professional_from_the_pupils_page(client, world):
    client.force_login(world.senco_a)
    url = reverse("evidence:pack_new", args=[world.pupil_a.pk])
    response = client.post(url, {"kind": "top_up"})
    assert response.status_code == 200
    assert "Select the draft claim the bid is for" in response.content.decode()
    response = client.post(url, {"kind": "ehc_request"})
    pack = EvidencePack.objects.get()
    assert response["Location"] == reverse("evidence:pack_detail", args=[pack.pk])
    add = reverse("evidence:professional_new", args=[world.pupil_a.pk])
    bad = client.post(
        add,
        {
            "role": "ep",
            "who": "",
            "advice": "x",
            "started_on_day": "1",
            "started_on_month": "13",
            "started_on_year": "2026",
        },
    )
    assert bad.status_code == 200 and not ProfessionalInvolvement.objects.exists()
    start = TODAY - dt.timedelta(days=30)
    client.post(
        add,
        {
            "role": "ep",
            "who": "County EP",
            "advice": "Chunk instructions",
            "started_on_day": start.day,
            "started_on_month": start.month,
            "started_on_year": start.year,
        },
    )
    assert ProfessionalInvolvement.objects.get().who == "County EP"


def _count(client, url, django_assert_max_num_queries) -> int:
    with django_assert_max_num_queries(60) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_pupils_packs_page_takes_the_same_queries_for_few_or_many(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.senco_a)
    pack = services.pack_start(actor=world.senco_a, pupil=world.pupil_a, kind="ehc_request")
    services.professional_add(
        actor=world.senco_a, pupil=world.pupil_a, role="ep", who="EP", started_on=TODAY, advice="A"
    )
    url = reverse("evidence:pupil_packs", args=[world.pupil_a.pk])
    client.get(url)  # the session's first page saves it
    few = _count(client, url, django_assert_max_num_queries)
    services.pack_send(actor=world.senco_a, pack=pack, sent_on=TODAY)
    services.pack_start(actor=world.senco_a, pupil=world.pupil_a, kind="ehc_request")
    for n in range(5):
        services.professional_add(
            actor=world.senco_a,
            pupil=world.pupil_a,
            role="salt",
            who=f"SALT {n}",
            started_on=TODAY,
            advice="B",
        )
    assert _count(client, url, django_assert_max_num_queries) == few


def test_the_pack_page_takes_the_same_queries_for_few_or_many_records(
    client, world, django_assert_max_num_queries
):
    from provision.tests.factories import EnrolmentFactory, InterventionFactory

    client.force_login(world.senco_a)
    complete_record(world.pupil_a, world.senco_a, cycles=1)
    pack = services.pack_start(actor=world.senco_a, pupil=world.pupil_a, kind="ehc_request")
    url = reverse("evidence:pack_detail", args=[pack.pk])
    client.get(url)
    few = _count(client, url, django_assert_max_num_queries)
    from support.tests.factories import reviewed_plan

    start = TODAY - dt.timedelta(days=60)
    reviewed_plan(world.pupil_a, world.senco_a, starts_on=start, review_due=start + dt.timedelta(days=50))
    for n in range(4):
        EnrolmentFactory(
            intervention=InterventionFactory(school=world.school_a, name=f"I{n}"),
            pupil=world.pupil_a,
            start_date=TODAY - dt.timedelta(days=10),
        )
        services.professional_add(
            actor=world.senco_a, pupil=world.pupil_a, role="ot", who=f"OT {n}", started_on=TODAY, advice="C"
        )
    assert _count(client, url, django_assert_max_num_queries) == few


def test_the_pdf_is_tagged_and_says_what_the_pack_says(client, world):
    from tests.pdf_checks import assert_accessible_pdf

    complete_record(world.pupil_a, world.senco_a)
    pack = services.pack_start(actor=world.senco_a, pupil=world.pupil_a, kind="ehc_request")
    client.force_login(world.senco_a)
    response = client.get(reverse("evidence:pack_pdf", args=[pack.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="evidence-pack-{pack.pk}.pdf"'
    assert_accessible_pdf(response.content, title=f"{pack.template.title}: Amira Khanova")


def test_the_pupil_page_links_to_the_packs(client, world, packs):
    client.force_login(world.senco_a)
    body = client.get(reverse("pupils:pupil_detail", args=[world.pupil_a.pk])).content.decode()
    assert reverse("evidence:pack_detail", args=[packs["a"].pk]) in body
    assert reverse("evidence:pupil_packs", args=[world.pupil_a.pk]) in body


# --- the admin ---------------------------------------------------------------------------------


@pytest.fixture
def admin(client, admin_user):
    from trusts.tests.factories import with_totp

    with_totp(admin_user)
    client.force_login(admin_user)
    return client


def _admin_post(template, positions: list[int]) -> dict:
    sections = list(template.sections.order_by("position"))
    data = {
        "local_authority": template.local_authority_id,
        "kind": template.kind,
        "title": "Edited title",
        "introduction": "",
        "sections-TOTAL_FORMS": str(len(sections)),
        "sections-INITIAL_FORMS": str(len(sections)),
        "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "1000",
    }
    for n, (s, position) in enumerate(zip(sections, positions, strict=True)):
        data.update(
            {
                f"sections-{n}-id": s.pk,
                f"sections-{n}-template": template.pk,
                f"sections-{n}-position": position,
                f"sections-{n}-heading": s.heading,
                f"sections-{n}-source": s.source,
                f"sections-{n}-guidance": s.guidance,
            }
        )
    return data


def test_platform_admins_reorder_a_template_in_the_admin(admin, world):
    template = PackTemplate.objects.get(local_authority=world.home_la, kind="ehc_request")
    headings = list(template.sections.order_by("position").values_list("heading", flat=True))
    url = f"/admin/evidence/packtemplate/{template.pk}/change/"
    assert admin.get(url).status_code == 200
    n = len(headings)
    response = admin.post(url, _admin_post(template, list(range(n, 0, -1))))
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.title == "Edited title"
    assert list(template.sections.order_by("position").values_list("heading", flat=True)) == headings[::-1]


def test_a_clash_of_positions_is_shown_in_the_admin_not_saved(admin, world):
    template = PackTemplate.objects.get(local_authority=world.home_la, kind="ehc_request")
    before = list(template.sections.values_list("pk", "position"))
    n = template.sections.count()
    response = admin.post(
        f"/admin/evidence/packtemplate/{template.pk}/change/", _admin_post(template, [1] * n)
    )
    assert response.status_code == 200
    assert "duplicate data for position" in response.content.decode()
    assert list(template.sections.values_list("pk", "position")) == before
    template.refresh_from_db()
    assert template.title != "Edited title"


def test_the_services_checks_show_in_the_admin(admin, world):
    """A top-up claim section in an EHC request template is refused on the page."""
    template = PackTemplate.objects.get(local_authority=world.home_la, kind="ehc_request")
    before = list(template.sections.values_list("pk", "source"))
    data = _admin_post(template, list(range(1, template.sections.count() + 1)))
    data["sections-0-source"] = "claim"
    response = admin.post(f"/admin/evidence/packtemplate/{template.pk}/change/", data)
    assert response.status_code == 200
    assert "belongs in a top-up bid only" in response.content.decode()
    assert list(template.sections.values_list("pk", "source")) == before


def test_platform_admins_add_a_template_for_another_la(admin, world, packs):
    from trusts.tests.factories import LocalAuthorityFactory

    la = LocalAuthorityFactory()
    PackTemplate.objects.filter(local_authority=la).delete()
    response = admin.post(
        "/admin/evidence/packtemplate/add/",
        {
            "local_authority": la.pk,
            "kind": "ehc_request",
            "title": "New LA form",
            "introduction": "",
            "sections-TOTAL_FORMS": "2",
            "sections-INITIAL_FORMS": "0",
            "sections-MIN_NUM_FORMS": "0",
            "sections-MAX_NUM_FORMS": "1000",
            "sections-0-position": "1",
            "sections-0-heading": "About me",
            "sections-0-source": "pupil",
            "sections-0-guidance": "",
            "sections-1-position": "",
            "sections-1-heading": "",
            "sections-1-source": "",
            "sections-1-guidance": "",
        },
    )
    assert response.status_code == 302
    template = PackTemplate.objects.get(local_authority=la, kind="ehc_request")
    assert list(template.sections.values_list("heading", flat=True)) == ["About me"]
    for url in [
        "/admin/evidence/packtemplate/",
        "/admin/evidence/evidencepack/",
        f"/admin/evidence/evidencepack/{packs['a'].pk}/change/",
        "/admin/evidence/professionalinvolvement/",
    ]:
        assert admin.get(url).status_code == 200, url
