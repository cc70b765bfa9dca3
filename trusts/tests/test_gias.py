import datetime

import pytest
from django.core.management import CommandError, call_command

from trusts.models import FormerURN, LocalAuthority, School, Trust
from trusts.tests import gias_files as g
from trusts.tests.factories import LocalAuthorityFactory, SchoolFactory, TrustFactory

pytestmark = pytest.mark.django_db


def run(*args):
    import io

    out = io.StringIO()
    call_command("import_gias", *[str(a) for a in args], stdout=out, stderr=out)
    return out.getvalue()


def new_trust_rows():
    return [
        g.school("148001", "Holy Cross Catholic Primary School", "8833001"),
        g.school("148002", "St Mary\u2019s Catholic Infant School", "8823004", low="4", high="7"),
        g.school("148003", "St Thomas More High School", "8824001", phase="Secondary", low="11", high="18"),
        g.school(
            "148004",
            "Our Lady of Grace School",
            "8817001",
            phase="Not applicable",
            kind="Academy special converter",
            low="3",
            high="19",
        ),
        g.school(
            "148005",
            "St Anne Line Junior School",
            "8813003",
            low="7",
            high="11",
            status="Proposed to open",
            opened="",
        ),
        # Another trust's school and a school in no trust share the file.
        g.school("149001", "Elsewhere Academy", "8812001", trust=("6002", "OTHER LEARNING TRUST")),
        g.school("100500", "Maintained Primary School", "8812002", kind="Community school", trust=("", "")),
    ]


def test_a_new_trust_starts_from_its_gias_extract(tmp_path):
    path = g.extract(tmp_path / "edubasealldata20260101.csv", new_trust_rows())
    out = run(path, "--trust", "5001")
    assert "5 new, 0 changed, 0 unchanged; 1 new trust(s), 3 new local authorities." in out
    trust = Trust.objects.get()
    assert (trust.group_uid, trust.name, trust.slug) == (
        "5001",
        "ASSISI CATHOLIC TRUST",
        "assisi-catholic-trust",
    )
    schools = {s.urn: s for s in School.objects.all()}
    assert set(schools) == {"148001", "148002", "148003", "148004", "148005"}
    holy = schools["148001"]
    assert (holy.laestab, holy.phase, holy.status, holy.opened_on, holy.closed_on) == (
        "8833001",
        "primary",
        "open",
        datetime.date(2015, 9, 1),
        None,
    )
    assert holy.local_authority.code == 883 and holy.local_authority.name == "Thurrock"
    assert schools["148002"].name == "St Mary\u2019s Catholic Infant School"  # read as cp1252
    assert schools["148002"].phase == "infant"
    assert schools["148003"].phase == "secondary"
    assert schools["148004"].phase == "special"
    assert schools["148005"].phase == "junior" and schools["148005"].status == "proposed_to_open"
    assert LocalAuthority.objects.get(code=881).funding_unit == "band"


def test_importing_the_same_extract_again_changes_nothing(tmp_path):
    path = g.extract(tmp_path / "e.csv", new_trust_rows())
    run(path, "--trust", "5001")
    out = run(path, "--trust", "5001")
    assert "0 new, 0 changed, 5 unchanged" in out and "Nothing to change." in out


def test_the_dry_run_lists_the_changes_and_writes_nothing(tmp_path):
    path = g.extract(tmp_path / "e.csv", new_trust_rows())
    out = run(path, "--trust", "5001", "--dry-run")
    assert "New trust: ASSISI CATHOLIC TRUST (group 5001)" in out
    assert "New school: Holy Cross Catholic Primary School (URN 148001, LAESTAB 8833001)" in out
    assert "Dry run: nothing was written." in out
    assert not School.objects.exists() and not Trust.objects.exists()
    assert not LocalAuthority.objects.exists()


def test_seeded_schools_known_by_laestab_take_their_urn_status_and_the_trusts_group(tmp_path):
    trust = TrustFactory(name="Assisi Catholic Trust", slug="assisi-catholic-trust")
    la = LocalAuthorityFactory(code=883, name="Thurrock")
    seeded = SchoolFactory(
        name="Holy Cross Primary", laestab="8833001", trust=trust, local_authority=la, urn=None
    )
    path = g.extract(
        tmp_path / "e.csv",
        [
            g.school(
                "148001",
                "Holy Cross Catholic Primary School",
                "8833001",
                status="Closed",
                closed="31-08-2026",
            )
        ],
    )
    out = run(path)  # no --trust: the trust is known by its name
    seeded.refresh_from_db()
    trust.refresh_from_db()
    assert trust.group_uid == "5001" and Trust.objects.count() == 1
    assert (seeded.urn, seeded.name, seeded.status, seeded.closed_on) == (
        "148001",
        "Holy Cross Catholic Primary School",
        "closed",
        datetime.date(2026, 8, 31),
    )
    assert "status Open → Closed" in out and "URN none → 148001" in out


def test_without_trust_schools_of_trusts_not_in_the_portal_are_left_out_and_said_so(tmp_path):
    TrustFactory(name="Assisi Catholic Trust", slug="assisi-catholic-trust", group_uid="5001")
    path = g.extract(tmp_path / "e.csv", new_trust_rows())
    out = run(path)
    assert (
        "1 school(s) of 1 trust(s) not in the portal were left out; add a trust with "
        "--trust GROUP_UID, e.g. 6002 OTHER LEARNING TRUST" in out
    )
    assert not School.objects.filter(urn__in=["149001", "100500"]).exists()
    assert School.objects.count() == 5


def test_an_academy_conversion_keeps_one_school_with_its_former_urn(tmp_path):
    trust = TrustFactory(name="Assisi Catholic Trust", slug="assisi-catholic-trust", group_uid="5001")
    school = SchoolFactory(
        name="Sacred Heart RC Primary School",
        laestab="8822001",
        urn="114900",
        trust=trust,
        local_authority=LocalAuthorityFactory(code=882),
        opened_on=datetime.date(1970, 1, 1),
    )
    path = g.extract(
        tmp_path / "e.csv",
        [
            g.school(
                "114900",
                "Sacred Heart RC Primary School",
                "8822001",
                kind="Voluntary aided school",
                status="Closed",
                opened="01-01-1970",
                closed="31-03-2026",
            ),
            g.school("152001", "Sacred Heart Catholic Primary School", "8822050", opened="01-04-2026"),
        ],
    )
    link = g.links(
        tmp_path / "links.csv",
        [
            ("114900", "152001", "Sacred Heart Catholic Primary School", "Successor", "31-03-2026"),
            ("152001", "114900", "Sacred Heart RC Primary School", "Predecessor", "31-03-2026"),
        ],
    )
    out = run(path, "--links", link, "--trust", "5001")
    assert "new URN 152001 succeeds 114900: its census history stays with it" in out
    assert School.objects.count() == 1
    school.refresh_from_db()
    assert (school.urn, school.laestab, school.name, school.status, school.opened_on) == (
        "152001",
        "8822050",
        "Sacred Heart Catholic Primary School",
        "open",
        datetime.date(2026, 4, 1),
    )
    former = FormerURN.objects.get()
    assert (former.school, former.urn, former.laestab, former.name, former.closed_on) == (
        school,
        "114900",
        "8822001",
        "Sacred Heart RC Primary School",
        datetime.date(2026, 3, 31),
    )
    # The same files again: nothing changes, the old URN's row included.
    again = run(path, "--links", link, "--trust", "5001")
    assert "0 new, 0 changed, 2 unchanged" in again


def test_each_school_and_trust_the_import_writes_has_an_audit_row_naming_the_importer(tmp_path):
    from auditlog.models import LogEntry

    from trusts.tests.factories import UserFactory

    admin = UserFactory(email="data@example.org")
    path = g.extract(tmp_path / "e.csv", new_trust_rows())
    run(path, "--trust", "5001", "--actor", "data@example.org")
    trust = Trust.objects.get()
    created = LogEntry.objects.filter(action=LogEntry.Action.CREATE, actor=admin)
    assert {e.object_pk for e in created.filter(content_type__model="school")} == {
        str(pk) for pk in School.objects.values_list("pk", flat=True)
    }
    trust_entry = created.get(content_type__model="trust")
    assert trust_entry.object_pk == str(trust.pk)
    assert trust_entry.additional_data == {"trust_id": trust.pk}
    holy = School.objects.get(urn="148001")
    holy_entry = created.get(content_type__model="school", object_pk=str(holy.pk))
    assert holy_entry.additional_data == {"trust_id": trust.pk, "school_id": holy.pk}

    # A change says what changed; importing the same file again writes no row.
    renamed = [
        g.school("148001", "Holy Cross Catholic Primary Academy", "8833001"),
        *new_trust_rows()[1:],
    ]
    run(g.extract(tmp_path / "e2.csv", renamed), "--trust", "5001", "--actor", "data@example.org")
    changed = LogEntry.objects.get(action=LogEntry.Action.UPDATE, object_pk=str(holy.pk))
    assert changed.actor == admin
    assert "Holy Cross Catholic Primary Academy" in changed.changes_dict["gias_import"][1]
    rows = LogEntry.objects.count()
    run(g.extract(tmp_path / "e3.csv", renamed), "--trust", "5001", "--actor", "data@example.org")
    assert LogEntry.objects.count() == rows


def test_a_new_laestab_for_a_known_school_without_its_link_is_refused(tmp_path):
    trust = TrustFactory(name="Assisi Catholic Trust", slug="assisi-catholic-trust", group_uid="5001")
    SchoolFactory(
        laestab="8822001", urn="114900", trust=trust, local_authority=LocalAuthorityFactory(code=882)
    )
    path = g.extract(tmp_path / "e.csv", [g.school("152001", "Sacred Heart", "8822001")])
    with pytest.raises(CommandError, match="1 problem"):
        run(path, "--trust", "5001")
    assert not School.objects.filter(urn="152001").exists()


def test_a_file_that_is_not_a_gias_extract_is_refused_and_nothing_written(tmp_path):
    census = tmp_path / "census.csv"
    census.write_text("UPN,Surname,Forename,DOB\nA123,Smith,Ann,2015-01-01\n")
    with pytest.raises(
        CommandError, match='not a Get Information about Schools establishment extract: it has no "URN"'
    ):
        run(census)
    xlsx = tmp_path / "e.xlsx"
    xlsx.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(CommandError, match="not a CSV text file"):
        run(xlsx)
    assert not School.objects.exists() and not Trust.objects.exists()


def test_one_bad_row_refuses_the_whole_file(tmp_path):
    rows = new_trust_rows()
    rows[2]["OpenDate"] = "31-02-2015"
    path = g.extract(tmp_path / "e.csv", rows)
    with pytest.raises(CommandError, match="1 error"):
        run(path, "--trust", "5001")
    assert not School.objects.exists() and not Trust.objects.exists()


def test_trust_limits_the_import_and_its_checks_to_that_trusts_schools(tmp_path):
    rows = new_trust_rows()
    rows[5]["OpenDate"] = "not a date"  # the other trust's school
    path = g.extract(tmp_path / "e.csv", rows)
    run(path, "--trust", "5001")
    assert School.objects.count() == 5 and not School.objects.filter(urn="149001").exists()
    with pytest.raises(CommandError, match="No school in the file belongs to the trust with group UID 7777"):
        run(path, "--trust", "7777")


def test_a_new_urn_succeeding_two_schools_of_the_portal_is_refused(tmp_path):
    trust = TrustFactory(name="Assisi Catholic Trust", slug="assisi-catholic-trust", group_uid="5001")
    la = LocalAuthorityFactory(code=882)
    SchoolFactory(laestab="8822001", urn="114900", trust=trust, local_authority=la)
    SchoolFactory(laestab="8822002", urn="114901", trust=trust, local_authority=la)
    path = g.extract(tmp_path / "e.csv", [g.school("152001", "St Bede's Primary", "8822050")])
    link = g.links(
        tmp_path / "l.csv",
        [
            ("152001", "114900", "Infant", "Predecessor - amalgamated", "01-09-2026"),
            ("152001", "114901", "Junior", "Predecessor - amalgamated", "01-09-2026"),
        ],
    )
    with pytest.raises(CommandError, match="succeeds 2 schools in the portal"):
        run(path, "--links", link, "--trust", "5001")
    assert not School.objects.filter(urn="152001").exists() and not FormerURN.objects.exists()


def test_a_links_file_that_is_not_gias_links_is_refused(tmp_path):
    path = g.extract(tmp_path / "e.csv", new_trust_rows())
    bad = tmp_path / "links.csv"
    bad.write_text("URN,Predecessor\n152001,114900\n")
    with pytest.raises(
        CommandError,
        match='The links file is not GIAS\'s links extract: it has no "LinkURN", "LinkType" columns',
    ):
        run(path, "--links", bad, "--trust", "5001")
    assert not School.objects.exists()
